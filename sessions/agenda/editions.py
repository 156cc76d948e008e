"""Events as their organisers make them: create and edit (slug, titles, kind, times in the
event's zone, venue, working hours of its points, published)."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.errors import Conflict, FieldError
from server.events.models import Event, Role
from server.i18n import N_
from server.identity.service import grant_role
from server.rules import is_blank, is_timezone, normalise_text
from sessions.agenda.models import EventCreate, EventFields, TalkStatus
from sessions.agenda.rules import AgendaRuleError, clock_minutes, parse_moment
from sessions.agenda.service import field_error, list_talks


async def _check_slug(db: AsyncSession, slug: str, event_id: int | None) -> None:
    taken = (await db.exec(select(Event.id).where(Event.slug == slug))).first()
    if taken is not None and taken != event_id:
        raise Conflict(
            "slug_taken", N_("Another event already has this address: %(slug)s"), slug=slug
        )


def _apply(event: Event, fields: EventFields) -> None:
    if fields.title_vi is not None:
        event.title_vi = normalise_text(fields.title_vi)
        if is_blank(event.title_vi):
            raise FieldError("field_required", N_("Please fill in this field."), "title_vi")
    for name in ("title_en", "summary_vi", "summary_en", "venue", "venue_en"):
        value = getattr(fields, name)
        if value is not None:
            setattr(event, name, normalise_text(value))
    if fields.kind is not None:
        event.kind = fields.kind
    if fields.published is not None:
        event.published = fields.published
    if fields.timezone is not None:
        if not is_timezone(fields.timezone):
            raise FieldError(
                "invalid_timezone",
                N_("Unknown time zone: %(zone)s"),
                "timezone",
                zone=fields.timezone,
            )
        event.timezone = fields.timezone
    if fields.work_day_start is not None:
        event.work_day_start = clock_minutes(fields.work_day_start)
    if fields.work_day_end is not None:
        event.work_day_end = clock_minutes(fields.work_day_end)
    if event.work_day_end <= event.work_day_start:
        raise FieldError(
            "work_day_backwards", N_("The working day must end after it starts."), "work_day_end"
        )


async def _place(db: AsyncSession, event: Event, fields: EventFields) -> None:
    try:
        if fields.start:
            event.starts_at = parse_moment(fields.start, event.timezone, field="start")
        if fields.end:
            event.ends_at = parse_moment(fields.end, event.timezone, field="end")
    except AgendaRuleError as exc:
        raise field_error(exc, event.timezone) from exc
    if event.ends_at <= event.starts_at:
        raise FieldError(
            "event_ends_before_start", N_("The event must end after it starts."), "end"
        )
    if event.id is None:
        return
    for talk in await list_talks(db, event.id):
        if talk.status == TalkStatus.cancelled:
            continue
        if talk.starts_at < event.starts_at or talk.ends_at > event.ends_at:
            raise FieldError(
                "event_leaves_out_talk",
                N_("“%(title)s” would fall outside the event: move it first."),
                "start" if talk.starts_at < event.starts_at else "end",
                title=talk.title_vi,
            )


async def create_event(db: AsyncSession, fields: EventCreate, organiser_id: int | None) -> Event:
    """A new event; the account that makes it becomes its first organiser."""
    await _check_slug(db, fields.slug, None)
    if not is_timezone(fields.timezone):
        raise FieldError(
            "invalid_timezone", N_("Unknown time zone: %(zone)s"), "timezone", zone=fields.timezone
        )
    event = Event(
        slug=fields.slug,
        title_vi="",
        title_en="",
        kind=fields.kind,
        starts_at=parse_moment("2000-01-01T00:00Z", "UTC"),
        ends_at=parse_moment("2000-01-01T00:00Z", "UTC"),
        timezone=fields.timezone,
    )
    _apply(event, fields)
    await _place(db, event, fields)
    db.add(event)
    try:
        await db.flush()
    except IntegrityError as exc:
        # Another request took the slug between the check and this write.
        raise Conflict(
            "slug_taken",
            N_("Another event already has this address: %(slug)s"),
            slug=fields.slug,
        ) from exc
    assert event.id is not None
    if organiser_id is not None:
        await grant_role(db, organiser_id, event.id, Role.organiser)
    return event


async def update_event(db: AsyncSession, event: Event, fields: EventFields) -> Event:
    """Edit an event; nothing changes when a field is refused."""
    edited = event.model_copy()
    if fields.slug is not None:
        await _check_slug(db, fields.slug, event.id)
        edited.slug = fields.slug
    _apply(edited, fields)
    await _place(db, edited, fields)
    for name in Event.model_fields:
        setattr(event, name, getattr(edited, name))
    db.add(event)
    await db.flush()
    return event
