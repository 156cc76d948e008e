"""The web process's client of the relay: typed calls over loopback HTTP, and what the relay
last said is live.

The domains decide who may publish or watch what and in which room, and pass offers through
`RelayClient`; the relay's refusals come back as `AppError`s a person can read.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

import httpx2 as httpx
from fastapi import Depends
from pydantic import BaseModel, ConfigDict

from server.deps import CurrentHub
from server.errors import AppError, NotFound
from server.i18n import N_
from server.identity.auth import Principal
from server.media.protocol import (
    PATHS,
    Answer,
    AudioCall,
    Message,
    PublishCall,
    Status,
    StopCall,
    Stopped,
    WatchCall,
)
from server.media.rules import TOKEN_HEADER, OfferLimits, check_offer, relay_token
from server.realtime.hub import Hub
from server.settings import Settings

SERVICE = "relay"
UNAVAILABLE = N_("Live video is not available right now. Please retry in a moment.")


class RelayUnavailable(AppError):
    """The relay process does not answer."""

    status_code = 503


class RoomFull(AppError):
    """The room has as many people publishing as it may."""

    status_code = 409


class Live(BaseModel):
    """What a room has live: its slots and who publishes each."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    slots: list[str]
    publishers: dict[str, str]


NOTHING_LIVE = Live(slots=[], publishers={})


class RelayClient:
    """Talks to the relay process on loopback, and remembers what it last said is live."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        # Made on first use: a process that never reaches the relay holds no client.
        self._http: httpx.AsyncClient | None = None
        self.live: dict[str, Live] = {}
        # Run after every look at the relay (a domain closing cameras no longer allowed).
        self.followers: list[Callable[[Hub, RelayClient], Awaitable[None]]] = []

    async def _call(self, path: str, body: Message | None = None) -> dict[str, Any]:
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
                response = await self._http.post(path, json=body.model_dump(mode="json"))
        except httpx.HTTPError as exc:
            raise RelayUnavailable("relay_unavailable", UNAVAILABLE) from exc
        if response.status_code == 400:
            raise AppError(
                "bad_offer",
                N_("The connection offer was refused: %(reason)s"),
                reason=str(response.json().get("error", ""))[:200],
            )
        if response.status_code == 404:
            raise NotFound(
                "connection_not_found",
                N_("This video connection is not open any more. Reload the page to watch again."),
            )
        if response.status_code == 409:
            raise RoomFull("room_full", N_("This call already has as many people as it may."))
        if response.status_code != 200:
            raise RelayUnavailable("relay_unavailable", UNAVAILABLE)
        answer: dict[str, Any] = response.json()
        return answer

    async def publish(self, call: PublishCall) -> Answer:
        """Hand a publisher's offer to the relay; its answer."""
        return Answer.model_validate(await self._call(PATHS[PublishCall], call))

    async def watch(self, call: WatchCall) -> Answer:
        """Hand a viewer's offer to the relay; its answer."""
        return Answer.model_validate(await self._call(PATHS[WatchCall], call))

    async def choose_audio(self, call: AudioCall) -> None:
        """Switch what a viewer's first audio track follows."""
        await self._call(PATHS[AudioCall], call)

    async def stop(self, call: StopCall) -> bool:
        """Close a slot's publisher; whether there was one."""
        return Stopped.model_validate(await self._call(PATHS[StopCall], call)).stopped

    async def status(self) -> Status:
        """Every room the relay has, with its counters."""
        return Status.model_validate(await self._call("/status"))

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


def owner_of(principal: Principal) -> str:
    """How a caller's connections are marked as theirs: their sign-in session."""
    return f"s{principal.session_id}"


def check_description(settings: Settings, sdp: str, kind: str) -> None:
    """Refuse (400) what cannot be an offer, before the relay opens anything."""
    problem = check_offer(
        sdp,
        kind,
        OfferLimits(
            settings.relay_max_sdp_bytes,
            settings.relay_max_sdp_section_bytes,
            settings.relay_max_sdp_sections,
        ),
    )
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
