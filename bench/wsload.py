"""Websocket clients for the chat fan-out benchmark, in a process of their own.

Run by bench.chat_fanout: reads a JSON plan on standard input and prints one JSON result.
All clients live in this one process, so the load takes at most one core and leaves the other
to the server under test; the result says how busy this process was, so a saturated load
generator shows instead of passing for server latency.

websockets' sans-I/O client does the handshake and frames what the clients send (masked).
Incoming frames, up to ~120,000 a second, are read by the small parser below: websockets' own
reader costs ~8 µs a frame on this kind of machine and json.loads ~10 µs, which would make the
load generator, not the server, the bottleneck. `chat.message` frames are never fully decoded:
the sequence number and the body (message index and send time) are read with two regexes.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import re
import socket
import sys
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, cast

import uvloop
from websockets.client import ClientProtocol
from websockets.http11 import Response
from websockets.typing import Origin
from websockets.uri import parse_uri

BODY = re.compile(rb'"body":\s*"(\d+) (\d+) ')
SEQ = re.compile(rb'"seq":\s*(\d+)')
BUCKET_NS = 25_000  # latency histogram resolution: 25 µs
BUCKETS = 1_200_000  # up to 30 s; slower deliveries land in the last bucket
CONNECT_AT_ONCE = 64
ANSWER_SECONDS = 60.0
# A stuck client's socket gets a small receive buffer and an Ethernet-sized segment, so its TCP
# window closes within seconds, as a frozen tab's would on a real network (loopback's 64 KiB
# segments would let the server's kernel soak up megabytes first); the server then sees the
# backpressure.
STUCK_RCVBUF = 8_192
STUCK_MSS = 1_460


def cpu_seconds(pid: int | str) -> float:
    """User + system CPU time of a process, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def system_cpu_seconds(pid: int | str) -> float:
    """System (kernel) CPU time of a process: on loopback it includes delivering what it sends."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[12]) / os.sysconf("SC_CLK_TCK")


def rss_bytes(pid: int | str) -> int:
    """Resident memory of a process, from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


@dataclass
class Plan:
    """What to run: who connects where, and how fast the senders post."""

    port: int
    server_pid: int
    channel: str
    cookies: list[str]
    senders: int
    rate: float
    seconds: float
    stuck: int = 0
    path: str = "/ws?v=1"
    drain_seconds: float = 60.0
    stall_seconds: float = 5.0
    settle_seconds: float = 1.0


@dataclass
class Result:
    """What happened, as printed by bench.chat_fanout."""

    clients: int = 0
    readers: int = 0
    stuck: int = 0
    sent: int = 0
    acked: int = 0
    unanswered: int = 0
    send_errors: dict[str, int] = field(default_factory=dict)
    delivered: int = 0
    expected: int = 0
    readers_complete: int = 0
    min_fraction: float = 0.0
    duplicates: int = 0
    out_of_order: int = 0
    window_seconds: float = 0.0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    max_ms: float = 0.0
    server_cpu_seconds: float = 0.0
    server_system_seconds: float = 0.0
    server_rss_bytes: int = 0
    load_cpu_seconds: float = 0.0
    load_system_seconds: float = 0.0
    closes: dict[str, int] = field(default_factory=dict)
    other_frames: dict[str, int] = field(default_factory=dict)
    stuck_received: list[int] = field(default_factory=list)
    stuck_closes: list[int | None] = field(default_factory=list)
    failure: str = ""


class Shared:
    """State every client writes to: the latency histogram and the counters."""

    def __init__(self) -> None:
        self.recording = False
        self.histogram = [0] * BUCKETS
        self.events = 0  # frames other than pongs: what `settle` waits to stop
        self.last_delivery_ns = 0
        self.acked = 0
        self.answered: set[int] = set()
        self.send_errors: Counter[str] = Counter()
        self.closes: Counter[str] = Counter()
        self.other: Counter[str] = Counter()

    def quantile_ms(self, q: float) -> float:
        """The q-quantile of the recorded latencies, in ms (bucket upper bound)."""
        total = sum(self.histogram)
        if total == 0:
            return float("nan")
        target = q * total
        seen = 0
        for bucket, count in enumerate(self.histogram):
            seen += count
            if seen >= target:
                return (bucket + 1) * BUCKET_NS / 1e6
        return BUCKETS * BUCKET_NS / 1e6

    def max_ms(self) -> float:
        """The slowest recorded delivery, in ms (bucket upper bound)."""
        for bucket in range(BUCKETS - 1, -1, -1):
            if self.histogram[bucket]:
                return (bucket + 1) * BUCKET_NS / 1e6
        return float("nan")


class Client(asyncio.Protocol):
    """One websocket client: handshake by websockets, frames read by hand."""

    def __init__(self, shared: Shared, plan: Plan, cookie: str, *, reader: bool) -> None:
        self.shared = shared
        self.reader = reader
        self.cookie = cookie
        origin = f"http://127.0.0.1:{plan.port}"
        self.ws = ClientProtocol(
            parse_uri(f"ws://127.0.0.1:{plan.port}{plan.path}"), origin=Origin(origin)
        )
        self.transport: asyncio.Transport | None = None
        self.handshaking = True
        self.pending = b""
        self.opened: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self.answers: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self.got = bytearray(1024)
        self.delivered = 0
        self.duplicates = 0
        self.out_of_order = 0
        self.last_seq = 0
        self.close_code: int | None = None
        self.ping_handle: asyncio.TimerHandle | None = None
        self.ping_seconds = 5.0
        self.pings = 0

    # Transport callbacks

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports quack like asyncio.Transport without subclassing it.
        self.transport = cast(asyncio.Transport, transport)
        request = self.ws.connect()
        if self.cookie:
            request.headers["Cookie"] = f"ketnoi_session={self.cookie}"
        self.ws.send_request(request)
        self.flush()

    def connection_lost(self, exc: Exception | None) -> None:
        if self.ping_handle is not None:
            self.ping_handle.cancel()
        if self.close_code is None:
            self.shared.closes["no close frame"] += 1
        reason = f"connection lost ({exc or 'closed'})"
        if not self.opened.done():
            self.opened.set_exception(ConnectionError(reason))
        for answer in self.answers.values():
            if not answer.done():
                answer.set_exception(ConnectionError(reason))

    def data_received(self, data: bytes) -> None:
        if self.pending:
            data = self.pending + data
            self.pending = b""
        start = 0
        if self.handshaking:
            end = data.find(b"\r\n\r\n")
            if end < 0:
                self.pending = data
                return
            if not self.accept_handshake(data[: end + 4]):
                return
            start = end + 4
        now = time.monotonic_ns()
        length = len(data)
        while length - start >= 2:
            size = data[start + 1] & 0x7F
            head = 2
            if size == 126:
                if length - start < 4:
                    break
                size = int.from_bytes(data[start + 2 : start + 4], "big")
                head = 4
            elif size == 127:
                if length - start < 10:
                    break
                size = int.from_bytes(data[start + 2 : start + 10], "big")
                head = 10
            end = start + head + size
            if end > length:
                break
            self.frame(data[start] & 0x0F, data, start + head, end, now)
            start = end
        if start < length:
            self.pending = data[start:]

    # Frames

    def accept_handshake(self, head: bytes) -> bool:
        """Hand the HTTP response to websockets; False when the upgrade was refused."""
        status = head.split(b" ", 2)[1] if head.count(b" ") >= 2 else b"?"
        if status != b"101":
            self.fail(ConnectionRefusedError(f"handshake refused: HTTP {status.decode()}"))
            return False
        self.ws.receive_data(head)
        for event in self.ws.events_received():
            assert isinstance(event, Response)
        if self.ws.handshake_exc is not None:
            self.fail(self.ws.handshake_exc)
            return False
        self.handshaking = False
        return True

    def frame(self, opcode: int, data: bytes, start: int, end: int, now: int) -> None:
        """Handle one complete frame data[start:end]."""
        shared = self.shared
        if opcode == 1:
            if data.find(b"chat.message", start, end) >= 0:
                self.chat_message(data, start, end, now)
            elif (
                data.find(b'"type":"presence', start, end) >= 0
                or data.find(b'"type": "presence', start, end) >= 0
            ):
                shared.events += 1
                shared.other["presence"] += 1
            else:
                self.event(json.loads(data[start:end]))
        elif opcode == 8:
            self.close_code = (
                int.from_bytes(data[start : start + 2], "big") if end > start else 1005
            )
            shared.closes[str(self.close_code)] += 1
            if self.transport is not None:
                self.transport.close()
        elif opcode == 9:
            self.ws.send_pong(data[start:end])
            self.flush()

    def chat_message(self, data: bytes, start: int, end: int, now: int) -> None:
        """Count a delivery, check its order, record its latency."""
        self.shared.events += 1
        body = BODY.search(data, start, end)
        seq = SEQ.search(data, start, end)
        if body is None or seq is None:
            self.shared.other["chat.message unreadable"] += 1
            return
        number = int(seq.group(1))
        if number <= self.last_seq:
            self.out_of_order += 1
        self.last_seq = number
        index = int(body.group(1))
        if index >= len(self.got):
            self.got.extend(bytes(index + 1024 - len(self.got)))
        if self.got[index]:
            self.duplicates += 1
            return
        self.got[index] = 1
        self.delivered += 1
        shared = self.shared
        if shared.recording and self.reader:
            bucket = (now - int(body.group(2))) // BUCKET_NS
            shared.histogram[bucket if bucket < BUCKETS else BUCKETS - 1] += 1
            shared.last_delivery_ns = now

    def event(self, message: dict[str, Any]) -> None:
        """Frames other than chat messages: hello, answers, pongs, anything else counted."""
        kind = message.get("type")
        ident = message.get("id")
        if kind == "hello":
            self.ping_seconds = float(message.get("ping_seconds", 5))
            self.schedule_ping(random.uniform(0, self.ping_seconds))  # noqa: S311 - spreads pings
            if not self.opened.done():
                self.opened.set_result(message)
        elif kind in ("ok", "error") and isinstance(ident, str) and ident.startswith("m"):
            index = int(ident[1:])
            if index in self.shared.answered:
                self.shared.other[f"second answer to a chat.send ({kind})"] += 1
                return
            self.shared.answered.add(index)
            if kind == "ok":
                self.shared.acked += 1
            else:
                self.shared.send_errors[str(message.get("code"))] += 1
        elif kind in ("ok", "error") and isinstance(ident, str) and ident in self.answers:
            answer = self.answers.pop(ident)
            if not answer.done():
                answer.set_result(message)
        elif kind != "pong":
            self.shared.events += 1
            self.shared.other[str(kind)] += 1

    # Sending

    def flush(self) -> None:
        """Write what websockets framed."""
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(b"".join(self.ws.data_to_send()))

    def send(self, message: dict[str, Any]) -> None:
        """Send one JSON frame."""
        if self.transport is None or self.transport.is_closing():
            return
        self.ws.send_text(json.dumps(message, ensure_ascii=False).encode())
        self.flush()

    async def request(self, message: dict[str, Any]) -> dict[str, Any]:
        """Send a request and wait (at most ANSWER_SECONDS) for its answer."""
        answer: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self.answers[str(message["id"])] = answer
        self.send(message)
        return await asyncio.wait_for(answer, ANSWER_SECONDS)

    def schedule_ping(self, delay: float) -> None:
        """Keep the connection alive as a browser tab does."""
        self.ping_handle = asyncio.get_running_loop().call_later(delay, self.ping)

    def ping(self) -> None:
        self.pings += 1
        self.send({"type": "ping", "id": f"p{self.pings}"})
        self.schedule_ping(self.ping_seconds)

    def fail(self, exc: BaseException) -> None:
        if not self.opened.done():
            self.opened.set_exception(exc)
        if self.transport is not None:
            self.transport.close()

    def close(self) -> None:
        """Drop the connection without ceremony (the server sees it go)."""
        if self.ping_handle is not None:
            self.ping_handle.cancel()
        if self.transport is not None:
            self.transport.abort()


async def open_client(
    plan: Plan, shared: Shared, cookie: str, clients: list[Client], *, stuck: bool
) -> Client:
    """Connect, shake hands, wait for hello; the client joins `clients` once it has a socket."""
    loop = asyncio.get_running_loop()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setblocking(False)
    if stuck:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, STUCK_RCVBUF)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_MAXSEG, STUCK_MSS)
    try:
        await loop.sock_connect(sock, ("127.0.0.1", plan.port))
    except OSError:
        sock.close()
        raise
    _, client = await loop.create_connection(
        lambda: Client(shared, plan, cookie, reader=not stuck), sock=sock
    )
    clients.append(client)
    await asyncio.wait_for(client.opened, 60)
    return client


async def settle(shared: Shared, quiet: float, limit: float = 60.0) -> None:
    """Wait until no frame has arrived for `quiet` seconds (presence after many joins)."""
    deadline = time.monotonic() + limit
    seen = -1
    while time.monotonic() < deadline and shared.events != seen:
        seen = shared.events
        await asyncio.sleep(quiet)


async def drain(plan: Plan, shared: Shared, readers: list[Client], sent: int) -> None:
    """Wait for the answers and deliveries still on their way, until done or nothing moves."""
    deadline = time.monotonic() + plan.drain_seconds
    progress = (-1, -1)
    still_since = time.monotonic()
    while time.monotonic() < deadline:
        live = [c for c in readers if c.transport is not None and not c.transport.is_closing()]
        if len(shared.answered) >= sent and all(c.delivered >= shared.acked for c in live):
            return
        now = (len(shared.answered), sum(c.delivered for c in readers))
        if now != progress:
            progress, still_since = now, time.monotonic()
        elif time.monotonic() - still_since > plan.stall_seconds:
            return
        await asyncio.sleep(0.05)


async def post(plan: Plan, sender: Client, slot: int, counter: list[int], t0: float) -> None:
    """One sender's share of the total rate, on a fixed schedule (no waiting for answers)."""
    interval = plan.senders / plan.rate
    due = t0 + slot * interval / plan.senders
    stop = t0 + plan.seconds
    tag = f"{os.getpid()}-{int(t0 * 1000)}"
    while due < stop:
        delay = due - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        index = counter[0]
        counter[0] += 1
        body = f"{index} {time.monotonic_ns()} Xin chào các điểm cầu, tin nhắn số {index}"
        sender.send(
            {
                "type": "chat.send",
                "id": f"m{index}",
                "channel": plan.channel,
                "client_id": f"{tag}-{index}",
                "body": body,
            }
        )
        due += interval


async def run(plan: Plan) -> Result:
    """Connect everyone, subscribe, post for the window, wait for deliveries, report."""
    shared = Shared()
    result = Result(clients=len(plan.cookies), stuck=plan.stuck)
    clients: list[Client] = []
    try:
        gate = asyncio.Semaphore(CONNECT_AT_ONCE)
        first_stuck = len(plan.cookies) - plan.stuck

        async def join(number: int, cookie: str) -> Client:
            async with gate:
                client = await open_client(
                    plan, shared, cookie, clients, stuck=number >= first_stuck
                )
                answer = await client.request(
                    {"type": "subscribe", "id": "sub", "channel": plan.channel}
                )
                if answer.get("type") != "ok":
                    raise ConnectionRefusedError(f"subscribe refused: {answer}")
                return client

        joined = await asyncio.gather(*(join(i, c) for i, c in enumerate(plan.cookies)))
        readers = [c for c in joined if c.reader]
        stuck = [c for c in joined if not c.reader]
        for client in stuck:
            assert client.transport is not None
            client.transport.pause_reading()
        await settle(shared, plan.settle_seconds)
        for client in joined:
            client.got = bytearray(int(plan.rate * plan.seconds) + 1024)
            client.delivered = client.duplicates = client.out_of_order = 0
        shared.closes.clear()

        server_cpu = cpu_seconds(plan.server_pid)
        server_system = system_cpu_seconds(plan.server_pid)
        own_cpu = cpu_seconds("self")
        own_system = system_cpu_seconds("self")
        counter = [0]
        shared.recording = True
        t0 = time.monotonic()
        t0_ns = time.monotonic_ns()
        senders = readers[: plan.senders]
        await asyncio.gather(*(post(plan, s, i, counter, t0) for i, s in enumerate(senders)))
        sent = counter[0]
        await drain(plan, shared, readers, sent)
        shared.recording = False
        result.server_cpu_seconds = cpu_seconds(plan.server_pid) - server_cpu
        result.server_system_seconds = system_cpu_seconds(plan.server_pid) - server_system
        result.load_cpu_seconds = cpu_seconds("self") - own_cpu
        result.load_system_seconds = system_cpu_seconds("self") - own_system
        result.server_rss_bytes = rss_bytes(plan.server_pid)
        end_ns = shared.last_delivery_ns or time.monotonic_ns()
        result.window_seconds = max(end_ns - t0_ns, 1) / 1e9

        result.readers = len(readers)
        result.sent = sent
        result.acked = shared.acked
        result.unanswered = sent - len(shared.answered)
        result.send_errors = dict(shared.send_errors)
        result.delivered = sum(c.delivered for c in readers)
        # Every message sent counts: one the server never answered was not delivered either.
        result.expected = sent * len(readers)
        result.readers_complete = sum(c.delivered >= sent for c in readers)
        result.min_fraction = min((c.delivered / max(sent, 1) for c in readers), default=0)
        result.duplicates = sum(c.duplicates for c in joined)
        result.out_of_order = sum(c.out_of_order for c in joined)
        result.p50_ms = shared.quantile_ms(0.50)
        result.p99_ms = shared.quantile_ms(0.99)
        result.max_ms = shared.max_ms()
        result.closes = dict(shared.closes)
        result.other_frames = dict(shared.other)

        # What the stuck clients had waiting for them, once they read again.
        for client in stuck:
            if client.transport is not None and not client.transport.is_closing():
                client.transport.resume_reading()
        if stuck:
            await settle(shared, 1.0, limit=15.0)
        result.stuck_received = [c.delivered for c in stuck]
        result.stuck_closes = [c.close_code for c in stuck]
    except (OSError, TimeoutError, ConnectionError) as exc:
        result.failure = f"{type(exc).__name__}: {exc}"
    finally:
        for client in clients:
            client.close()
        await asyncio.sleep(0.2)
    return result


def main() -> None:
    """Read the plan from standard input, print the result as JSON."""
    plan = Plan(**json.loads(sys.stdin.read()))
    with contextlib.suppress(ValueError, OSError):
        import resource

        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 65_536)), hard))
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        result = runner.run(run(plan))
    print(json.dumps(asdict(result)))


if __name__ == "__main__":
    main()
