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
from server.errors import Forbidden
from server.events.access import role_of
from server.events.models import Role
from server.events.service import get_event, list_published_events
from server.rules import zone_label
from server.templating import render
from sessions.agenda.rules import pick_current_talk
from sessions.agenda.service import list_talks
from sessions.points.service import (
    count_points,
)
from sessions.views import agenda_rows, event_view, live_config, talk_option

router = APIRouter(include_in_schema=False)


@router.get("/")
async def home(request: Request, db: DbSession, _principal: MaybePrincipal) -> Response:
    """Published events."""
    events = [event_view(e) for e in await list_published_events(db)]
    return render(request, "home.html", {"events": events})


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
    viewer_zone = principal.account.timezone if principal and principal.account else None
    talks = await list_talks(db, event.id)
    point_count, international_count = await count_points(db, event.id)
    is_point_here = bool(principal and principal.point_event_id == event.id)
    context = {
        "event": event_view(event),
        "agenda": agenda_rows(talks, event.timezone, viewer_zone),
        "agenda_zone": zone_label(event.starts_at, event.timezone),
        "other_zone": zone_label(event.starts_at, viewer_zone)
        if viewer_zone and viewer_zone != event.timezone
        else "",
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
        context["live_talk"] = talk_option(watching, event.timezone) if watching else None
        context["live"] = live_config(
            settings,
            event,
            principal,
            moderates=role == Role.organiser,
            zone=event.timezone,
            talk=watching,
        )
    return render(request, "event.html", context)
