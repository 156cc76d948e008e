"""Which attendance points an organiser may manage: those of the events they organise."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from server.errors import Forbidden, NotFound, Unauthorised
from server.events.access import FORBIDDEN, standing_or_hidden
from server.events.models import AttendancePoint, Event
from server.identity.auth import Principal


async def organised_point(
    db: AsyncSession, principal: Principal | None, point_id: int, event: Event | None = None
) -> AttendancePoint:
    """A point whose event the caller organises (and that belongs to `event` when given);
    401 signed out, 404 when the caller is not in its event (as for no such point), 403 for
    a member who does not organise it."""
    if principal is None:
        raise Unauthorised("sign_in_required", "Please sign in.")
    missing = NotFound("point_not_found", "No such attendance point.")
    point = await db.get(AttendancePoint, point_id)
    if point is None or (event is not None and point.event_id != event.id):
        raise missing
    standing = await standing_or_hidden(db, principal, point.event_id, missing)
    if not standing.organiser:
        raise Forbidden("forbidden", FORBIDDEN)
    return point
