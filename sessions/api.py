"""JSON API of events, attendance points and the agenda."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from server.auth import can_see_event_people, role_in_event
from server.cookies import set_session_cookie
from server.deps import AppSettings, CurrentHub, DbSession, MaybePrincipal
from server.errors import AppError, Forbidden, NotFound
from server.i18n import get_locale
from server.models import Role
from server.rules import in_zone, is_timezone, pick
from sessions import service

router = APIRouter(prefix="/api", tags=["events"])


class EventOut(BaseModel):
    """A published event."""

    id: int
    slug: str
    title: str
    title_vi: str
    title_en: str
    kind: str
    start: datetime
    end: datetime
    timezone: str
    venue: str


class PointOut(BaseModel):
    """An attendance point; `join_url` only for organisers."""

    id: int
    name: str
    country: str
    city: str
    timezone: str
    online: bool
    join_url: str | None = None


class TalkOut(BaseModel):
    """An agenda item, its times in the requested zone with their offset."""

    id: int
    title: str
    title_vi: str
    title_en: str
    stage: str
    speaker: str
    start: datetime
    end: datetime
    timezone: str
    status: str


class JoinIn(BaseModel):
    """A join token from a point's link."""

    model_config = ConfigDict(extra="forbid")

    token: Annotated[str, Field(min_length=1, max_length=200)]


class JoinOut(BaseModel):
    """The point a PC is now signed in as."""

    point_id: int
    name: str
    event_slug: str
    expires_at: datetime


class JoinLinkOut(BaseModel):
    """A point's new join link."""

    point_id: int
    join_url: str


@router.get("/events")
async def list_events(db: DbSession) -> list[EventOut]:
    """Published events (public)."""
    locale = get_locale()
    return [
        EventOut(
            id=e.id or 0,
            slug=e.slug,
            title=pick(locale, e.title_vi, e.title_en),
            title_vi=e.title_vi,
            title_en=e.title_en,
            kind=e.kind,
            start=in_zone(e.starts_at, e.timezone),
            end=in_zone(e.ends_at, e.timezone),
            timezone=e.timezone,
            venue=e.venue,
        )
        for e in await service.list_published_events(db)
    ]


@router.get("/events/{slug}/points")
async def list_points(
    slug: str, db: DbSession, settings: AppSettings, principal: MaybePrincipal, hub: CurrentHub
) -> list[PointOut]:
    """The event's points, for its members and points; organisers also get each join link."""
    event = await service.get_event(db, slug)
    assert event.id is not None
    if principal is None:
        raise AppError("sign_in_required", "Please sign in.", status_code=401)
    if not await can_see_event_people(db, principal, event.id):
        raise Forbidden("forbidden", "You do not have permission to do this.")
    account_id = principal.account.id if principal.account else None
    is_organiser = (
        account_id is not None and await role_in_event(db, account_id, event.id) == Role.organiser
    )
    points = await service.list_points(db, event.id)
    online = service.online_point_ids(hub, event.id, points)
    return [
        PointOut(
            id=p.id or 0,
            name=p.name,
            country=p.country,
            city=p.city,
            timezone=p.timezone,
            online=p.id in online,
            join_url=service.point_join_url(settings, p) if is_organiser else None,
        )
        for p in points
    ]


@router.post("/points/join")
async def join_point(body: JoinIn, db: DbSession, settings: AppSettings) -> JSONResponse:
    """Sign this PC in as the attendance point whose link it holds."""
    signed = await service.join_with_token(db, settings, body.token)
    out = JoinOut(
        point_id=signed.point.id or 0,
        name=signed.point.name,
        event_slug=signed.event.slug,
        expires_at=signed.expires_at,
    )
    response = JSONResponse(out.model_dump(mode="json"))
    set_session_cookie(response, settings, signed.token, signed.expires_at)
    return response


@router.post("/points/{point_id}/join-link")
async def rotate_join_link(
    point_id: int, db: DbSession, settings: AppSettings, principal: MaybePrincipal
) -> JoinLinkOut:
    """Issue a new join link (organisers of the point's event); the old one stops at once."""
    point = await service.get_organised_point(db, principal, point_id)
    url = await service.rotate_join_link(db, settings, point)
    return JoinLinkOut(point_id=point_id, join_url=url)


@router.post("/points/{point_id}/revoke")
async def revoke_join_link(
    point_id: int, db: DbSession, principal: MaybePrincipal
) -> dict[str, str]:
    """Stop the point's join link and sign its PCs out (organisers)."""
    point = await service.get_organised_point(db, principal, point_id)
    await service.revoke_join_link(db, point)
    return {"status": "revoked"}


@router.get("/events/{slug}/talks")
async def list_talks(
    slug: str,
    db: DbSession,
    tz: Annotated[str | None, Query(max_length=64, description="IANA zone for the times")] = None,
) -> list[TalkOut]:
    """The agenda, times in `tz` (default: the event's zone) with their offset."""
    event = await service.get_event(db, slug)
    if not event.published:
        raise NotFound("event_not_found", "No such event.")
    zone = tz or event.timezone
    if not is_timezone(zone):
        raise AppError(
            "invalid_timezone", "Unknown time zone: %(zone)s", status_code=422, zone=zone
        )
    locale = get_locale()
    assert event.id is not None
    return [
        TalkOut(
            id=t.id or 0,
            title=pick(locale, t.title_vi, t.title_en),
            title_vi=t.title_vi,
            title_en=t.title_en,
            stage=t.stage,
            speaker=t.speaker,
            start=in_zone(t.starts_at, zone),
            end=in_zone(t.ends_at, zone),
            timezone=zone,
            status=t.status,
        )
        for t in await service.list_talks(db, event.id)
    ]
