"""JSON API: attendance points, their join links and joining with one."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from server.deps import AppSettings, CurrentHub, DbSession, MaybePrincipal, RowId
from server.errors import AppError, Forbidden
from server.events.access import can_see_event_people, role_in_event
from server.events.models import Role
from server.events.service import get_event
from server.identity.cookies import hand_over
from sessions.points import service
from sessions.points.access import organised_point

router = APIRouter(prefix="/api", tags=["events"])


class PointOut(BaseModel):
    """An attendance point; `join_url` only for organisers."""

    id: int
    name: str
    country: str
    city: str
    timezone: str
    online: bool
    join_url: str | None = None


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


@router.get("/events/{slug}/points")
async def list_points(
    slug: str, db: DbSession, settings: AppSettings, principal: MaybePrincipal, hub: CurrentHub
) -> list[PointOut]:
    """The event's points, for its members and points; organisers also get each join link."""
    event = await get_event(db, slug)
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
async def join_point(
    body: JoinIn, request: Request, db: DbSession, settings: AppSettings
) -> JSONResponse:
    """Sign this PC in as the attendance point whose link it holds (ending any earlier
    session)."""
    signed = await service.join_with_token(db, settings, body.token)
    out = JoinOut(
        point_id=signed.point.id or 0,
        name=signed.point.name,
        event_slug=signed.event.slug,
        expires_at=signed.expires_at,
    )
    response = JSONResponse(out.model_dump(mode="json"))
    await hand_over(db, settings, request, response, signed.token, signed.expires_at)
    return response


@router.post("/points/{point_id}/join-link")
async def rotate_join_link(
    point_id: RowId, db: DbSession, settings: AppSettings, principal: MaybePrincipal
) -> JoinLinkOut:
    """Issue a new join link (organisers of the point's event); the old one stops at once."""
    point = await organised_point(db, principal, point_id)
    url = await service.rotate_join_link(db, settings, point)
    return JoinLinkOut(point_id=point_id, join_url=url)


@router.post("/points/{point_id}/revoke")
async def revoke_join_link(
    point_id: RowId, db: DbSession, principal: MaybePrincipal
) -> dict[str, str]:
    """Stop the point's join link and sign its PCs out (organisers)."""
    point = await organised_point(db, principal, point_id)
    await service.revoke_join_link(db, point)
    return {"status": "revoked"}
