"""Events and attendance points, as every domain reads them."""

from __future__ import annotations

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.errors import NotFound
from server.events.models import AttendancePoint, Event


async def get_event(db: AsyncSession, slug: str) -> Event:
    """The event with this slug, or 404."""
    event = (await db.exec(select(Event).where(Event.slug == slug))).first()
    if event is None or event.id is None:
        raise NotFound("event_not_found", "No such event.")
    return event


async def list_published_events(db: AsyncSession) -> list[Event]:
    """Published events, soonest first."""
    rows = await db.exec(
        select(Event).where(col(Event.published).is_(True)).order_by(col(Event.starts_at))
    )
    return list(rows.all())


async def get_point(db: AsyncSession, point_id: int) -> AttendancePoint:
    """One attendance point, or 404."""
    point = await db.get(AttendancePoint, point_id)
    if point is None:
        raise NotFound("point_not_found", "No such attendance point.")
    return point
