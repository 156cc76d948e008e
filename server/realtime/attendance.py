"""Attendance: every stretch of time a member is connected to an event, stored off the hot path."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.db import utcnow
from server.realtime.hub import Hub
from server.realtime.models import PresenceInterval
from server.realtime.presence import Member

log = logging.getLogger("ketnoi.hub")
# Open intervals of this process get their seen_at refreshed this often.
SEEN_EVERY_SECONDS = 30.0


class AttendanceRecorder:
    """Turns this process's joins and leaves of `event:` channels into stored intervals."""

    def __init__(self, hub: Hub, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self.hub = hub
        self.sessionmaker = sessionmaker
        self._queue: deque[tuple[int, Member, bool, datetime]] = deque()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        hub.on_presence(self._on_presence)

    def _on_presence(self, channel: str, member: Member, joined: bool) -> None:
        kind, _, ident = channel.partition(":")
        if kind == "event" and ident.isdigit():
            self._queue.append((int(ident), member, joined, utcnow()))
            self._wake.set()

    async def start(self) -> None:
        """Start writing in the background."""
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        """Write what is queued and close this process's open intervals."""
        self._stopping = True
        self._wake.set()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self.flush()
        async with self.sessionmaker() as db:
            now = utcnow()
            await db.exec(
                update(PresenceInterval)
                .where(
                    col(PresenceInterval.node) == self.hub.node,
                    col(PresenceInterval.left_at).is_(None),
                )
                .values(left_at=now, seen_at=now)
            )
            await db.commit()

    async def _run(self) -> None:
        while not self._stopping:
            # asyncio.timeout, not wait_for: on Python 3.11 wait_for can swallow a cancellation
            # that arrives as the wake-up does, and stop() would then wait for ever.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(SEEN_EVERY_SECONDS):
                    await self._wake.wait()
            self._wake.clear()
            try:
                await self.flush()
                await self._touch()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("storing attendance failed; will retry")
                await asyncio.sleep(1)

    async def flush(self) -> None:
        """Store the queued joins and leaves in one transaction."""
        if not self._queue:
            return
        batch = list(self._queue)
        async with self.sessionmaker() as db:
            for event_id, member, joined, at in batch:
                if joined:
                    db.add(
                        PresenceInterval(
                            event_id=event_id,
                            member_key=member.key,
                            account_id=member.id if member.kind == "account" else None,
                            point_id=member.id if member.kind == "point" else None,
                            node=self.hub.node,
                            joined_at=at,
                            seen_at=at,
                        )
                    )
                    await db.flush()
                else:
                    await db.exec(
                        update(PresenceInterval)
                        .where(
                            col(PresenceInterval.node) == self.hub.node,
                            col(PresenceInterval.event_id) == event_id,
                            col(PresenceInterval.member_key) == member.key,
                            col(PresenceInterval.left_at).is_(None),
                        )
                        .values(left_at=at, seen_at=at)
                    )
            await db.commit()
        for _ in batch:
            self._queue.popleft()

    async def _touch(self) -> None:
        async with self.sessionmaker() as db:
            await db.exec(
                update(PresenceInterval)
                .where(
                    col(PresenceInterval.node) == self.hub.node,
                    col(PresenceInterval.left_at).is_(None),
                )
                .values(seen_at=utcnow())
            )
            await db.commit()


async def list_intervals(db: AsyncSession, event_id: int) -> list[PresenceInterval]:
    """An event's attendance intervals, oldest first."""
    rows = await db.exec(
        select(PresenceInterval)
        .where(PresenceInterval.event_id == event_id)
        .order_by(col(PresenceInterval.joined_at), col(PresenceInterval.id))
    )
    return list(rows.all())
