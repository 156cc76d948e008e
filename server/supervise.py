"""Child processes that run beside the web server (the media relay), restarted when they die."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
import time

from server.media.protocol import Feed
from server.settings import Settings

log = logging.getLogger("ketnoi.supervise")
RESTART_MAX_SECONDS = 10.0
# A child that ran this long before dying is restarted at once, not after a backoff.
HEALTHY_SECONDS = 30.0
STOP_SECONDS = 5.0


def child_env(settings: Settings) -> dict[str, str]:
    """The environment of a child: ours, plus what the command line set."""
    env = dict(os.environ)
    env.update(
        {
            "KETNOI_DATA_DIR": str(settings.data_dir),
            "KETNOI_HOST": settings.host,
            "KETNOI_PORT": str(settings.port),
            "KETNOI_RELAY_PORT": str(settings.relay_port),
            "KETNOI_PUBLIC_BASE_URL": settings.public_base_url,
        }
    )
    return env


class Supervisor:
    """Starts commands, restarts each when it exits (with backoff), stops them all at the end."""

    def __init__(self, commands: list[list[str]], env: dict[str, str]) -> None:
        self._commands = commands
        self._env = env
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._running: dict[int, subprocess.Popen[bytes]] = {}
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        """Start every command, each watched by its own thread."""
        for index, argv in enumerate(self._commands):
            thread = threading.Thread(
                target=self._keep, args=(index, argv), name=f"ketnoi-child-{index}", daemon=True
            )
            thread.start()
            self._threads.append(thread)

    def _keep(self, index: int, argv: list[str]) -> None:
        backoff = 0.5
        while not self._stopping.is_set():
            started = time.monotonic()
            with self._lock:
                if self._stopping.is_set():
                    return
                process = subprocess.Popen(argv, env=self._env)  # noqa: S603 - commands we build, not input
                self._running[index] = process
            code = process.wait()
            if self._stopping.is_set():
                return
            backoff = 0.5 if time.monotonic() - started > HEALTHY_SECONDS else backoff
            log.warning("%s exited with %s; restarting in %.1f s", argv[2:4], code, backoff)
            self._stopping.wait(backoff)
            backoff = min(backoff * 2, RESTART_MAX_SECONDS)

    def stop(self) -> None:
        """Stop every child: terminate, then kill what is still there."""
        with self._lock:
            self._stopping.set()
            children = list(self._running.values())
        for process in children:
            if process.poll() is None:
                process.terminate()
        deadline = time.monotonic() + STOP_SECONDS
        for process in children:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for thread in self._threads:
            thread.join(timeout=1)


# The relay's processes: `serve`, and `play` for a feed from a file, a stream or a pattern.
RELAY = [sys.executable, "-m", "server.media.relay"]


def play_command(
    feed: Feed, source: str, *, loop: bool = False, standby: bool = False
) -> list[str]:
    """The command that publishes `source` as `feed` (a standby feed takes a free slot only)."""
    argv = [*RELAY, "play", source, "--feed", feed.model_dump_json()]
    if loop:
        argv.append("--loop")
    if standby:
        argv.append("--standby")
    return argv


def relay_commands(settings: Settings, feed: Feed | None = None) -> list[list[str]]:
    """The relay process, and a generated feed when asked (the demo's hall)."""
    if not settings.relay_enabled:
        return []
    commands = [[*RELAY, "serve"]]
    if feed is not None:
        commands.append(play_command(feed, "pattern", standby=True))
    return commands
