"""Who may follow a talk, watch or publish it, and see its recordings: as its event."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from server.errors import AppError, Forbidden, NotFound
from server.events.access import event_access
from server.i18n import N_
from server.identity.auth import Principal
from server.realtime.channels import Access
from sessions.agenda.models import Talk


async def authorise_talk(db: AsyncSession, principal: Principal, ident: str) -> Access | None:
    """`talk:<id>`: as its event."""
    talk = await db.get(Talk, int(ident)) if ident.isdigit() else None
    if talk is None:
        return None
    return await event_access(db, principal, talk.event_id)


async def talk_access(db: AsyncSession, principal: Principal | None, talk_id: int) -> Access:
    """The caller's access to a talk; 401 signed out, else 404 when there is none (a talk of
    an event the caller is not in is answered as one that does not exist)."""
    if principal is None:
        raise AppError("sign_in_required", N_("Please sign in."), status_code=401)
    missing = NotFound("talk_not_found", N_("No such talk."))
    talk = await db.get(Talk, talk_id)
    if talk is None:
        raise missing
    access = await event_access(db, principal, talk.event_id)
    if access is None:
        raise missing
    return access


async def organised_talk(db: AsyncSession, principal: Principal | None, talk_id: int) -> Talk:
    """A talk whose event the caller organises."""
    access = await talk_access(db, principal, talk_id)
    if not access.can_moderate:
        raise Forbidden("forbidden", N_("You do not have permission to do this."))
    talk = await db.get(Talk, talk_id)
    assert talk is not None
    return talk
