"""Chat messages written before they are acknowledged, numbered per channel."""

from __future__ import annotations

import asyncio
import contextlib
import re
import secrets
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from sqlalchemy import create_engine, event

from server.db import sqlite_pragmas, sync_url, utcnow
from server.realtime.presence import Member
from server.settings import Settings


def new_epoch() -> str:
    """A fresh history epoch for a chat channel."""
    return secrets.token_urlsafe(6)


class MessageRow(Protocol):
    """What a stored message offers to `message_view`."""

    id: int | None
    seq: int
    sender_key: str
    author_name: str
    body: str
    client_id: str
    created_at: datetime
    hidden_at: datetime | None


@dataclass(slots=True)
class StoredMessage:
    """A message as the store wrote (or found) it."""

    id: int | None
    seq: int
    sender_key: str
    author_name: str
    body: str
    client_id: str
    created_at: datetime
    hidden_at: datetime | None = None


# Plain SQL that SQLite (3.35+) and PostgreSQL both take; ":name" parameters.
_SQL_NEXT_SEQ = (
    "UPDATE chat_channel SET last_seq = last_seq + 1 WHERE channel = :channel RETURNING last_seq"
)


_SQL_NEW_CHANNEL = (
    "INSERT INTO chat_channel (channel, epoch, last_seq, created_at) "
    "VALUES (:channel, :epoch, 0, :created_at) ON CONFLICT (channel) DO NOTHING"
)


# A resend (same sender and client id) inserts nothing and returns no id.
_SQL_INSERT = (
    "INSERT INTO chat_message (channel, seq, sender_key, author_account_id, author_point_id, "
    "author_name, body, client_id, created_at) VALUES (:channel, :seq, :sender_key, "
    ":author_account_id, :author_point_id, :author_name, :body, :client_id, :created_at) "
    "ON CONFLICT (channel, sender_key, client_id) DO NOTHING RETURNING id"
)


_SQL_FIND = (
    "SELECT id, seq, author_name, body, created_at, hidden_at FROM chat_message "
    "WHERE channel = :channel AND sender_key = :sender_key AND client_id = :client_id"
)


class ChatStore:
    """Stores chat messages on one thread of its own, through the database driver directly.

    Through the ORM and the async driver a message cost a dozen thread hand-offs and several
    milliseconds of CPU; here it is one hand-off and three plain statements. One writer per
    process also means this process's messages never wait on each other's locks, and they are
    committed in number order.
    """

    def __init__(self, settings: Settings) -> None:
        self._sqlite = settings.is_sqlite
        self._engine = create_engine(sync_url(settings.database_url))
        if self._sqlite:
            event.listen(self._engine, "connect", sqlite_pragmas(settings.sqlite_busy_timeout_ms))
        style = (lambda sql: sql) if self._sqlite else _pyformat
        self._next_seq_sql = style(_SQL_NEXT_SEQ)
        self._new_channel_sql = style(_SQL_NEW_CHANNEL)
        self._insert_sql = style(_SQL_INSERT)
        self._find_sql = style(_SQL_FIND)
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ketnoi-chat")
        # Opened on the writer thread and kept for its life.
        self._raw: Any = None

    async def post(
        self, channel: str, member: Member, client_id: str, body: str
    ) -> tuple[StoredMessage, bool]:
        """Store a message with the channel's next number: (message, False), or (earlier, True)."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(
            self._executor, self._post, channel, member, client_id, body
        )

    def close(self) -> None:
        """Finish what is queued and close the connection."""
        self._executor.submit(self._close_connection).result()
        self._executor.shutdown(wait=True)
        self._engine.dispose()

    def _close_connection(self) -> None:
        if self._raw is not None:
            self._raw.close()
            self._raw = None

    def _time(self, moment: datetime) -> Any:
        # As the UTC column type stores it: naive UTC (SQLite keeps SQLAlchemy's text form).
        naive = moment.astimezone(UTC).replace(tzinfo=None)
        return naive.strftime("%Y-%m-%d %H:%M:%S.%f") if self._sqlite else naive

    @staticmethod
    def _read_time(value: Any) -> datetime | None:
        if value is None:
            return None
        moment = datetime.fromisoformat(value) if isinstance(value, str) else value
        return moment.replace(tzinfo=UTC)

    def _post(
        self, channel: str, member: Member, client_id: str, body: str
    ) -> tuple[StoredMessage, bool]:
        if self._raw is None:
            self._raw = self._engine.raw_connection()
        raw = self._raw
        now = utcnow()
        try:
            cursor = raw.cursor()
            seq = self._next_seq(cursor, channel, now)
            cursor.execute(
                self._insert_sql,
                {
                    "channel": channel,
                    "seq": seq,
                    "sender_key": member.key,
                    "author_account_id": member.id if member.kind == "account" else None,
                    "author_point_id": member.id if member.kind == "point" else None,
                    "author_name": member.name,
                    "body": body,
                    "client_id": client_id,
                    "created_at": self._time(now),
                },
            )
            inserted = cursor.fetchone()
            if inserted is not None:
                raw.commit()
                message = StoredMessage(
                    inserted[0], seq, member.key, member.name, body, client_id, now
                )
                return message, False
            # A resend: give back the number taken and answer with the first message.
            raw.rollback()
            cursor.execute(
                self._find_sql,
                {"channel": channel, "sender_key": member.key, "client_id": client_id},
            )
            row = cursor.fetchone()
            raw.rollback()
            if row is None:
                raise RuntimeError("a chat message conflicted but cannot be found")
            created = self._read_time(row[4])
            assert created is not None
            earlier = StoredMessage(
                row[0],
                row[1],
                member.key,
                row[2],
                row[3],
                client_id,
                created,
                self._read_time(row[5]),
            )
            return earlier, True
        except BaseException:
            with contextlib.suppress(Exception):
                raw.rollback()
            # A broken connection is not reused.
            self._close_connection()
            raise

    def _next_seq(self, cursor: Any, channel: str, now: datetime) -> int:
        for _ in range(2):
            cursor.execute(self._next_seq_sql, {"channel": channel})
            row = cursor.fetchone()
            if row is not None:
                return int(row[0])
            cursor.execute(
                self._new_channel_sql,
                {
                    "channel": channel,
                    "epoch": new_epoch(),
                    "created_at": self._time(now),
                },
            )
        raise RuntimeError(f"chat channel {channel} could not be created")


def _pyformat(sql: str) -> str:
    """`:name` parameters as psycopg writes them (`%(name)s`)."""
    return re.sub(r":([a-z_]+)", r"%(\1)s", sql)
