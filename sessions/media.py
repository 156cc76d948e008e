"""Live media in the web process: signalling routes, the relay's client, `talk.live` on the hub.

The relay process (`sessions.relay`) holds the peer connections; this side decides who may
publish or watch what, passes offers and answers through, and tells the hub what is live.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from datetime import datetime
from typing import Annotated, Any, Literal

import httpx
from fastapi import APIRouter, Depends
from fastapi.responses import FileResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel.ext.asyncio.session import AsyncSession

from server.auth import Principal
from server.deps import AppSettings, CurrentHub, DbSession, MaybePrincipal
from server.errors import AppError, Forbidden, NotFound
from server.hub import Access, Call, Hub, Subscribe
from server.i18n import N_
from server.rules import format_datetime
from server.settings import Settings
from sessions import live
from sessions.models import Event, FloorStatus, Talk
from sessions.realtime import event_access
from sessions.rules import (
    FLOOR,
    HALL,
    LANGUAGE_PREFIX,
    TOKEN_HEADER,
    check_offer,
    recording_started,
    recordings_folder,
    relay_token,
    turn_credentials,
)

log = logging.getLogger("ketnoi.media")
router = APIRouter(prefix="/api", tags=["live"])
SERVICE = "relay"
LANGUAGE = r"^[a-z]{2,3}$"


class RelayUnavailable(AppError):
    """The relay process does not answer."""

    status_code = 503


class RelayClient:
    """Talks to the relay process on loopback, and remembers what it last said is live."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._http = httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{settings.relay_port}",
            headers={TOKEN_HEADER: relay_token(settings.secret_key.get_secret_value())},
            timeout=settings.relay_connect_timeout_seconds,
        )
        self.live: dict[str, dict[str, Any]] = {}

    async def call(self, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        """POST (or GET without a body) to the relay; its JSON answer."""
        try:
            if body is None:
                response = await self._http.get(path)
            else:
                response = await self._http.post(path, json=body)
        except httpx.HTTPError as exc:
            raise RelayUnavailable(
                "relay_unavailable",
                N_("Live video is not available right now. Please retry in a moment."),
            ) from exc
        if response.status_code == 400:
            raise AppError(
                "bad_offer",
                N_("The connection offer was refused: %(reason)s"),
                reason=str(response.json().get("error", ""))[:200],
            )
        if response.status_code != 200:
            raise RelayUnavailable(
                "relay_unavailable",
                N_("Live video is not available right now. Please retry in a moment."),
            )
        answer: dict[str, Any] = response.json()
        return answer

    async def close(self) -> None:
        """Close the HTTP client."""
        await self._http.aclose()


def relay_of(hub: Hub) -> RelayClient:
    """The relay client installed beside this hub."""
    client = hub.services.get(SERVICE)
    if not isinstance(client, RelayClient):
        raise RelayUnavailable(
            "relay_unavailable",
            N_("Live video is not available right now. Please retry in a moment."),
        )
    return client


def _relay(hub: CurrentHub) -> RelayClient:
    return relay_of(hub)


Relay = Annotated[RelayClient, Depends(_relay)]


class OfferIn(BaseModel):
    """A browser's (or player's) offer, with every ICE candidate in it (no trickle)."""

    model_config = ConfigDict(extra="forbid")

    # Length and type are checked by check_offer: a bad description is a 400, like the relay's.
    sdp: str
    type: str
    language: str | None = Field(default=None, pattern=LANGUAGE)


class PublishIn(OfferIn):
    """What a publisher sends: `hall` (the AV desk), `floor` (the point that has the floor) or
    `interpretation` with its language."""

    slot: Literal["hall", "floor", "interpretation"]


class LanguageIn(BaseModel):
    """A viewer's choice of audio: an interpretation, or none for the hall."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1, max_length=64)
    language: str | None = Field(default=None, pattern=LANGUAGE)


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


class LiveOut(BaseModel):
    """What a talk has live: its slots (`hall`, `floor`, `lang:en`) and who publishes them."""

    talk: int
    slots: list[str]
    publishers: dict[str, str]


async def _talk_access(db: AsyncSession, principal: Principal | None, talk_id: int) -> Access:
    if principal is None:
        raise AppError("sign_in_required", N_("Please sign in."), status_code=401)
    talk = await db.get(Talk, talk_id)
    if talk is None:
        raise NotFound("talk_not_found", N_("No such talk."))
    access = await event_access(db, principal, talk.event_id)
    if access is None:
        raise Forbidden("forbidden", N_("You do not have permission to do this."))
    return access


def _checked(settings: Settings, offer: OfferIn) -> None:
    problem = check_offer(offer.sdp, offer.type, settings.relay_max_sdp_bytes)
    if problem:
        raise AppError(
            "bad_offer", N_("The connection offer was refused: %(reason)s"), reason=problem
        )


@router.post("/talks/{talk_id}/watch")
async def watch(
    talk_id: int,
    offer: OfferIn,
    db: DbSession,
    settings: AppSettings,
    principal: MaybePrincipal,
    relay: Relay,
) -> AnswerOut:
    """Watch a talk: the hall and the floor speaker, with the hall's or an interpreter's audio."""
    await _talk_access(db, principal, talk_id)
    _checked(settings, offer)
    answer = await relay.call(
        "/watch",
        {
            "room": f"talk:{talk_id}",
            "sdp": offer.sdp,
            "type": offer.type,
            "language": offer.language,
        },
    )
    return AnswerOut(**answer)


@router.post("/talks/{talk_id}/publish")
async def publish(
    talk_id: int,
    offer: PublishIn,
    db: DbSession,
    settings: AppSettings,
    principal: MaybePrincipal,
    relay: Relay,
    hub: CurrentHub,
) -> AnswerOut:
    """Publish camera and microphone: organisers the hall feed and interpretation, the point
    that has the floor its room."""
    access = await _talk_access(db, principal, talk_id)
    assert principal is not None
    if offer.slot == "floor":
        slot = FLOOR
        point_id = principal.point_id
        granted = point_id is not None and await _has_floor(db, talk_id, point_id)
        if not granted:
            raise Forbidden("floor_not_granted", N_("Your room does not have the floor."))
        label = f"p:{point_id}"
    else:
        if not access.can_moderate:
            raise Forbidden("forbidden", N_("You do not have permission to do this."))
        if offer.slot == "interpretation":
            if not offer.language:
                raise AppError("language_required", N_("Choose the interpretation's language."))
            slot = LANGUAGE_PREFIX + offer.language
        else:
            slot = HALL
        label = f"a:{principal.account.id}" if principal.account else ""
    _checked(settings, offer)
    answer = await relay.call(
        "/publish",
        {
            "room": f"talk:{talk_id}",
            "slot": slot,
            "label": label,
            "sdp": offer.sdp,
            "type": offer.type,
        },
    )
    await refresh_live(hub, relay)
    return AnswerOut(**answer)


@router.post("/talks/{talk_id}/language")
async def choose_language(
    talk_id: int, choice: LanguageIn, db: DbSession, principal: MaybePrincipal, relay: Relay
) -> dict[str, str | None]:
    """Switch a watching connection's audio to an interpretation, or back to the hall."""
    await _talk_access(db, principal, talk_id)
    await relay.call("/language", {"id": choice.id, "language": choice.language})
    return {"language": choice.language}


@router.get("/talks/{talk_id}/live")
async def talk_live(
    talk_id: int, db: DbSession, principal: MaybePrincipal, relay: Relay
) -> LiveOut:
    """What the talk has live now."""
    await _talk_access(db, principal, talk_id)
    state = relay.live.get(f"talk:{talk_id}", {})
    return LiveOut(
        talk=talk_id, slots=state.get("slots", []), publishers=state.get("publishers", {})
    )


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


class RecordingOut(BaseModel):
    """A finished recording of a talk's hall feed (Matroska: VP8 or H.264 and Opus)."""

    name: str
    bytes: int
    megabytes: float
    started: datetime
    started_label: str
    url: str


def list_recordings(settings: Settings, talk_id: int, zone: str) -> list[RecordingOut]:
    """A talk's finished recordings, oldest first (files still being written are left out)."""
    folder = recordings_folder(settings.data_dir, talk_id)
    if not folder.is_dir():
        return []
    found = []
    for path in sorted(folder.iterdir()):
        started = recording_started(path.name)
        if started is None or not path.is_file():
            continue
        found.append(
            RecordingOut(
                name=path.name,
                bytes=path.stat().st_size,
                megabytes=round(path.stat().st_size / 2**20, 1),
                started=started,
                started_label=format_datetime(started, zone),
                url=f"/api/talks/{talk_id}/recordings/{path.name}",
            )
        )
    return found


async def _organiser_talk(db: AsyncSession, principal: Principal | None, talk_id: int) -> Talk:
    access = await _talk_access(db, principal, talk_id)
    if not access.can_moderate:
        raise Forbidden("forbidden", N_("You do not have permission to do this."))
    talk = await db.get(Talk, talk_id)
    assert talk is not None
    return talk


@router.get("/talks/{talk_id}/recordings")
async def recordings(
    talk_id: int, db: DbSession, settings: AppSettings, principal: MaybePrincipal
) -> list[RecordingOut]:
    """The talk's recordings, for its organisers."""
    talk = await _organiser_talk(db, principal, talk_id)
    event = await db.get(Event, talk.event_id)
    assert event is not None
    return list_recordings(settings, talk_id, event.timezone)


@router.get("/talks/{talk_id}/recordings/{name}")
async def download_recording(
    talk_id: int, name: str, db: DbSession, settings: AppSettings, principal: MaybePrincipal
) -> FileResponse:
    """One recording, as a download, for the talk's organisers."""
    await _organiser_talk(db, principal, talk_id)
    path = recordings_folder(settings.data_dir, talk_id) / name
    if recording_started(name) is None or not path.is_file():
        raise NotFound("recording_not_found", N_("No such recording."))
    return FileResponse(path, media_type="video/x-matroska", filename=f"talk-{talk_id}-{name}")


async def _has_floor(db: AsyncSession, talk_id: int, point_id: int) -> bool:
    request = await live.active_request(db, talk_id, point_id)
    return request is not None and request.status == FloorStatus.granted


async def refresh_live(hub: Hub, relay: RelayClient) -> None:
    """Ask the relay what is live; announce each talk whose state changed with `talk.live`."""
    status = await relay.call("/status")
    rooms: dict[str, dict[str, Any]] = status.get("rooms", {})
    now = {
        name: {"slots": room["slots"], "publishers": room["publishers"]}
        for name, room in rooms.items()
        if name.startswith("talk:") and room["slots"]
    }
    for name in set(now) | set(relay.live):
        state = now.get(name, {"slots": [], "publishers": {}})
        if relay.live.get(name, {"slots": [], "publishers": {}}) != state:
            hub.publish(name, "talk.live", {"talk": int(name[5:]), **state})
    relay.live = now


async def _floor_still_granted(hub: Hub, relay: RelayClient) -> None:
    """Close a floor camera whose room no longer has the floor (revoked, or given back)."""
    for name, state in list(relay.live.items()):
        label = state["publishers"].get(FLOOR, "")
        if not label.startswith("p:"):
            continue
        async with hub.sessionmaker() as db:
            granted = await _has_floor(db, int(name[5:]), int(label[2:]))
        if not granted:
            await relay.call("/stop", {"room": name, "slot": FLOOR})


async def on_subscribe(call: Call, channel: str, request: Subscribe) -> dict[str, Any]:
    """A talk's subscribers learn what is live at once."""
    del request
    if not channel.startswith("talk:"):
        return {}
    client = call.hub.services.get(SERVICE)
    state = client.live.get(channel) if isinstance(client, RelayClient) else None
    return {"live": state or {"slots": [], "publishers": {}}}


def install(hub: Hub) -> None:
    """The relay client beside the hub, and the loop that keeps `talk.live` current."""
    client = RelayClient(hub.settings)
    hub.services[SERVICE] = client
    hub.on_subscribe(on_subscribe)

    async def follow() -> None:
        quiet = False
        try:
            while True:
                try:
                    await refresh_live(hub, client)
                    await _floor_still_granted(hub, client)
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

    if hub.settings.relay_enabled:
        hub.background(follow)
