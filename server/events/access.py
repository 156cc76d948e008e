"""The one access policy: who a principal is in an event, and what follows from it.

Routes, pages and hub authorisers of every domain ask this module (or a feature's
`access.py` built on it), never each other. A principal stands in an event as an account with
a role there, or as one of the event's own attendance points; anyone else is a stranger.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.errors import AppError, Forbidden, Unauthorised
from server.events.channels import event_channel
from server.events.models import Membership, Role
from server.identity.auth import Principal
from server.realtime.channels import Access

FORBIDDEN = "You do not have permission to do this."


@dataclass(frozen=True)
class Standing:
    """Who a principal is in one event: an account's role, or one of its points."""

    event_id: int
    role: Role | None = None
    point_id: int | None = None
    organisation_id: int | None = None

    @property
    def organiser(self) -> bool:
        """Runs the event."""
        return self.role == Role.organiser


async def role_in_event(db: AsyncSession, account_id: int, event_id: int) -> Role | None:
    """The account's role in the event, if any."""
    row = (
        await db.exec(
            select(Membership.role).where(
                Membership.account_id == account_id, Membership.event_id == event_id
            )
        )
    ).first()
    return Role(row) if row is not None else None


async def role_of(db: AsyncSession, principal: Principal | None, event_id: int) -> Role | None:
    """The role of the account behind `principal` in the event; None for points and strangers."""
    if principal is None or principal.account is None or principal.account.id is None:
        return None
    return await role_in_event(db, principal.account.id, event_id)


async def standing_in(
    db: AsyncSession, principal: Principal | None, event_id: int
) -> Standing | None:
    """How the principal takes part in the event; None when it does not."""
    if principal is None:
        return None
    if principal.is_point:
        if principal.point_event_id != event_id:
            return None
        return Standing(event_id=event_id, point_id=principal.point_id)
    role = await role_of(db, principal, event_id)
    if role is None:
        return None
    assert principal.account is not None
    return Standing(event_id=event_id, role=role, organisation_id=principal.account.organisation_id)


async def require_role(
    db: AsyncSession, principal: Principal | None, event_id: int, *roles: Role
) -> Role:
    """The caller's role in the event when it is one of `roles`; else 401 or 403."""
    if principal is None:
        raise Unauthorised("sign_in_required", "Please sign in.")
    if principal.account is None or principal.account.id is None:
        raise Forbidden("forbidden", FORBIDDEN)
    role = await role_in_event(db, principal.account.id, event_id)
    if role is None or role not in roles:
        raise Forbidden("forbidden", FORBIDDEN)
    return role


async def require_standing(
    db: AsyncSession, principal: Principal | None, event_id: int
) -> Standing:
    """The caller's standing in the event; 401 when signed out, 403 for a stranger."""
    if principal is None:
        raise Unauthorised("sign_in_required", "Please sign in.")
    standing = await standing_in(db, principal, event_id)
    if standing is None:
        raise Forbidden("forbidden", FORBIDDEN)
    return standing


async def standing_or_hidden(
    db: AsyncSession, principal: Principal, event_id: int, missing: AppError
) -> Standing:
    """The caller's standing in the event of a resource they asked for by id. A caller with
    none is answered `missing`, as for an id that does not exist, so ids of other events
    cannot be told apart from free ones."""
    standing = await standing_in(db, principal, event_id)
    if standing is None:
        raise missing
    return standing


async def can_see_event_people(
    db: AsyncSession, principal: Principal | None, event_id: int
) -> bool:
    """Members of the event and its own attendance points may see who takes part."""
    return await standing_in(db, principal, event_id) is not None


def channel_access(standing: Standing, scope: str, *, moderates: bool | None = None) -> Access:
    """What a member may do in one of the event's channels: post, and moderate when organiser
    (or when `moderates` says so); mutes apply across `scope`."""
    return Access(
        can_post=True,
        can_moderate=standing.organiser if moderates is None else moderates,
        event_id=standing.event_id,
        mute_scope=scope,
    )


async def event_access(db: AsyncSession, principal: Principal, event_id: int) -> Access | None:
    """Members and the event's own points follow its channels; organisers moderate."""
    standing = await standing_in(db, principal, event_id)
    return channel_access(standing, event_channel(event_id)) if standing else None
