"""Chat fan-out through the hub (`/ws`) against a naive send loop, in one run, on loopback.

Run: .venv/bin/python -m bench.chat_fanout [--seconds 10] [--only 150,1000,3000,stuck] [--quick]
Per scenario, N websocket clients in another process (bench.wsload) subscribe to one talk's
channel; senders among them post `chat.send` at a fixed total rate; every client counts what
it receives. Printed per server: delivered messages/s, the share of what should have arrived,
p50/p99 latency (send to receipt), the server's CPU µs per delivered message, its RSS, and how
busy the load generator was. `stuck` has 5 of 150 clients stop reading; its figures are for
the other 145, and it runs at least 20 s. The naive baseline is bench.naive_room: no database,
no sessions, one json.dumps and one awaited send per receiver. `--only` also takes `N@RATE`
(e.g. 1000@20) and `stuck@RATE` (5 of 150 stuck at that rate).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import asdict, dataclass
from datetime import timedelta
from pathlib import Path
from typing import IO

from sqlmodel import col, select

from bench.wsload import BUCKET_NS, BUCKETS, Plan, Result
from server.db import make_engine, make_sessionmaker
from server.demo.data import CONFERENCE_SLUG
from server.events.models import AttendancePoint, Event
from server.identity.auth import start_session
from server.settings import Settings
from sessions.agenda.models import Talk

SENDERS = 10
LATENCY_TOP_MS = BUCKETS * BUCKET_NS / 1e6
# Limits the hub enforces per sender and per connection, raised so they do not shape the
# load; any other limit (send budget, idle timeout, frame size) keeps its default.
HUB_LIMITS = {
    "chat_messages_per_minute": 10_000_000,
    "hub_requests_per_minute": 10_000_000,
    "hub_errors_per_minute": 10_000_000,
}


@dataclass(frozen=True)
class Scenario:
    """Clients, total messages per second, and how many clients stop reading."""

    name: str
    clients: int
    rate: float
    stuck: int = 0
    p99_target_ms: float = math.inf
    cpu_target_us: float = 10.0
    # Stuck clients must fall behind by more than the kernel buffers and the hub's send budget
    # (512 KiB) before anything happens: at ~330 bytes a message that takes 10-40 s.
    min_seconds: float = 0.0


SCENARIOS = {
    "150": Scenario("150@200", 150, 200, p99_target_ms=10),
    "1000": Scenario("1000@100", 1000, 100, p99_target_ms=30),
    "3000": Scenario("3000@40", 3000, 40, p99_target_ms=60),
    "stuck": Scenario("stuck 5/150@200", 150, 200, stuck=5, min_seconds=20),
}


def pick(only: str) -> list[Scenario]:
    """Scenarios by name, or `N@RATE` and `stuck@RATE` of your own."""
    chosen: list[Scenario] = []
    for name in (n.strip() for n in only.split(",") if n.strip()):
        if name in SCENARIOS:
            chosen.append(SCENARIOS[name])
        elif name.startswith("stuck@"):
            chosen.append(Scenario(name, 150, float(name[6:]), stuck=5, min_seconds=20))
        elif "@" in name:
            clients, per_second = name.split("@", 1)
            chosen.append(Scenario(name, int(clients), float(per_second)))
        else:
            raise SystemExit(
                f"unknown scenario {name!r}: {', '.join(SCENARIOS)}, N@RATE, stuck@RATE"
            )
    return chosen


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def make_sessions(data: Path, count: int) -> tuple[list[int], list[str]]:
    """The conference's talk ids, and `count` join-link sessions cycling through its points."""
    settings = Settings(data_dir=data, database_url="")
    engine = make_engine(settings)
    try:
        async with make_sessionmaker(engine)() as db:
            event = (await db.exec(select(Event).where(Event.slug == CONFERENCE_SLUG))).one()
            points = (
                await db.exec(
                    select(AttendancePoint.id)
                    .where(
                        AttendancePoint.event_id == event.id,
                        col(AttendancePoint.revoked).is_(False),
                    )
                    .order_by(col(AttendancePoint.id))
                )
            ).all()
            talks = (
                await db.exec(
                    select(Talk.id).where(Talk.event_id == event.id).order_by(col(Talk.id))
                )
            ).all()
            expires = event.ends_at + timedelta(hours=settings.point_session_grace_hours)
            cookies = [
                await start_session(
                    db, point_id=points[i % len(points)], event_id=event.id, expires_at=expires
                )
                for i in range(count)
            ]
            await db.commit()
    finally:
        await engine.dispose()
    return [t for t in talks if t is not None], cookies


class Server:
    """A server process on loopback, stopped on exit whatever happens."""

    def __init__(self, argv: list[str], env: dict[str, str], port: int, log: IO[bytes]) -> None:
        self.port = port
        self.log = log
        self.process = subprocess.Popen(argv, env=env, stdout=log, stderr=subprocess.STDOUT)

    def __enter__(self) -> Server:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited with {self.process.returncode}: {self.tail()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                    sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                    if sock.recv(64).startswith(b"HTTP/1.1 200"):
                        return self
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"server not ready in 60 s: {self.tail()}")

    def __exit__(self, *_: object) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def tail(self) -> str:
        """The end of the server's log."""
        self.log.flush()
        return Path(self.log.name).read_text(errors="replace")[-1500:]


def load(plan: Plan) -> Result:
    """Run the clients in their own process; its result."""
    client = subprocess.Popen(
        [sys.executable, "-m", "bench.wsload"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    try:
        limit = 180 + plan.seconds + plan.drain_seconds + len(plan.cookies) / 20
        out, _ = client.communicate(json.dumps(asdict(plan)).encode(), timeout=limit)
    finally:
        if client.poll() is None:
            client.kill()
            client.wait()
    if client.returncode != 0 or not out.strip():
        return Result(failure=f"load generator exited with {client.returncode}")
    return Result(**json.loads(out))


def measure(
    kind: str,
    scenario: Scenario,
    args: argparse.Namespace,
    data: Path,
    talk: int,
    cookies: list[str],
) -> tuple[Result, list[str]]:
    """Start one server, run one scenario against it, stop it; the result and log errors."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("KETNOI_")}
    if kind == "hub":
        env["KETNOI_PUBLIC_BASE_URL"] = f"http://127.0.0.1:{port}"
        env.update({f"KETNOI_{name.upper()}": str(v) for name, v in HUB_LIMITS.items()})
        env.update({f"KETNOI_{n.upper()}": v for n, _, v in (i.partition("=") for i in args.set)})
        ketnoi = str(Path(sys.executable).with_name("ketnoi"))
        argv = [
            ketnoi,
            "serve",
            "--data-dir",
            str(data),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ]
        session_cookies = cookies[: scenario.clients]
    else:
        argv = [sys.executable, "-m", "bench.naive_room", "--port", str(port)]
        session_cookies = [""] * scenario.clients
    plan = Plan(
        port=port,
        server_pid=0,
        channel=f"talk:{talk}",
        cookies=session_cookies,
        senders=min(args.senders, scenario.clients - scenario.stuck),
        rate=scenario.rate,
        seconds=args.seconds if args.quick else max(args.seconds, scenario.min_seconds),
        stuck=scenario.stuck,
        drain_seconds=args.drain,
    )
    with (
        tempfile.NamedTemporaryFile(prefix=f"{kind}-", suffix=".log") as log,
        Server(argv, env, port, log) as server,
    ):
        plan.server_pid = server.process.pid
        result = load(plan)
        if result.failure:
            result.failure += f"\n    server log: {server.tail()[-600:]}"
        log.flush()
        return result, log_problems(Path(log.name).read_text(errors="replace"))


def log_problems(text: str) -> list[str]:
    """Error lines of a server log and the exception ending each traceback, with counts."""
    seen: Counter[str] = Counter()
    lines = text.splitlines()
    for number, line in enumerate(lines):
        if line.startswith(("ERROR", "CRITICAL")):
            seen[line[:160]] += 1
        elif line.startswith("Traceback"):
            end = number + 1
            while end < len(lines) and (lines[end].startswith(" ") or not lines[end].strip()):
                end += 1
            if end < len(lines):
                seen[f"traceback ending {lines[end][:160]}"] += 1
    return [f"{count} x {line}" for line, count in seen.most_common(6)]


def row(scenario: Scenario, kind: str, r: Result) -> str:
    """One printed line."""
    clients = f"{r.readers}+{r.stuck} stuck" if r.stuck else str(r.clients)
    if r.failure:
        return (
            f"{scenario.name:16} {kind:6} {clients:>13} {scenario.rate:6.0f}  FAILED: {r.failure}"
        )
    share = r.delivered / r.expected * 100 if r.expected else 0.0
    cpu_us = r.server_cpu_seconds / r.delivered * 1e6 if r.delivered else math.inf
    return (
        f"{scenario.name:16} {kind:6} {clients:>13} {scenario.rate:6.0f} "
        f"{r.delivered / r.window_seconds:12,.0f} {share:9.2f}% {ms(r.p50_ms)} {ms(r.p99_ms)} "
        f"{cpu_us:11.1f} {r.server_rss_bytes / 2**20:8.0f} "
        f"{r.load_cpu_seconds / r.window_seconds * 100:8.0f}%  {verdict(scenario, kind, r)}"
    )


def ms(value: float) -> str:
    """A latency column; the histogram ends at LATENCY_TOP_MS."""
    return f"{'>' + str(int(LATENCY_TOP_MS)):>8}" if value >= LATENCY_TOP_MS else f"{value:8.1f}"


def verdict(scenario: Scenario, kind: str, r: Result) -> str:
    """The issue's targets apply to the hub; what it missed, if anything."""
    if kind != "hub":
        return ""
    misses = []
    if r.readers_complete < r.readers or r.unanswered or r.send_errors:
        misses.append("undelivered")
    if r.p99_ms > scenario.p99_target_ms:
        misses.append(f"p99>{scenario.p99_target_ms:.0f}")
    if r.delivered and r.server_cpu_seconds / r.delivered * 1e6 > scenario.cpu_target_us:
        misses.append(f"cpu>{scenario.cpu_target_us:.0f}")
    return "ok" if not misses else "MISS " + ",".join(misses)


def details(kind: str, r: Result) -> list[str]:
    """Anything a reader of the table must know: losses, errors, closes, stuck clients."""
    notes: list[str] = []
    if r.failure:
        return notes
    if r.readers_complete < r.readers:
        notes.append(
            f"{r.readers - r.readers_complete} of {r.readers} reading clients missed messages "
            f"(worst got {r.min_fraction:.1%}); {r.expected - r.delivered:,} deliveries missing"
        )
    if r.unanswered or r.send_errors:
        notes.append(
            f"sent {r.sent}, acknowledged {r.acked}, errors {r.send_errors}, unanswered {r.unanswered}"
        )
    if r.duplicates or r.out_of_order:
        notes.append(f"{r.duplicates} duplicates, {r.out_of_order} out of order")
    if r.closes:
        notes.append(f"closes seen during the window: {r.closes}")
    if r.stuck:
        notes.append(
            f"stuck clients, once reading again: received {r.stuck_received} of {r.sent}, "
            f"close codes {r.stuck_closes}"
        )
    unexpected = {k: v for k, v in r.other_frames.items() if k != "presence"}
    if unexpected:
        notes.append(f"other frames: {unexpected}")
    kernel = r.server_system_seconds / max(r.server_cpu_seconds, 1e-9)
    notes.append(
        f"{r.acked} messages in {r.window_seconds:.1f} s; max latency {r.max_ms:.1f} ms; "
        f"server CPU {r.server_cpu_seconds:.2f} s ({kernel:.0%} in the kernel)"
    )
    return [f"    {kind}: {n}" for n in notes]


def main() -> None:
    """Seed the demo, create sessions, then per scenario measure the hub and the naive loop."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10.0, help="sending window per scenario")
    parser.add_argument("--only", default="150,1000,3000,stuck", help="scenarios, or N@RATE")
    parser.add_argument("--quick", action="store_true", help="3 s windows")
    parser.add_argument("--servers", default="hub,naive", help="hub, naive or both")
    parser.add_argument("--senders", type=int, default=SENDERS, help="sending clients")
    parser.add_argument("--drain", type=float, default=60.0, help="max wait for late deliveries")
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a hub setting for this run (hub_write_delay_ms=5)",
    )
    args = parser.parse_args()
    for item in args.set:
        name, _, value = item.partition("=")
        if name not in Settings.model_fields or not value:
            parser.error(f"--set {item}: expected NAME=VALUE with a setting's name")
    if args.quick:
        args.seconds = 3.0
    scenarios = pick(args.only)
    renamed = [name for name in HUB_LIMITS if name not in Settings.model_fields]
    if renamed:
        print(f"warning: no such settings (renamed?), their defaults apply: {renamed}")
    kinds = [k.strip() for k in args.servers.split(",") if k.strip()]
    with tempfile.TemporaryDirectory(prefix="ketnoi-bench-") as tmp:
        data = Path(tmp) / "data"
        if "hub" in kinds:
            env = {k: v for k, v in os.environ.items() if not k.startswith("KETNOI_")}
            ketnoi = str(Path(sys.executable).with_name("ketnoi"))
            subprocess.run(
                [ketnoi, "demo", "--no-serve", "--data-dir", str(data)],
                check=True,
                env=env,
                capture_output=True,
            )
            talks, cookies = asyncio.run(make_sessions(data, max(s.clients for s in scenarios)))
        else:
            talks, cookies = [1], []
        print(
            f"{'scenario':16} {'server':6} {'clients':>13} {'msg/s':>6} {'delivered/s':>12} "
            f"{'delivered':>10} {'p50 ms':>8} {'p99 ms':>8} {'CPU µs/msg':>11} {'RSS MB':>8} "
            f"{'load CPU':>9}  target",
            flush=True,
        )
        for number, scenario in enumerate(scenarios):
            results: dict[str, Result] = {}
            talk = talks[number % len(talks)]
            for kind in kinds:
                results[kind], problems = measure(kind, scenario, args, data, talk, cookies)
                print(row(scenario, kind, results[kind]), flush=True)
                for line in details(kind, results[kind]):
                    print(line, flush=True)
                for line in problems:
                    print(f"    {kind} server log: {line}", flush=True)
            hub, naive = results.get("hub"), results.get("naive")
            if hub and naive and not hub.failure and not naive.failure:
                print(f"    hub vs naive: {ratios(hub, naive)}", flush=True)


def ratios(hub: Result, naive: Result) -> str:
    """Hub figures divided by the naive loop's."""

    def per(r: Result) -> float:
        return r.server_cpu_seconds / r.delivered if r.delivered else math.inf

    def share(r: Result) -> float:
        return r.delivered / r.expected if r.expected else 0.0

    return (
        f"CPU per delivery {per(hub) / per(naive):.2f}x, "
        f"p99 {hub.p99_ms / naive.p99_ms:.2f}x, "
        f"delivered {share(hub) / share(naive) if share(naive) else math.inf:.2f}x, "
        f"RSS {hub.server_rss_bytes / max(naive.server_rss_bytes, 1):.2f}x"
    )


if __name__ == "__main__":
    main()
