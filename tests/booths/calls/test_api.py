"""Booth video calls through the real routes: `ketnoi serve` with its relay, aiortc peers."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

import httpx2 as httpx
import pytest
from aiortc import MediaStreamTrack, RTCConfiguration, RTCPeerConnection
from pydantic import SecretStr
from sqlalchemy import create_engine
from sqlmodel import Session

from booths.stands.models import Booth
from server.db import sync_url
from server.events.models import Role
from server.settings import Settings
from tests.factories import add_account, add_organisation
from tests.hubpeer import World, add_session
from tests.hubprocess import PROCESS_SECRET, HubServer
from tests.mediapeer import Received, http_client, media_tracks, negotiate, signed_in, until

pytestmark = pytest.mark.usefixtures("loopback_candidates")

OTHERS = 3


@dataclass
class Stand:
    """A booth of the event, with a producer who staffs it, a buyer and a counsellor."""

    booth: int
    producer: str
    buyer: str


@pytest.fixture
def stand(data_dir: Path, people: World) -> Stand:
    """The booth and its people, stored in the served database."""
    settings = Settings(data_dir=data_dir, secret_key=SecretStr(PROCESS_SECRET))
    engine = create_engine(sync_url(settings.database_url))
    with Session(engine, expire_on_commit=False) as db:
        firm = add_organisation(db, name="HTX Cà rốt Đức Chính")
        booth = Booth(
            event_id=people.event.id or 0,
            organisation_id=firm.id or 0,
            name_vi="Gian hàng cà rốt Hải Dương",
            name_en="Hai Duong carrots",
        )
        db.add(booth)
        db.commit()
        db.refresh(booth)
        producer = add_account(db, role=Role.producer, event=people.event, organisation_id=firm.id)
        buyer = add_account(db, role=Role.buyer, event=people.event)
        stand = Stand(
            booth=booth.id or 0,
            producer=add_session(db, account_id=producer.id),
            buyer=add_session(db, account_id=buyer.id),
        )
    engine.dispose()
    return stand


@dataclass
class Caller:
    """One person in the call: camera out, the others in."""

    out: RTCPeerConnection
    inbound: RTCPeerConnection
    seen: list[Received]
    stop: object
    pumps: list[asyncio.Task[None]]

    def watching(self) -> list[int]:
        """Video frames received per tile (one tile per other person)."""
        return [received.frames for received in self.seen]

    async def hang_up(self) -> None:
        """Close both connections."""
        for pump in self.pumps:
            pump.cancel()
        await self.out.close()
        await self.inbound.close()
        assert callable(self.stop)
        self.stop()


async def join(http: httpx.AsyncClient, booth: int) -> tuple[int, int, Caller | None]:
    """Publish the camera, then watch the others; the two answers' statuses and the caller."""
    tracks, stop = media_tracks()
    out = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    for track in tracks:
        out.addTransceiver(track, direction="sendonly")
    published = await negotiate(http, f"/api/booths/{booth}/call/publish", out)
    if published.status_code != 200:
        await out.close()
        stop()
        return published.status_code, 0, None
    inbound = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    videos = []
    for _ in range(OTHERS):
        videos.append(inbound.addTransceiver("video", direction="recvonly"))
        inbound.addTransceiver("audio", direction="recvonly")
    caller = Caller(out, inbound, [Received() for _ in range(OTHERS)], stop, [])

    @inbound.on("track")
    def _track(track: MediaStreamTrack) -> None:
        for at, transceiver in enumerate(videos):
            if transceiver.receiver.track is track:
                caller.pumps.append(asyncio.ensure_future(_count(track, caller.seen[at])))

    watched = await negotiate(http, f"/api/booths/{booth}/call/watch", inbound)
    return published.status_code, watched.status_code, caller


async def _count(track: MediaStreamTrack, seen: Received) -> None:
    while True:
        try:
            await track.recv()
        except Exception:
            return
        seen.frames += 1


def test_four_people_see_each_other_a_fifth_is_told_the_call_is_full(
    media: HubServer, people: World, stand: Stand
) -> None:
    async def scenario() -> None:
        async with signed_in(
            media.url, stand.producer, stand.buyer, people.tokyo, people.counsellor, people.hanoi
        ) as (producer, buyer, tokyo, counsellor, hanoi):
            callers = []
            for http in (producer, buyer, tokyo):
                published, watched, caller = await join(http, stand.booth)
                assert (published, watched) == (200, 200)
                assert caller is not None
                callers.append(caller)
            # Three in the call: each sees the two others, and the third tile stays empty.
            assert await until(lambda: all(min(c.watching()[:2]) >= 20 for c in callers), 30), [
                c.watching() for c in callers
            ]
            assert all(c.watching()[2] == 0 for c in callers)

            fourth = await join(counsellor, stand.booth)
            assert fourth[:2] == (200, 200)
            assert fourth[2] is not None
            callers.append(fourth[2])
            assert await until(lambda: min(callers[0].watching()) >= 10, 20)

            fifth = await join(hanoi, stand.booth)
            assert fifth[0] == 409

            # The buyer leaves: the others keep seeing two people, nobody sees a frozen tile.
            left = await buyer.post(f"/api/booths/{stand.booth}/call/leave")
            assert left.json() == {"left": True}
            await callers[1].hang_up()
            await asyncio.sleep(1.5)
            before = callers[0].watching()
            await asyncio.sleep(1.5)
            after = callers[0].watching()
            growing = [b < a for b, a in zip(before, after, strict=True)]
            assert sorted(growing) == [False, True, True]
            for caller in (callers[0], callers[2], callers[3]):
                await caller.hang_up()

    asyncio.run(scenario())


def test_people_of_another_event_cannot_join_a_booths_call(
    media: HubServer, people: World, stand: Stand
) -> None:
    async def scenario() -> None:
        async with http_client(media.url, people.stranger) as stranger:
            published, _, caller = await join(stranger, stand.booth)
            # Answered as a booth that does not exist: ids of other events are not told apart.
            missing, _, nobody = await join(stranger, 987_654)
            assert published == missing == 404
            assert caller is None
            assert nobody is None

    asyncio.run(scenario())
