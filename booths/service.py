"""Booths and their products over the database session."""

from __future__ import annotations

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from booths.models import Booth, Product
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


async def list_products(db: AsyncSession, booth_id: int) -> list[Product]:
    """A booth's products."""
    rows = await db.exec(
        select(Product).where(Product.booth_id == booth_id).order_by(col(Product.id))
    )
    return list(rows.all())
