"""A real ketnoi process and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx2 as httpx
import pytest
from playwright.sync_api import Browser, Playwright, sync_playwright

from tests.services import free_port, stop_process

CHROMIUM = "/usr/bin/chromium"
# Chromium keeps only the last --disable-features switch: one merged list.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
    "--allow-loopback-in-peer-connection",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
]


class DemoServer:
    """`ketnoi demo` running as a user starts it."""

    def __init__(self, data_dir: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = (data_dir.parent / "server.log").open("w")
        ketnoi = Path(sys.executable).with_name("ketnoi")
        # The demo as a new user starts it: none of this machine's KETNOI_ settings leak in.
        env = {k: v for k, v in os.environ.items() if not k.startswith("KETNOI_")}
        # Live video on loopback only (a deployment behind NAT names its public address).
        env["KETNOI_RELAY_ICE_ADDRESSES"] = "127.0.0.1"
        self.relay_port = free_port()
        env["KETNOI_RELAY_PORT"] = str(self.relay_port)
        self.process = subprocess.Popen(
            [
                str(ketnoi),
                "demo",
                "--data-dir",
                str(data_dir),
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
            ],
            stdout=self.log,
            stderr=subprocess.STDOUT,
            env=env,
        )
        self._wait()

    def _wait(self) -> None:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"ketnoi demo exited with {self.process.returncode}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        raise RuntimeError("ketnoi demo did not answer within 90 s")

    def stop(self) -> None:
        """Stop the process we started."""
        stop_process(self.process)
        self.log.close()


@pytest.fixture(scope="session")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoServer]:
    """The demo, seeded and served on a free loopback port."""
    server = DemoServer(tmp_path_factory.mktemp("demo") / "data")
    try:
        yield server
    finally:
        server.stop()


# Module scope: while sync Playwright runs, this thread has a running event loop, which
# would break asyncio.run() in the tests collected after these.
@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    """Debian's Chromium, headless, with a scratch HOME (never a downloaded browser)."""
    if not Path(CHROMIUM).exists() or shutil.which("chromium") is None:
        raise RuntimeError("Debian's chromium is missing: run `make system`")
    scratch = tmp_path_factory.mktemp("chromium-home")
    old = {k: os.environ.get(k) for k in ("HOME", "TMPDIR")}
    os.environ["HOME"] = str(scratch)
    os.environ["TMPDIR"] = str(scratch)
    playwright: Playwright = sync_playwright().start()
    try:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()
    finally:
        playwright.stop()
        for key, value in old.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
