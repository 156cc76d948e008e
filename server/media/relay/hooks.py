"""Where the relay reaches into aiortc and aioice (both pinned exactly): the receiver's decoder
queue and bandwidth estimator, the ICE host addresses and consent checks, the sockets' buffers.
`check_hooks` fails at start-up when a pinned private name moved."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable
from typing import Any

import aioice.ice
from aiortc import RTCPeerConnection, RTCRtpReceiver

# The name aiortc 1.16 gives the queue its decoder thread reads (name-mangled, private).
DECODER_QUEUE = "_RTCRtpReceiver__decoder_queue"
# Its delay-based bandwidth estimator (REMB to the publisher), which the relay turns off.
ESTIMATOR = "_RTCRtpReceiver__remote_bitrate_estimator"
SO_RCVBUFFORCE = getattr(socket, "SO_RCVBUFFORCE", 33)


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
    # Publishers are told the configured bitrate instead (`forward.Source.cap_bitrate`).
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


def roomy_sockets(pc: RTCPeerConnection, size: int) -> None:
    """Give a publisher's sockets a large receive buffer.

    While the relay is busy (many viewers connecting: a DTLS handshake each), its loop
    reads late; with the default buffer a keyframe's burst overflows it, and every viewer
    loses pictures until the next keyframe.
    """
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
