"""Pages: the event list and home, the organiser's points page, a point's console."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from server.auth import Principal, require_role, role_in_event
from server.cookies import set_session_cookie
from server.deps import AppSettings, CsrfForm, CurrentPrincipal, DbSession, MaybePrincipal
from server.errors import Forbidden
from server.i18n import get_locale, gettext
from server.models import Role
from server.rules import format_datetime, zone_label
from server.settings import Settings
from server.templating import render
from sessions import service
from sessions.models import AttendancePoint, Event, Talk
from sessions.rules import is_international, pick, talk_times

router = APIRouter(include_in_schema=False)


def _event_view(event: Event) -> dict[str, Any]:
    locale = get_locale()
    return {
        "slug": event.slug,
        "title": pick(locale, event.title_vi, event.title_en),
        "summary": pick(locale, event.summary_vi, event.summary_en),
        "kind": gettext("Conference") if event.kind == "conference" else gettext("Product week"),
        "venue": event.venue,
        "starts": format_datetime(event.starts_at, event.timezone),
        "ends": format_datetime(event.ends_at, event.timezone),
        "zone": event.timezone,
    }


def _agenda(talks: list[Talk], zone: str, other_zone: str | None) -> list[dict[str, str]]:
    locale = get_locale()
    rows = []
    for talk in talks:
        times = talk_times(talk.starts_at, talk.ends_at, zone)
        row = {
            "title": pick(locale, talk.title_vi, talk.title_en),
            "speaker": talk.speaker,
            "stage": talk.stage,
            "time": f"{times['start']}–{times['end']}",
            "status": talk.status,
            "other_time": "",
        }
        if other_zone and other_zone != zone:
            other = talk_times(talk.starts_at, talk.ends_at, other_zone)
            row["other_time"] = f"{other['start']}–{other['end']}"
        rows.append(row)
    return rows


async def _role(db: DbSession, principal: Principal | None, event: Event) -> Role | None:
    if (
        principal is None
        or principal.account is None
        or principal.account.id is None
        or event.id is None
    ):
        return None
    return await role_in_event(db, principal.account.id, event.id)


@router.get("/")
async def home(request: Request, db: DbSession, _principal: MaybePrincipal) -> Response:
    """Published events."""
    events = [_event_view(e) for e in await service.list_published_events(db)]
    return render(request, "home.html", {"events": events})


@router.get("/e/{slug}")
async def event_home(
    request: Request, slug: str, db: DbSession, principal: MaybePrincipal
) -> Response:
    """An event's home: dates, venue and agenda, each time with its zone."""
    event = await service.get_event(db, slug)
    role = await _role(db, principal, event)
    if not event.published and role != Role.organiser:
        raise Forbidden("forbidden", "You do not have permission to do this.")
    assert event.id is not None
    viewer_zone = principal.account.timezone if principal and principal.account else None
    talks = await service.list_talks(db, event.id)
    point_count, international_count = await service.count_points(db, event.id)
    context = {
        "event": _event_view(event),
        "agenda": _agenda(talks, event.timezone, viewer_zone),
        "agenda_zone": zone_label(event.starts_at, event.timezone),
        "other_zone": zone_label(event.starts_at, viewer_zone)
        if viewer_zone and viewer_zone != event.timezone
        else "",
        "point_count": point_count,
        "international_count": international_count,
        "is_organiser": role == Role.organiser,
        "is_point_here": bool(principal and principal.point_event_id == event.id),
    }
    return render(request, "event.html", context)


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
            "join_url": service.point_join_url(settings, p),
        }
        for p in points
    ]


@router.get("/e/{slug}/organiser/points")
async def organiser_points(
    request: Request, slug: str, db: DbSession, settings: AppSettings, principal: MaybePrincipal
) -> Response:
    """Every attendance point with its status and join link (organisers)."""
    event = await service.get_event(db, slug)
    assert event.id is not None
    await require_role(db, principal, event.id, Role.organiser)
    points = await service.list_points(db, event.id)
    online = await service.online_point_ids(db, settings, points)
    rows = _point_rows(settings, points, online)
    context = {
        "event": _event_view(event),
        "points": rows,
        "point_count": len(rows),
        "online_count": len(online),
        "international_count": sum(1 for r in rows if r["abroad"]),
    }
    return render(request, "organiser_points.html", context)


@router.post("/e/{slug}/organiser/points/{point_id}/rotate")
async def organiser_rotate(
    slug: str,
    point_id: int,
    _form: CsrfForm,
    db: DbSession,
    settings: AppSettings,
    principal: MaybePrincipal,
) -> Response:
    """New join link for a point, from the organiser page."""
    event, point = await _organiser_point(db, principal, slug, point_id)
    await service.rotate_join_link(db, settings, point)
    return RedirectResponse(f"/e/{event.slug}/organiser/points#point-{point_id}", status_code=303)


@router.post("/e/{slug}/organiser/points/{point_id}/revoke")
async def organiser_revoke(
    slug: str, point_id: int, _form: CsrfForm, db: DbSession, principal: MaybePrincipal
) -> Response:
    """Stop a point's join link, from the organiser page."""
    event, point = await _organiser_point(db, principal, slug, point_id)
    await service.revoke_join_link(db, point)
    return RedirectResponse(f"/e/{event.slug}/organiser/points#point-{point_id}", status_code=303)


async def _organiser_point(
    db: DbSession, principal: Principal | None, slug: str, point_id: int
) -> tuple[Event, AttendancePoint]:
    event = await service.get_event(db, slug)
    point = await service.get_organised_point(db, principal, point_id)
    if point.event_id != event.id:
        raise Forbidden("forbidden", "You do not have permission to do this.")
    return event, point


@router.get("/join/{token}")
async def join_link(token: str, db: DbSession, settings: AppSettings) -> Response:
    """Opening a point's link signs this PC in as that point."""
    signed = await service.join_with_token(db, settings, token)
    response = RedirectResponse(f"/e/{signed.event.slug}/point", status_code=303)
    set_session_cookie(response, settings, signed.token, signed.expires_at)
    return response


@router.get("/e/{slug}/point")
async def point_console(
    request: Request, slug: str, db: DbSession, principal: CurrentPrincipal
) -> Response:
    """The attendance point's console: who it is, its local agenda."""
    event = await service.get_event(db, slug)
    if principal.point_id is None or principal.point_event_id != event.id:
        raise Forbidden(
            "points_only", "This page is for the event's attendance points; open your join link."
        )
    point = await service.get_point(db, principal.point_id)
    assert event.id is not None
    talks = await service.list_talks(db, event.id)
    context = {
        "event": _event_view(event),
        "point": {
            "name": point.name,
            "place": f"{point.city}, {point.country}",
            "zone": point.timezone,
        },
        "agenda": _agenda(talks, point.timezone, event.timezone),
        "agenda_zone": zone_label(event.starts_at, point.timezone),
        "other_zone": zone_label(event.starts_at, event.timezone)
        if point.timezone != event.timezone
        else "",
    }
    return render(request, "point.html", context)
