"""Live talks in the web process: who may publish or watch what, recordings, floor cameras.

The relay process (`server.media.relay`) holds the peer connections; offers and answers pass
through `server.media.client`, typed by `server.media.protocol`. A talk's room has the hall,
the floor and one slot per interpretation; what each viewer's tracks follow is decided here.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter
from fastapi.responses import FileResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel.ext.asyncio.session import AsyncSession

from server.deps import AppSettings, CurrentHub, DbSession, MaybePrincipal, RowId
from server.errors import AppError, Forbidden, NotFound
from server.events.access import role_in_event
from server.events.models import Event, Role
from server.events.rules import member_key, point_key, point_of
from server.i18n import N_, get_locale, gettext, language_name
from server.media.client import (
    CurrentRelay,
    OfferIn,
    RelayClient,
    check_description,
    owner_of,
    relay_of,
)
from server.media.protocol import Answer, AudioCall, PublishCall, StopCall, WatchCall
from server.media.realtime import refresh_live
from server.realtime.hub import Hub
from server.rules import format_datetime
from server.settings import Settings
from sessions.live import service as live
from sessions.live.access import organised_talk, talk_access
from sessions.live.channels import talk_channel, talk_of
from sessions.live.models import FloorStatus
from sessions.live.rules import (
    FLOOR,
    HALL,
    LANGUAGE_PREFIX,
    RecordingName,
    audio_slots,
    parse_recording_name,
    recordings_folder,
    talk_feed,
)
from sessions.points.service import list_points

router = APIRouter(prefix="/api", tags=["live"])
LANGUAGE = r"^[a-z]{2,3}$"


class WatchIn(OfferIn):
    """A viewer's offer, and the interpretation it wants to hear, if any."""

    language: str | None = Field(default=None, pattern=LANGUAGE)


class PublishIn(WatchIn):
    """What a publisher sends: `hall` (the AV desk), `floor` (the point that has the floor) or
    `interpretation` with its language."""

    slot: Literal["hall", "floor", "interpretation"]


class LanguageIn(BaseModel):
    """A viewer's choice of audio: an interpretation, or none for the hall."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1, max_length=64)
    language: str | None = Field(default=None, pattern=LANGUAGE)


class LiveOut(BaseModel):
    """What a talk has live: its slots (`hall`, `floor`, `lang:en`) and who publishes them."""

    talk: int
    slots: list[str]
    publishers: dict[str, str]


@router.post("/talks/{talk_id}/watch")
async def watch(
    talk_id: RowId,
    offer: WatchIn,
    db: DbSession,
    settings: AppSettings,
    principal: MaybePrincipal,
    relay: CurrentRelay,
) -> Answer:
    """Watch a talk: its video tracks get, in order, the hall and the floor; its audio tracks
    the hall (or the chosen interpretation) and the floor."""
    await talk_access(db, principal, talk_id)
    assert principal is not None
    check_description(settings, offer.sdp, offer.type)
    return await relay.watch(
        WatchCall(
            room=talk_channel(talk_id),
            owner=owner_of(principal),
            sdp=offer.sdp,
            type=offer.type,
            video=[[HALL], [FLOOR]],
            audio=[audio_slots(offer.language), [FLOOR]],
        )
    )


@router.post("/talks/{talk_id}/publish")
async def publish(
    talk_id: RowId,
    offer: PublishIn,
    db: DbSession,
    settings: AppSettings,
    principal: MaybePrincipal,
    relay: CurrentRelay,
    hub: CurrentHub,
) -> Answer:
    """Publish camera and microphone: organisers the hall feed, organisers and interpreters
    an interpretation, the point that has the floor its room."""
    access = await talk_access(db, principal, talk_id)
    assert principal is not None
    if offer.slot == "floor":
        slot = FLOOR
        point_id = principal.point_id
        if point_id is None or not await _has_floor(db, talk_id, point_id):
            raise Forbidden("floor_not_granted", N_("Your room does not have the floor."))
        label = point_key(point_id)
    else:
        allowed = access.can_moderate
        if not allowed and offer.slot == "interpretation" and principal.account is not None:
            assert principal.account.id is not None
            assert access.event_id is not None
            role = await role_in_event(db, principal.account.id, access.event_id)
            allowed = role == Role.interpreter
        if not allowed:
            raise Forbidden("forbidden", N_("You do not have permission to do this."))
        if offer.slot == "interpretation":
            if not offer.language:
                raise AppError("language_required", N_("Choose the interpretation's language."))
            slot = LANGUAGE_PREFIX + offer.language
        else:
            slot = HALL
        label = member_key(principal.account.id, None) if principal.account else ""
    check_description(settings, offer.sdp, offer.type)
    feed = talk_feed(
        talk_channel(talk_id),
        talk_id,
        slot,
        label,
        max_publishers=settings.relay_max_room_publishers,
        recorded=settings.relay_record_talks,
    )
    answer = await relay.publish(PublishCall(**feed.model_dump(), sdp=offer.sdp, type=offer.type))
    await refresh_live(hub, relay)
    return answer


@router.post("/talks/{talk_id}/language")
async def choose_language(
    talk_id: RowId,
    choice: LanguageIn,
    db: DbSession,
    principal: MaybePrincipal,
    relay: CurrentRelay,
) -> dict[str, str | None]:
    """Switch a watching connection's audio to an interpretation, or back to the hall."""
    await talk_access(db, principal, talk_id)
    assert principal is not None
    await relay.choose_audio(
        AudioCall(
            room=talk_channel(talk_id),
            owner=owner_of(principal),
            id=choice.id,
            slots=audio_slots(choice.language),
        )
    )
    return {"language": choice.language}


@router.get("/talks/{talk_id}/live")
async def talk_live(
    talk_id: RowId, db: DbSession, principal: MaybePrincipal, relay: CurrentRelay
) -> LiveOut:
    """What the talk has live now."""
    await talk_access(db, principal, talk_id)
    state = relay.live.get(talk_channel(talk_id))
    if state is None:
        return LiveOut(talk=talk_id, slots=[], publishers={})
    return LiveOut(talk=talk_id, slots=state.slots, publishers=state.publishers)


RecordingSlot = Literal["hall", "floor", "interpretation"]


class RecordingOut(BaseModel):
    """A finished recording of one of a talk's feeds (Matroska: VP8 or H.264 and Opus): the
    hall, a point that had the floor, or an interpretation (audio only)."""

    name: str
    slot: RecordingSlot
    point: int | None
    language: str | None
    what: str
    bytes: int
    megabytes: float
    started: datetime
    started_label: str
    url: str


def _recording_what(found: RecordingName, points: dict[int, str]) -> str:
    if found.point_id is not None:
        name = points.get(found.point_id, gettext("a point no longer listed"))
        return gettext("Floor: %(name)s", name=name)
    if found.language is not None:
        return gettext("Interpretation: %(language)s", language=language_name(found.language))
    return gettext("Hall feed")


def list_recordings(
    settings: Settings, talk_id: RowId, zone: str, points: dict[int, str]
) -> list[RecordingOut]:
    """A talk's finished recordings, oldest first (files still being written are left out);
    `points` names the event's attendance points."""
    folder = recordings_folder(settings.data_dir, talk_id)
    if not folder.is_dir():
        return []
    found = []
    for path in sorted(folder.iterdir()):
        parsed = parse_recording_name(path.name)
        if parsed is None or not path.is_file():
            continue
        slot: RecordingSlot = (
            "hall" if parsed.slot == HALL else "floor" if parsed.slot == FLOOR else "interpretation"
        )
        found.append(
            RecordingOut(
                name=path.name,
                slot=slot,
                point=parsed.point_id,
                language=parsed.language,
                what=_recording_what(parsed, points),
                bytes=path.stat().st_size,
                megabytes=round(path.stat().st_size / 2**20, 1),
                started=parsed.started,
                started_label=format_datetime(parsed.started, zone, get_locale()),
                url=f"/api/talks/{talk_id}/recordings/{path.name}",
            )
        )
    return found


@router.get("/talks/{talk_id}/recordings")
async def recordings(
    talk_id: RowId, db: DbSession, settings: AppSettings, principal: MaybePrincipal
) -> list[RecordingOut]:
    """The talk's recordings, for its organisers."""
    talk = await organised_talk(db, principal, talk_id)
    event = await db.get(Event, talk.event_id)
    assert event is not None
    points = {p.id: p.name for p in await list_points(db, talk.event_id) if p.id}
    return list_recordings(settings, talk_id, event.timezone, points)


@router.get("/talks/{talk_id}/recordings/{name}")
async def download_recording(
    talk_id: RowId, name: str, db: DbSession, settings: AppSettings, principal: MaybePrincipal
) -> FileResponse:
    """One recording, as a download, for the talk's organisers."""
    await organised_talk(db, principal, talk_id)
    path = recordings_folder(settings.data_dir, talk_id) / name
    if parse_recording_name(name) is None or not path.is_file():
        raise NotFound("recording_not_found", N_("No such recording."))
    return FileResponse(path, media_type="video/x-matroska", filename=f"talk-{talk_id}-{name}")


async def _has_floor(db: AsyncSession, talk_id: RowId, point_id: RowId) -> bool:
    request = await live.active_request(db, talk_id, point_id)
    return request is not None and request.status == FloorStatus.granted


async def _floor_still_granted(hub: Hub, relay: RelayClient) -> None:
    """Close a floor camera whose room no longer has the floor (revoked, or given back)."""
    for name, state in list(relay.live.items()):
        talk_id = talk_of(name)
        label = state.publishers.get(FLOOR, "")
        point_id = point_of(label)
        if talk_id is None or point_id is None:
            continue
        async with hub.sessionmaker() as db:
            granted = await _has_floor(db, talk_id, point_id)
        if not granted:
            await relay.stop(StopCall(room=name, slot=FLOOR))


def install(hub: Hub) -> None:
    """Floor cameras follow the raise-hand queue."""
    relay_of(hub).followers.append(_floor_still_granted)
