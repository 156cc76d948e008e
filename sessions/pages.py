"""Pages: the event list and home, the organiser's points and live pages, a point's console."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from server.auth import Principal, require_role, role_in_event
from server.cookies import set_session_cookie
from server.db import utcnow
from server.deps import (
    AppSettings,
    CsrfForm,
    CurrentHub,
    CurrentPrincipal,
    DbSession,
    MaybePrincipal,
)
from server.errors import Forbidden, NotFound
from server.i18n import get_locale, gettext
from server.models import Role
from server.rules import format_datetime, pick, zone_label
from server.settings import Settings
from server.templating import live_labels, render
from sessions import media, service
from sessions.models import AttendancePoint, Event, Talk
from sessions.rules import is_international, member_key, pick_current_talk, talk_times

router = APIRouter(include_in_schema=False)


def _event_view(event: Event) -> dict[str, Any]:
    locale = get_locale()
    return {
        "id": event.id,
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


def _talk_option(talk: Talk, zone: str) -> dict[str, Any]:
    times = talk_times(talk.starts_at, talk.ends_at, zone)
    return {
        "id": talk.id,
        "title": pick(get_locale(), talk.title_vi, talk.title_en),
        "speaker": talk.speaker,
        "stage": talk.stage,
        "time": f"{times['start']}–{times['end']}",
        "zone": times["zone"],
        "status": talk.status,
    }


def _live(
    settings: Settings,
    event: Event,
    principal: Principal,
    *,
    moderates: bool,
    zone: str,
    talk: Talk | None = None,
    talks: list[Talk] | None = None,
) -> dict[str, Any]:
    """What the live scripts read from the page: who is watching, which channels, the labels."""
    return {
        "event": event.id,
        "me": member_key(principal.account.id if principal.account else None, principal.point_id),
        "point": principal.point_id,
        "moderates": moderates,
        "chat_max": settings.chat_max_length,
        "zone": zone,
        "zone_label": zone_label(utcnow(), zone),
        "talk": talk.id if talk else None,
        "talks": [_talk_option(t, zone) for t in talks or []],
        "labels": live_labels(),
    }


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
    request: Request, slug: str, db: DbSession, settings: AppSettings, principal: MaybePrincipal
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
    is_point_here = bool(principal and principal.point_event_id == event.id)
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
        "is_point_here": is_point_here,
        "live_talk": None,
        # Organisers interpret from their live desk; interpreters from here.
        "interprets": role == Role.interpreter,
    }
    # Members and the event's own points hear announcements; anyone else has no channel here.
    # Members with an account also watch the current talk here (a room has its console).
    if principal is not None and (role is not None or is_point_here):
        watching = pick_current_talk(talks, utcnow()) if role is not None else None
        context["live_talk"] = _talk_option(watching, event.timezone) if watching else None
        context["live"] = _live(
            settings,
            event,
            principal,
            moderates=role == Role.organiser,
            zone=event.timezone,
            talk=watching,
        )
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
    request: Request,
    slug: str,
    db: DbSession,
    settings: AppSettings,
    principal: MaybePrincipal,
    hub: CurrentHub,
) -> Response:
    """Every attendance point with its status and join link (organisers)."""
    event = await service.get_event(db, slug)
    assert event.id is not None
    await require_role(db, principal, event.id, Role.organiser)
    assert principal is not None
    points = await service.list_points(db, event.id)
    online = service.online_point_ids(hub, event.id, points)
    rows = _point_rows(settings, points, online)
    context = {
        "event": _event_view(event),
        "points": rows,
        "point_count": len(rows),
        "online_count": len(online),
        "international_count": sum(1 for r in rows if r["abroad"]),
        "live": _live(settings, event, principal, moderates=True, zone=event.timezone),
    }
    return render(request, "organiser_points.html", context)


def _chosen_talk(talks: list[Talk], talk_id: int | None) -> Talk | None:
    if talk_id is None:
        return pick_current_talk(talks, utcnow())
    for talk in talks:
        if talk.id == talk_id:
            return talk
    raise NotFound("talk_not_found", "No such talk in this event.")


@router.get("/e/{slug}/organiser/live")
async def organiser_live(
    request: Request,
    slug: str,
    db: DbSession,
    settings: AppSettings,
    principal: MaybePrincipal,
    talk: int | None = None,
) -> Response:
    """The organisers' live desk: floor queue, questions, chat, announcements, polls, points."""
    event = await service.get_event(db, slug)
    assert event.id is not None
    await require_role(db, principal, event.id, Role.organiser)
    assert principal is not None
    talks = await service.list_talks(db, event.id)
    current = _chosen_talk(talks, talk)
    points = await service.list_points(db, event.id)
    context = {
        "event": _event_view(event),
        "talks": [{**_talk_option(t, event.timezone), "selected": t is current} for t in talks],
        "talk": _talk_option(current, event.timezone) if current else None,
        "points": [{"id": p.id, "name": p.name, "place": f"{p.city}, {p.country}"} for p in points],
        "point_count": len(points),
        "recordings": (
            [
                r.model_dump()
                for r in media.list_recordings(
                    settings,
                    current.id,
                    event.timezone,
                    {p.id: p.name for p in points if p.id is not None},
                )
            ]
            if current and current.id
            else []
        ),
        "live": _live(
            settings,
            event,
            principal,
            moderates=True,
            zone=event.timezone,
            talk=current,
            talks=talks,
        ),
    }
    return render(request, "organiser_live.html", context)


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
    request: Request, slug: str, db: DbSession, settings: AppSettings, principal: CurrentPrincipal
) -> Response:
    """The attendance point's console: its agenda, chat, questions, raised hand and polls."""
    event = await service.get_event(db, slug)
    if principal.point_id is None or principal.point_event_id != event.id:
        raise Forbidden(
            "points_only", "This page is for the event's attendance points; open your join link."
        )
    point = await service.get_point(db, principal.point_id)
    assert event.id is not None
    talks = await service.list_talks(db, event.id)
    current = pick_current_talk(talks, utcnow())
    context = {
        "event": _event_view(event),
        "point": {
            "name": point.name,
            "place": f"{point.city}, {point.country}",
            "zone": point.timezone,
        },
        "talk": _talk_option(current, point.timezone) if current else None,
        "live": _live(
            settings,
            event,
            principal,
            moderates=False,
            zone=point.timezone,
            talk=current,
            talks=talks,
        ),
        "agenda": _agenda(talks, point.timezone, event.timezone),
        "agenda_zone": zone_label(event.starts_at, point.timezone),
        "other_zone": zone_label(event.starts_at, event.timezone)
        if point.timezone != event.timezone
        else "",
    }
    return render(request, "point.html", context)
