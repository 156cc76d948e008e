"""The relay's hook into aiortc (pinned): encoded frames reach viewers, no decoder runs."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aioice.ice
import av
import pytest
from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from pydantic import SecretStr

from server.media.protocol import AudioCall, PublishCall, Status, WatchCall
from server.media.relay import recording as recording_module
from server.media.relay import rooms as rooms_module
from server.media.relay.errors import NotFound
from server.media.relay.hooks import DECODER_QUEUE, Tap, check_hooks
from server.media.relay.recording import claim_recordings, recover_recordings
from server.media.relay.rooms import Relay
from server.media.rules import is_keyframe
from server.settings import Settings
from sessions.live.rules import talk_feed
from tests.mediapeer import media_tracks, until


async def publish_pattern(
    relay: Relay, room: str, slot: str = "hall"
) -> tuple[RTCPeerConnection, Callable[[], None]]:
    """A test pattern and a tone published into a talk room's slot (the hall), straight to
    the relay, as the talk's feeds are (recorded)."""
    tracks, stop = media_tracks()
    publisher = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    for track in tracks:
        publisher.addTransceiver(track, direction="sendonly")
    await publisher.setLocalDescription(await publisher.createOffer())
    feed = talk_feed(room, int(room.split(":")[1]), slot, "", max_publishers=4, recorded=True)
    call = PublishCall(**feed.model_dump(), sdp=publisher.localDescription.sdp, type="offer")
    answer = await relay.publish(call)
    await publisher.setRemoteDescription(RTCSessionDescription(answer.sdp, answer.type))
    return publisher, stop


def watch_hall(room: str, sdp: str) -> WatchCall:
    """A viewer of a talk's hall and floor."""
    return WatchCall(
        room=room,
        sdp=sdp,
        type="offer",
        video=[["hall"], ["floor"]],
        audio=[["hall"], ["floor"]],
        owner="s1",
    )


def test_keyframes_are_told_apart_for_vp8_and_h264() -> None:
    assert is_keyframe("VP8", bytes([0x90, 0x5B, 0x00, 0x9D, 0x01, 0x2A]))
    assert not is_keyframe("VP8", bytes([0x31, 0x02, 0x00]))
    assert is_keyframe("H264", b"\x00\x00\x00\x01\x67\x42" + b"\x00\x00\x01\x65\x88")
    assert not is_keyframe("H264", b"\x00\x00\x00\x01\x41\x9a")
    assert not is_keyframe("VP8", b"")


def test_frames_go_from_the_publishers_receiver_to_viewers_and_never_to_a_decoder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(aioice.ice, "get_host_addresses", lambda **_: ["127.0.0.1"])
    check_hooks()
    settings = Settings(data_dir=tmp_path, secret_key=SecretStr("r" * 40))

    async def scenario() -> None:
        relay = Relay(settings)
        publisher, stop = await publish_pattern(relay, "talk:1")

        viewer = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        viewer.addTransceiver("video", direction="recvonly")
        decoded: list[object] = []
        pumps: list[asyncio.Future[None]] = []

        @viewer.on("track")
        def _track(track: object) -> None:
            async def pump() -> None:
                while True:
                    decoded.append(await track.recv())  # type: ignore[attr-defined]

            pumps.append(asyncio.ensure_future(pump()))

        await viewer.setLocalDescription(await viewer.createOffer())
        answer = await relay.watch(watch_hall("talk:1", viewer.localDescription.sdp))
        await viewer.setRemoteDescription(RTCSessionDescription(answer.sdp, answer.type))
        assert await until(lambda: len(decoded) >= 20, 20)

        (peer,) = relay.rooms["talk:1"].publishers.values()
        for transceiver in peer.pc.getTransceivers():
            receiver = transceiver.receiver
            assert isinstance(getattr(receiver, DECODER_QUEUE), Tap)
            # What a decoder would have produced lands on the received track's queue: empty.
            assert receiver.track._queue.empty()  # type: ignore[attr-defined]
        video = next(s for s in peer.sources if s.kind == "video")
        assert video.frames >= 20
        # The viewer's audio is switched only in its own room and by its owner.
        viewing = next(iter(relay.rooms["talk:1"].viewers))
        for room, owner in (("talk:2", "s1"), ("talk:1", "s2"), ("talk:1", "")):
            with pytest.raises(NotFound):
                relay.choose_audio(AudioCall(room=room, owner=owner, id=viewing, slots=["hall"]))
        relay.choose_audio(AudioCall(room="talk:1", owner="s1", id=viewing, slots=["lang:en"]))
        await viewer.close()
        for task in pumps:
            task.cancel()
        await publisher.close()
        stop()
        await relay.close()
        assert relay.status() == Status(peers=0, rooms={})

    asyncio.run(scenario())


def test_a_lost_packet_is_sent_again_when_the_viewer_asks_and_publishers_get_the_set_bitrate(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(aioice.ice, "get_host_addresses", lambda **_: ["127.0.0.1"])
    settings = Settings(data_dir=tmp_path, secret_key=SecretStr("r" * 40), relay_video_kbps=300)

    async def scenario() -> None:
        relay = Relay(settings)
        publisher, stop = await publish_pattern(relay, "talk:2")
        viewer = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        video = viewer.addTransceiver("video", direction="recvonly")
        await viewer.setLocalDescription(await viewer.createOffer())
        answer = await relay.watch(watch_hall("talk:2", viewer.localDescription.sdp))
        await viewer.setRemoteDescription(RTCSessionDescription(answer.sdp, answer.type))
        video_type = video._codecs[0].payloadType
        ice: Any = video.receiver.transport.transport
        receive = ice._recv
        arrivals: list[bytes] = []
        dropped: list[bytes] = []

        async def lose_one() -> bytes:
            # Below the viewer's SRTP: the RTP header is readable, the rest is not.
            while True:
                data: bytes = await receive()
                if len(data) >= 12 and data[1] & 0x7F == video_type:
                    arrivals.append(data)
                    if not dropped and len(arrivals) > 30:
                        dropped.append(data)
                        continue
                return data

        def sent_again() -> bool:
            return bool(dropped) and sum(a[2:4] == dropped[0][2:4] for a in arrivals) == 2

        ice._recv = lose_one
        # The viewer's receiver asks for the packet (NACK) and the relay sends it again: the
        # same bytes (same key, number and payload), which the viewer's SRTP and jitter buffer
        # take, so it is no longer missing.
        missing: Any = video.receiver._RTCRtpReceiver__nack_generator.missing  # type: ignore[attr-defined]
        assert await until(sent_again, 20)
        assert [a for a in arrivals if a[2:4] == dropped[0][2:4]] == [dropped[0]] * 2
        lost = int.from_bytes(dropped[0][2:4], "big")
        assert await until(lambda: lost not in missing, 5)

        # The relay told the publisher the configured video bitrate (REMB), which its encoder
        # now aims at.
        (sender,) = [t.sender for t in publisher.getTransceivers() if t.kind == "video"]
        encoder: Any = sender._RTCRtpSender__encoder  # type: ignore[attr-defined]
        assert await until(lambda: encoder.target_bitrate == 300_000, 10)
        await viewer.close()
        await publisher.close()
        stop()
        await relay.close()

    asyncio.run(scenario())


def test_a_talks_hall_feed_is_recorded_without_reencoding_and_plays_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(aioice.ice, "get_host_addresses", lambda **_: ["127.0.0.1"])
    # Both publishers start "in the same second": the second must not write over the first.
    monkeypatch.setattr(rooms_module, "recording_moment", lambda: "20261124T010203Z")
    settings = Settings(data_dir=tmp_path, secret_key=SecretStr("r" * 40))

    async def scenario() -> None:
        relay = Relay(settings)
        first, stop_first = await publish_pattern(relay, "talk:7")
        (peer,) = relay.rooms["talk:7"].publishers.values()
        assert await until(lambda: peer.recording is not None and peer.recording.frames > 200, 20)
        second, stop_second = await publish_pattern(relay, "talk:7")
        (peer,) = relay.rooms["talk:7"].publishers.values()
        assert await until(lambda: peer.recording is not None and peer.recording.frames > 200, 20)
        await relay.close()
        for publisher, stop in ((first, stop_first), (second, stop_second)):
            await publisher.close()
            stop()

    asyncio.run(scenario())
    names = sorted(path.name for path in (tmp_path / "recordings" / "talk-7").iterdir())
    assert names == ["20261124T010203Z-hall-2.mkv", "20261124T010203Z-hall.mkv"]
    for name in names:
        path = tmp_path / "recordings" / "talk-7" / name
        with av.open(str(path)) as container:
            video = container.streams.video[0]
            assert (video.codec_context.name, video.width, video.height) == ("vp8", 320, 240)
            pictures = sum(1 for _ in container.decode(video=0))
        with av.open(str(path)) as container:
            sound = sum(frame.samples for frame in container.decode(audio=0))
        # About 3 s each: 30 pictures and 48,000 samples a second.
        assert pictures >= 60, name
        assert sound >= 48_000, name


def test_a_relay_starting_finishes_interrupted_recordings_and_leaves_one_being_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(aioice.ice, "get_host_addresses", lambda **_: ["127.0.0.1"])
    monkeypatch.setattr(rooms_module, "recording_moment", lambda: "20261124T010203Z")
    settings = Settings(data_dir=tmp_path, secret_key=SecretStr("r" * 40))
    folder = tmp_path / "recordings" / "talk-7"
    folder.mkdir(parents=True)
    # What a relay killed mid-talk leaves: its files, no longer locked by anybody.
    (folder / "20261124T000000Z-lang-en.part").write_bytes(b"\x1a\x45\xdf\xa3 cut short")
    (folder / "20261124T000001Z-hall.part").write_bytes(b"")
    (folder / "notes.part").write_bytes(b"not ours")
    # One whose name was already taken by a finished file: kept as the next copy.
    (folder / "20261124T000002Z-hall.mkv").write_bytes(b"finished")
    (folder / "20261124T000002Z-hall.part").write_bytes(b"\x1a\x45\xdf\xa3 also cut short")

    async def scenario() -> list[Path]:
        relay = Relay(settings)
        publisher, stop = await publish_pattern(relay, "talk:7")
        (peer,) = relay.rooms["talk:7"].publishers.values()
        assert await until(lambda: peer.recording is not None and peer.recording.frames > 30, 20)
        recovered = recover_recordings(tmp_path)
        await relay.close()
        await publisher.close()
        stop()
        return recovered

    recovered = asyncio.run(scenario())
    assert recovered == [
        folder / "20261124T000000Z-lang-en.mkv",
        folder / "20261124T000002Z-hall-2.mkv",
    ]
    assert recovered[0].read_bytes() == b"\x1a\x45\xdf\xa3 cut short"
    assert recovered[1].read_bytes() == b"\x1a\x45\xdf\xa3 also cut short"
    assert (folder / "20261124T000002Z-hall.mkv").read_bytes() == b"finished"
    # The live recording was not taken from under its writer: it finished under its own name.
    assert sorted(path.name for path in folder.iterdir()) == [
        "20261124T000000Z-lang-en.mkv",
        "20261124T000002Z-hall-2.mkv",
        "20261124T000002Z-hall.mkv",
        "20261124T010203Z-hall.mkv",
        "notes.part",
    ]


def test_only_one_relay_at_a_time_may_finish_a_data_folders_recordings(tmp_path: Path) -> None:
    first = claim_recordings(tmp_path)
    assert first is not None
    try:
        # A second relay started on the same folder (say, while the first still serves).
        assert claim_recordings(tmp_path) is None
    finally:
        os.close(first)
    again = claim_recordings(tmp_path)
    assert again is not None
    os.close(again)


def test_a_recording_that_cannot_start_is_tried_again_and_the_feed_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(aioice.ice, "get_host_addresses", lambda **_: ["127.0.0.1"])
    monkeypatch.setattr(recording_module, "RECORDING_RETRY_SECONDS", 0.5)
    settings = Settings(data_dir=tmp_path, secret_key=SecretStr("r" * 40))
    # The talk's folder cannot be made: a file is in its place.
    blocker = tmp_path / "recordings" / "talk-7"
    blocker.parent.mkdir(parents=True)
    blocker.write_bytes(b"")

    async def scenario() -> None:
        relay = Relay(settings)
        publisher, stop = await publish_pattern(relay, "talk:7")
        (peer,) = relay.rooms["talk:7"].publishers.values()
        video = next(source for source in peer.sources if source.kind == "video")
        assert await until(lambda: video.frames > 45, 20)
        assert peer.recording is not None
        assert peer.recording.frames == 0
        blocker.unlink()
        assert await until(lambda: peer.recording is not None and peer.recording.frames > 60, 20)
        await relay.close()
        await publisher.close()
        stop()

    asyncio.run(scenario())
    (path,) = (tmp_path / "recordings" / "talk-7").iterdir()
    with av.open(str(path)) as container:
        assert sum(1 for _ in container.decode(video=0)) > 10


def test_an_interpreters_camera_is_neither_forwarded_nor_recorded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(aioice.ice, "get_host_addresses", lambda **_: ["127.0.0.1"])
    settings = Settings(data_dir=tmp_path, secret_key=SecretStr("r" * 40))

    async def scenario() -> None:
        relay = Relay(settings)
        publisher, stop = await publish_pattern(relay, "talk:7", "lang:en")
        room = relay.rooms["talk:7"]
        (peer,) = room.publishers.values()
        assert sorted(room.sources) == [("lang:en", "audio")]
        assert await until(lambda: peer.recording is not None and peer.recording.frames > 100, 20)
        await relay.close()
        await publisher.close()
        stop()

    asyncio.run(scenario())
    (path,) = (tmp_path / "recordings" / "talk-7").iterdir()
    assert path.name.endswith("-lang-en.mkv")
    with av.open(str(path)) as container:
        assert [stream.type for stream in container.streams] == ["audio"]


def test_relay_processes_end_with_the_process_that_started_them() -> None:
    # Each parent starts a child the way `ketnoi serve` and `ketnoi live play` start the relay
    # and the player, prints its pid and waits; killed, it cannot pass anything on.
    child = (
        "import time; from server.media.relay.lifetime import die_with_parent; die_with_parent(); "
        "print('ready', flush=True); time.sleep(120)"
    )
    parent = (
        "import subprocess, sys; "
        f"kid = subprocess.Popen([sys.executable, '-c', {child!r}], stdout=subprocess.PIPE); "
        "assert kid.stdout.readline() == b'ready\\n'; print(kid.pid, flush=True); kid.wait()"
    )
    parents = [
        subprocess.Popen([sys.executable, "-c", parent], stdout=subprocess.PIPE) for _ in range(8)
    ]
    kids = []
    for process in parents:
        assert process.stdout is not None
        kids.append(int(process.stdout.readline()))
        process.stdout.close()
        process.kill()
        process.wait()
    deadline = time.monotonic() + 10
    alive = kids
    while alive and time.monotonic() < deadline:
        time.sleep(0.1)
        alive = [pid for pid in kids if Path(f"/proc/{pid}").exists() and not _zombie(pid)]
    for pid in alive:
        os.kill(pid, signal.SIGKILL)
    assert alive == []


def _zombie(pid: int) -> bool:
    try:
        return " Z " in Path(f"/proc/{pid}/stat").read_text().split(")", 1)[1][:4]
    except FileNotFoundError:
        return False
