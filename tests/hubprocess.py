"""Real `ketnoi serve` processes and websocket clients over loopback, for hub tests."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx2 as httpx
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from server.identity.auth import SESSION_COOKIE
from tests.services import free_port, stop_process

PROCESS_SECRET = "p" * 24 + "-process-test-secret-0123456789"


class HubServer:
    """`ketnoi serve` on a loopback port, with KETNOI_ settings from `env`."""

    def __init__(self, data_dir: Path, secret: str, **env: str) -> None:
        self.data_dir = data_dir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.ws_url = f"ws://127.0.0.1:{self.port}/ws?v=1"
        self.log_path = data_dir.parent / f"server-{self.port}.log"
        base = {k: v for k, v in os.environ.items() if not k.startswith("KETNOI_")}
        base["KETNOI_SECRET_KEY"] = secret
        # The media relay only where a test asks for it, on a port of its own.
        self.relay_port = free_port()
        base["KETNOI_RELAY_ENABLED"] = "false"
        base["KETNOI_RELAY_PORT"] = str(self.relay_port)
        base.update({f"KETNOI_{k.upper()}": v for k, v in env.items()})
        self._env = base
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> HubServer:
        """Start and wait until it answers."""
        ketnoi = Path(sys.executable).with_name("ketnoi")
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [str(ketnoi), "serve", "--data-dir", str(self.data_dir), "--port", str(self.port)],
                stdout=log,
                stderr=subprocess.STDOUT,
                env=self._env,
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"ketnoi serve exited: {self.log_path.read_text()[-2000:]}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{self.url}/healthz", timeout=2).status_code == 200:
                    return self
            time.sleep(0.2)
        raise RuntimeError("ketnoi serve did not answer within 60 s")

    def stop(self) -> None:
        """Stop it as an operator would (SIGTERM, then SIGKILL after 15 s)."""
        if self.process is None:
            return
        stop_process(self.process)
        self.process = None


class Client:
    """A websocket client of the hub: requests answered by id, events kept in order."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.events: list[dict[str, Any]] = []
        self._ids = itertools.count(1)
        self.closed_code: int | None = None

    @classmethod
    async def open(cls, server: HubServer, token: str, **options: Any) -> Client:
        """Connect with a session cookie and read the hello."""
        ws = await connect(
            server.ws_url,
            origin=server.url,  # type: ignore[arg-type]
            additional_headers={"cookie": f"{SESSION_COOKIE}={token}"},
            compression=None,
            **options,
        )
        client = cls(ws)
        hello = await client.next_frame(5)
        assert hello["type"] == "hello"
        return client

    async def next_frame(self, wait: float) -> dict[str, Any]:
        """The next frame; raises TimeoutError when none comes within `wait` seconds."""
        async with asyncio.timeout(wait):
            frame: dict[str, Any] = json.loads(await self.ws.recv())
            return frame

    async def request(self, type_: str, wait: float = 10, **fields: Any) -> dict[str, Any]:
        """Send a request and wait for its answer, keeping events that arrive meanwhile."""
        rid = f"r{next(self._ids)}"
        await self.ws.send(json.dumps({"type": type_, "id": rid, **fields}))
        async with asyncio.timeout(wait):
            while True:
                frame = await self.next_frame(wait)
                if frame.get("id") == rid and frame["type"] in ("ok", "error", "pong"):
                    return frame
                self.events.append(frame)

    async def ok(self, type_: str, **fields: Any) -> dict[str, Any]:
        """A request that must succeed."""
        answer = await self.request(type_, **fields)
        assert answer["type"] == "ok", answer
        return answer

    async def collect(
        self, seconds: float, until: Callable[[], bool] | None = None
    ) -> list[dict[str, Any]]:
        """Keep reading events for a while, until `until()` holds or the socket closes."""
        deadline = time.monotonic() + seconds
        with contextlib.suppress(TimeoutError):
            while (left := deadline - time.monotonic()) > 0 and not (until and until()):
                try:
                    self.events.append(await self.next_frame(left))
                except ConnectionClosed as closed:
                    self.closed_code = closed.rcvd.code if closed.rcvd else 1006
                    break
        return self.events

    def chat_seqs(self, channel: str) -> list[int]:
        """Sequence numbers of the chat messages received on a channel, in arrival order."""
        return [
            e["seq"]
            for e in self.events
            if e.get("type") == "chat.message" and e.get("channel") == channel
        ]

    async def close(self) -> None:
        """Close politely."""
        await self.ws.close()
