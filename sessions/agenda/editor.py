"""The organisers' pages of the programme: make an event, edit it, and edit its agenda (a form
per talk; the agenda script saves a move without reloading the page)."""

from __future__ import annotations

from typing import Any, TypeVar

from babel.dates import format_date
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, ValidationError
from starlette.datastructures import FormData, UploadFile
from starlette.responses import Response

from server.deps import AppSettings, CsrfForm, DbSession, MaybePrincipal, RowId, form_str
from server.errors import AppError, FieldError
from server.events.models import Event, EventKind
from server.i18n import N_, get_locale, gettext
from server.rules import format_datetime, in_zone, pick, zone_label
from server.templating import render
from sessions.agenda.access import may_create_events, organised_event, organised_talk
from sessions.agenda.documents import (
    add_document,
    document_out,
    read_upload,
    remove_document,
    remove_files,
)
from sessions.agenda.editions import create_event, update_event
from sessions.agenda.models import (
    EventCreate,
    EventFields,
    Talk,
    TalkCreate,
    TalkDocument,
    TalkFields,
    TalkKind,
)
from sessions.agenda.rules import clock_text, group_by_day
from sessions.agenda.service import (
    create_talk,
    delete_talk,
    documents_by_talk,
    list_talks,
    update_talk,
)
from sessions.registration.service import country_choices

router = APIRouter(include_in_schema=False)
M = TypeVar("M", bound=BaseModel)

KIND_LABELS = {
    TalkKind.opening: N_("Opening"),
    TalkKind.briefing: N_("Market briefing"),
    TalkKind.panel: N_("Panel"),
    TalkKind.qa: N_("Questions and answers"),
    TalkKind.signing: N_("Signing ceremony"),
    TalkKind.break_: N_("Break"),
    TalkKind.other: N_("Other"),
}
TALK_TEXT = ("title_vi", "title_en", "stage", "stage_en", "abstract_vi", "abstract_en")
EVENT_TEXT = ("slug", "title_vi", "title_en", "summary_vi", "summary_en", "venue", "venue_en")


def local_input(talk_moment: Any, zone: str) -> str:
    """A moment as a `datetime-local` field shows it in the zone."""
    return str(in_zone(talk_moment, zone).strftime("%Y-%m-%dT%H:%M"))


def speakers_text(speakers: list[dict[str, Any]]) -> str:
    """Speakers as the form holds them: one per line, 'Name; Organisation; CC'."""
    lines = []
    for s in speakers:
        parts = [s.get("name", ""), s.get("organisation", ""), s.get("country", "")]
        lines.append("; ".join(parts).rstrip("; "))
    return "\n".join(lines)


def parse_speakers(text: str) -> list[dict[str, str]]:
    """The form's speaker lines back into speakers."""
    speakers = []
    for line in text.splitlines():
        parts = [p.strip() for p in line.split(";")]
        if not parts[0]:
            continue
        parts += ["", ""]
        speakers.append({"name": parts[0], "organisation": parts[1], "country": parts[2]})
    return speakers


def talk_values(form: FormData) -> dict[str, Any]:
    """A talk form's fields as the API takes them (cut to a sane length before echoing)."""
    values: dict[str, Any] = {name: form_str(form, name)[:4000] for name in TALK_TEXT}
    values["kind"] = form_str(form, "kind")[:20] or TalkKind.other
    values["country"] = form_str(form, "country")[:2]
    values["start"] = form_str(form, "start")[:40]
    values["end"] = form_str(form, "end")[:40]
    values["speakers"] = parse_speakers(form_str(form, "speakers")[:4000])
    fold = form_str(form, "fold")
    values["fold"] = int(fold) if fold in ("0", "1") else None
    values["cancelled"] = form_str(form, "cancelled") == "yes"
    return values


def parse(model: type[M], values: dict[str, Any], *, keep_blank: bool = False) -> M:
    """A form's values as the API's model takes them (blank fields left out unless
    `keep_blank`), the first refused field in words."""
    given = values if keep_blank else {k: v for k, v in values.items() if v != ""}
    try:
        return model.model_validate(given)
    except ValidationError as exc:
        raise invalid_input(exc) from exc


def invalid_input(exc: ValidationError) -> FieldError:
    """A form's refused field in words (the first one)."""
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first.get("loc", ()))
    return FieldError(
        "invalid_input",
        N_("Invalid input: %(name)s: %(reason)s"),
        where,
        name=where,
        reason=first.get("msg", ""),
    )


def document_row(document: TalkDocument) -> dict[str, Any]:
    """A document as the editor lists it."""
    out = document_out(document)
    return {
        "id": out.id,
        "name": out.name,
        "url": out.url,
        "size": f"{out.size / 1_000_000:.1f} MB",
    }


def talk_row(talk: Talk, zone: str, locale: str) -> dict[str, Any]:
    """A talk as its form on the editor shows it."""
    return {
        "id": talk.id,
        **{name: getattr(talk, name) for name in TALK_TEXT},
        "title": pick(locale, talk.title_vi, talk.title_en),
        "kind": talk.kind,
        "country": talk.country,
        "speakers": speakers_text(talk.speakers),
        "start": local_input(talk.starts_at, zone),
        "end": local_input(talk.ends_at, zone),
        "when": f"{format_datetime(talk.starts_at, zone, locale)} – "
        f"{in_zone(talk.ends_at, zone).strftime('%H:%M')}",
        "status": talk.status,
        "cancelled": talk.status == "cancelled",
        "sequence": talk.sequence,
    }


async def editable_talk(
    db: DbSession, principal: MaybePrincipal, slug: str, talk_id: int
) -> tuple[Event, Talk]:
    """A talk the caller organises, of the event in the editor's address (else 404)."""
    event, talk = await organised_talk(db, principal, talk_id)
    if event.slug != slug:
        raise AppError("talk_not_found", N_("No such talk."), status_code=404)
    return event, talk


def blank_talk(event: Event) -> dict[str, Any]:
    """The add-a-talk form before anything is typed: it starts when the event does."""
    start = local_input(event.starts_at, event.timezone)
    return {
        **dict.fromkeys(TALK_TEXT, ""),
        "kind": TalkKind.other,
        "country": "",
        "start": start,
        "end": start,
    }


async def agenda_page(
    request: Request,
    db: DbSession,
    event: Event,
    *,
    error: AppError | None = None,
    failed: int | None = None,
    values: dict[str, Any] | None = None,
) -> Response:
    assert event.id is not None
    locale = get_locale()
    zone = event.timezone
    talks = await list_talks(db, event.id)
    documents = await documents_by_talk(db, [t.id for t in talks if t.id is not None])
    days: list[dict[str, Any]] = [
        {
            "label": format_date(group.day, format="full", locale=locale),
            "talks": [
                {
                    **talk_row(t, zone, locale),
                    "documents": [document_row(d) for d in documents[t.id or 0]],
                }
                for t in group.items
            ],
        }
        for group in group_by_day(talks, zone, lambda t: t.starts_at)
    ]
    if values is not None and failed is not None:
        for day in days:
            for row in day["talks"]:
                if row["id"] == failed:
                    row.update(values, speakers=speakers_text(values["speakers"]))
    new = values if failed is None and values is not None else None
    context = {
        "event": {
            "slug": event.slug,
            "title": pick(locale, event.title_vi, event.title_en),
            "zone_label": zone_label(event.starts_at, zone, locale),
            "starts": format_datetime(event.starts_at, zone, locale),
            "ends": format_datetime(event.ends_at, zone, locale),
            "first_day": local_input(event.starts_at, zone),
            "last_day": local_input(event.ends_at, zone),
        },
        "days": days,
        "kinds": [{"value": k.value, "label": gettext(label)} for k, label in KIND_LABELS.items()],
        "countries": [{"value": c, "label": n} for c, n in country_choices(locale)],
        "new": {
            **blank_talk(event),
            **(new or {}),
            "speakers": speakers_text(new["speakers"]) if new else "",
        },
        "error": error.text() if error else None,
        "error_field": getattr(error, "field", None),
        "failed": failed,
    }
    status = error.status_code if error else 200
    return render(request, "organiser_agenda.html", context, status_code=status)


@router.get("/e/{slug}/organiser/agenda")
async def agenda_editor(
    request: Request, slug: str, db: DbSession, principal: MaybePrincipal
) -> Response:
    """The agenda editor: every talk as a form, and one to add a talk."""
    event = await organised_event(db, principal, slug)
    return await agenda_page(request, db, event)


@router.post("/e/{slug}/organiser/agenda")
async def agenda_add(
    request: Request, slug: str, form: CsrfForm, db: DbSession, principal: MaybePrincipal
) -> Response:
    """Add a talk from the editor's form."""
    event = await organised_event(db, principal, slug)
    values = talk_values(form)
    try:
        fields = parse(TalkCreate, values)
        talk = await create_talk(db, event, fields)
    except AppError as exc:
        return await agenda_page(request, db, event, error=exc, values=values)
    return RedirectResponse(f"/e/{event.slug}/organiser/agenda#talk-{talk.id}", status_code=303)


@router.post("/e/{slug}/organiser/agenda/{talk_id}")
async def agenda_edit(
    request: Request,
    slug: str,
    talk_id: RowId,
    form: CsrfForm,
    db: DbSession,
    principal: MaybePrincipal,
) -> Response:
    """Save one talk's form (the script does the same through the API, without a reload)."""
    event, talk = await editable_talk(db, principal, slug, talk_id)
    values = talk_values(form)
    try:
        fields = parse(TalkFields, values, keep_blank=True)
        await update_talk(db, event, talk, fields)
    except AppError as exc:
        return await agenda_page(request, db, event, error=exc, failed=talk_id, values=values)
    return RedirectResponse(f"/e/{event.slug}/organiser/agenda#talk-{talk_id}", status_code=303)


@router.post("/e/{slug}/organiser/agenda/{talk_id}/delete")
async def agenda_delete(
    slug: str,
    talk_id: RowId,
    _form: CsrfForm,
    db: DbSession,
    settings: AppSettings,
    principal: MaybePrincipal,
) -> Response:
    """Delete a talk."""
    event, talk = await editable_talk(db, principal, slug, talk_id)
    remove_files(settings, await delete_talk(db, talk))
    return RedirectResponse(f"/e/{event.slug}/organiser/agenda", status_code=303)


def event_values(form: FormData) -> dict[str, Any]:
    """An event form's fields as the API takes them."""
    values: dict[str, Any] = {name: form_str(form, name)[:4000] for name in EVENT_TEXT}
    for name in ("kind", "timezone", "start", "end", "work_day_start", "work_day_end"):
        values[name] = form_str(form, name)[:64]
    values["published"] = form_str(form, "published") == "yes"
    return values


def event_form_values(event: Event) -> dict[str, Any]:
    """An event as its form shows it, times in its zone."""
    return {
        **{name: getattr(event, name) for name in EVENT_TEXT},
        "kind": event.kind,
        "timezone": event.timezone,
        "start": local_input(event.starts_at, event.timezone),
        "end": local_input(event.ends_at, event.timezone),
        "work_day_start": clock_text(event.work_day_start),
        "work_day_end": clock_text(event.work_day_end),
        "published": event.published,
    }


def _event_page(
    request: Request, values: dict[str, Any], *, slug: str | None, error: AppError | None = None
) -> Response:
    context = {
        "values": values,
        "slug": slug,
        "kinds": [
            {"value": EventKind.conference.value, "label": gettext("Conference")},
            {"value": EventKind.product_week.value, "label": gettext("Product week")},
        ],
        "error": error.text() if error else None,
        "error_field": getattr(error, "field", None),
    }
    status = error.status_code if error else 200
    return render(request, "organiser_event.html", context, status_code=status)


NEW_EVENT = {
    **dict.fromkeys(EVENT_TEXT, ""),
    "kind": "conference",
    "timezone": "Asia/Ho_Chi_Minh",
    "start": "",
    "end": "",
    "work_day_start": "07:00",
    "work_day_end": "21:00",
    "published": False,
}


@router.get("/organiser/events/new")
async def event_new(request: Request, db: DbSession, principal: MaybePrincipal) -> Response:
    """The form to make an event."""
    await may_create_events(db, principal)
    return _event_page(request, dict(NEW_EVENT), slug=None)


@router.post("/organiser/events")
async def event_create(
    request: Request, form: CsrfForm, db: DbSession, principal: MaybePrincipal
) -> Response:
    """Make the event; its maker becomes its organiser and goes on to its agenda."""
    account_id = await may_create_events(db, principal)
    values = event_values(form)
    try:
        fields = parse(EventCreate, values)
        event = await create_event(db, fields, account_id)
    except AppError as exc:
        return _event_page(request, values, slug=None, error=exc)
    return RedirectResponse(f"/e/{event.slug}/organiser/agenda", status_code=303)


@router.get("/e/{slug}/organiser/event")
async def event_settings(
    request: Request, slug: str, db: DbSession, principal: MaybePrincipal
) -> Response:
    """The event's own settings."""
    event = await organised_event(db, principal, slug)
    return _event_page(request, event_form_values(event), slug=event.slug)


@router.post("/e/{slug}/organiser/event")
async def event_save(
    request: Request, slug: str, form: CsrfForm, db: DbSession, principal: MaybePrincipal
) -> Response:
    """Save the event's settings."""
    event = await organised_event(db, principal, slug)
    values = event_values(form)
    try:
        fields = parse(EventFields, values)
        await update_event(db, event, fields)
    except AppError as exc:
        return _event_page(request, values, slug=slug, error=exc)
    return RedirectResponse(f"/e/{event.slug}/organiser/agenda", status_code=303)


@router.post("/e/{slug}/organiser/agenda/{talk_id}/documents")
async def agenda_document(
    request: Request,
    slug: str,
    talk_id: RowId,
    form: CsrfForm,
    db: DbSession,
    settings: AppSettings,
    principal: MaybePrincipal,
) -> Response:
    """The editor's upload form: back to the talk, or the refusal beside it."""
    event, talk = await editable_talk(db, principal, slug, talk_id)
    upload = form.get("file")
    try:
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise FieldError("document_missing", N_("Choose a file to add."), "file")
        await add_document(db, settings, talk, upload.filename, await read_upload(settings, upload))
    except AppError as exc:
        return await agenda_page(request, db, event, error=exc, failed=talk_id)
    return RedirectResponse(f"/e/{event.slug}/organiser/agenda#talk-{talk_id}", status_code=303)


@router.post("/e/{slug}/organiser/agenda/{talk_id}/documents/{document_id}/delete")
async def agenda_document_delete(
    slug: str,
    talk_id: RowId,
    document_id: RowId,
    _form: CsrfForm,
    db: DbSession,
    settings: AppSettings,
    principal: MaybePrincipal,
) -> Response:
    """Remove a document from the editor."""
    event, _talk = await editable_talk(db, principal, slug, talk_id)
    await remove_document(db, settings, talk_id, document_id)
    return RedirectResponse(f"/e/{event.slug}/organiser/agenda#talk-{talk_id}", status_code=303)
