"""The web process's side of live media: the relay's client, what is live, ICE servers.

The relay is its own process (`sessions.relay`, the only code that speaks WebRTC); rooms are
named like hub channels (`talk:12`, `booth:7`). The domains decide who may publish or watch
and pass offers through `RelayClient`; a loop here asks the relay what is live and tells each
room's channel with `<kind>.live` (`talk.live`, `booth.live`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

import httpx2 as httpx
from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict

from server.deps import AppSettings, CurrentHub, MaybePrincipal
from server.errors import AppError
from server.i18n import N_
from server.realtime.call import Call
from server.realtime.hub import Hub
from server.realtime.messages import Subscribe
from server.rules import TOKEN_HEADER, check_offer, relay_token, turn_credentials
from server.settings import Settings

log = logging.getLogger("ketnoi.media")
router = APIRouter(prefix="/api", tags=["live"])
SERVICE = "relay"
LIVE_KINDS = ("talk", "booth")
NOTHING_LIVE: dict[str, Any] = {"slots": [], "publishers": {}}
UNAVAILABLE = N_("Live video is not available right now. Please retry in a moment.")


class RelayUnavailable(AppError):
    """The relay process does not answer."""

    status_code = 503


class RoomFull(AppError):
    """The room has as many people publishing as it may."""

    status_code = 409


class RelayClient:
    """Talks to the relay process on loopback, and remembers what it last said is live."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        # Made on first use: a process that never reaches the relay holds no client.
        self._http: httpx.AsyncClient | None = None
        self.live: dict[str, dict[str, Any]] = {}
        # Run after every look at the relay (a domain closing cameras no longer allowed).
        self.followers: list[Callable[[Hub, RelayClient], Awaitable[None]]] = []

    async def call(self, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        """POST (or GET without a body) to the relay; its JSON answer."""
        if self._http is None:
            self._http = httpx.AsyncClient(
                base_url=f"http://127.0.0.1:{self.settings.relay_port}",
                headers={TOKEN_HEADER: relay_token(self.settings.secret_key.get_secret_value())},
                timeout=self.settings.relay_connect_timeout_seconds,
            )
        try:
            if body is None:
                response = await self._http.get(path)
            else:
                response = await self._http.post(path, json=body)
        except httpx.HTTPError as exc:
            raise RelayUnavailable("relay_unavailable", UNAVAILABLE) from exc
        if response.status_code == 400:
            raise AppError(
                "bad_offer",
                N_("The connection offer was refused: %(reason)s"),
                reason=str(response.json().get("error", ""))[:200],
            )
        if response.status_code == 409:
            raise RoomFull("room_full", N_("This call already has as many people as it may."))
        if response.status_code != 200:
            raise RelayUnavailable("relay_unavailable", UNAVAILABLE)
        answer: dict[str, Any] = response.json()
        return answer

    async def close(self) -> None:
        """Close the HTTP client."""
        if self._http is not None:
            await self._http.aclose()
            self._http = None


def relay_of(hub: Hub) -> RelayClient:
    """The relay client installed beside this hub."""
    client = hub.services.get(SERVICE)
    if not isinstance(client, RelayClient):
        raise RelayUnavailable("relay_unavailable", UNAVAILABLE)
    return client


def _relay(hub: CurrentHub) -> RelayClient:
    return relay_of(hub)


CurrentRelay = Annotated[RelayClient, Depends(_relay)]


def check_description(settings: Settings, sdp: str, kind: str) -> None:
    """Refuse (400) what cannot be an offer, before the relay opens anything."""
    problem = check_offer(sdp, kind, settings.relay_max_sdp_bytes)
    if problem:
        raise AppError(
            "bad_offer", N_("The connection offer was refused: %(reason)s"), reason=problem
        )


class OfferIn(BaseModel):
    """A browser's offer with every ICE candidate in it (no trickle).

    Length and type are checked by `check_description`: a bad description is a 400.
    """

    model_config = ConfigDict(extra="forbid")

    sdp: str
    type: str


class AnswerOut(BaseModel):
    """The relay's answer and the id of the peer connection."""

    id: str
    sdp: str
    type: str


class IceServerOut(BaseModel):
    """An ICE server for the browser's RTCPeerConnection."""

    urls: list[str]
    username: str | None = None
    credential: str | None = None


@router.get("/rtc")
async def rtc_configuration(
    settings: AppSettings, principal: MaybePrincipal
) -> dict[str, list[IceServerOut]]:
    """ICE servers for the browser; TURN credentials last `relay_turn_ttl_seconds`."""
    if principal is None:
        raise AppError("sign_in_required", N_("Please sign in."), status_code=401)
    secret = settings.relay_turn_secret.get_secret_value()
    servers = []
    for url in settings.relay_ice_servers:
        if url.startswith(("turn:", "turns:")) and secret:
            who = f"p{principal.point_id}" if principal.point_id else f"a{principal.session_id}"
            username, credential = turn_credentials(
                secret, settings.relay_turn_ttl_seconds, who, time.time()
            )
            servers.append(IceServerOut(urls=[url], username=username, credential=credential))
        else:
            servers.append(IceServerOut(urls=[url]))
    return {"ice_servers": servers}


async def refresh_live(hub: Hub, relay: RelayClient) -> None:
    """Ask the relay what is live; tell each room whose state changed (`<kind>.live`)."""
    status = await relay.call("/status")
    rooms: dict[str, dict[str, Any]] = status.get("rooms", {})
    now = {
        name: {"slots": room["slots"], "publishers": room["publishers"]}
        for name, room in rooms.items()
        if name.partition(":")[0] in LIVE_KINDS and room["slots"]
    }
    for name in set(now) | set(relay.live):
        state = now.get(name, NOTHING_LIVE)
        if relay.live.get(name, NOTHING_LIVE) != state:
            kind, _, ident = name.partition(":")
            hub.publish(name, f"{kind}.live", {kind: int(ident), **state})
    relay.live = now


async def on_subscribe(call: Call, channel: str, request: Subscribe) -> dict[str, Any]:
    """A room's subscribers learn what is live there at once."""
    del request
    if channel.partition(":")[0] not in LIVE_KINDS:
        return {}
    client = call.hub.services.get(SERVICE)
    state = client.live.get(channel) if isinstance(client, RelayClient) else None
    return {"live": state or NOTHING_LIVE}


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
