"""What is live, told on the hub: a loop asks the relay and announces each room whose state
changed on its channel (`<kind>.live`: `talk.live`, `booth.live`), for the kinds the domains
registered as live."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from server.media.client import NOTHING_LIVE, SERVICE, Live, RelayClient, RelayUnavailable
from server.realtime.call import Call
from server.realtime.hub import Hub
from server.realtime.messages import Subscribe

log = logging.getLogger("ketnoi.media")


async def refresh_live(hub: Hub, relay: RelayClient) -> None:
    """Ask the relay what is live; tell each room whose state changed (`<kind>.live`)."""
    status = await relay.status()
    kinds = hub.kinds.live()
    now = {
        name: Live(slots=room.slots, publishers=room.publishers)
        for name, room in status.rooms.items()
        if name.partition(":")[0] in kinds and room.slots
    }
    for name in set(now) | set(relay.live):
        state = now.get(name, NOTHING_LIVE)
        if relay.live.get(name, NOTHING_LIVE) != state:
            kind, _, ident = name.partition(":")
            hub.publish(name, f"{kind}.live", {kind: int(ident), **state.model_dump()})
    relay.live = now


async def on_subscribe(call: Call, channel: str, request: Subscribe) -> dict[str, Any]:
    """A room's subscribers learn what is live there at once."""
    del request
    if channel.partition(":")[0] not in call.hub.kinds.live():
        return {}
    client = call.hub.services.get(SERVICE)
    state = client.live.get(channel) if isinstance(client, RelayClient) else None
    return {"live": (state or NOTHING_LIVE).model_dump()}


def install(hub: Hub) -> None:
    """The relay client beside the hub, and the loop that keeps what is live current."""
    client = RelayClient(hub.settings)
    hub.services[SERVICE] = client
    hub.on_subscribe(on_subscribe)

    async def follow() -> None:
        quiet = False
        try:
            if not hub.settings.relay_enabled:
                # Nothing to follow; the client is still closed when the hub stops.
                await asyncio.Event().wait()
            while True:
                try:
                    await refresh_live(hub, client)
                    for follower in client.followers:
                        await follower(hub, client)
                    quiet = False
                except RelayUnavailable:
                    if not quiet:
                        log.warning("the media relay does not answer; retrying")
                    quiet = True
                except Exception:
                    log.exception("following the media relay failed")
                await asyncio.sleep(hub.settings.relay_poll_seconds)
        finally:
            with contextlib.suppress(Exception):
                await client.close()

    hub.background(follow)
