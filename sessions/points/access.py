"""Which attendance points an organiser may manage: those of the events they organise."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from server.errors import Forbidden, NotFound, Unauthorised
from server.events.access import FORBIDDEN, require_role
from server.events.models import AttendancePoint, Event, Role
from server.identity.auth import Principal


async def organised_point(
    db: AsyncSession, principal: Principal | None, point_id: int, event: Event | None = None
) -> AttendancePoint:
    """A point whose event the caller organises (and that belongs to `event` when given);
    401, 403 or 404 otherwise."""
    point = await db.get(AttendancePoint, point_id)
    if point is None:
        if principal is None:
            raise Unauthorised("sign_in_required", "Please sign in.")
        raise NotFound("point_not_found", "No such attendance point.")
    await require_role(db, principal, point.event_id, Role.organiser)
    if event is not None and point.event_id != event.id:
        raise Forbidden("forbidden", FORBIDDEN)
    return point
