"""A viewer's wire: RTP written into one buffer kept per connection, protected in place by
libsrtp and sent with a plain `sendto`."""

from __future__ import annotations

import contextlib
import os
import socket
from dataclasses import dataclass
from struct import Struct
from typing import Any

from pylibsrtp import SRTP_MAX_TRAILER_LEN as SRTP_TRAILER
from pylibsrtp._binding import ffi as srtp_ffi
from pylibsrtp._binding import lib as srtp_lib

MARK_SEQUENCE_AND_TIME = Struct("!BHI")


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
        """One packet (a retransmission; `forward.Outlet.deliver` inlines the same steps)."""
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
