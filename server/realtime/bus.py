"""How hub processes hear each other: nothing in one process, Redis pub/sub across several."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Callable
from typing import Protocol

import redis.asyncio as aioredis
from redis.exceptions import RedisError

log = logging.getLogger("ketnoi.hub")

SEP = "\x1f"
# Called with (node, kind, channel, seq, payload) for every frame another process sent.
OnFrame = Callable[[str, str, str, int | None, str], None]


class Bus(Protocol):
    """Carries hub frames to the other server processes."""

    async def start(self, on_frame: OnFrame, on_connected: Callable[[], None]) -> None:
        """Begin listening; `on_connected` runs after each (re)connection."""

    def send(self, kind: str, channel: str, seq: int | None, payload: str) -> None:
        """Queue a frame for the other processes; never waits."""

    async def close(self) -> None:
        """Stop listening and flush what is queued."""


class LocalBus:
    """A single process: there is nobody else to tell."""

    async def start(self, on_frame: OnFrame, on_connected: Callable[[], None]) -> None:
        """Nothing to listen to."""

    def send(self, kind: str, channel: str, seq: int | None, payload: str) -> None:
        """Nothing to send."""

    async def close(self) -> None:
        """Nothing to close."""


class RedisBus:
    """One Redis pub/sub channel shared by every process of a deployment."""

    def __init__(self, url: str, node: str, topic: str = "ketnoi:hub") -> None:
        self._redis = aioredis.Redis.from_url(url)
        self._node = node
        self._topic = topic
        self._outbox: deque[str] = deque()
        self._wake = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._closing = False

    async def start(self, on_frame: OnFrame, on_connected: Callable[[], None]) -> None:
        """Subscribe (waiting until Redis answers once) and start the writer."""
        pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
        await pubsub.subscribe(self._topic)
        self._tasks = [
            asyncio.create_task(self._read(pubsub, on_frame, on_connected)),
            asyncio.create_task(self._write()),
        ]
        on_connected()

    def send(self, kind: str, channel: str, seq: int | None, payload: str) -> None:
        """Queue a frame; the writer task publishes it."""
        self._outbox.append(
            SEP.join((self._node, kind, channel, "" if seq is None else str(seq), payload))
        )
        self._wake.set()

    async def close(self) -> None:
        """Stop, then publish what is still queued (briefly)."""
        self._closing = True
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, RedisError):
                await task
        if self._outbox:
            with contextlib.suppress(TimeoutError, RedisError):
                await asyncio.wait_for(self._publish(list(self._outbox)), timeout=2)
        await self._redis.aclose()

    async def _write(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            while self._outbox:
                batch = [self._outbox.popleft() for _ in range(min(len(self._outbox), 500))]
                try:
                    await self._publish(batch)
                except RedisError as exc:
                    # Live delivery to other processes is lost for these frames; chat stays in
                    # the database and clients there catch up when they resume.
                    log.warning("redis publish failed (%s frames): %s", len(batch), exc)
                    await asyncio.sleep(0.5)

    async def _publish(self, batch: list[str]) -> None:
        async with self._redis.pipeline(transaction=False) as pipe:
            for item in batch:
                pipe.publish(self._topic, item)
            await pipe.execute()

    async def _read(
        self,
        pubsub: aioredis.client.PubSub,
        on_frame: OnFrame,
        on_connected: Callable[[], None],
    ) -> None:
        while not self._closing:
            try:
                async for message in pubsub.listen():
                    if message.get("type") != "message":
                        continue
                    self._dispatch(message["data"], on_frame)
            except RedisError as exc:
                log.warning("redis subscription lost: %s; reconnecting", exc)
                await asyncio.sleep(1)
                try:
                    pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
                    await pubsub.subscribe(self._topic)
                    on_connected()
                except RedisError:
                    continue

    def _dispatch(self, data: bytes | str, on_frame: OnFrame) -> None:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
        parts = text.split(SEP, 4)
        if len(parts) != 5 or parts[0] == self._node:
            return
        node, kind, channel, seq, payload = parts
        try:
            on_frame(node, kind, channel, int(seq) if seq else None, payload)
        except Exception:
            log.exception("hub frame from %s failed", node)
