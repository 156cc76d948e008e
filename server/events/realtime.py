"""The event's own channels on the hub, and how the hub names a point."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from server.events.access import event_access
from server.events.channels import EVENT, POINT
from server.events.models import AttendancePoint, Event
from server.identity.auth import Principal
from server.realtime.channels import Access
from server.realtime.hub import Hub


async def authorise_event(db: AsyncSession, principal: Principal, ident: str) -> Access | None:
    """`event:<id>`."""
    if not ident.isdigit() or await db.get(Event, int(ident)) is None:
        return None
    return await event_access(db, principal, int(ident))


async def authorise_point(db: AsyncSession, principal: Principal, ident: str) -> Access | None:
    """`point:<id>`: that point's PCs and its event's organisers."""
    point = await db.get(AttendancePoint, int(ident)) if ident.isdigit() else None
    if point is None:
        return None
    if principal.point_id == point.id:
        return Access(event_id=point.event_id)
    access = await event_access(db, principal, point.event_id)
    if access is None or not access.can_moderate:
        return None
    return Access(can_moderate=True, event_id=point.event_id)


async def name_point(db: AsyncSession, point_id: int) -> str | None:
    """A point's display name, for presence and chat."""
    point = await db.get(AttendancePoint, point_id)
    return point.name if point else None


def install(hub: Hub) -> None:
    """Register the event and point channels."""
    hub.register_channel(EVENT, authorise_event)
    hub.register_channel(POINT, authorise_point)
    hub.point_namer = name_point
