"""Who may follow a booth's channel, and what they may do there."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from booths.stands.channels import booth_channel
from booths.stands.models import Booth
from server.events.access import channel_access, standing_in
from server.events.models import Role
from server.identity.auth import Principal
from server.realtime.channels import Access


async def authorise_booth(db: AsyncSession, principal: Principal, ident: str) -> Access | None:
    """`booth:<id>`: the event's members and points; organisers and the booth's firm moderate."""
    booth = await db.get(Booth, int(ident)) if ident.isdigit() else None
    if booth is None or booth.id is None:
        return None
    standing = await standing_in(db, principal, booth.event_id)
    if standing is None:
        return None
    staff = (
        standing.role == Role.producer
        and standing.organisation_id is not None
        and standing.organisation_id == booth.organisation_id
    )
    return channel_access(standing, booth_channel(booth.id), moderates=standing.organiser or staff)
