"""A booth's products."""

from __future__ import annotations

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from booths.catalogue.models import Product


async def list_products(db: AsyncSession, booth_id: int) -> list[Product]:
    """A booth's products."""
    rows = await db.exec(
        select(Product).where(Product.booth_id == booth_id).order_by(col(Product.id))
    )
    return list(rows.all())
