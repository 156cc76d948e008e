"""A talk's status follows its feed: `live` while anything is published in its room (the hall
feed from the live desk or the demo's standby player), `ended` once that stops."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlmodel import col, select

from server.media.client import RelayClient, relay_of
from server.realtime.hub import Hub
from sessions.agenda.models import Talk, TalkStatus
from sessions.agenda.service import set_talk_status
from sessions.live.channels import talk_of


def follower() -> Callable[[Hub, RelayClient], Awaitable[None]]:
    """The relay follower that keeps talk statuses in step with what is on air."""
    known: set[int] | None = None

    async def follow(hub: Hub, relay: RelayClient) -> None:
        nonlocal known
        on_air = {t for t in (talk_of(name) for name in relay.live) if t is not None}
        async with hub.sessionmaker() as db:
            if known is None:
                # After a restart, what the database says is live is checked against the relay.
                rows = await db.exec(select(Talk.id).where(col(Talk.status) == TalkStatus.live))
                known = {i for i in rows.all() if i is not None}
            changed = (on_air - known) | (known - on_air)
            for talk_id in sorted(changed):
                await set_talk_status(db, talk_id, talk_id in on_air)
            if changed:
                await db.commit()
        known = on_air

    return follow


def install(hub: Hub) -> None:
    """Follow the relay's rooms of talks."""
    relay_of(hub).followers.append(follower())
