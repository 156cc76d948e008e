"""Booth video calls: two to four people through the media relay, started from the booth page."""

from __future__ import annotations

from fastapi import APIRouter
from sqlmodel.ext.asyncio.session import AsyncSession

from booths.stands.access import authorise_booth
from booths.stands.channels import booth_channel
from server.deps import AppSettings, DbSession, MaybePrincipal, RowId
from server.errors import AppError, NotFound
from server.events.rules import member_key
from server.i18n import N_
from server.identity.auth import Principal
from server.media.client import CurrentRelay, OfferIn, check_description, owner_of
from server.media.protocol import Answer, PublishCall, RoomPolicy, StopCall, WatchCall

router = APIRouter(prefix="/api", tags=["booths"])
# A call's room: each person publishes in a slot of their own; calls are not recorded.
CALL_PREFIX = "call:"


def caller_slot(principal: Principal) -> str:
    """A person's slot in a call: `call:` and their member key without its colon (`call:a12`,
    `call:p3`), since a slot name holds one colon only."""
    account_id = principal.account.id if principal.account else None
    return CALL_PREFIX + member_key(account_id, principal.point_id).replace(":", "")


async def _caller(db: AsyncSession, principal: Principal | None, booth_id: RowId) -> str:
    if principal is None:
        raise AppError("sign_in_required", N_("Please sign in."), status_code=401)
    if await authorise_booth(db, principal, str(booth_id)) is None:
        # A booth of an event the caller is not in is answered as one that does not exist.
        raise NotFound("booth_not_found", N_("No such booth."))
    return caller_slot(principal)


@router.post("/booths/{booth_id}/call/publish")
async def publish(
    booth_id: RowId,
    offer: OfferIn,
    db: DbSession,
    settings: AppSettings,
    principal: MaybePrincipal,
    relay: CurrentRelay,
) -> Answer:
    """Join a booth's call with camera and microphone (409 when it is full)."""
    slot = await _caller(db, principal, booth_id)
    check_description(settings, offer.sdp, offer.type)
    assert principal is not None
    name = principal.account.display_name if principal.account else slot[len(CALL_PREFIX) :]
    return await relay.publish(
        PublishCall(
            room=booth_channel(booth_id),
            policy=RoomPolicy(max_publishers=settings.booth_call_max_people),
            slot=slot,
            label=name,
            sdp=offer.sdp,
            type=offer.type,
        )
    )


@router.post("/booths/{booth_id}/call/watch")
async def watch(
    booth_id: RowId,
    offer: OfferIn,
    db: DbSession,
    settings: AppSettings,
    principal: MaybePrincipal,
    relay: CurrentRelay,
) -> Answer:
    """See and hear the others in the call: each video and audio pair of the offer is one
    person, in the order they joined."""
    slot = await _caller(db, principal, booth_id)
    assert principal is not None
    check_description(settings, offer.sdp, offer.type)
    return await relay.watch(
        WatchCall(
            room=booth_channel(booth_id),
            sdp=offer.sdp,
            type=offer.type,
            others_than=slot,
            owner=owner_of(principal),
        )
    )


@router.post("/booths/{booth_id}/call/leave")
async def leave(
    booth_id: RowId, db: DbSession, principal: MaybePrincipal, relay: CurrentRelay
) -> dict[str, bool]:
    """Leave the call: camera and microphone off for everyone at once."""
    slot = await _caller(db, principal, booth_id)
    return {"left": await relay.stop(StopCall(room=booth_channel(booth_id), slot=slot))}
