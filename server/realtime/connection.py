"""One client socket and its bounded backlog."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from starlette.types import Send

from server.identity.auth import Principal
from server.realtime.channels import Access
from server.realtime.framing import (
    CLOSE_BEHIND,
    CLOSE_TIMEOUT_SECONDS,
    FLUSH_AT_BYTES,
    dumps,
    server_protocol,
    text_frame,
)
from server.realtime.presence import Member


@dataclass(frozen=True)
class Limits:
    """What one connection may send and have waiting, from the settings."""

    send_budget_bytes: int
    requests_per_minute: int
    errors_per_minute: int


async def _resume(coro: Coroutine[Any, Any, None], yielded: Any) -> None:
    """Finish a coroutine that was stepped by hand and suspended on the future `yielded`."""
    while True:
        try:
            if yielded is None:
                await asyncio.sleep(0)
            else:
                await yielded
        except BaseException:
            coro.close()
            raise
        try:
            yielded = coro.send(None)
        except StopIteration:
            return


class Connection:
    """One client socket: what it follows, and a bounded backlog when it cannot keep up."""

    def __init__(
        self,
        send: Send,
        principal: Principal,
        member: Member,
        locale: str,
        *,
        limits: Limits,
        on_pending: Callable[[Connection], None],
        on_broken: Callable[[Connection, int, bool], None],
    ) -> None:
        self._send = send
        self.limits = limits
        # The hub flushes gathered writes once per loop turn, and closes a socket that broke
        # or fell behind (code, and whether a close frame may still be sent).
        self._on_pending = on_pending
        self._on_broken = on_broken
        # Fan-out writes the same framed bytes to every socket: no ASGI hop, no per-receiver
        # framing. The transport's buffer is then the send budget.
        self._proto = server_protocol(send)
        self.principal = principal
        self.member = member
        self.locale = locale
        self.subs: dict[str, Access] = {}
        # Live frames of a channel whose history is being replayed wait here: (seq, text).
        self.replaying: dict[str, list[tuple[int | None, str]]] = {}
        self._backlog: deque[tuple[str, int]] | None = None
        self._backlog_bytes = 0
        self._drain: asyncio.Task[None] | None = None
        # Direct writes gathered for one write at the next flush.
        self._pending: list[bytes] | None = None
        self._pending_bytes = 0
        self.closed = False
        self.last_rx = time.monotonic()
        self.reader: asyncio.Task[Any] | None = None
        self.closer: asyncio.Task[None] | None = None
        self.window_start = time.monotonic()
        self.requests_in_window = 0
        self.errors_in_window = 0

    def push(self, channel: str, text: str, seq: int | None, frame: bytes) -> None:
        """Deliver a channel's frame: now, or after the channel's replay."""
        waiting = self.replaying.get(channel) if self.replaying else None
        if waiting is not None:
            waiting.append((seq, text))
        else:
            self.write(text, frame)

    def write(self, text: str, frame: bytes | None = None) -> None:
        """Write a frame without waiting; queue it behind earlier ones when the socket is full."""
        if self.closed:
            return
        proto = self._proto
        if proto is not None:
            transport = proto.transport
            if proto.close_sent or transport.is_closing():
                return
            data = frame if frame is not None else text_frame(text.encode())
            if self._pending is None:
                self._pending = [data]
                self._on_pending(self)
            else:
                self._pending.append(data)
            self._pending_bytes += len(data)
            if self._pending_bytes >= FLUSH_AT_BYTES:
                self.flush()
            return
        if self._backlog is not None:
            size = len(text.encode())
            self._backlog.append((text, size))
            self._backlog_bytes += size
            if self._backlog_bytes > self.limits.send_budget_bytes:
                self._on_broken(self, CLOSE_BEHIND, True)
            return
        # The server's send() returns without suspending while the socket can take more (no
        # task, no queue: the cheap path for every receiver of a fan-out). When it suspends,
        # the socket is under flow control: a task finishes that send and drains the backlog.
        coro: Any = self._send({"type": "websocket.send", "text": text})
        try:
            yielded = coro.send(None)
        except StopIteration:
            return
        except Exception:
            self._on_broken(self, 1006, False)
            return
        self._backlog = deque()
        self._backlog_bytes = 0
        self._drain = asyncio.create_task(self._run_drain(coro, yielded))

    def flush(self) -> None:
        """Write the frames gathered since the last flush in one go; cut off a socket behind."""
        pending = self._pending
        if pending is None:
            return
        self._pending = None
        self._pending_bytes = 0
        # Also after close(): a closing socket still gets what was written before its close.
        proto = self._proto
        transport = proto.transport
        if proto.close_sent or transport.is_closing():
            return
        transport.write(pending[0] if len(pending) == 1 else b"".join(pending))
        if transport.get_write_buffer_size() > self.limits.send_budget_bytes:
            self._on_broken(self, CLOSE_BEHIND, True)

    async def _run_drain(self, coro: Coroutine[Any, Any, None], yielded: Any) -> None:
        try:
            await _resume(coro, yielded)
            while self._backlog:
                text, size = self._backlog.popleft()
                self._backlog_bytes -= size
                await self._send({"type": "websocket.send", "text": text})
            self._backlog = None
        except asyncio.CancelledError:
            raise
        except Exception:
            self._on_broken(self, 1006, False)

    def send_json(self, obj: dict[str, Any]) -> None:
        """Serialise and write one frame for this client only."""
        self.write(dumps(obj))

    def send_close(self, code: int, *, flush: bool) -> None:
        """Close the socket in the background: after the backlog, or at once when it is behind."""
        if self._proto is not None:
            if not flush:
                # Behind: its buffer will not drain, so neither would a close frame.
                self._pending = None
                self._proto.transport.abort()
                return
            # The close frame goes out through the server's own send: what waits goes first.
            self.flush()
        drain = self._drain if self._drain is not None and not self._drain.done() else None
        if drain is not None and not flush:
            drain.cancel()
            drain = None
        self.closer = asyncio.create_task(self._close_after(drain, code))

    async def _close_after(self, drain: asyncio.Task[None] | None, code: int) -> None:
        # Bounded: a client that does not read never gets its close frame, and is dropped.
        with contextlib.suppress(Exception):
            async with asyncio.timeout(CLOSE_TIMEOUT_SECONDS):
                if drain is not None:
                    await drain
                await self._send({"type": "websocket.close", "code": code})

    def count(self, error: bool) -> bool:
        """Count a request (or a bad frame); False when the client is over its limits."""
        now = time.monotonic()
        if now - self.window_start >= 60:
            self.window_start = now
            self.requests_in_window = 0
            self.errors_in_window = 0
        if error:
            self.errors_in_window += 1
            return self.errors_in_window <= self.limits.errors_per_minute
        self.requests_in_window += 1
        return self.requests_in_window <= self.limits.requests_per_minute
