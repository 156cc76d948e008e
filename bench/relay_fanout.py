"""Media relay fan-out: one publisher to N viewers, the project's relay beside aiortc's MediaRelay.

    python -m bench.relay_fanout [--viewers 1,10,50,150,300] [--seconds 10] [--baseline-max 150]

The publisher is `python -m server.media.relay play pattern` (640x360 VP8 at 30 fps, plus Opus), in
its own process; the relay asks it for 500 kbps of video (`KETNOI_RELAY_VIDEO_KBPS`). Viewers run
in processes of at most 50, counting encoded frames without decoding them. For each N and each
relay it prints the relay's CPU (cores), ms of CPU per viewer-second, µs per forwarded packet,
kbps each viewer received (RTP with SRTP, video and audio), frames per second per viewer
(minimum and median), resident memory, and seconds from asking to the first frame.
Everything listens on loopback only.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO

import httpx2 as httpx

from bench.chat_fanout import free_port
from bench.rtcload import Plan, Result
from bench.wsload import cpu_seconds, rss_bytes
from server.media.rules import TOKEN_HEADER, relay_token
from server.supervise import RELAY, play_command
from sessions.live.channels import talk_channel
from sessions.live.rules import HALL, talk_feed

PER_PROCESS = 50
TARGET_FPS = 29.0
TARGET_MS = {150: 3.0, 300: 1.5}
VIDEO_KBPS = 500
# What the publisher plays as: talk 1's hall, not recorded (MediaRelay records nothing either).
HALL_FEED = talk_feed(talk_channel(1), 1, HALL, "", max_publishers=4, recorded=False)


@dataclass
class Row:
    """One measurement."""

    kind: str
    viewers: int
    cores: float = 0.0
    ms_per_viewer_second: float = 0.0
    us_per_packet: float = 0.0
    kbps: float = 0.0
    fps_min: float = 0.0
    fps_median: float = 0.0
    rss_mb: float = 0.0
    first_frame_median: float = 0.0
    first_frame_max: float = 0.0
    load_cores: float = 0.0
    failed: int = 0
    note: str = ""


def wait_up(port: int, token: str, process: subprocess.Popen[bytes]) -> None:
    """Until the relay answers /status."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"relay exited with {process.returncode}")
        try:
            response = httpx.get(
                f"http://127.0.0.1:{port}/status", headers={TOKEN_HEADER: token}, timeout=2
            )
            if response.status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError("relay did not answer in 30 s")


def stop(process: subprocess.Popen[bytes]) -> None:
    """Terminate, then kill."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def measure(kind: str, viewers: int, seconds: float, data: Path, log: IO[bytes]) -> Row:
    """Start a relay and a publisher, connect the viewers, measure one window."""
    port = free_port()
    secret = secrets.token_urlsafe(40)
    env = {k: v for k, v in os.environ.items() if not k.startswith("KETNOI_")}
    env.update(
        {
            "KETNOI_DATA_DIR": str(data),
            "KETNOI_SECRET_KEY": secret,
            "KETNOI_RELAY_PORT": str(port),
            "KETNOI_RELAY_ICE_ADDRESSES": "127.0.0.1",
            "KETNOI_RELAY_MAX_PEERS": "1000",
            # Fan-out only: MediaRelay records nothing either.
            "KETNOI_RELAY_RECORD_TALKS": "false",
            "KETNOI_RELAY_VIDEO_KBPS": str(VIDEO_KBPS),
        }
    )
    if kind == "relay":
        argv = [*RELAY, "serve"]
    else:
        argv = [sys.executable, "-m", "bench.mediarelay_server", "--port", str(port)]
    token = relay_token(secret)
    relay = subprocess.Popen(argv, env=env, stdout=log, stderr=subprocess.STDOUT)
    publisher: subprocess.Popen[bytes] | None = None
    loads: list[subprocess.Popen[bytes]] = []
    row = Row(kind, viewers)
    try:
        wait_up(port, token, relay)
        publisher = subprocess.Popen(
            play_command(HALL_FEED, "pattern"),
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        time.sleep(3)
        for start in range(0, viewers, PER_PROCESS):
            plan = Plan(
                port=port,
                token_header=TOKEN_HEADER,
                token=token,
                room="talk:1",
                viewers=min(PER_PROCESS, viewers - start),
                window_seconds=seconds,
            )
            load = subprocess.Popen(
                [sys.executable, "-m", "bench.rtcload"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=log,
            )
            assert load.stdin is not None
            load.stdin.write((json.dumps(asdict(plan)) + "\n").encode())
            load.stdin.flush()
            loads.append(load)
        for load in loads:
            assert load.stdout is not None
            if load.stdout.readline().strip() != b"ready":
                raise RuntimeError("a viewer process failed to start")
        cpu0, load0, t0 = (
            cpu_seconds(relay.pid),
            sum(cpu_seconds(p.pid) for p in loads),
            time.monotonic(),
        )
        for load in loads:
            assert load.stdin is not None
            load.stdin.write(b"go\n")
            load.stdin.flush()
        results = []
        for load in loads:
            assert load.stdout is not None
            line = load.stdout.readline()
            if not line:
                raise RuntimeError("a viewer process ended without a result")
            results.append(Result(**json.loads(line)))
        elapsed = time.monotonic() - t0
        cpu = cpu_seconds(relay.pid) - cpu0
        row.load_cores = (sum(cpu_seconds(p.pid) for p in loads) - load0) / elapsed
        row.rss_mb = rss_bytes(relay.pid) / 2**20
        frames = [f for r in results for f in r.frames]
        firsts = [f for r in results for f in r.first_frame_seconds]
        packets = sum(r.packets for r in results)
        row.kbps = sum(r.octets for r in results) * 8 / 1000 / (viewers * seconds)
        row.failed = sum(r.failed for r in results) + viewers - len(frames)
        row.cores = cpu / elapsed
        row.ms_per_viewer_second = cpu * 1000 / (viewers * seconds)
        row.us_per_packet = cpu * 1e6 / packets if packets else math.inf
        fps = [f / seconds for f in frames] or [0.0]
        row.fps_min, row.fps_median = min(fps), statistics.median(fps)
        if firsts:
            row.first_frame_median, row.first_frame_max = statistics.median(firsts), max(firsts)
        return row
    except Exception as exc:
        log.flush()
        tail = Path(log.name).read_text(errors="replace").strip().splitlines()[-3:]
        row.note = f"failed: {exc} | " + " / ".join(tail)
        return row
    finally:
        for load in loads:
            stop(load)
        if publisher is not None:
            stop(publisher)
        stop(relay)


def verdict(row: Row) -> str:
    """Against the issue's targets (the project's relay only)."""
    if row.kind != "relay" or row.viewers not in TARGET_MS:
        return ""
    misses = []
    if row.fps_min < TARGET_FPS:
        misses.append(f"fps<{TARGET_FPS:g}")
    if row.ms_per_viewer_second > TARGET_MS[row.viewers]:
        misses.append(f"ms>{TARGET_MS[row.viewers]:g}")
    label = "stretch " if row.viewers == 300 else ""
    return f"{label}{'MISS ' + ','.join(misses) if misses else 'ok'}"


def main() -> None:
    """Each N: the project's relay, then MediaRelay; one table and the ratios."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--viewers", default="1,10,50,150,300")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--baseline-max", type=int, default=150, help="largest N for MediaRelay")
    parser.add_argument("--kinds", default="relay,mediarelay")
    args = parser.parse_args()
    counts = [int(n) for n in args.viewers.split(",") if n.strip()]
    kinds = [k.strip() for k in args.kinds.split(",") if k.strip()]
    print(
        f"{'viewers':>7} {'relay':10} {'cores':>6} {'ms/view-s':>10} {'µs/packet':>10} {'kbps':>5} "
        f"{'fps min':>8} {'fps med':>8} {'RSS MB':>7} {'1st frame s':>12} {'load':>5}  target",
        flush=True,
    )
    with tempfile.TemporaryDirectory(prefix="ketnoi-relay-bench-") as tmp:
        for n in counts:
            rows: dict[str, Row] = {}
            for kind in kinds:
                if kind == "mediarelay" and n > args.baseline_max:
                    continue
                with (Path(tmp) / f"{kind}-{n}.log").open("wb") as log:
                    row = measure(kind, n, args.seconds, Path(tmp) / "data", log)
                rows[kind] = row
                print(
                    f"{n:>7} {kind:10} {row.cores:>6.2f} {row.ms_per_viewer_second:>10.2f} "
                    f"{row.us_per_packet:>10.1f} {row.kbps:>5.0f} {row.fps_min:>8.1f} {row.fps_median:>8.1f} "
                    f"{row.rss_mb:>7.0f} {row.first_frame_median:>5.2f}/{row.first_frame_max:<6.2f} "
                    f"{row.load_cores:>5.2f}  {verdict(row)}"
                    + (f"  {row.note}" if row.note else "")
                    + (f"  {row.failed} viewers failed" if row.failed else ""),
                    flush=True,
                )
            ours, base = rows.get("relay"), rows.get("mediarelay")
            if ours and base and base.ms_per_viewer_second and not (ours.note or base.note):
                print(
                    f"        relay vs MediaRelay: CPU per viewer-second "
                    f"{ours.ms_per_viewer_second / base.ms_per_viewer_second:.2f}x, "
                    f"median fps {ours.fps_median / max(base.fps_median, 0.01):.2f}x, "
                    f"RSS {ours.rss_mb / max(base.rss_mb, 1):.2f}x",
                    flush=True,
                )


if __name__ == "__main__":
    main()
