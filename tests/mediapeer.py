"""aiortc peers that play a browser against the real signalling routes: publishers and viewers."""

from __future__ import annotations

import asyncio
import contextlib
import io
import time
from array import array
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import av
import httpx2 as httpx
from aiortc import (
    MediaStreamTrack,
    RTCConfiguration,
    RTCPeerConnection,
    RTCSessionDescription,
)
from aiortc.contrib.media import MediaPlayer

from server.identity.auth import SESSION_COOKIE
from server.media.relay.play import Interframes
from server.media.rules import TOKEN_HEADER, relay_token

# Viewers offer, in this order: hall video, floor video, hall (or interpretation) audio,
# floor audio.
VIEWER_TRACKS = ("video", "video", "audio", "audio")


def http_client(base_url: str, token: str) -> httpx.AsyncClient:
    """A client signed in with a session cookie, sending the Origin a browser would."""
    return httpx.AsyncClient(
        base_url=base_url,
        cookies={SESSION_COOKIE: token},
        headers={"origin": base_url},
        timeout=30,
    )


@contextlib.asynccontextmanager
async def signed_in(base_url: str, *tokens: str) -> AsyncIterator[list[httpx.AsyncClient]]:
    """One signed-in client per session token, closed together."""
    async with contextlib.AsyncExitStack() as stack:
        yield [await stack.enter_async_context(http_client(base_url, t)) for t in tokens]


async def relay_status(port: int, secret: str) -> dict[str, Any]:
    """What the relay process says it holds (its loopback API)."""
    async with httpx.AsyncClient(timeout=10) as client:
        response = await client.get(
            f"http://127.0.0.1:{port}/status", headers={TOKEN_HEADER: relay_token(secret)}
        )
        response.raise_for_status()
        status: dict[str, Any] = response.json()
        return status


def media_tracks(size: str = "320x240", tone: int = 440) -> tuple[list[MediaStreamTrack], Any]:
    """A moving test pattern and a tone, as a camera and a microphone would give them."""
    video = MediaPlayer(f"testsrc=size={size}:rate=30", format="lavfi")
    audio = MediaPlayer(f"sine=frequency={tone}:sample_rate=48000", format="lavfi")
    assert video.video is not None
    assert audio.audio is not None

    def stop() -> None:
        for track in (video.video, audio.audio):
            if track is not None:
                track.stop()

    return [Interframes(video.video), audio.audio], stop


async def negotiate(
    http: httpx.AsyncClient, path: str, pc: RTCPeerConnection, **fields: Any
) -> httpx.Response:
    """Offer (every candidate gathered: no trickle), POST it, apply the answer when it is 200."""
    await pc.setLocalDescription(await pc.createOffer())
    response = await http.post(
        path, json={"sdp": pc.localDescription.sdp, "type": "offer", **fields}
    )
    if response.status_code == 200:
        answer = response.json()
        await pc.setRemoteDescription(RTCSessionDescription(answer["sdp"], answer["type"]))
    return response


@dataclass
class Publisher:
    """A camera and microphone publishing into a talk's slot."""

    pc: RTCPeerConnection
    stop_tracks: Any
    response: httpx.Response

    @classmethod
    async def start(
        cls,
        http: httpx.AsyncClient,
        talk_id: int,
        slot: str = "hall",
        *,
        tone: int = 440,
        audio_only: bool = False,
        **fields: Any,
    ) -> Publisher:
        """Publish; look at `response` for a refusal."""
        tracks, stop = media_tracks(tone=tone)
        pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        for track in tracks[1:] if audio_only else tracks:
            pc.addTransceiver(track, direction="sendonly")
        response = await negotiate(http, f"/api/talks/{talk_id}/publish", pc, slot=slot, **fields)
        return cls(pc, stop, response)

    async def close(self) -> None:
        """Hang up."""
        await self.pc.close()
        self.stop_tracks()


@dataclass
class Received:
    """What one of a viewer's tracks has decoded."""

    frames: int = 0
    first_at: float | None = None
    last_at: float | None = None
    # Audio: sign changes and samples of the first channel, for the tone's frequency.
    crossings: int = 0
    samples: int = 0
    _last_sign: bool = False

    def reset_tone(self) -> None:
        """Start measuring the frequency afresh."""
        self.crossings = self.samples = 0

    @property
    def hertz(self) -> float:
        """The dominant frequency of what was heard since the last reset."""
        return self.crossings / 2 / (self.samples / 48_000) if self.samples else 0.0

    def hear(self, frame: av.AudioFrame) -> None:
        """Count a frame of packed 16-bit samples at 48 kHz (what aiortc's decoder gives)."""
        # The plane's buffer is longer than its samples.
        channels = len(frame.layout.channels)
        samples = array("h", bytes(frame.planes[0]))[: frame.samples * channels : channels]
        for sample in samples:
            sign = sample >= 0
            self.crossings += sign != self._last_sign
            self._last_sign = sign
        self.samples += len(samples)


def heard_in_file(data: bytes) -> Received:
    """A recording's first audio track decoded: its samples and its tone's frequency."""
    heard = Received()
    resampler = av.AudioResampler(format="s16", layout="mono", rate=48_000)
    with av.open(io.BytesIO(data), mode="r") as container:
        for frame in container.decode(audio=0):
            for packed in resampler.resample(frame):
                heard.frames += 1
                heard.hear(packed)
    return heard


@dataclass
class Viewer:
    """A point's console watching a talk: hall and floor video, audio of its choice."""

    pc: RTCPeerConnection
    response: httpx.Response
    tracks: list[Received] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)
    _pumps: list[asyncio.Task[None]] = field(default_factory=list)

    @classmethod
    async def start(cls, http: httpx.AsyncClient, talk_id: int, **fields: Any) -> Viewer:
        """Watch; look at `response` for a refusal."""
        pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        transceivers = [pc.addTransceiver(kind, direction="recvonly") for kind in VIEWER_TRACKS]
        viewer = cls(pc, httpx.Response(0), [Received() for _ in VIEWER_TRACKS])

        @pc.on("track")
        def _track(track: MediaStreamTrack) -> None:
            for index, transceiver in enumerate(transceivers):
                if transceiver.receiver.track is track:
                    viewer._pumps.append(asyncio.ensure_future(viewer._pump(track, index)))

        viewer.response = await negotiate(http, f"/api/talks/{talk_id}/watch", pc, **fields)
        viewer.started = time.monotonic()
        return viewer

    async def _pump(self, track: MediaStreamTrack, index: int) -> None:
        seen = self.tracks[index]
        while True:
            try:
                frame = await track.recv()
            except Exception:
                return
            now = time.monotonic()
            seen.frames += 1
            seen.first_at = seen.first_at or now
            seen.last_at = now
            if isinstance(frame, av.AudioFrame):
                seen.hear(frame)

    @property
    def id(self) -> str:
        """The relay's id of this connection."""
        return str(self.response.json()["id"])

    @property
    def hall(self) -> Received:
        """Hall video."""
        return self.tracks[0]

    @property
    def floor(self) -> Received:
        """The floor speaker's video."""
        return self.tracks[1]

    @property
    def audio(self) -> Received:
        """Hall or interpretation audio."""
        return self.tracks[2]

    async def close(self) -> None:
        """Hang up."""
        await self.pc.close()
        for pump in self._pumps:
            pump.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await pump


async def until(predicate: Any, seconds: float, step: float = 0.05) -> bool:
    """Wait for a condition; whether it became true in time."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        await asyncio.sleep(step)
    return bool(predicate())
