"""Pages: the published events and an event home with its agenda."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from server.db import utcnow
from server.deps import (
    AppSettings,
    DbSession,
    MaybePrincipal,
)
from server.errors import AppError, Forbidden
from server.events.access import role_of
from server.events.models import Role
from server.events.service import get_event, get_point, list_published_events
from server.i18n import get_locale
from server.identity.auth import Principal
from server.rules import zone_label
from server.templating import render
from sessions.agenda.access import may_create_events
from sessions.agenda.rules import pick_current_talk
from sessions.agenda.service import documents_by_talk, list_talks
from sessions.points.service import count_points, point_zones
from sessions.views import (
    agenda_days,
    event_view,
    live_config,
    reading_zone,
    talk_option,
    zone_switch,
)

router = APIRouter(include_in_schema=False)


async def own_zone_of(
    db: DbSession, principal: Principal | None, is_point_here: bool
) -> str | None:
    """The zone a reader lives in: their account's, or their attendance point's."""
    if principal is None:
        return None
    if principal.account is not None:
        return principal.account.timezone
    if is_point_here and principal.point_id is not None:
        return (await get_point(db, principal.point_id)).timezone
    return None


@router.get("/")
async def home(request: Request, db: DbSession, _principal: MaybePrincipal) -> Response:
    """Published events."""
    events = [event_view(e) for e in await list_published_events(db)]
    try:
        can_create = await may_create_events(db, _principal) is not None
    except AppError:
        can_create = False
    return render(request, "home.html", {"events": events, "can_create": can_create})


@router.get("/e/{slug}")
async def event_home(
    request: Request, slug: str, db: DbSession, settings: AppSettings, principal: MaybePrincipal
) -> Response:
    """An event's home: dates, venue and agenda, each time with its zone."""
    event = await get_event(db, slug)
    assert event.id is not None
    role = await role_of(db, principal, event.id)
    if not event.published and role != Role.organiser:
        raise Forbidden("forbidden", "You do not have permission to do this.")
    assert event.id is not None
    is_point_here = bool(principal and principal.point_event_id == event.id)
    own_zone = await own_zone_of(db, principal, is_point_here)
    zone, _choice = reading_zone(request, event.timezone, own_zone)
    talks = await list_talks(db, event.id)
    point_count, international_count = await count_points(db, event.id)
    locale = get_locale()
    context = {
        "event": event_view(event),
        "agenda": agenda_days(
            talks,
            zone,
            event.timezone,
            await documents_by_talk(db, [t.id for t in talks if t.id is not None])
            if role is not None or is_point_here
            else None,
        ),
        "agenda_zone": zone_label(event.starts_at, zone, locale),
        "other_zone": zone_label(event.starts_at, event.timezone, locale)
        if zone != event.timezone
        else "",
        "zones": zone_switch(request, event, own_zone, await point_zones(db, event.id)),
        "point_count": point_count,
        "international_count": international_count,
        "is_organiser": role == Role.organiser,
        "is_point_here": is_point_here,
        "live_talk": None,
        # Organisers interpret from their live desk; interpreters from here.
        "interprets": role == Role.interpreter,
    }
    # Members and the event's own points hear announcements; anyone else has no channel here.
    # Members with an account also watch the current talk here (a room has its console).
    if principal is not None and (role is not None or is_point_here):
        watching = pick_current_talk(talks, utcnow()) if role is not None else None
        context["live_talk"] = talk_option(watching, zone) if watching else None
        context["live"] = live_config(
            settings,
            event,
            principal,
            moderates=role == Role.organiser,
            zone=zone,
            talk=watching,
        )
    return render(request, "event.html", context)
