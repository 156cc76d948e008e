"""An event's booths."""

from __future__ import annotations

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from booths.stands.models import Booth
from server.errors import NotFound
from server.i18n import N_


async def get_booth(db: AsyncSession, booth_id: int) -> Booth:
    """A booth, or 404."""
    booth = await db.get(Booth, booth_id)
    if booth is None:
        raise NotFound("booth_not_found", N_("No such booth."))
    return booth


async def list_booths(db: AsyncSession, event_id: int) -> list[Booth]:
    """An event's booths, in the order they were set up."""
    rows = await db.exec(select(Booth).where(Booth.event_id == event_id).order_by(col(Booth.id)))
    return list(rows.all())
