"""The agenda as calendar files: per event (its zone), per talk, and per attendance point
(that room's programme in the room's own zone), with stable UIDs and SEQUENCE per move."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from server.deps import AppSettings, DbSession, MaybePrincipal, RowId
from server.errors import NotFound
from server.events.access import require_standing
from server.events.models import Event
from server.events.service import get_point
from server.i18n import N_, get_locale
from server.rules import pick
from server.settings import Settings
from sessions.agenda.access import readable_event
from sessions.agenda.ical import CalendarTalk, agenda_calendar
from sessions.agenda.models import Talk, TalkStatus
from sessions.agenda.rules import speaker_line
from sessions.agenda.service import get_talk, list_talks

router = APIRouter(tags=["events"])
ICS = "text/calendar; charset=utf-8"


def calendar_talk(settings: Settings, event: Event, talk: Talk) -> CalendarTalk:
    """A talk as its calendar entry shows it, in the reader's language."""
    locale = get_locale()
    speakers = speaker_line(talk.speakers)
    abstract = pick(locale, talk.abstract_vi, talk.abstract_en)
    return CalendarTalk(
        uid=f"talk-{talk.id}-{event.slug}@ketnoi",
        title=pick(locale, talk.title_vi, talk.title_en),
        description="\n\n".join(part for part in (speakers, abstract) if part),
        location=", ".join(
            p
            for p in (
                pick(locale, talk.stage, talk.stage_en),
                pick(locale, event.venue, event.venue_en),
            )
            if p
        ),
        starts_at=talk.starts_at,
        ends_at=talk.ends_at,
        sequence=talk.sequence,
        cancelled=talk.status == TalkStatus.cancelled,
        url=f"{settings.public_base_url.rstrip('/')}/e/{event.slug}#agenda-talk-{talk.id}",
        stamp=talk.updated_at,
    )


def ics(body: bytes, name: str) -> Response:
    """A calendar file as a download."""
    headers = {"Content-Disposition": f'attachment; filename="{name}.ics"'}
    return Response(body, media_type=ICS, headers=headers)


@router.get("/e/{slug}/agenda.ics")
async def event_calendar(
    slug: str, db: DbSession, settings: AppSettings, principal: MaybePrincipal
) -> Response:
    """The event's agenda as a calendar, in the event's zone."""
    event = await readable_event(db, principal, slug)
    assert event.id is not None
    talks = [calendar_talk(settings, event, t) for t in await list_talks(db, event.id)]
    title = pick(get_locale(), event.title_vi, event.title_en)
    return ics(agenda_calendar(title, event.timezone, talks), event.slug)


@router.get("/api/talks/{talk_id}.ics")
async def talk_calendar(
    talk_id: RowId, db: DbSession, settings: AppSettings, principal: MaybePrincipal
) -> Response:
    """One talk as a calendar entry, in its event's zone."""
    talk = await get_talk(db, talk_id)
    event = await db.get(Event, talk.event_id)
    assert event is not None
    await readable_event(db, principal, event.slug, NotFound("talk_not_found", N_("No such talk.")))
    entry = calendar_talk(settings, event, talk)
    return ics(agenda_calendar(entry.title, event.timezone, [entry]), f"talk-{talk_id}")


@router.get("/api/points/{point_id}/agenda.ics")
async def point_calendar(
    point_id: RowId, db: DbSession, settings: AppSettings, principal: MaybePrincipal
) -> Response:
    """An attendance point's programme in the point's own zone (the point and its organisers)."""
    point = await get_point(db, point_id)
    standing = await require_standing(db, principal, point.event_id)
    if not standing.organiser and standing.point_id != point.id:
        raise NotFound("point_not_found", N_("No such attendance point."))
    event = await db.get(Event, point.event_id)
    assert event is not None
    talks = [calendar_talk(settings, event, t) for t in await list_talks(db, point.event_id)]
    title = f"{pick(get_locale(), event.title_vi, event.title_en)} · {point.name}"
    return ics(agenda_calendar(title, point.timezone, talks), f"{event.slug}-point-{point_id}")
