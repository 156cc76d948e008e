"""The agenda's talks: read, create, edit, move, cancel, delete, and follow what is on air."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.db import utcnow
from server.errors import Conflict, FieldError, NotFound
from server.events.access import role_in_event
from server.events.models import Event
from server.i18n import N_, get_locale
from server.rules import format_datetime, is_blank, normalise_text, pick
from sessions.agenda.models import Talk, TalkCreate, TalkDocument, TalkFields, TalkKind, TalkStatus
from sessions.agenda.rules import AgendaRuleError, Slot, check_talk_times, parse_moment
from sessions.live.models import FloorRequest, Question
from sessions.registration.service import check_country

RULE_MESSAGES = {
    "time_invalid": N_(
        "“%(value)s” is not a time: give it as 2026-12-02T09:00 in the event's zone, or with "
        "its offset."
    ),
    "time_nonexistent": N_(
        "%(value)s does not exist in %(zone)s: the clocks skip that hour. Choose another time."
    ),
    "time_ambiguous": N_(
        "%(value)s happens twice in %(zone)s (the clocks go back): choose the earlier "
        "(%(earlier)s, fold 0) or the later (%(later)s, fold 1)."
    ),
    "invalid_timezone": N_("Unknown time zone: %(zone)s"),
    "talk_ends_before_start": N_("The talk must end after it starts."),
    "talk_outside_event": N_(
        "The talk must lie within the event: %(event_start)s to %(event_end)s."
    ),
    "talk_overlaps": N_(
        "This overlaps “%(other)s” (%(other_start)s to %(other_end)s) on the same stage."
    ),
}
# Rule parameters that are moments, shown to the organiser in the event's zone.
MOMENTS = ("event_start", "event_end", "other_start", "other_end")


async def list_talks(db: AsyncSession, event_id: int) -> list[Talk]:
    """The agenda in time order."""
    rows = await db.exec(
        select(Talk).where(Talk.event_id == event_id).order_by(col(Talk.starts_at), col(Talk.id))
    )
    return list(rows.all())


async def get_talk(db: AsyncSession, talk_id: int) -> Talk:
    """One talk, or 404."""
    talk = await db.get(Talk, talk_id)
    if talk is None:
        raise NotFound("talk_not_found", N_("No such talk."))
    return talk


def field_error(exc: AgendaRuleError, zone: str) -> FieldError:
    """A rule's refusal in the organiser's words, its moments in the event's zone."""
    params: dict[str, object] = dict(exc.params)
    for name in MOMENTS:
        if name in params:
            moment = datetime.fromisoformat(str(params[name]))
            params[name] = format_datetime(moment, zone, get_locale())
    message = RULE_MESSAGES.get(exc.code, N_("The request could not be understood."))
    return FieldError(exc.code, message, exc.field, **params)


def _text(value: str, field: str, *, required: bool = False) -> str:
    text = normalise_text(value)
    if required and is_blank(text):
        raise FieldError("field_required", N_("Please fill in this field."), field)
    return text


async def _speakers(db: AsyncSession, event_id: int, values: list[Any]) -> list[dict[str, Any]]:
    speakers = []
    for n, speaker in enumerate(values):
        if (
            speaker.account_id is not None
            and await role_in_event(db, speaker.account_id, event_id) is None
        ):
            raise FieldError(
                "speaker_not_member",
                N_("A speaker's account must be one of the event's members."),
                f"speakers.{n}.account_id",
            )
        name = _text(speaker.name, f"speakers.{n}.name", required=True)
        country = check_country(speaker.country) if speaker.country.strip() else ""
        speakers.append(
            {
                "name": name,
                "organisation": _text(speaker.organisation, f"speakers.{n}.organisation"),
                "country": country,
                "account_id": speaker.account_id,
            }
        )
    return speakers


async def _slots(db: AsyncSession, event_id: int) -> list[Slot]:
    return [
        Slot(
            id=t.id or 0,
            stage=t.stage,
            title=pick(get_locale(), t.title_vi, t.title_en),
            starts_at=t.starts_at,
            ends_at=t.ends_at,
        )
        for t in await list_talks(db, event_id)
        if t.status != TalkStatus.cancelled
    ]


async def _apply(db: AsyncSession, talk: Talk, fields: TalkFields) -> None:
    """Copy the given text fields onto the talk, normalised and checked."""
    if fields.title_vi is not None:
        talk.title_vi = _text(fields.title_vi, "title_vi", required=True)
    for name in ("title_en", "stage", "stage_en", "abstract_vi", "abstract_en"):
        value = getattr(fields, name)
        if value is not None:
            setattr(talk, name, _text(value, name))
    if fields.kind is not None:
        talk.kind = fields.kind
    if fields.country is not None:
        talk.country = check_country(fields.country) if fields.country.strip() else ""
    if fields.speakers is not None:
        talk.speakers = await _speakers(db, talk.event_id, fields.speakers)
    if fields.cancelled is not None and talk.status in (TalkStatus.scheduled, TalkStatus.cancelled):
        talk.status = TalkStatus.cancelled if fields.cancelled else TalkStatus.scheduled
    if talk.kind == TalkKind.briefing and not talk.country:
        raise FieldError(
            "briefing_needs_country",
            N_("A market briefing names the country it is about."),
            "country",
        )


async def _place(
    db: AsyncSession, event: Event, talk: Talk, start: str | None, end: str | None, fold: int | None
) -> None:
    """Set the talk's times from local or offset times, checking every rule of the agenda."""
    assert event.id is not None
    zone = event.timezone
    try:
        starts_at = (
            parse_moment(start, zone, fold=fold, field="start")
            if start is not None
            else talk.starts_at
        )
        ends_at = (
            parse_moment(end, zone, fold=fold, field="end") if end is not None else talk.ends_at
        )
        # A cancelled talk holds no stage, but still lies within the event.
        cancelled = talk.status == TalkStatus.cancelled
        check_talk_times(
            starts_at,
            ends_at,
            stage=talk.stage,
            event_starts_at=event.starts_at,
            event_ends_at=event.ends_at,
            others=[] if cancelled else await _slots(db, event.id),
            talk_id=talk.id,
        )
    except AgendaRuleError as exc:
        raise field_error(exc, zone) from exc
    if talk.id is not None and (starts_at, ends_at) != (talk.starts_at, talk.ends_at):
        talk.sequence += 1
    talk.starts_at, talk.ends_at = starts_at, ends_at


async def create_talk(db: AsyncSession, event: Event, fields: TalkCreate) -> Talk:
    """A new talk on the agenda; nothing is stored when a rule refuses it."""
    assert event.id is not None
    talk = Talk(event_id=event.id, title_vi="", title_en="", starts_at=utcnow(), ends_at=utcnow())
    await _apply(db, talk, fields)
    await _place(db, event, talk, fields.start, fields.end, fields.fold)
    db.add(talk)
    await db.flush()
    return talk


async def update_talk(db: AsyncSession, event: Event, talk: Talk, fields: TalkFields) -> Talk:
    """Edit or move a talk (SEQUENCE goes up when it moves); nothing changes on a refusal."""
    edited = talk.model_copy()
    await _apply(db, edited, fields)
    await _place(db, event, edited, fields.start, fields.end, fields.fold)
    for name in TalkFields.model_fields.keys() | {"status", "starts_at", "ends_at", "sequence"}:
        if name in Talk.model_fields:
            setattr(talk, name, getattr(edited, name))
    talk.updated_at = utcnow()
    db.add(talk)
    await db.flush()
    return talk


async def delete_talk(db: AsyncSession, talk: Talk) -> list[str]:
    """Remove a talk and its documents' rows; returns the stored names of its files. A talk
    the floor took part in (questions, raised hands) is kept: cancel it instead."""
    asked = await db.exec(select(Question.id).where(Question.talk_id == talk.id))
    raised = await db.exec(select(FloorRequest.id).where(FloorRequest.talk_id == talk.id))
    if asked.first() is not None or raised.first() is not None:
        raise Conflict(
            "talk_has_activity",
            N_("Questions or raised hands were recorded for this talk: cancel it instead."),
        )
    documents = (await db.exec(select(TalkDocument).where(TalkDocument.talk_id == talk.id))).all()
    names = [d.stored_name for d in documents]
    for document in documents:
        await db.delete(document)
    # The documents' rows go first: nothing orders the two deletes otherwise.
    await db.flush()
    await db.delete(talk)
    await db.flush()
    return names


async def set_talk_status(db: AsyncSession, talk_id: int, on_air: bool) -> Talk | None:
    """A talk goes live when its feed does and ends when the feed stops; None when unchanged."""
    talk = await db.get(Talk, talk_id)
    if talk is None or talk.status == TalkStatus.cancelled:
        return None
    wanted = TalkStatus.live if on_air else TalkStatus.ended
    if talk.status == wanted or (not on_air and talk.status != TalkStatus.live):
        return None
    talk.status = wanted
    talk.updated_at = utcnow()
    db.add(talk)
    await db.flush()
    return talk


async def documents_by_talk(db: AsyncSession, talk_ids: list[int]) -> dict[int, list[TalkDocument]]:
    """The documents of several talks at once, by talk."""
    found: dict[int, list[TalkDocument]] = {t: [] for t in talk_ids}
    rows = await db.exec(
        select(TalkDocument)
        .where(col(TalkDocument.talk_id).in_(talk_ids))
        .order_by(col(TalkDocument.id))
    )
    for document in rows.all():
        found[document.talk_id].append(document)
    return found
