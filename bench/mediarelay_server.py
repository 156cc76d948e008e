"""The baseline for bench.relay_fanout: aiortc's usual MediaRelay, behind the same loopback API.

Each publisher's tracks are decoded once, and every viewer's sender encodes them again: what
aiortc's examples do. /publish, /watch and /status answer as the project's relay does.
"""

from __future__ import annotations

import argparse
import contextlib
from typing import Any

import aioice.ice
import uvicorn
from aiortc import (
    MediaStreamTrack,
    RTCConfiguration,
    RTCPeerConnection,
    RTCSessionDescription,
)
from aiortc.contrib.media import MediaRelay
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route


def app() -> Starlette:
    """One room: the latest publisher's tracks, relayed to every viewer."""
    relay = MediaRelay()
    tracks: dict[str, MediaStreamTrack] = {}
    peers: set[RTCPeerConnection] = set()

    async def answer(pc: RTCPeerConnection, body: dict[str, Any]) -> JSONResponse:
        await pc.setLocalDescription(await pc.createAnswer())
        peers.add(pc)

        @pc.on("connectionstatechange")
        async def _changed() -> None:
            if pc.connectionState in ("failed", "closed"):
                peers.discard(pc)
                await pc.close()

        del body
        return JSONResponse(
            {"id": str(id(pc)), "sdp": pc.localDescription.sdp, "type": pc.localDescription.type}
        )

    async def publish(request: Request) -> JSONResponse:
        body = await request.json()
        pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))

        @pc.on("track")
        def _track(track: MediaStreamTrack) -> None:
            tracks[track.kind] = track

        await pc.setRemoteDescription(RTCSessionDescription(body["sdp"], body["type"]))
        return await answer(pc, body)

    async def watch(request: Request) -> JSONResponse:
        body = await request.json()
        pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        await pc.setRemoteDescription(RTCSessionDescription(body["sdp"], body["type"]))
        for transceiver in pc.getTransceivers():
            source = tracks.get(transceiver.kind)
            if source is not None:
                pc.addTrack(relay.subscribe(source))
        return await answer(pc, body)

    async def status(_: Request) -> JSONResponse:
        return JSONResponse({"peers": len(peers), "rooms": {}})

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> Any:
        yield
        for pc in list(peers):
            await pc.close()

    return Starlette(
        routes=[
            Route("/publish", publish, methods=["POST"]),
            Route("/watch", watch, methods=["POST"]),
            Route("/status", status, methods=["GET"]),
        ],
        lifespan=lifespan,
    )


def main() -> None:
    """Serve on loopback."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    aioice.ice.get_host_addresses = lambda **_: ["127.0.0.1"]
    uvicorn.run(app(), host="127.0.0.1", port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
