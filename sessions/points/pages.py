"""Pages: the organisers' points list, join links and a point's console."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from server.db import utcnow
from server.deps import (
    AppSettings,
    CsrfForm,
    CurrentHub,
    CurrentPrincipal,
    DbSession,
    MaybePrincipal,
    RowId,
)
from server.errors import Forbidden
from server.events.access import require_role
from server.events.models import AttendancePoint, Role
from server.events.rules import is_international
from server.events.service import get_event, get_point
from server.i18n import get_locale
from server.identity.cookies import hand_over
from server.rules import zone_label
from server.settings import Settings
from server.templating import render
from sessions.agenda.rules import pick_current_talk
from sessions.agenda.service import documents_by_talk, list_talks
from sessions.points.access import organised_point
from sessions.points.service import (
    join_with_token,
    list_points,
    online_point_ids,
    point_join_url,
    point_zones,
    revoke_join_link,
    rotate_join_link,
)
from sessions.views import (
    agenda_days,
    event_view,
    live_config,
    reading_zone,
    talk_option,
    zone_switch,
)

router = APIRouter(include_in_schema=False)


def _point_rows(
    settings: Settings, points: list[AttendancePoint], online: set[int]
) -> list[dict[str, Any]]:
    return [
        {
            "id": p.id,
            "name": p.name,
            "place": f"{p.city}, {p.country}",
            "zone": p.timezone,
            "abroad": is_international(p.country),
            "contact": p.contact_name,
            "seats": p.expected_seats,
            "online": p.id in online,
            "revoked": p.revoked,
            "join_url": point_join_url(settings, p),
        }
        for p in points
    ]


@router.get("/e/{slug}/organiser/points")
async def organiser_points(
    request: Request,
    slug: str,
    db: DbSession,
    settings: AppSettings,
    principal: MaybePrincipal,
    hub: CurrentHub,
) -> Response:
    """Every attendance point with its status and join link (organisers)."""
    event = await get_event(db, slug)
    assert event.id is not None
    await require_role(db, principal, event.id, Role.organiser)
    assert principal is not None
    points = await list_points(db, event.id)
    online = online_point_ids(hub, event.id, points)
    rows = _point_rows(settings, points, online)
    context = {
        "event": event_view(event),
        "points": rows,
        "point_count": len(rows),
        "online_count": len(online),
        "international_count": sum(1 for r in rows if r["abroad"]),
        "live": live_config(settings, event, principal, moderates=True, zone=event.timezone),
    }
    return render(request, "organiser_points.html", context)


@router.post("/e/{slug}/organiser/points/{point_id}/rotate")
async def organiser_rotate(
    slug: str,
    point_id: RowId,
    _form: CsrfForm,
    db: DbSession,
    settings: AppSettings,
    principal: MaybePrincipal,
) -> Response:
    """New join link for a point, from the organiser page."""
    event = await get_event(db, slug)
    point = await organised_point(db, principal, point_id, event)
    await rotate_join_link(db, settings, point)
    return RedirectResponse(f"/e/{event.slug}/organiser/points#point-{point_id}", status_code=303)


@router.post("/e/{slug}/organiser/points/{point_id}/revoke")
async def organiser_revoke(
    slug: str, point_id: RowId, _form: CsrfForm, db: DbSession, principal: MaybePrincipal
) -> Response:
    """Stop a point's join link, from the organiser page."""
    event = await get_event(db, slug)
    point = await organised_point(db, principal, point_id, event)
    await revoke_join_link(db, point)
    return RedirectResponse(f"/e/{event.slug}/organiser/points#point-{point_id}", status_code=303)


@router.get("/join/{token}")
async def join_link(token: str, request: Request, db: DbSession, settings: AppSettings) -> Response:
    """Opening a point's link signs this PC in as that point (ending any earlier session)."""
    signed = await join_with_token(db, settings, token)
    response = RedirectResponse(f"/e/{signed.event.slug}/point", status_code=303)
    await hand_over(db, settings, request, response, signed.token, signed.expires_at)
    return response


@router.get("/e/{slug}/point")
async def point_console(
    request: Request, slug: str, db: DbSession, settings: AppSettings, principal: CurrentPrincipal
) -> Response:
    """The attendance point's console: its agenda, chat, questions, raised hand and polls."""
    event = await get_event(db, slug)
    if principal.point_id is None or principal.point_event_id != event.id:
        raise Forbidden(
            "points_only", "This page is for the event's attendance points; open your join link."
        )
    point = await get_point(db, principal.point_id)
    assert event.id is not None
    talks = await list_talks(db, event.id)
    current = pick_current_talk(talks, utcnow())
    zone, _choice = reading_zone(request, event.timezone, point.timezone)
    locale = get_locale()
    context = {
        "event": event_view(event),
        "point": {
            "name": point.name,
            "place": f"{point.city}, {point.country}",
            "zone": point.timezone,
        },
        "talk": talk_option(current, zone) if current else None,
        "live": live_config(
            settings,
            event,
            principal,
            moderates=False,
            zone=zone,
            talk=current,
            talks=talks,
        ),
        "agenda": agenda_days(
            talks,
            zone,
            event.timezone,
            await documents_by_talk(db, [t.id for t in talks if t.id is not None]),
        ),
        "agenda_zone": zone_label(event.starts_at, zone, locale),
        "other_zone": zone_label(event.starts_at, event.timezone, locale)
        if zone != event.timezone
        else "",
        "zones": zone_switch(request, event, point.timezone, await point_zones(db, event.id)),
    }
    return render(request, "point.html", context)
