"""Requests per second for the demo's pages and API on one uvicorn worker, on loopback.

Run: .venv/bin/python -m bench.pages [--seconds 10] [--concurrency 8]
Prints requests/s and p50/p99 latency per path, and the server's CPU seconds per 1,000 requests,
with /healthz (a single SELECT 1) as the baseline in the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx2 as httpx

from bench.chat_fanout import free_port

PATHS = [
    "/healthz",
    "/e/hai-duong-ca-rot-2026",
    "/api/events/hai-duong-ca-rot-2026/talks?tz=Asia/Tokyo",
]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def load(url: str, seconds: float, concurrency: int) -> list[float]:
    """Hit one URL from `concurrency` loops for `seconds`; the latencies in ms."""
    latencies: list[float] = []
    deadline = time.monotonic() + seconds
    async with httpx.AsyncClient(timeout=10) as client:

        async def worker() -> None:
            while time.monotonic() < deadline:
                start = time.perf_counter()
                response = await client.get(url)
                response.raise_for_status()
                latencies.append((time.perf_counter() - start) * 1000)

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return latencies


def main() -> None:
    """Seed the demo, serve it, measure each path, stop."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    ketnoi = str(Path(sys.executable).with_name("ketnoi"))
    data = Path(tempfile.mkdtemp()) / "data"
    env = {k: v for k, v in os.environ.items() if not k.startswith("KETNOI_")}
    subprocess.run(
        [ketnoi, "demo", "--no-serve", "--data-dir", str(data)],
        check=True,
        env=env,
        capture_output=True,
    )
    port = free_port()
    server = subprocess.Popen(
        [ketnoi, "serve", "--data-dir", str(data), "--port", str(port)],
        env={**env, "KETNOI_PUBLIC_BASE_URL": f"http://127.0.0.1:{port}"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        print(
            f"{'path':58} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'server CPU s/1k req':>20} {'vs healthz':>10}"
        )
        baseline = None
        for path in PATHS:
            before = cpu_seconds(server.pid)
            latencies = asyncio.run(load(base + path, args.seconds, args.concurrency))
            used = cpu_seconds(server.pid) - before
            per_k = used / len(latencies) * 1000
            baseline = baseline or per_k
            p99 = statistics.quantiles(latencies, n=100)[98]
            print(
                f"{path:58} {len(latencies) / args.seconds:8.0f} {statistics.median(latencies):8.1f} "
                f"{p99:8.1f} {per_k:20.2f} {per_k / baseline:9.1f}x"
            )
    finally:
        server.terminate()
        server.wait(timeout=15)


if __name__ == "__main__":
    main()
