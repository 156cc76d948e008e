"""Forwarding: a publisher's `Source` packetizes each encoded frame once; every viewer's
`Outlet` rewrites only the RTP header and sends it."""

from __future__ import annotations

import asyncio
import contextlib
import random
import secrets
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from aiortc import MediaStreamTrack, RTCRtpReceiver, clock
from aiortc.codecs.h264 import H264Encoder
from aiortc.codecs.vpx import Vp8Encoder
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
from pylibsrtp._binding import lib as srtp_lib

from server.media.relay.srtp import MARK_SEQUENCE_AND_TIME, Wire
from server.media.rules import is_keyframe

CLOCK_RATES = {"video": 90_000, "audio": 48_000}
# How often a video publisher is told the bitrate to send at.
REMB_SECONDS = 1.0
# Packets a viewer's outlet keeps for retransmission on NACK (about 2 s of video).
HISTORY = 256
Spawn = Callable[[Coroutine[Any, Any, Any]], None]


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
    """One publisher's track: each frame packetized once, sent to every outlet. It knows no
    room: the room hands it its settings and what to do with a keyframe request."""

    def __init__(
        self,
        slot: str,
        kind: str,
        receiver: RTCRtpReceiver,
        *,
        keyframe_seconds: float,
        video_bps: int,
        spawn: Spawn,
        on_keyframe_request: Callable[[], None],
    ) -> None:
        self.slot = slot
        self.kind = kind
        self.receiver = receiver
        self.outlets: set[Outlet] = set()
        self.clock_rate = CLOCK_RATES[kind]
        self._keyframe_seconds = keyframe_seconds
        self._video_bps = video_bps
        self._spawn = spawn
        self._on_keyframe_request = on_keyframe_request
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
        if now - self._last_pli < self._keyframe_seconds:
            return
        sources = self.receiver.getSynchronizationSources()
        if not sources:
            return
        self._last_pli = now
        self._on_keyframe_request()
        self._spawn(self.receiver._send_rtcp_pli(sources[0].source))

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
        remb = RtcpPsfbPacket(
            fmt=RTCP_PSFB_APP,
            ssrc=rtcp_ssrc,
            media_ssrc=0,
            fci=pack_remb_fci(self._video_bps, [s.source for s in sources]),
        )
        self._spawn(receiver._send_rtcp(remb))

    def close(self) -> None:
        """The publisher left: its viewers follow nothing until the room rewires them."""
        for outlet in list(self.outlets):
            outlet.follow(None)
