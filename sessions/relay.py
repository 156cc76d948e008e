"""The media relay: forwards each publisher's encoded frames to every viewer, in its own process.

No decoder and no encoder on the forwarding path. aiortc (pinned exactly) reassembles each
publisher's frames in its receiver and would hand them to a decoder thread: `tap` puts a
stand-in where that thread reads, so complete encoded frames reach a `Source` instead. Each
viewer's sender track (`Outlet`) returns those frames as `av.Packet`s, which aiortc only
packetizes. A viewer that joins or falls behind waits for a keyframe, and the relay asks the
publisher for one (`_send_rtcp_pli`), at most every `relay_keyframe_interval_seconds`.

The web process authorises people and talks to this process over loopback HTTP with a token
derived from the secret key (`sessions.media`). This is the only module that imports aiortc.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ctypes
import fcntl
import inspect
import logging
import os
import random
import secrets
import signal
import socket
import threading
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from fractions import Fraction
from functools import partial
from pathlib import Path
from struct import Struct
from typing import Any

import aioice.ice
import av
import httpx2 as httpx
import uvicorn
from aiortc import (
    MediaStreamTrack,
    RTCConfiguration,
    RTCIceServer,
    RTCPeerConnection,
    RTCRtpReceiver,
    RTCSessionDescription,
    clock,
)
from aiortc.codecs.h264 import H264Encoder
from aiortc.codecs.vpx import Vp8Encoder
from aiortc.contrib.media import MediaPlayer
from aiortc.mediastreams import MediaStreamError
from aiortc.rtp import (
    RTCP_PSFB_APP,
    RtcpByePacket,
    RtcpPsfbPacket,
    RtcpSdesPacket,
    RtcpSenderInfo,
    RtcpSourceInfo,
    RtcpSrPacket,
    RtpPacket,
    pack_remb_fci,
)
from pylibsrtp import SRTP_MAX_TRAILER_LEN as SRTP_TRAILER
from pylibsrtp._binding import ffi as srtp_ffi
from pylibsrtp._binding import lib as srtp_lib
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from server.rules import TOKEN_HEADER, check_offer, loopback_only, relay_token
from server.settings import Settings, get_settings
from sessions.rules import (
    CALL_PREFIX,
    FLOOR,
    HALL,
    LANGUAGE_PREFIX,
    SLOT_RE,
    audio_slots,
    parse_recording_name,
    recording_copy,
    recording_name,
    recording_tag,
    recordings_folder,
)

log = logging.getLogger("ketnoi.relay")

CLOCK_RATES = {"video": 90_000, "audio": 48_000}
# The name aiortc 1.16 gives the queue its decoder thread reads (name-mangled, private).
DECODER_QUEUE = "_RTCRtpReceiver__decoder_queue"
# Its delay-based bandwidth estimator (REMB to the publisher), which the relay turns off.
ESTIMATOR = "_RTCRtpReceiver__remote_bitrate_estimator"
# How often a video publisher is told the bitrate to send at.
REMB_SECONDS = 1.0
MARK_SEQUENCE_AND_TIME = Struct("!BHI")
PR_SET_PDEATHSIG = 1
SO_RCVBUFFORCE = getattr(socket, "SO_RCVBUFFORCE", 33)
# Packets a viewer's outlet keeps for retransmission on NACK (about 2 s of video).
HISTORY = 256
RECORDING_RETRY_SECONDS = 5.0


class RelayError(Exception):
    """A request the relay refuses; the text says why."""

    status = 400


class SlotTaken(RelayError):
    """Someone publishes there already, and the newcomer did not ask to replace them."""

    status = 409


def check_hooks() -> None:
    """Fail at start-up, not silently, when aiortc no longer has what the relay hooks."""
    if DECODER_QUEUE not in RTCRtpReceiver.__init__.__code__.co_names:
        raise RuntimeError("aiortc's receiver has no decoder queue to tap: check the pin")
    if ESTIMATOR not in RTCRtpReceiver.__init__.__code__.co_names:
        raise RuntimeError(
            "aiortc's receiver has no bandwidth estimator to turn off: check the pin"
        )
    if not callable(getattr(RTCRtpReceiver, "_send_rtcp_pli", None)):
        raise RuntimeError("aiortc's receiver cannot request keyframes: check the pin")


def is_keyframe(codec: str, data: bytes) -> bool:
    """Whether a reassembled frame can start a picture."""
    if not data:
        return False
    if codec == "VP8":
        # The frame tag's lowest bit is 0 on a key frame (RFC 6386 9.1).
        return data[0] & 1 == 0
    if codec == "H264":
        # Annex B: an IDR slice (type 5) or a sequence parameter set (7) starts one.
        index = data.find(b"\x00\x00\x01")
        while index != -1 and index + 3 < len(data):
            if data[index + 3] & 0x1F in (5, 7):
                return True
            index = data.find(b"\x00\x00\x01", index + 3)
        return False
    return True


class Tap:
    """Stands where a receiver's decoder thread reads: frames go to a source, not a decoder."""

    def __init__(self, on_frame: Callable[[Any, Any], None]) -> None:
        self._on_frame = on_frame
        self._stopped = threading.Event()

    def put(self, item: tuple[Any, Any] | None) -> None:
        """Called on the event loop with (codec, JitterFrame); None when the receiver stops."""
        if item is None:
            self._stopped.set()
        else:
            self._on_frame(*item)

    def get(self, *_: object, **__: object) -> None:
        """The idle decoder thread waits here until the receiver stops."""
        self._stopped.wait()


@dataclass(frozen=True, slots=True)
class Frame:
    """A publisher's frame, packetized once for every viewer: RTP payloads and a timestamp."""

    payloads: list[bytes]
    timestamp: int
    keyframe: bool
    data: bytes
    # When it left, for the sender reports viewers get (NTP format).
    ntp: int
    octets: int


@dataclass(slots=True)
class Wire:
    """Where a viewer's RTP goes: its SRTP context, a buffer kept for the connection, and a
    duplicate of the nominated ICE pair's socket.

    Each packet is written into the buffer (the header once, then per packet only marker,
    sequence number, timestamp and payload), protected in place by libsrtp and sent with a
    plain `sendto`: no allocation but the datagram itself, and none of pylibsrtp's or the
    event loop's per-call checks (together a fifth of the cost of a packet, measured). aiortc
    keeps its own path on the same socket for RTCP and STUN.
    """

    session: Any  # the DTLS transport's pylibsrtp session, kept alive with its context
    context: Any
    data: Any
    # `plain` is the part a packet may fill: writing past it raises, so libsrtp always has
    # room for its tag. `sealed` is all of it, to send from.
    plain: Any
    sealed: Any
    length: Any
    header_size: int
    transport: Any
    socket: socket.socket
    address: tuple[str, int]

    @classmethod
    def open(
        cls, session: Any, header: bytes, transport: Any, address: tuple[str, int], send_buffer: int
    ) -> Wire:
        """Buffers for `session` with `header` in place, and a socket of our own to send on."""
        size = len(session._cdata)
        data = srtp_ffi.new("unsigned char[]", size)
        plain = srtp_ffi.buffer(data, size - SRTP_TRAILER)
        plain[0 : len(header)] = header
        sock = socket.socket(fileno=os.dup(transport.get_extra_info("socket").fileno()))
        sock.setblocking(False)
        # Bytes the kernel may hold for this viewer: past them `sendto` fails at once and the
        # viewer skips to the next keyframe instead of queueing.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, send_buffer)
        return cls(
            session,
            session._srtp[0],
            data,
            plain,
            srtp_ffi.buffer(data),
            srtp_ffi.new("int *"),
            len(header),
            transport,
            sock,
            address,
        )

    def send(self, marker_and_type: int, sequence: int, timestamp: int, payload: bytes) -> None:
        """One packet (a retransmission; `Outlet.deliver` inlines the same steps)."""
        end = self.header_size + len(payload)
        MARK_SEQUENCE_AND_TIME.pack_into(self.plain, 1, marker_and_type, sequence, timestamp)
        self.plain[self.header_size : end] = payload
        self.length[0] = end
        if srtp_lib.srtp_protect(self.context, self.data, self.length) != 0:
            raise ConnectionError("SRTP protection failed")
        with contextlib.suppress(OSError):
            self.socket.sendto(self.sealed[0 : self.length[0]], self.address)

    def close(self) -> None:
        """Close our duplicate of the socket (the pair keeps its own)."""
        self.socket.close()


class Outlet(MediaStreamTrack):
    """One viewer's track, written by the relay itself.

    aiortc negotiates it and runs its RTCP (sender reports, NACK and PLI from the viewer), but
    its sender never pulls a frame (`recv` only returns at the end). Each frame arrives already
    packetized; per viewer only the RTP header is rewritten (sequence number, timestamp, SSRC)
    before SRTP and the socket: no per-viewer task, queue or packetizer.
    """

    def __init__(
        self, kind: str, slots: list[str], buffer_bytes: int, position: int | None = None
    ) -> None:
        super().__init__()
        self.kind = kind
        self.slots = slots
        # In a call: which of the other people (in order of joining) this track shows.
        self.position = position
        self.source: Source | None = None
        self.waiting_keyframe = kind == "video"
        self._buffer_bytes = buffer_bytes
        self._sender: Any = None
        self._payload_type = 0
        self._mid: str | None = None
        self._wire: Wire | None = None
        self._sequence = secrets.randbelow(1 << 16)
        self._origin = secrets.randbelow(1 << 32)
        # (sequence number, marker and payload type, timestamp, payload) of recent packets.
        self._history: list[tuple[int, int, int, bytes] | None] = [None] * HISTORY
        # What the sender reports tell the viewer (RTCP, for lip sync and statistics).
        self._packets = 0
        self._octets = 0
        self._ntp = 0
        self._timestamp = 0
        self._ended: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def attach(
        self, sender: Any, payload_type: int, mid: str | None, report_seconds: float
    ) -> None:
        """Take over a negotiated sender: its retransmissions, keyframe requests and sender
        reports are ours."""
        self._sender = sender
        self._payload_type = payload_type
        self._mid = mid
        self._report_seconds = report_seconds
        sender._retransmit = self._retransmit
        sender._send_keyframe = self._keyframe_asked
        # Called by the sender when it starts: aiortc's own loop reports every 0.5-1.5 s.
        sender._run_rtcp = self._report

    async def _report(self) -> None:
        """RTCP sender reports (with the CNAME) at the configured interval, BYE at the end."""
        sender = self._sender
        sender._RTCRtpSender__rtcp_started.set()
        try:
            while True:
                await asyncio.sleep(self._report_seconds * (0.5 + random.random()))  # noqa: S311 - jitter, not a secret
                if self._packets == 0:
                    continue
                ntp = self._ntp
                packets: list[Any] = [
                    RtcpSrPacket(
                        ssrc=sender._ssrc,
                        sender_info=RtcpSenderInfo(
                            ntp_timestamp=ntp,
                            rtp_timestamp=self._timestamp,
                            packet_count=self._packets & 0xFFFFFFFF,
                            octet_count=self._octets & 0xFFFFFFFF,
                        ),
                    )
                ]
                sender._RTCRtpSender__lsr = (ntp >> 16) & 0xFFFFFFFF
                sender._RTCRtpSender__lsr_time = time.time()
                cname = sender._RTCRtpSender__cname
                if cname is not None:
                    item = RtcpSourceInfo(ssrc=sender._ssrc, items=[(1, cname.encode())])
                    packets.append(RtcpSdesPacket(chunks=[item]))
                with contextlib.suppress(ConnectionError):
                    await sender._send_rtcp(packets)
        except asyncio.CancelledError:
            pass
        with contextlib.suppress(ConnectionError):
            await sender._send_rtcp([RtcpByePacket(sources=[sender._ssrc])])
        sender._RTCRtpSender__rtcp_exited.set()

    def follow(self, source: Source | None) -> None:
        """Switch to another source; video waits for that source's next keyframe."""
        if source is self.source:
            return
        if self.source is not None:
            self.source.outlets.discard(self)
        self.source = source
        self.waiting_keyframe = self.kind == "video"
        if source is not None:
            source.outlets.add(self)
            if self.waiting_keyframe:
                source.request_keyframe()

    def _connect(self) -> Wire | None:
        sender = self._sender
        dtls = sender.transport if sender is not None else None
        if dtls is None or dtls.state != "connected" or dtls._tx_srtp is None:
            return None
        pair = dtls.transport._connection._nominated.get(1)
        if pair is None or pair.protocol.transport is None:
            return None
        template = RtpPacket(payload_type=self._payload_type, ssrc=sender._ssrc)
        template.extensions.mid = self._mid
        header = template.serialize(sender._RTCRtpSender__rtp_header_extensions_map)
        self._wire = Wire.open(
            dtls._tx_srtp, header, pair.protocol.transport, pair.remote_addr, self._buffer_bytes
        )
        return self._wire

    def deliver(self, frame: Frame) -> bool:
        """Send a frame now; False while this viewer still waits for a keyframe."""
        if self.waiting_keyframe and not frame.keyframe:
            return False
        wire = self._wire or self._connect()
        if wire is None:
            return False
        # The per-packet path, inlined from `Wire.send`: this loop runs for every packet of
        # every viewer. (A closed pair needs no check: our duplicate of its socket stays open
        # until the outlet stops.)
        plain, sealed, data, length, context = (
            wire.plain,
            wire.sealed,
            wire.data,
            wire.length,
            wire.context,
        )
        send, address, start = wire.socket.sendto, wire.address, wire.header_size
        history, protect, pack = (
            self._history,
            srtp_lib.srtp_protect,
            MARK_SEQUENCE_AND_TIME.pack_into,
        )
        timestamp = (self._origin + frame.timestamp) & 0xFFFFFFFF
        sequence = self._sequence
        payloads = frame.payloads
        last = len(payloads) - 1
        mark = self._payload_type
        for index, payload in enumerate(payloads):
            if index == last:
                mark |= 0x80
            end = start + len(payload)
            pack(plain, 1, mark, sequence, timestamp)
            plain[start:end] = payload
            length[0] = end
            if protect(context, data, length) != 0:
                raise ConnectionError("SRTP protection failed")
            # A number once protected is spent, sent or not: another payload under the same
            # number would reuse the cipher's nonce.
            history[sequence % HISTORY] = (sequence, mark, timestamp, payload)
            sequence = (sequence + 1) & 0xFFFF
            try:
                send(sealed[0 : length[0]], address)
            except OSError:
                # The socket's send buffer is full: behind, so skip to the next keyframe
                # rather than send half a picture.
                self._sequence = sequence
                self.waiting_keyframe = self.kind == "video"
                return not self.waiting_keyframe
        self._sequence = sequence
        self.waiting_keyframe = False
        self._packets += len(payloads)
        self._octets += frame.octets
        self._ntp = frame.ntp
        self._timestamp = timestamp
        return True

    async def _retransmit(self, sequence: int) -> None:
        """A viewer's NACK: send a recent packet again, if still held."""
        held = self._history[sequence % HISTORY]
        wire = self._wire
        if held is None or wire is None or held[0] != sequence or wire.transport.is_closing():
            return
        _, mark, timestamp, payload = held
        wire.send(mark, sequence, timestamp, payload)

    def _keyframe_asked(self) -> None:
        """A viewer's PLI: ask the publisher (rate-limited there)."""
        if self.source is not None:
            self.source.request_keyframe()

    async def recv(self) -> Any:
        """aiortc's sender waits here for good: the relay sends for it."""
        await asyncio.shield(self._ended)
        raise MediaStreamError

    def stop(self) -> None:
        """End the track and release its sender."""
        self.follow(None)
        if self._wire is not None:
            self._wire.close()
            self._wire = None
        super().stop()
        if not self._ended.done():
            self._ended.set_result(None)


class Source:
    """One publisher's track in a room: each frame packetized once, sent to every outlet."""

    def __init__(self, room: Room, slot: str, kind: str, receiver: RTCRtpReceiver) -> None:
        self.room = room
        self.slot = slot
        self.kind = kind
        self.receiver = receiver
        self.outlets: set[Outlet] = set()
        self.clock_rate = CLOCK_RATES[kind]
        self._offset: int | None = None
        self._last_pli = 0.0
        self._last_remb = 0.0
        self._picture_id = secrets.randbelow(1 << 15)
        self.frames = 0
        self.recorders: list[Callable[[Frame], None]] = []

    def _packetize(self, codec: str, data: bytes) -> list[bytes]:
        if codec == "VP8":
            self._picture_id = (self._picture_id + 1) % (1 << 15)
            return Vp8Encoder._packetize(data, self._picture_id)
        if codec == "H264":
            return H264Encoder._packetize(H264Encoder._split_bitstream(data))
        return [data]

    def on_frame(self, codec: Any, jitter_frame: Any) -> None:
        """A complete encoded frame from the publisher."""
        data: bytes = jitter_frame.data
        keyframe = self.kind == "audio" or is_keyframe(codec.name, data)
        if self._offset is None:
            # Viewers may switch between sources: every source's times run on the relay's
            # clock, so a viewer's timestamps keep going forward after a switch.
            now = int(time.monotonic() * self.clock_rate)
            self._offset = now - jitter_frame.timestamp
        self.frames += 1
        if self.kind == "video":
            self.cap_bitrate()
        if not self.outlets and not self.recorders:
            return
        payloads = self._packetize(codec.name, data)
        frame = Frame(
            payloads,
            jitter_frame.timestamp + self._offset,
            keyframe,
            data,
            clock.current_ntp_time(),
            sum(len(p) for p in payloads),
        )
        waiting = False
        for outlet in self.outlets:
            if not outlet.deliver(frame):
                waiting = True
        if waiting:
            self.request_keyframe()
        for record in self.recorders:
            record(frame)

    def request_keyframe(self) -> None:
        """Ask the publisher for a keyframe, at most once per interval."""
        if self.kind != "video":
            return
        now = time.monotonic()
        if now - self._last_pli < self.room.relay.settings.relay_keyframe_interval_seconds:
            return
        sources = self.receiver.getSynchronizationSources()
        if not sources:
            return
        self._last_pli = now
        self.room.keyframe_requests += 1
        self.room.relay.spawn(self.receiver._send_rtcp_pli(sources[0].source))

    def cap_bitrate(self) -> None:
        """Tell the publisher, once a second, the bitrate it may send at (REMB).

        Every viewer gets this stream as it is, so the setting, not an estimate, decides. aiortc's
        own estimator is off: it times packets when the relay's loop reads them, so a busy relay
        looked like a congested network and publishers' pictures got worse for everyone.
        Publishers still lower their rate on loss, which the receiver reports show them.
        """
        now = time.monotonic()
        if now - self._last_remb < REMB_SECONDS:
            return
        receiver: Any = self.receiver
        rtcp_ssrc = receiver._RTCRtpReceiver__rtcp_ssrc
        sources = receiver.getSynchronizationSources()
        if rtcp_ssrc is None or not sources:
            return
        self._last_remb = now
        bitrate = self.room.relay.settings.relay_video_kbps * 1000
        remb = RtcpPsfbPacket(
            fmt=RTCP_PSFB_APP,
            ssrc=rtcp_ssrc,
            media_ssrc=0,
            fci=pack_remb_fci(bitrate, [s.source for s in sources]),
        )
        self.room.relay.spawn(receiver._send_rtcp(remb))

    def close(self) -> None:
        """The publisher left: its viewers follow whatever else the room has."""
        for outlet in list(self.outlets):
            outlet.follow(None)


def vp8_size(data: bytes) -> tuple[int, int] | None:
    """A VP8 keyframe's picture size (RFC 6386 9.1), or None."""
    if len(data) < 10 or data[0] & 1 or data[3:6] != b"\x9d\x01\x2a":
        return None
    width = int.from_bytes(data[6:8], "little") & 0x3FFF
    height = int.from_bytes(data[8:10], "little") & 0x3FFF
    return (width, height) if width and height else None


def recording_moment() -> str:
    """Now, as recordings' file names give it (UTC, to the second)."""
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())


class Recording:
    """A publisher's frames written to Matroska as they are forwarded: no re-encoding.

    With video, the file starts at the first keyframe (its size goes in the file's header) and
    audio waits for it too, so both tracks start together; audio alone starts at once. The
    `.part` file is locked while it is written, so a relay started after a crash can tell an
    interrupted recording from one being written (`recover_recordings`).
    """

    def __init__(
        self,
        path: Path,
        codec: str,
        kinds: set[str],
        ask_keyframe: Callable[[], None] | None = None,
    ) -> None:
        self.path = path
        # How the file gets the keyframe it starts with (the publisher's source asks).
        self._ask_keyframe = ask_keyframe
        self._codec = codec
        self._video = "video" in kinds
        self._container: Any = None
        self._streams: dict[str, Any] = {}
        self._start: float | None = None
        self._lock: int | None = None
        # After a failed start (a full disk, say), when to try again.
        self._retry_at = 0.0
        self.frames = 0

    def write(self, kind: str, frame: Frame) -> None:
        """Mux one forwarded frame."""
        if self._container is None:
            if time.monotonic() < self._retry_at:
                return
            if self._video and (kind != "video" or not frame.keyframe):
                if kind == "video" and self._ask_keyframe is not None:
                    self._ask_keyframe()
                return
            self._open(frame.data if self._video else None)
            if self._container is None:
                return
        seconds = frame.timestamp / CLOCK_RATES[kind]
        if self._start is None:
            self._start = seconds
        packet = av.Packet(frame.data)
        packet.stream = self._streams[kind]
        packet.time_base = Fraction(1, 1000)
        packet.pts = packet.dts = max(0, round((seconds - self._start) * 1000))
        packet.is_keyframe = frame.keyframe
        try:
            self._container.mux(packet)
            self.frames += 1
        except av.FFmpegError as exc:
            log.warning("recording %s: frame dropped (%s)", self.path.name, exc)

    def _open(self, first: bytes | None) -> None:
        size = None
        if first is not None:
            size = vp8_size(first) if self._codec == "VP8" else (1280, 720)
            if size is None:
                return
        part = self.path.with_suffix(".part")
        container = None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # flock, not a lock file: the kernel lets go of it when this process dies. The
            # file is made here (and must be new) because FFmpeg opens it only at the first
            # packet (same inode, lock kept).
            self._lock = os.open(part, os.O_RDONLY | os.O_CREAT | os.O_EXCL, 0o644)
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            container = av.open(str(part), "w", format="matroska")
            streams: dict[str, Any] = {}
            if size is not None:
                video = container.add_stream(
                    "libvpx" if self._codec == "VP8" else "libx264", rate=30
                )
                video.width, video.height = size
                streams["video"] = video
            streams["audio"] = container.add_stream("libopus", rate=48_000)
        except (OSError, av.FFmpegError, ValueError) as exc:
            log.error("recording %s could not start (%s); trying again shortly", part.name, exc)
            self._retry_at = time.monotonic() + RECORDING_RETRY_SECONDS
            if container is not None:
                with contextlib.suppress(Exception):
                    container.close()
            if self._lock is not None:
                # Only a file this recording made is removed.
                part.unlink(missing_ok=True)
                os.close(self._lock)
                self._lock = None
            return
        self._streams = streams
        self._container = container

    def close(self) -> None:
        """Finish the file; a finished recording loses its `.part` suffix."""
        if self._container is None:
            return
        try:
            self._container.close()
            self.path.with_suffix(".part").rename(self.path)
        finally:
            self._container = None
            if self._lock is not None:
                os.close(self._lock)
                self._lock = None


def claim_recordings(data_dir: Path) -> int | None:
    """Lock the data folder's recordings for this relay's lifetime, or None when another
    relay holds them. Only the holder finishes interrupted recordings, so no relay ever
    takes a file from under another one that is starting to write it."""
    folder = data_dir / "recordings"
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder / ".relay.lock", os.O_RDONLY | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    return fd


def free_recording_path(path: Path, taken: Collection[Path] = ()) -> Path:
    """`path` (a recording's), or its first copy that no file, `.part` file or `taken` path
    holds: no recording is ever written over."""
    free, copy = path, 1
    while free in taken or free.exists() or free.with_suffix(".part").exists():
        copy += 1
        free = path.with_name(recording_copy(path.name, copy))
        if parse_recording_name(free.name) is None:
            raise RelayError(f"no copy number left for {path.name}")
    return free


def recover_recordings(data_dir: Path) -> list[Path]:
    """Finish the recordings a dead relay left as `.part` files: what reached the disk plays
    (Matroska needs no index to be read from the start). Empty ones are removed; files not
    named as recordings are left alone, with a warning."""
    recovered = []
    for part in sorted((data_dir / "recordings").glob("talk-*/*.part")):
        try:
            fd = os.open(part, os.O_RDONLY)
        except FileNotFoundError:
            continue
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue  # a living relay is writing it
            held = os.fstat(fd)
            if held.st_ino != os.stat(part).st_ino:
                continue  # finished (and its name reused) since we opened it
            if held.st_size == 0:
                part.unlink()
                continue
            finished = part.with_suffix(".mkv")
            if parse_recording_name(finished.name) is None:
                log.warning("%s is not a recording's name; left as it is", part)
                continue
            if finished.exists():
                finished = free_recording_path(finished)
            part.rename(finished)
            recovered.append(finished)
        except FileNotFoundError:
            continue  # finished by its writer in the meantime
        except RelayError as exc:
            log.warning("%s left as it is: %s", part, exc)
        finally:
            os.close(fd)
    for path in recovered:
        log.warning("recording %s was interrupted; kept what was written", path.name)
    return recovered


@dataclass
class Peer:
    """One peer connection: a publisher's (its slot) or a viewer's (its outlets)."""

    id: str
    room: Room
    pc: RTCPeerConnection
    role: str
    slot: str = ""
    label: str = ""
    sources: list[Source] = field(default_factory=list)
    outlets: list[Outlet] = field(default_factory=list)
    recording: Recording | None = None
    created: float = field(default_factory=time.monotonic)


class Room:
    """A live talk (or a booth call): its sources by (slot, kind), its viewers' outlets."""

    def __init__(self, relay: Relay, name: str) -> None:
        self.relay = relay
        self.name = name
        self.sources: dict[tuple[str, str], Source] = {}
        self.publishers: dict[str, Peer] = {}
        self.viewers: dict[str, Peer] = {}
        self.keyframe_requests = 0

    def rewire(self) -> None:
        """Point every outlet at the first of its wanted slots that has a source; in a call,
        at the n-th other person."""
        callers = [p.slot for p in self.publishers.values() if p.slot.startswith(CALL_PREFIX)]
        for viewer in self.viewers.values():
            others = [slot for slot in callers if slot != CALL_PREFIX + viewer.label]
            for outlet in viewer.outlets:
                if outlet.position is not None:
                    wanted = others[outlet.position : outlet.position + 1]
                else:
                    wanted = outlet.slots
                chosen = None
                for slot in wanted:
                    chosen = self.sources.get((slot, outlet.kind))
                    if chosen is not None:
                        break
                outlet.follow(chosen)

    def status(self) -> dict[str, Any]:
        """What is live here, for the web process."""
        return {
            "slots": sorted({slot for slot, _ in self.sources}),
            "publishers": {p.slot: p.label for p in self.publishers.values()},
            "viewers": len(self.viewers),
            "keyframe_requests": self.keyframe_requests,
            "frames": {f"{slot} {kind}": src.frames for (slot, kind), src in self.sources.items()},
        }


class Relay:
    """Every room and peer connection of this process."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.rooms: dict[str, Room] = {}
        self.peers: dict[str, Peer] = {}
        self._tasks: set[asyncio.Task[Any]] = set()
        addresses = settings.relay_ice_addresses
        self.loopback = bool(addresses) and all(
            a.startswith("127.") or a == "::1" for a in addresses
        )

    def spawn(self, coro: Any) -> None:
        """Run a coroutine in the background, keeping a reference until it ends."""
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _configuration(self) -> RTCConfiguration:
        servers = [RTCIceServer(urls=url) for url in self.settings.relay_ice_servers]
        return RTCConfiguration(iceServers=servers)

    def room(self, name: str) -> Room:
        """The room of that name, made on first use."""
        room = self.rooms.get(name)
        if room is None:
            room = self.rooms[name] = Room(self, name)
        return room

    async def _open(
        self, room: Room, role: str, sdp: str, kind: str
    ) -> tuple[Peer, RTCPeerConnection]:
        problem = check_offer(sdp, kind, self.settings.relay_max_sdp_bytes)
        if problem:
            raise RelayError(problem)
        if len(self.peers) >= self.settings.relay_max_peers:
            raise RelayError("the relay is full")
        if self.loopback:
            # A relay that offers only loopback talks only to loopback peers.
            sdp = loopback_only(sdp)
        pc = RTCPeerConnection(self._configuration())
        peer = Peer(id=secrets.token_urlsafe(12), room=room, pc=pc, role=role)
        try:
            await pc.setRemoteDescription(RTCSessionDescription(sdp=sdp, type=kind))
        except Exception as exc:
            await pc.close()
            raise RelayError(f"the offer cannot be used: {exc}") from exc
        for transceiver in pc.getTransceivers():
            wanted = self.settings.relay_video_codec if transceiver.kind == "video" else "opus"
            codecs = getattr(transceiver, "_codecs", None) or []
            if not codecs or codecs[0].name.lower() != wanted.lower():
                await pc.close()
                raise RelayError(f"the offer has no {wanted} for {transceiver.kind}")
        return peer, pc

    async def _answer(self, peer: Peer) -> dict[str, str]:
        pc = peer.pc

        @pc.on("connectionstatechange")
        async def _changed() -> None:
            if pc.connectionState in ("failed", "closed"):
                await self.close_peer(peer.id)

        try:
            await pc.setLocalDescription(await pc.createAnswer())
        except Exception as exc:
            await self.close_peer(peer.id)
            raise RelayError(f"no answer to this offer: {exc}") from exc
        self.spawn(self._connect_deadline(peer))
        return {"id": peer.id, "sdp": pc.localDescription.sdp, "type": pc.localDescription.type}

    async def _connect_deadline(self, peer: Peer) -> None:
        await asyncio.sleep(self.settings.relay_connect_timeout_seconds)
        if peer.id in self.peers and peer.pc.connectionState != "connected":
            log.info("peer %s did not connect in time", peer.id)
            await self.close_peer(peer.id)

    async def publish(
        self,
        room_name: str,
        slot: str,
        sdp: str,
        kind: str,
        label: str = "",
        *,
        replace: bool = True,
    ) -> dict[str, str]:
        """Take a publisher's offer for a slot; the slot's earlier publisher is replaced, or,
        without `replace`, kept (a standby feed waits for the slot to be free)."""
        if not SLOT_RE.match(slot):
            raise RelayError("unknown slot")
        room = self.room(room_name)
        if not replace and any(p.slot == slot for p in room.publishers.values()):
            raise SlotTaken("someone publishes in this slot")
        if slot.startswith(CALL_PREFIX):
            people = {p.slot for p in room.publishers.values()} | {slot}
            if len(people) > self.settings.booth_call_max_people:
                raise SlotTaken("the call is full")
        others = [p for p in room.publishers.values() if p.slot != slot]
        if len(others) >= self.settings.relay_max_room_publishers:
            raise RelayError("the room has as many publishers as it may")
        peer, pc = await self._open(room, "publisher", sdp, kind)
        peer.slot, peer.label = slot, label
        for transceiver in pc.getTransceivers():
            if slot.startswith(LANGUAGE_PREFIX) and transceiver.kind != "audio":
                # An interpretation is heard, not seen: its video goes nowhere (not even to
                # the receiver's decoder) and is not recorded.
                tap(transceiver.receiver, discard)
                continue
            source = Source(room, slot, transceiver.kind, transceiver.receiver)
            tap(transceiver.receiver, source.on_frame)
            peer.sources.append(source)
        tag = recording_tag(slot, label)
        if tag and room_name.startswith("talk:") and self.settings.relay_record_talks:
            peer.recording = self._record(room_name, tag, peer.sources)
        self.peers[peer.id] = peer
        answer = await self._answer(peer)
        self._roomy_sockets(pc)
        earlier = [p.id for p in room.publishers.values() if p.slot == slot]
        # In the room before the earlier publisher leaves, so the room is not dropped as empty.
        room.publishers[peer.id] = peer
        for peer_id in earlier:
            await self.close_peer(peer_id)
        for source in peer.sources:
            room.sources[(slot, source.kind)] = source
        room.rewire()
        return answer

    def _roomy_sockets(self, pc: RTCPeerConnection) -> None:
        """Give a publisher's sockets a large receive buffer.

        While the relay is busy (many viewers connecting: a DTLS handshake each), its loop
        reads late; with the default buffer a keyframe's burst overflows it, and every viewer
        loses pictures until the next keyframe.
        """
        size = self.settings.relay_publisher_buffer_bytes
        for transceiver in pc.getTransceivers():
            ice = transceiver.receiver.transport.transport
            for protocol in ice._connection._protocols:
                sock = protocol.transport.get_extra_info("socket") if protocol.transport else None
                if sock is None:
                    continue
                try:
                    # Beyond net.core.rmem_max when the process may (CAP_NET_ADMIN).
                    sock.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, size)
                except OSError:
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, size)

    async def watch(
        self,
        room_name: str,
        sdp: str,
        kind: str,
        language: str | None = None,
        member: str = "",
    ) -> dict[str, str]:
        """Take a viewer's offer. In a talk its video tracks get, in order, the hall and the
        floor, its audio tracks the hall (or the chosen interpretation) and the floor. In a
        call (`member` given) each pair of tracks gets one of the other people."""
        room = self.room(room_name)
        peer, pc = await self._open(room, "viewer", sdp, kind)
        peer.label = member
        wanted = {"video": [[HALL], [FLOOR]], "audio": [audio_slots(language), [FLOOR]]}
        seen = {"video": 0, "audio": 0}
        for transceiver in pc.getTransceivers():
            choices = wanted[transceiver.kind]
            slots = choices.pop(0) if choices and not member else []
            position = seen[transceiver.kind] if member else None
            seen[transceiver.kind] += 1
            outlet = Outlet(
                transceiver.kind, slots, self.settings.relay_viewer_buffer_bytes, position
            )
            sender = pc.addTrack(outlet)
            payload_type = transceiver._codecs[0].payloadType
            assert payload_type is not None
            outlet.attach(sender, payload_type, transceiver.mid, self.settings.relay_report_seconds)
            peer.outlets.append(outlet)
        self.peers[peer.id] = peer
        room.viewers[peer.id] = peer
        answer = await self._answer(peer)
        room.rewire()
        return answer

    def _record(self, room_name: str, tag: str, sources: list[Source]) -> Recording:
        moment = recording_moment()
        folder = recordings_folder(self.settings.data_dir, int(room_name.split(":", 1)[1]))
        # A publisher replaced within the same second must not write over the one before.
        taken = {p.recording.path for p in self.peers.values() if p.recording is not None}
        path = free_recording_path(folder / recording_name(moment, tag), taken)
        kinds = {source.kind for source in sources}
        video = next((source for source in sources if source.kind == "video"), None)
        recording = Recording(
            path,
            self.settings.relay_video_codec,
            kinds,
            video.request_keyframe if video is not None else None,
        )
        for source in sources:
            source.recorders.append(partial(recording.write, source.kind))
        return recording

    def choose_language(self, peer_id: str, language: str | None) -> None:
        """Switch a viewer's first audio track to an interpretation, or back to the hall."""
        peer = self.peers.get(peer_id)
        if peer is None or peer.role != "viewer":
            raise RelayError("no such viewer")
        for outlet in peer.outlets:
            if outlet.kind == "audio":
                outlet.slots = audio_slots(language)
                break
        peer.room.rewire()

    async def stop_slot(self, room_name: str, slot: str) -> bool:
        """Close the publisher of a slot (the floor revoked); True when there was one."""
        room = self.rooms.get(room_name)
        if room is None:
            return False
        found = [p.id for p in room.publishers.values() if p.slot == slot]
        for peer_id in found:
            await self.close_peer(peer_id)
        return bool(found)

    async def close_peer(self, peer_id: str) -> None:
        """Forget a peer connection and close it; idempotent."""
        peer = self.peers.pop(peer_id, None)
        if peer is None:
            return
        room = peer.room
        room.publishers.pop(peer_id, None)
        room.viewers.pop(peer_id, None)
        for source in peer.sources:
            if room.sources.get((source.slot, source.kind)) is source:
                del room.sources[(source.slot, source.kind)]
            source.close()
        for outlet in peer.outlets:
            outlet.stop()
        if peer.recording is not None:
            try:
                peer.recording.close()
            except Exception:
                # The peer must still close; what reached the disk stays as a `.part`, which
                # the next relay to start finishes.
                log.exception("recording %s could not be finished", peer.recording.path.name)
        room.rewire()
        if not room.publishers and not room.viewers:
            self.rooms.pop(room.name, None)
        await peer.pc.close()

    def status(self) -> dict[str, Any]:
        """Rooms and peer counts."""
        return {
            "peers": len(self.peers),
            "rooms": {name: room.status() for name, room in self.rooms.items()},
        }

    async def close(self) -> None:
        """Close every peer connection (at shutdown)."""
        for peer_id in list(self.peers):
            await self.close_peer(peer_id)
        for task in list(self._tasks):
            task.cancel()


def discard(codec: Any, jitter_frame: Any) -> None:
    """Where frames nobody receives go."""


def tap(receiver: RTCRtpReceiver, on_frame: Callable[[Any, Any], None]) -> None:
    """Send a receiver's reassembled frames to `on_frame` instead of its decoder thread.

    Must run before the receiver starts (before the answer is applied), since the thread is
    handed the queue when it starts.
    """
    if not hasattr(receiver, DECODER_QUEUE):
        raise RuntimeError("aiortc's receiver has no decoder queue to tap: check the pin")
    setattr(receiver, DECODER_QUEUE, Tap(on_frame))
    # Publishers are told the configured bitrate instead (`Source.cap_bitrate`).
    setattr(receiver, ESTIMATOR, None)


def use_ice_addresses(addresses: list[str]) -> None:
    """Offer exactly these host addresses in ICE (aioice skips loopback by itself)."""
    if not addresses:
        return
    chosen = list(addresses)

    def host_addresses(use_ipv4: bool, use_ipv6: bool) -> list[str]:
        return [a for a in chosen if (":" in a and use_ipv6) or (":" not in a and use_ipv4)]

    aioice.ice.get_host_addresses = host_addresses


def use_consent(interval_seconds: int, failures: int) -> None:
    """How soon a peer that vanished without hanging up is noticed (RFC 7675 checks)."""
    aioice.ice.CONSENT_INTERVAL = interval_seconds
    aioice.ice.CONSENT_FAILURES = failures


# -- the loopback API the web process calls ------------------------------------------------


def api(relay: Relay, token: str) -> Starlette:
    """JSON over loopback: publish, watch, language, stop, status."""

    async def guarded(request: Request, action: Callable[[dict[str, Any]], Any]) -> JSONResponse:
        if not secrets.compare_digest(request.headers.get(TOKEN_HEADER, ""), token):
            return JSONResponse({"error": "forbidden"}, status_code=403)
        try:
            body = await request.json() if request.method == "POST" else {}
            if not isinstance(body, dict):
                raise RelayError("expected a JSON object")
            result = action(body)
            if inspect.isawaitable(result):
                result = await result
        except RelayError as exc:
            return JSONResponse({"error": str(exc)}, status_code=exc.status)
        except (KeyError, TypeError, ValueError) as exc:
            return JSONResponse({"error": f"bad request: {exc}"}, status_code=400)
        return JSONResponse(result)

    def text(body: dict[str, Any], name: str) -> str:
        value = body[name]
        if not isinstance(value, str):
            raise RelayError(f"{name} must be a string")
        return value

    def endpoint(action: Callable[[dict[str, Any]], Any]) -> Callable[[Request], Any]:
        async def handle(request: Request) -> JSONResponse:
            return await guarded(request, action)

        return handle

    async def choose(b: dict[str, Any]) -> dict[str, Any]:
        relay.choose_language(text(b, "id"), b.get("language"))
        return {}

    async def stop(b: dict[str, Any]) -> dict[str, Any]:
        return {"stopped": await relay.stop_slot(text(b, "room"), text(b, "slot"))}

    publish = endpoint(
        lambda b: relay.publish(
            text(b, "room"),
            text(b, "slot"),
            text(b, "sdp"),
            text(b, "type"),
            b.get("label", ""),
            replace=b.get("replace", True) is True,
        )
    )
    watch = endpoint(
        lambda b: relay.watch(
            text(b, "room"),
            text(b, "sdp"),
            text(b, "type"),
            b.get("language"),
            b.get("member") or "",
        )
    )

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> Any:
        yield
        await relay.close()

    return Starlette(
        routes=[
            Route("/publish", publish, methods=["POST"]),
            Route("/watch", watch, methods=["POST"]),
            Route("/language", endpoint(choose), methods=["POST"]),
            Route("/stop", endpoint(stop), methods=["POST"]),
            Route("/status", endpoint(lambda _: relay.status()), methods=["GET"]),
        ],
        lifespan=lifespan,
    )


def run(settings: Settings) -> None:
    """Serve the relay on loopback until stopped."""
    check_hooks()
    use_ice_addresses(settings.relay_ice_addresses)
    use_consent(settings.relay_consent_seconds, settings.relay_consent_failures)
    claim = claim_recordings(settings.data_dir)
    if claim is None:
        log.warning("another relay uses this data folder; its recordings are left to it")
    else:
        recover_recordings(settings.data_dir)
    relay = Relay(settings)
    app = api(relay, relay_token(settings.secret_key.get_secret_value()))
    uvicorn.run(app, host="127.0.0.1", port=settings.relay_port, log_level="warning")


# -- a publisher from a file, a stream or a generated pattern -------------------------------


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
    room: str,
    source: str,
    *,
    slot: str = HALL,
    label: str = "",
    size: str = "640x360",
    loop: bool = False,
    replace: bool = True,
    stop: asyncio.Event | None = None,
) -> None:
    """Publish a media source into a room through the relay until it ends or `stop` is set.

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
        async with httpx.AsyncClient(timeout=30) as client:
            response = await client.post(
                f"http://127.0.0.1:{settings.relay_port}/publish",
                headers={TOKEN_HEADER: relay_token(settings.secret_key.get_secret_value())},
                json={
                    "room": room,
                    "slot": slot,
                    "label": label,
                    "sdp": pc.localDescription.sdp,
                    "type": pc.localDescription.type,
                    "replace": replace,
                },
            )
        if response.status_code == 409:
            raise SlotTaken(f"{slot} of {room} is taken")
        if response.status_code != 200:
            raise RelayError(f"the relay refused: {response.text}")
        answer = response.json()
        await pc.setRemoteDescription(RTCSessionDescription(answer["sdp"], answer["type"]))
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
    room: str,
    source: str,
    *,
    slot: str = HALL,
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
            await play(settings, room, source, slot=slot, loop=loop, replace=replace, stop=stop)
        except SlotTaken:
            pass
        except (RelayError, OSError, httpx.HTTPError) as exc:
            log.warning("publishing %s to %s: %s; retrying", source, room, exc)
        # Once on the air, a feed that loses its slot (someone took over) waits for it.
        replace = False
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(2):
                await stop.wait()


def die_with_parent(poll_seconds: float = 1.0) -> None:
    """On Linux, end (SIGTERM: a graceful stop) when the process that started this one ends,
    however it ends.

    The kernel's parent-death signal comes first; a thread watching the parent backs it up,
    since that SIGTERM was seen lost now and then in a busy player, which then published on
    with nobody to stop it.
    """
    parent = os.getppid()
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl.argtypes = [ctypes.c_int, ctypes.c_ulong]
        libc.prctl.restype = ctypes.c_int
        if libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGTERM)) != 0:
            log.warning("cannot ask to end with the parent: %s", os.strerror(ctypes.get_errno()))
    if parent == 1 or os.getppid() != parent:
        # The parent was gone before the request took effect.
        raise SystemExit(0)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(poll_seconds)
        log.warning("the process that started this one is gone; stopping")
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def main() -> None:
    """`python -m sessions.relay serve|play`: what `ketnoi serve` and `ketnoi live` start."""
    parser = argparse.ArgumentParser(description="ketnoi media relay")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("serve", help="the relay on loopback")
    player = commands.add_parser("play", help="publish a file, stream or `pattern` into a talk")
    player.add_argument("source")
    player.add_argument("--talk", type=int, required=True)
    player.add_argument("--language", default=None)
    player.add_argument("--loop", action="store_true")
    player.add_argument("--standby", action="store_true", help="only while nobody else publishes")
    args = parser.parse_args()
    die_with_parent()
    settings = get_settings()
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    # aioice narrates every candidate pair at INFO.
    logging.getLogger("aioice").setLevel(logging.WARNING)
    if args.command == "serve":
        run(settings)
        return
    slot = LANGUAGE_PREFIX + args.language if args.language else HALL
    if not SLOT_RE.match(slot):
        parser.error("--language takes a two- or three-letter code")
    asyncio.run(
        play_until_stopped(
            settings,
            f"talk:{args.talk}",
            args.source,
            slot=slot,
            loop=args.loop,
            standby=args.standby,
        )
    )


if __name__ == "__main__":
    main()
