"""Viewers for the relay benchmark, in a process of their own.

Run by bench.relay_fanout: reads a JSON plan on standard input, connects its viewers through the
relay's loopback API, prints `ready` once every viewer has its first video frame, counts frames
during the window after the parent writes `go`, then prints one JSON result.

Viewers never decrypt or decode media: aiortc does the ICE, DTLS and RTCP of each viewer, but
RTP packets are counted as they come off the socket and never handed on. An RTP header is not
encrypted by SRTP: a packet of the video payload type with the marker bit ends a frame. So the
load stays small enough to leave the cores to the relay.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from dataclasses import asdict, dataclass, field

import aioice.ice
import httpx2 as httpx
from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription

from server.media.protocol import Answer, WatchCall

HALL = "hall"

CONNECT_AT_ONCE = 10


@dataclass
class Plan:
    """Where to connect and how many viewers."""

    port: int
    token_header: str
    token: str
    room: str
    viewers: int
    window_seconds: float


@dataclass
class Result:
    """Per viewer: video frames in the window, seconds to the first frame; packets and bytes
    received (all viewers)."""

    frames: list[int] = field(default_factory=list)
    first_frame_seconds: list[float] = field(default_factory=list)
    packets: int = 0
    octets: int = 0
    failed: int = 0


class Viewer:
    """One peer connection receiving video and audio, counting what arrives."""

    def __init__(self) -> None:
        self.pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        self.video_frames = 0
        self.packets = 0
        self.octets = 0
        self.first_frame_at: float | None = None
        self.asked_at = 0.0
        self._video_type = -1

    async def connect(self, client: httpx.AsyncClient, plan: Plan) -> None:
        """Offer, apply the relay's answer, count RTP below aiortc."""
        video = self.pc.addTransceiver("video", direction="recvonly")
        self.pc.addTransceiver("audio", direction="recvonly")
        await self.pc.setLocalDescription(await self.pc.createOffer())
        self.asked_at = time.monotonic()
        response = await client.post(
            "/watch",
            json=WatchCall(
                room=plan.room,
                sdp=self.pc.localDescription.sdp,
                type="offer",
                video=[[HALL]],
                audio=[[HALL]],
            ).model_dump(mode="json"),
        )
        response.raise_for_status()
        answer = Answer.model_validate_json(response.content)
        await self.pc.setRemoteDescription(RTCSessionDescription(answer.sdp, answer.type))
        self._video_type = int(video._codecs[0].payloadType or -1)
        ice = video.receiver.transport.transport
        receive = ice._recv

        async def only_control() -> bytes:
            # DTLS and RTCP (second byte 192-208, as aiortc tells them) go on to aiortc; RTP
            # is counted here.
            while True:
                data: bytes = await receive()
                if len(data) < 12 or not 127 < data[0] < 192 or 192 <= data[1] <= 208:
                    return data
                self.packets += 1
                self.octets += len(data)
                if data[1] == 0x80 | self._video_type:
                    self.video_frames += 1
                    if self.first_frame_at is None:
                        self.first_frame_at = time.monotonic()

        ice._recv = only_control


async def run(plan: Plan) -> Result:
    """Connect everyone, wait for first frames, count through the window."""
    aioice.ice.get_host_addresses = lambda **_: ["127.0.0.1"]
    result = Result()
    viewers = [Viewer() for _ in range(plan.viewers)]
    async with httpx.AsyncClient(
        base_url=f"http://127.0.0.1:{plan.port}",
        headers={plan.token_header: plan.token},
        timeout=120,
    ) as client:
        gate = asyncio.Semaphore(CONNECT_AT_ONCE)

        async def join(viewer: Viewer) -> None:
            async with gate:
                try:
                    await viewer.connect(client, plan)
                except Exception:
                    result.failed += 1

        await asyncio.gather(*(join(v) for v in viewers))
    deadline = time.monotonic() + 60
    # Polled: the first frames arrive through taps on aiortc's receivers, not as events.
    while time.monotonic() < deadline and any(v.first_frame_at is None for v in viewers):  # noqa: ASYNC110
        await asyncio.sleep(0.1)
    print("ready", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    before = [v.video_frames for v in viewers]
    packets_before = sum(v.packets for v in viewers)
    octets_before = sum(v.octets for v in viewers)
    await asyncio.sleep(plan.window_seconds)
    result.frames = [v.video_frames - b for v, b in zip(viewers, before, strict=True)]
    result.packets = sum(v.packets for v in viewers) - packets_before
    result.octets = sum(v.octets for v in viewers) - octets_before
    result.first_frame_seconds = [
        v.first_frame_at - v.asked_at for v in viewers if v.first_frame_at is not None
    ]
    for viewer in viewers:
        await viewer.pc.close()
    return result


def main() -> None:
    """Read the plan, run, print the result."""
    plan = Plan(**json.loads(sys.stdin.readline()))
    result = asyncio.run(run(plan))
    print(json.dumps(asdict(result)), flush=True)


if __name__ == "__main__":
    main()
