"""A publisher from a file, a stream or a generated pattern: what `ketnoi live play` and the
demo's hall feed run, beside the relay (the only code that speaks WebRTC)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from typing import Any

import av
import httpx2 as httpx
from aiortc import MediaStreamTrack, RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from aiortc.contrib.media import MediaPlayer

from server.media.protocol import PATHS, Answer, Feed, PublishCall
from server.media.relay.errors import RelayError, SlotTaken
from server.media.relay.hooks import use_consent, use_ice_addresses
from server.media.rules import TOKEN_HEADER, relay_token
from server.settings import Settings

log = logging.getLogger("ketnoi.relay")


def passes_through(source: str, codec: str) -> bool:
    """Whether the source's video is already in the relay's codec."""
    try:
        with av.open(source, mode="r", timeout=10) as container:
            streams = container.streams.video
            name = streams[0].codec_context.name if streams else ""
    except (av.FFmpegError, OSError):
        return False
    return name == {"VP8": "vp8", "H264": "h264"}[codec]


class Interframes(MediaStreamTrack):
    """A raw video track whose frames leave the encoder free to choose their type.

    Decoded raw frames say they are intra pictures, and the encoder obeys that: every frame
    would be a keyframe, at many times the bitrate.
    """

    kind = "video"

    def __init__(self, track: MediaStreamTrack) -> None:
        super().__init__()
        self._track = track

    async def recv(self) -> Any:
        """The next frame, its picture type cleared."""
        frame = await self._track.recv()
        if isinstance(frame, av.VideoFrame):
            frame.pict_type = av.video.frame.PictureType.NONE
        return frame


async def play(
    settings: Settings,
    feed: Feed,
    source: str,
    *,
    size: str = "640x360",
    loop: bool = False,
    replace: bool = True,
    stop: asyncio.Event | None = None,
) -> None:
    """Publish a media source as `feed` through the relay until it ends or `stop` is set.

    `pattern` is a moving test pattern with a running clock and a 440 Hz tone; anything else
    is opened by FFmpeg (a file, an RTSP or HTTP stream).
    """
    use_ice_addresses(settings.relay_ice_addresses)
    use_consent(settings.relay_consent_seconds, settings.relay_consent_failures)
    tracks: list[MediaStreamTrack] = []
    players: list[MediaPlayer] = []
    if source == "pattern":
        video = MediaPlayer(f"testsrc=size={size}:rate=30", format="lavfi")
        audio = MediaPlayer("sine=frequency=440:sample_rate=48000", format="lavfi")
        players = [video, audio]
        assert video.video is not None
        assert audio.audio is not None
        tracks = [Interframes(video.video), audio.audio]
    elif passes_through(source, settings.relay_video_codec):
        # Already in the relay's codec: the video goes out as it is in the file, not decoded
        # and encoded again (new viewers wait for the file's own next keyframe). The sound is
        # decoded and encoded to Opus.
        video = MediaPlayer(source, loop=loop, decode=False)
        audio = MediaPlayer(source, loop=loop)
        players = [video, audio]
        tracks = [t for t in (video.video, audio.audio) if t is not None]
    else:
        player = MediaPlayer(source, loop=loop)
        players = [player]
        tracks = [t for t in (player.video, player.audio) if t is not None]
    if not tracks:
        raise RelayError(f"{source} has neither audio nor video")
    pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    try:
        for track in tracks:
            pc.addTransceiver(track, direction="sendonly")
        await pc.setLocalDescription(await pc.createOffer())
        call = PublishCall(
            **feed.model_dump(),
            sdp=pc.localDescription.sdp,
            type=pc.localDescription.type,
            replace=replace,
        )
        async with httpx.AsyncClient(timeout=30) as client:
            response = await client.post(
                f"http://127.0.0.1:{settings.relay_port}{PATHS[PublishCall]}",
                headers={TOKEN_HEADER: relay_token(settings.secret_key.get_secret_value())},
                json=call.model_dump(mode="json"),
            )
        if response.status_code == 409:
            raise SlotTaken(f"{feed.slot} of {feed.room} is taken")
        if response.status_code != 200:
            raise RelayError(f"the relay refused: {response.text}")
        answer = Answer.model_validate_json(response.content)
        await pc.setRemoteDescription(RTCSessionDescription(answer.sdp, answer.type))
        ended = asyncio.Event()

        @pc.on("connectionstatechange")
        def _changed() -> None:
            if pc.connectionState in ("failed", "closed"):
                ended.set()

        waits = [asyncio.ensure_future(ended.wait())]
        if stop is not None:
            waits.append(asyncio.ensure_future(stop.wait()))
        await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        for waiting in waits:
            waiting.cancel()
    finally:
        await pc.close()
        for player in players:
            for media in (player.audio, player.video):
                if media is not None:
                    media.stop()


async def play_until_stopped(
    settings: Settings,
    feed: Feed,
    source: str,
    *,
    loop: bool = False,
    standby: bool = False,
) -> None:
    """Keep publishing (reconnecting when the relay restarts) until SIGTERM or SIGINT; a
    standby feed only ever takes a free slot."""
    stop = asyncio.Event()
    running = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        running.add_signal_handler(signum, stop.set)
    replace = not standby
    while not stop.is_set():
        try:
            await play(settings, feed, source, loop=loop, replace=replace, stop=stop)
        except SlotTaken:
            pass
        except (RelayError, OSError, httpx.HTTPError) as exc:
            log.warning("publishing %s to %s: %s; retrying", source, feed.room, exc)
        # Once on the air, a feed that loses its slot (someone took over) waits for it.
        replace = False
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(2):
                await stop.wait()
