"""Who may edit the programme: an event's organisers, per event and per talk."""

from __future__ import annotations

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.errors import Forbidden, NotFound, Unauthorised
from server.events.access import FORBIDDEN, require_role, role_of, standing_or_hidden
from server.events.models import Event, Membership, Role
from server.events.service import get_event
from server.i18n import N_
from server.identity.auth import Principal
from sessions.agenda.models import Talk


def _signed_in(principal: Principal | None) -> Principal:
    if principal is None:
        raise Unauthorised("sign_in_required", N_("Please sign in."))
    return principal


async def organised_event(db: AsyncSession, principal: Principal | None, slug: str) -> Event:
    """An event the caller organises: 401 signed out, 403 for anyone else."""
    event = await get_event(db, slug)
    assert event.id is not None
    await require_role(db, principal, event.id, Role.organiser)
    return event


async def organised_talk(
    db: AsyncSession, principal: Principal | None, talk_id: int
) -> tuple[Event, Talk]:
    """A talk whose event the caller organises; a talk of an event the caller is not in is
    answered as one that does not exist, a member who does not organise it gets 403."""
    caller = _signed_in(principal)
    missing = NotFound("talk_not_found", N_("No such talk."))
    talk = await db.get(Talk, talk_id)
    if talk is None:
        raise missing
    standing = await standing_or_hidden(db, caller, talk.event_id, missing)
    if not standing.organiser:
        raise Forbidden("forbidden", FORBIDDEN)
    event = await db.get(Event, talk.event_id)
    assert event is not None
    return event, talk


async def may_create_events(db: AsyncSession, principal: Principal | None) -> int:
    """The account id of a caller who may create an event: one who organises another (the
    platform's operator makes the first with `ketnoi create-event`); 401 or 403 otherwise."""
    caller = _signed_in(principal)
    if caller.account is None or caller.account.id is None:
        raise Forbidden("forbidden", FORBIDDEN)
    organises = await db.exec(
        select(Membership.id).where(
            Membership.account_id == caller.account.id, Membership.role == Role.organiser
        )
    )
    if organises.first() is None:
        raise Forbidden("forbidden", FORBIDDEN)
    return caller.account.id


async def readable_event(
    db: AsyncSession,
    principal: Principal | None,
    slug: str,
    missing: NotFound | None = None,
) -> Event:
    """A published event, or an unpublished one for its organisers; `missing` (404) for anyone
    else, as for an event that does not exist."""
    event = await get_event(db, slug)
    assert event.id is not None
    if not event.published and await role_of(db, principal, event.id) != Role.organiser:
        raise missing or NotFound("event_not_found", N_("No such event."))
    return event
