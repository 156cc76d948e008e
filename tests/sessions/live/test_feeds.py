"""Live media through the real routes: `ketnoi serve` with its relay process, aiortc peers."""

from __future__ import annotations

import asyncio
import io
import os
import signal
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import av
import pytest

from tests.hubpeer import World
from tests.hubprocess import PROCESS_SECRET, Client, HubServer
from tests.mediapeer import (
    Publisher,
    Viewer,
    heard_in_file,
    http_client,
    relay_status,
    signed_in,
    until,
)
from tests.services import stop_process

pytestmark = pytest.mark.usefixtures("loopback_candidates")


def peers(server: HubServer) -> int:
    """Peer connections the relay holds."""
    return int(asyncio.run(relay_status(server.relay_port, PROCESS_SECRET))["peers"])


def test_the_hall_feed_reaches_three_points_and_a_late_one_gets_a_keyframe_at_once(
    media: HubServer, people: World
) -> None:
    talk = people.talk.id
    assert talk is not None

    async def scenario() -> bytes:
        async with signed_in(
            media.url, people.organiser, people.tokyo, people.hanoi, people.counsellor
        ) as (desk, tokyo, hanoi, counsellor):
            hall = await Publisher.start(desk, talk)
            assert hall.response.status_code == 200, hall.response.text

            async def status_is(wanted: str) -> bool:
                talks = (await desk.get(f"/api/events/{people.event.slug}/talks")).json()
                return [t["status"] for t in talks if t["id"] == talk] == [wanted]

            # The agenda says the talk is on the air while its hall feed is.
            assert await until_async(lambda: status_is("live"), 10)
            viewers = [await Viewer.start(c, talk) for c in (tokyo, hanoi, counsellor)]
            assert [v.response.status_code for v in viewers] == [200, 200, 200]
            assert await until(lambda: all(v.hall.frames >= 45 for v in viewers), 20)
            assert all(v.audio.frames >= 30 for v in viewers)
            status = await relay_status(media.relay_port, PROCESS_SECRET)
            assert status["peers"] == 4
            assert status["rooms"][f"talk:{talk}"]["slots"] == ["hall"]

            # The publisher's encoder makes one keyframe at the start and then only on request:
            # a viewer arriving now sees a picture only because the relay asked for one.
            late = await Viewer.start(tokyo, talk)
            assert await until(lambda: late.hall.frames > 0, 10)
            assert late.hall.first_at is not None
            assert late.hall.first_at - late.started < 1
            rooms = (await relay_status(media.relay_port, PROCESS_SECRET))["rooms"]
            assert rooms[f"talk:{talk}"]["keyframe_requests"] >= 1
            for viewer in [*viewers, late]:
                await viewer.close()
            await hall.close()
            assert await until_async(lambda: status_is("ended"), 10)

            # The organisers download what went out, and it plays.
            listed: list[dict[str, Any]] = []

            async def finished() -> bool:
                listed[:] = (await desk.get(f"/api/talks/{talk}/recordings")).json()
                return len(listed) == 1

            for _ in range(50):
                if await finished():
                    break
                await asyncio.sleep(0.2)
            assert len(listed) == 1, listed
            assert (listed[0]["slot"], listed[0]["what"]) == ("hall", "Hình ảnh hội trường")
            download = await desk.get(listed[0]["url"])
            assert download.status_code == 200
            assert download.headers["content-type"] == "video/x-matroska"
            assert (await tokyo.get(listed[0]["url"])).status_code == 403
            for name in ("..%2Fsecret_key", "secret_key", "20260101T000000Z.mkv"):
                missing = await desk.get(f"/api/talks/{talk}/recordings/{name}")
                assert missing.status_code == 404, name
            return download.content

    recorded = asyncio.run(scenario())
    assert asyncio.run(_settle(media, 0))
    with av.open(io.BytesIO(recorded), mode="r") as container:
        pictures = len(list(container.decode(video=0)))
    assert pictures >= 45


async def until_async(check: Callable[[], Awaitable[bool]], seconds: float) -> bool:
    """Poll an async check until it holds or the time is up."""
    deadline = asyncio.get_running_loop().time() + seconds
    while asyncio.get_running_loop().time() < deadline:
        if await check():
            return True
        await asyncio.sleep(0.2)
    return False


async def _settle(server: HubServer, count: int, seconds: float = 15) -> bool:
    async def now() -> int:
        return int((await relay_status(server.relay_port, PROCESS_SECRET))["peers"])

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if await now() == count:
            return True
        await asyncio.sleep(0.2)
    return await now() == count


def test_the_floor_brings_the_points_camera_to_everyone_and_revoking_stops_it(
    media: HubServer, people: World
) -> None:
    talk = people.talk.id
    assert talk is not None

    async def scenario() -> bytes:
        async with signed_in(media.url, people.organiser, people.tokyo, people.hanoi) as (
            desk,
            tokyo,
            hanoi,
        ):
            hall = await Publisher.start(desk, talk)
            watcher = await Viewer.start(hanoi, talk)
            early = await Publisher.start(tokyo, talk, "floor")
            assert early.response.status_code == 403
            assert early.response.json()["error"]["code"] == "floor_not_granted"
            await early.close()

            organiser = await Client.open(media, people.organiser)
            room = await Client.open(media, people.hanoi)
            answer = await room.ok("subscribe", channel=f"talk:{talk}")
            assert answer["live"]["slots"] == ["hall"]
            point = await Client.open(media, people.tokyo)
            request = (await point.ok("floor.raise", talk=talk))["request"]
            await organiser.ok("floor.grant", request=request)

            speaker = await Publisher.start(tokyo, talk, "floor", tone=880)
            assert speaker.response.status_code == 200, speaker.response.text
            # Live for well over the second of sound the recording is checked for below (the
            # recording starts at the floor's first keyframe, after the viewer's first frames).
            assert await until(lambda: watcher.floor.frames >= 75, 30)
            assert watcher.hall.frames > 0
            await room.collect(5, until=lambda: _live_slots(room) == ["floor", "hall"])
            assert _live_slots(room) == ["floor", "hall"]

            await organiser.ok("floor.revoke", request=request)
            await room.collect(10, until=lambda: _live_slots(room) == ["hall"])
            assert _live_slots(room) == ["hall"]
            await asyncio.sleep(1)
            stopped_at = watcher.floor.frames
            hall_at = watcher.hall.frames
            await asyncio.sleep(1.5)
            assert watcher.floor.frames == stopped_at
            assert watcher.hall.frames > hall_at
            rooms = (await relay_status(media.relay_port, PROCESS_SECRET))["rooms"]
            assert rooms[f"talk:{talk}"]["slots"] == ["hall"]
            for client in (organiser, room, point):
                await client.close()
            await speaker.close()
            await watcher.close()
            await hall.close()

            # The room's turn on the floor is a recording of its own, named after the room.
            floor = await _recording(desk, talk, "floor")
            assert floor["point"] == people.tokyo_point.id
            assert floor["what"] == "Phát biểu: Thương vụ Việt Nam tại Nhật Bản"
            desk.cookies.set("ketnoi_lang", "en")
            english = (await desk.get(f"/api/talks/{talk}/recordings")).json()
            assert "Floor: Thương vụ Việt Nam tại Nhật Bản" in [r["what"] for r in english]
            return (await desk.get(floor["url"])).content

    recorded = asyncio.run(scenario())
    with av.open(io.BytesIO(recorded), mode="r") as container:
        pictures = len(list(container.decode(video=0)))
    assert pictures >= 30
    heard = heard_in_file(recorded)
    assert heard.samples > 48_000
    assert 800 < heard.hertz < 960


async def _recording(http: Any, talk: int, slot: str) -> dict[str, Any]:
    """The talk's one finished recording of a slot, waiting for its file to be finished."""
    found: list[dict[str, Any]] = []
    for _ in range(50):
        listed = (await http.get(f"/api/talks/{talk}/recordings")).json()
        found = [r for r in listed if r["slot"] == slot]
        if found:
            break
        await asyncio.sleep(0.2)
    assert len(found) == 1, found
    return found[0]


def _live_slots(client: Client) -> list[str] | None:
    states = [e for e in client.events if e["type"] == "talk.live"]
    return states[-1]["slots"] if states else None


def test_a_viewer_hears_the_interpretation_it_chooses_and_switches_back(
    media: HubServer, people: World
) -> None:
    talk = people.talk.id
    assert talk is not None

    async def scenario() -> bytes:
        async with signed_in(
            media.url, people.organiser, people.interpreter, people.tokyo, people.hanoi
        ) as (desk, interpreter, tokyo, hanoi):
            hall = await Publisher.start(desk, talk, tone=440)
            # An interpreter's account (not an organiser) publishes the English.
            english = await Publisher.start(
                interpreter, talk, "interpretation", tone=1000, audio_only=True, language="en"
            )
            assert english.response.status_code == 200, english.response.text
            listener = await Viewer.start(tokyo, talk, language="en")
            other = await Viewer.start(hanoi, talk)
            assert await until(
                lambda: min(listener.audio.samples, other.audio.samples) > 96_000, 20
            )
            assert 900 < listener.audio.hertz < 1100
            assert 400 < other.audio.hertz < 480

            switched = await tokyo.post(
                f"/api/talks/{talk}/language", json={"id": listener.id, "language": None}
            )
            assert switched.status_code == 200
            await asyncio.sleep(0.5)
            listener.audio.reset_tone()
            assert await until(lambda: listener.audio.samples > 96_000, 10)
            assert 400 < listener.audio.hertz < 480

            # Nobody switches a connection that is not theirs: answered like one that does
            # not exist (another talk's is refused by the relay, tests/server/media).
            for who, where, peer_id in (
                (tokyo, talk, "no-such-peer"),
                (hanoi, talk, listener.id),
                (desk, talk, listener.id),
            ):
                refused = await who.post(
                    f"/api/talks/{where}/language", json={"id": peer_id, "language": "en"}
                )
                assert refused.status_code == 404, (where, peer_id)
                assert refused.json()["error"]["code"] == "connection_not_found"
                assert "Tải lại trang" in refused.json()["error"]["message"]
            for peer in (listener, other, english, hall):
                await peer.close()

            # The interpretation is recorded apart, sound only, and it is the interpreter's.
            recording = await _recording(desk, talk, "interpretation")
            assert (recording["language"], recording["what"]) == (
                "en",
                "Phiên dịch: Tiếng Anh (en)",
            )
            return (await desk.get(recording["url"])).content

    recorded = asyncio.run(scenario())
    with av.open(io.BytesIO(recorded), mode="r") as container:
        assert [s.type for s in container.streams] == ["audio"]
    heard = heard_in_file(recorded)
    assert heard.samples > 48_000
    assert 900 < heard.hertz < 1100


def test_bad_offers_and_strangers_are_refused_and_leave_nothing_open(
    media: HubServer, people: World
) -> None:
    talk = people.talk.id
    assert talk is not None

    async def scenario() -> None:
        async with signed_in(
            media.url, people.tokyo, people.counsellor, people.other_point, "", people.interpreter
        ) as (tokyo, counsellor, elsewhere, nobody, interpreter):
            path = f"/api/talks/{talk}/watch"
            good = "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\n"
            cases: list[tuple[Any, dict[str, Any], int, str]] = [
                (tokyo, {"sdp": "hello", "type": "offer"}, 400, "bad_offer"),
                (tokyo, {"sdp": good, "type": "answer"}, 400, "bad_offer"),
                (tokyo, {"sdp": good + "a=x\r\n" * 5_000, "type": "offer"}, 400, "bad_offer"),
                # Well-formed on the surface; the relay cannot use it.
                (tokyo, {"sdp": good, "type": "offer"}, 400, "bad_offer"),
                (nobody, {"sdp": good, "type": "offer"}, 401, "sign_in_required"),
                # Another event's talk is answered as no talk at all.
                (elsewhere, {"sdp": good, "type": "offer"}, 404, "talk_not_found"),
            ]
            for client, body, status, code in cases:
                response = await client.post(path, json=body)
                assert response.status_code == status, (body["sdp"][:20], response.text)
                assert response.json()["error"]["code"] == code
            missing = await tokyo.post(
                "/api/talks/999999/watch", json={"sdp": good, "type": "offer"}
            )
            assert missing.status_code == 404
            hall = await counsellor.post(
                f"/api/talks/{talk}/publish", json={"sdp": good, "type": "offer", "slot": "hall"}
            )
            assert hall.status_code == 403
            # Interpreters interpret, nothing else; counsellors do not interpret.
            taken = await interpreter.post(
                f"/api/talks/{talk}/publish", json={"sdp": good, "type": "offer", "slot": "hall"}
            )
            assert taken.status_code == 403
            interpreting = {
                "sdp": good,
                "type": "offer",
                "slot": "interpretation",
                "language": "en",
            }
            refused = await counsellor.post(f"/api/talks/{talk}/publish", json=interpreting)
            assert refused.status_code == 403

    asyncio.run(scenario())
    assert peers(media) == 0


VANISHING = """
import asyncio, sys, aioice.ice
aioice.ice.get_host_addresses = lambda **_: ["127.0.0.1"]
from tests.mediapeer import Viewer, http_client, until

async def main():
    async with http_client(sys.argv[1], sys.argv[2]) as http:
        viewers = [await Viewer.start(http, int(sys.argv[3])) for _ in range(3)]
        await until(lambda: all(v.hall.frames > 0 for v in viewers), 20)
        print("watching", flush=True)
        await asyncio.sleep(3600)

asyncio.run(main())
"""


def test_peer_connections_of_clients_that_vanish_are_closed(
    media: HubServer, people: World
) -> None:
    talk = people.talk.id
    assert talk is not None

    async def publish() -> Publisher:
        async with http_client(media.url, people.organiser) as desk:
            return await Publisher.start(desk, talk)

    async def scenario() -> None:
        hall = await publish()
        clients = await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            VANISHING,
            media.url,
            people.tokyo,
            str(talk),
            stdout=subprocess.PIPE,
            cwd=Path(__file__).parents[3],
        )
        try:
            assert clients.stdout is not None
            line = await asyncio.wait_for(clients.stdout.readline(), 40)
            assert line.strip() == b"watching"
            assert await _settle(media, 4, 5)
            # Gone without hanging up: no DTLS close, no BYE, nothing.
            clients.kill()
            await clients.wait()
            assert await _settle(media, 1, 20), "the vanished viewers' connections stayed open"
        finally:
            if clients.returncode is None:
                clients.kill()
                await clients.wait()
            await hall.close()

    asyncio.run(scenario())
    assert asyncio.run(_settle(media, 0))


def _relay_pid(server: HubServer) -> int:
    assert server.process is not None
    (child,) = subprocess.run(
        ["pgrep", "-P", str(server.process.pid), "-f", "server.media.relay serve"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return int(child)


def test_the_relay_is_restarted_when_it_dies_and_what_it_was_recording_is_kept(
    media: HubServer, people: World
) -> None:
    talk = people.talk.id
    assert talk is not None

    async def scenario() -> bytes:
        async with signed_in(media.url, people.organiser, people.tokyo) as (desk, tokyo):
            hall = await Publisher.start(desk, talk)
            viewer = await Viewer.start(tokyo, talk)
            # Matroska goes to disk a cluster (a few seconds) at a time: ten seconds of the
            # talk leave at least one cluster written when the relay dies.
            assert await until(lambda: viewer.hall.frames >= 300, 30)
            os.kill(_relay_pid(media), signal.SIGKILL)
            await viewer.close()
            await hall.close()

            deadline = time.monotonic() + 30
            while True:
                hall = await Publisher.start(desk, talk)
                if hall.response.status_code == 200 or time.monotonic() > deadline:
                    break
                assert hall.response.status_code == 503
                assert hall.response.json()["error"]["code"] == "relay_unavailable"
                await hall.close()
                await asyncio.sleep(0.3)
            assert hall.response.status_code == 200, hall.response.text
            viewer = await Viewer.start(tokyo, talk)
            assert await until(lambda: viewer.hall.frames >= 10, 20)
            await viewer.close()
            await hall.close()

            # The interrupted recording is listed, oldest first, beside the new one.
            listed: list[dict[str, Any]] = []
            for _ in range(50):
                listed = (await desk.get(f"/api/talks/{talk}/recordings")).json()
                if len(listed) == 2:
                    break
                await asyncio.sleep(0.2)
            assert [r["slot"] for r in listed] == ["hall", "hall"], listed
            return (await desk.get(listed[0]["url"])).content

    interrupted = asyncio.run(scenario())
    with av.open(io.BytesIO(interrupted), mode="r") as container:
        pictures = len(list(container.decode(video=0)))
    assert pictures >= 90


def test_stopping_the_server_stops_its_relay(media: HubServer) -> None:
    relay = _relay_pid(media)
    media.stop()
    deadline = time.monotonic() + 10
    while Path(f"/proc/{relay}").exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not Path(f"/proc/{relay}").exists(), "the relay outlived the server"


def webm_file(path: Path, seconds: int = 3) -> Path:
    """A VP8 and Opus file, as a venue's recording would be."""
    with av.open(str(path), mode="w", format="webm") as container:
        video = container.add_stream("libvpx", rate=30)
        video.width, video.height, video.pix_fmt = 320, 240, "yuv420p"
        audio = container.add_stream("libopus", rate=48_000)
        pattern = av.open("testsrc=size=320x240:rate=30", format="lavfi", mode="r")
        tone = av.open("sine=frequency=440:sample_rate=48000", format="lavfi", mode="r")
        for frame, _ in zip(pattern.decode(video=0), range(30 * seconds), strict=False):
            frame.pict_type = av.video.frame.PictureType.NONE
            container.mux(video.encode(frame))
        for sound, _ in zip(tone.decode(audio=0), range(47 * seconds), strict=False):
            container.mux(audio.encode(sound))
        container.mux(video.encode(None))
        container.mux(audio.encode(None))
        pattern.close()
        tone.close()
    return path


def test_a_file_is_played_into_a_talk_with_ketnoi_live_play(
    media: HubServer, people: World, data_dir: Path
) -> None:
    talk = people.talk.id
    assert talk is not None
    source = webm_file(data_dir.parent / "hoi-truong.webm")
    env = {k: v for k, v in os.environ.items() if not k.startswith("KETNOI_")}
    env.update(
        {
            "KETNOI_SECRET_KEY": PROCESS_SECRET,
            "KETNOI_RELAY_PORT": str(media.relay_port),
            "KETNOI_RELAY_ICE_ADDRESSES": "127.0.0.1",
        }
    )
    ketnoi = Path(sys.executable).with_name("ketnoi")
    player = subprocess.Popen(
        [str(ketnoi), "live", "play", str(source), "--talk", str(talk), "--loop"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )

    async def scenario() -> None:
        async with http_client(media.url, people.tokyo) as tokyo:
            watcher = await Viewer.start(tokyo, talk)
            assert watcher.response.status_code == 200
            assert await until(lambda: watcher.hall.frames >= 45, 30)
            assert watcher.audio.frames > 0
            await watcher.close()

    try:
        asyncio.run(scenario())
    finally:
        stop_process(player)
    assert asyncio.run(_settle(media, 0))
