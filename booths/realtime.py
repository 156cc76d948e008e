"""The booths domain on the hub: a booth's channel, its chat moderated by its own producers."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from booths.models import Booth
from server.auth import Principal, role_in_event
from server.hub import Access, Hub
from server.models import Role


async def authorise_booth(db: AsyncSession, principal: Principal, ident: str) -> Access | None:
    """`booth:<id>`: the event's members and points; organisers and the booth's firm moderate."""
    booth = await db.get(Booth, int(ident)) if ident.isdigit() else None
    if booth is None:
        return None
    scope = f"booth:{booth.id}"
    if principal.is_point:
        if principal.point_event_id != booth.event_id:
            return None
        return Access(can_post=True, event_id=booth.event_id, mute_scope=scope)
    account = principal.account
    if account is None or account.id is None:
        return None
    role = await role_in_event(db, account.id, booth.event_id)
    if role is None:
        return None
    staff = role == Role.producer and account.organisation_id == booth.organisation_id
    return Access(
        can_post=True,
        can_moderate=role == Role.organiser or staff,
        event_id=booth.event_id,
        mute_scope=scope,
    )


def install(hub: Hub) -> None:
    """Register the booth channel."""
    hub.register_channel("booth", authorise_booth)
