"""The agenda's talks."""

from __future__ import annotations

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from sessions.agenda.models import Talk


async def list_talks(db: AsyncSession, event_id: int) -> list[Talk]:
    """The agenda in time order."""
    rows = await db.exec(
        select(Talk).where(Talk.event_id == event_id).order_by(col(Talk.starts_at), col(Talk.id))
    )
    return list(rows.all())
