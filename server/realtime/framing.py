"""What goes on the wire: close codes, JSON, websocket text frames."""

from __future__ import annotations

import json
from typing import Any

from starlette.types import Send

PROTOCOL_VERSION = 1
# Close codes (docs/realtime.md): refused, server restarting, too far behind, too big a frame,
# session ended, idle, too many sockets for one member.
CLOSE_POLICY = 1008
CLOSE_RESTART = 1012
CLOSE_BEHIND = 1013
CLOSE_TOO_BIG = 1009
CLOSE_SESSION_ENDED = 4401
CLOSE_IDLE = 4408
CLOSE_TOO_MANY = 4429
CLOSE_TIMEOUT_SECONDS = 2.0


def dumps(obj: dict[str, Any]) -> str:
    """Compact JSON that keeps Vietnamese as UTF-8."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


# Gathered frames are written early once they reach this size: a burst need not wait.
FLUSH_AT_BYTES = 65_536


def text_frame(payload: bytes) -> bytes:
    """A whole, unmasked websocket text frame (RFC 6455 5.2), as a server sends it."""
    size = len(payload)
    if size < 126:
        return bytes((0x81, size)) + payload
    if size < 65_536:
        return bytes((0x81, 126)) + size.to_bytes(2, "big") + payload
    return bytes((0x81, 127)) + size.to_bytes(8, "big") + payload


def server_protocol(send: Send) -> Any:
    """The server's websocket protocol object behind `send`, when we can write to it directly.

    uvicorn's default implementation (websockets sans-I/O) keeps its transport and a flow
    control event there; with anything else the hub uses the ASGI send.
    """
    proto = getattr(send, "__self__", None)
    needed = ("transport", "conn", "writable", "close_sent", "handshake_complete")
    return proto if all(hasattr(proto, name) for name in needed) else None


def iso(moment: Any) -> str:
    """A UTC time as clients get it: ISO 8601 with a Z."""
    return str(moment.strftime("%Y-%m-%dT%H:%M:%SZ"))
