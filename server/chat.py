"""Durable chat on the hub: numbered messages, resume, history, moderation, direct messages."""

from __future__ import annotations

import asyncio
import contextlib
import re
import secrets
import time
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Protocol

from limits import RateLimitItemPerMinute
from limits.aio.strategies import SlidingWindowCounterRateLimiter
from pydantic import Field, StringConstraints
from sqlalchemy import create_engine, delete, event, or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.auth import Principal, limiter_storage
from server.db import sqlite_pragmas, sync_url, utcnow
from server.errors import AppError, Forbidden, NotFound, TooMany
from server.hub import Access, Call, Hub, HubRequest, Subscribe, iso
from server.i18n import N_
from server.models import Account, ChatChannel, ChatMessage, ChatMute, Membership
from server.presence import Member
from server.settings import Settings

MEMBER_KEY = re.compile(r"^[ap]:[0-9]{1,12}$")
MUTE_CACHE_SECONDS = 2.0
# On resume, hides among this many messages before `since` are sent again.
HIDDEN_LOOKBACK = 200
ClientId = Annotated[str, StringConstraints(min_length=1, max_length=64)]
Channel = Annotated[str, StringConstraints(max_length=60)]


class ChatSend(HubRequest):
    """Post a message."""

    channel: Channel
    client_id: ClientId
    # The frame limit bounds it; the configured length is checked with a translated message.
    body: str


class ChatHistory(HubRequest):
    """A page of history, newest first, before `before`."""

    channel: Channel
    before: int | None = Field(default=None, ge=1)
    limit: int = Field(default=50, ge=1, le=200)


class ChatHide(HubRequest):
    """Hide one message for everyone (moderators)."""

    channel: Channel
    seq: int = Field(ge=1)


class ChatMuteRequest(HubRequest):
    """Stop a member posting in the channel's scope (moderators)."""

    channel: Channel
    member: Annotated[str, StringConstraints(pattern=MEMBER_KEY.pattern)]
    minutes: int | None = Field(default=None, ge=1, le=60 * 24 * 30)


class ChatUnmute(HubRequest):
    """Let a muted member post again (moderators)."""

    channel: Channel
    member: Annotated[str, StringConstraints(pattern=MEMBER_KEY.pattern)]


class DmOpen(HubRequest):
    """The direct-message channel with another account."""

    account: int = Field(ge=1)


def clean_body(body: str) -> str:
    """Chat text as stored: NFC, without surrounding blanks or control characters but newlines."""
    text = unicodedata.normalize("NFC", body).strip()
    return "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) != "Cc")


def message_view(message: MessageRow) -> dict[str, Any]:
    """A message as clients get it; a hidden one keeps only its number."""
    if message.hidden_at is not None:
        return {"seq": message.seq, "hidden": True}
    kind, _, ident = message.sender_key.partition(":")
    return {
        "seq": message.seq,
        "id": message.id,
        "client_id": message.client_id,
        "author": {
            "key": message.sender_key,
            "kind": "account" if kind == "a" else "point",
            "id": int(ident),
            "name": message.author_name,
        },
        "body": message.body,
        "at": iso(message.created_at),
    }


def new_epoch() -> str:
    """A fresh history epoch for a chat channel."""
    return secrets.token_urlsafe(6)


async def channel_state(db: AsyncSession, channel: str) -> ChatChannel:
    """The channel's counter row, created with a fresh epoch on first use."""
    state = await db.get(ChatChannel, channel)
    if state is not None:
        return state
    try:
        async with db.begin_nested():
            state = ChatChannel(channel=channel, epoch=new_epoch())
            db.add(state)
    except IntegrityError:
        # Created by a concurrent request: use theirs.
        state = await db.get(ChatChannel, channel, populate_existing=True)
    assert state is not None
    return state


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


async def replay(db: AsyncSession, channel: str, since: int, limit: int) -> list[ChatMessage]:
    """Messages after `since`, oldest first, at most `limit`."""
    rows = await db.exec(
        select(ChatMessage)
        .where(ChatMessage.channel == channel, ChatMessage.seq > since)
        .order_by(col(ChatMessage.seq))
        .limit(limit)
    )
    return list(rows.all())


async def history(
    db: AsyncSession, channel: str, before: int | None, limit: int
) -> tuple[list[ChatMessage], bool]:
    """A page of messages before `before` (or the newest), oldest first; and whether more exist."""
    query = select(ChatMessage).where(ChatMessage.channel == channel)
    if before is not None:
        query = query.where(ChatMessage.seq < before)
    rows = list((await db.exec(query.order_by(col(ChatMessage.seq).desc()).limit(limit + 1))).all())
    more = len(rows) > limit
    return list(reversed(rows[:limit])), more


async def recently_hidden(db: AsyncSession, channel: str, upto: int, lookback: int) -> list[int]:
    """Numbers of hidden messages among the last `lookback` up to `upto`."""
    rows = await db.exec(
        select(ChatMessage.seq).where(
            ChatMessage.channel == channel,
            ChatMessage.seq <= upto,
            ChatMessage.seq > upto - lookback,
            col(ChatMessage.hidden_at).is_not(None),
        )
    )
    return sorted(rows.all())


async def muted_keys(db: AsyncSession, scope: str) -> list[str]:
    """Members muted in a scope now."""
    rows = await db.exec(
        select(ChatMute.member_key).where(
            ChatMute.scope == scope,
            or_(col(ChatMute.until).is_(None), col(ChatMute.until) > utcnow()),
        )
    )
    return list(rows.all())


async def is_muted(db: AsyncSession, scope: str, member_key: str) -> bool:
    """True while a mute holds for the member in this scope."""
    rows = await db.exec(
        select(ChatMute.id).where(
            ChatMute.scope == scope,
            ChatMute.member_key == member_key,
            or_(col(ChatMute.until).is_(None), col(ChatMute.until) > utcnow()),
        )
    )
    return rows.first() is not None


async def share_an_event(db: AsyncSession, first: int, second: int) -> bool:
    """True when two accounts are members of one event."""
    mine = select(Membership.event_id).where(Membership.account_id == first)
    rows = await db.exec(
        select(Membership.id).where(
            Membership.account_id == second, col(Membership.event_id).in_(mine)
        )
    )
    return rows.first() is not None


def dm_channel(first: int, second: int) -> str:
    """The one channel two accounts write to each other in."""
    low, high = sorted((first, second))
    return f"dm:{low}-{high}"


async def authorise_account(db: AsyncSession, principal: Principal, ident: str) -> Access | None:
    """`account:<id>` is private to that account."""
    del db
    account = principal.account
    if account is not None and ident.isdigit() and account.id == int(ident):
        return Access()
    return None


async def authorise_dm(db: AsyncSession, principal: Principal, ident: str) -> Access | None:
    """`dm:<a>-<b>`: the two accounts, while they share an event."""
    account = principal.account
    low, _, high = ident.partition("-")
    if account is None or account.id is None or not (low.isdigit() and high.isdigit()):
        return None
    a, b = int(low), int(high)
    if a >= b or account.id not in (a, b):
        return None
    other = b if account.id == a else a
    if not await share_an_event(db, account.id, other):
        return None
    return Access(can_post=True)


@dataclass
class Chat:
    """Chat handlers with their rate limiter and a short-lived cache of mutes."""

    hub: Hub
    store: ChatStore
    limiter: SlidingWindowCounterRateLimiter
    per_minute: RateLimitItemPerMinute
    # scope -> (valid until, muted member keys); other processes' mutes show within this time.
    mutes: dict[str, tuple[float, frozenset[str]]] = field(default_factory=dict)

    async def muted(self, db: AsyncSession, scope: str, member_key: str) -> bool:
        """True while a mute holds (read at most every MUTE_CACHE_SECONDS per scope)."""
        now = time.monotonic()
        cached = self.mutes.get(scope)
        if cached is None or cached[0] <= now:
            keys = frozenset(await muted_keys(db, scope))
            cached = (now + MUTE_CACHE_SECONDS, keys)
            self.mutes[scope] = cached
        return member_key in cached[1]

    async def send(self, call: Call, request: ChatSend) -> dict[str, Any]:
        """Store, then publish after commit; a resend answers with the first number."""
        access = await call.access(request.channel)
        if not access.can_post:
            raise Forbidden("chat_forbidden", N_("You may not write in this channel."))
        body = clean_body(request.body)
        if not body:
            raise AppError("chat_empty", N_("The message is empty."))
        limit = call.settings.chat_max_length
        if len(body) > limit:
            raise AppError(
                "chat_too_long",
                N_("The message is longer than %(limit)s characters."),
                limit=limit,
            )
        member = call.member
        if access.mute_scope and await self.muted(call.db, access.mute_scope, member.key):
            raise Forbidden("muted", N_("A moderator has muted you here."))
        if not await self.limiter.hit(self.per_minute, "chat", member.key):
            raise TooMany(
                "chat_rate_limited",
                N_("You are sending messages too fast (at most %(limit)s a minute)."),
                limit=call.settings.chat_messages_per_minute,
            )
        message, duplicate = await self.store.post(request.channel, member, request.client_id, body)
        if not duplicate:
            # Stored and committed by the store already. Published at once, not after this
            # request's own (empty) transaction: the writer thread finishes messages in number
            # order, so this process delivers them in order too.
            self.hub.publish(request.channel, "chat.message", message_view(message), message.seq)
            if request.channel.startswith("dm:"):
                low, _, high = request.channel[3:].partition("-")
                other = int(high) if member.id == int(low) else int(low)
                call.publish(
                    f"account:{other}",
                    "dm.notify",
                    {"dm": request.channel, "from": member.as_dict()},
                )
        return {"seq": message.seq, "message_id": message.id, "duplicate": duplicate}

    async def history(self, call: Call, request: ChatHistory) -> dict[str, Any]:
        """A page backwards."""
        await call.access(request.channel)
        state = await channel_state(call.db, request.channel)
        rows, more = await history(call.db, request.channel, request.before, request.limit)
        return {
            "channel": request.channel,
            "messages": [message_view(m) for m in rows],
            "epoch": state.epoch,
            "last_seq": state.last_seq,
            "more": more,
        }

    async def on_subscribe(self, call: Call, channel: str, request: Subscribe) -> dict[str, Any]:
        """Resume: the epoch and last number, and the missed messages after the answer."""
        if not channel.startswith(("talk:", "booth:", "dm:")):
            return {}
        state = await channel_state(call.db, channel)
        result: dict[str, Any] = {"epoch": state.epoch, "last_seq": state.last_seq}
        since = request.since
        if since is None:
            return result
        missed = state.last_seq - since
        if request.epoch != state.epoch or missed < 0 or missed > call.settings.hub_replay_max:
            result["reset"] = True
            return result
        result["reset"] = False
        rows = await replay(call.db, channel, since, call.settings.hub_replay_max)
        frames = [{"type": "chat.message", "channel": channel, **message_view(m)} for m in rows]
        # Messages the client already has that were hidden while it was away.
        hidden = await recently_hidden(call.db, channel, since, HIDDEN_LOOKBACK)
        if hidden:
            frames.append({"type": "chat.hidden", "channel": channel, "seqs": hidden})
        conn = call.conn

        def write_replay() -> None:
            for frame in frames:
                conn.send_json(frame)

        call.after_reply.append(write_replay)
        result["_since"] = since
        result["_replayed"] = {m.seq for m in rows}
        return result

    async def hide(self, call: Call, request: ChatHide) -> dict[str, Any]:
        """Hide a message for everyone."""
        await self._moderator(call, request.channel)
        rows = await call.db.exec(
            select(ChatMessage).where(
                ChatMessage.channel == request.channel, ChatMessage.seq == request.seq
            )
        )
        message = rows.first()
        if message is None:
            raise NotFound("message_not_found", N_("No such message."))
        if message.hidden_at is None:
            message.hidden_at = utcnow()
            message.hidden_by_id = call.principal.account.id if call.principal.account else None
            call.db.add(message)
            call.publish(request.channel, "chat.hidden", {"seqs": [message.seq]})
        return {"channel": request.channel, "seq": request.seq}

    async def mute(self, call: Call, request: ChatMuteRequest) -> dict[str, Any]:
        """Mute a member across the channel's scope."""
        access = await self._moderator(call, request.channel)
        if request.member == call.member.key:
            raise AppError("mute_self", N_("You cannot mute yourself."))
        scope = access.mute_scope
        if scope is None:
            raise AppError("mute_unavailable", N_("Nobody can be muted in this channel."))
        until = utcnow() + timedelta(minutes=request.minutes) if request.minutes else None
        await call.db.exec(
            delete(ChatMute).where(
                col(ChatMute.scope) == scope, col(ChatMute.member_key) == request.member
            )
        )
        call.db.add(
            ChatMute(
                scope=scope,
                member_key=request.member,
                until=until,
                created_by_id=call.principal.account.id if call.principal.account else None,
            )
        )
        self.mutes.pop(scope, None)
        return {"member": request.member, "until": iso(until) if until else None}

    async def unmute(self, call: Call, request: ChatUnmute) -> dict[str, Any]:
        """Lift a mute."""
        access = await self._moderator(call, request.channel)
        if access.mute_scope is not None:
            self.mutes.pop(access.mute_scope, None)
            await call.db.exec(
                delete(ChatMute).where(
                    col(ChatMute.scope) == access.mute_scope,
                    col(ChatMute.member_key) == request.member,
                )
            )
        return {"member": request.member}

    async def dm_open(self, call: Call, request: DmOpen) -> dict[str, Any]:
        """The channel for a direct conversation with another account of a shared event."""
        me = call.principal.account
        if me is None or me.id is None:
            raise Forbidden("accounts_only", N_("Direct messages need a personal account."))
        other = await call.db.get(Account, request.account)
        if (
            other is None
            or not other.is_active
            or other.id == me.id
            or not await share_an_event(call.db, me.id, request.account)
        ):
            raise NotFound("account_not_found", N_("No such person at your events."))
        return {"channel": dm_channel(me.id, request.account)}

    async def _moderator(self, call: Call, channel: str) -> Access:
        access = await call.access(channel)
        if not access.can_moderate:
            raise Forbidden("not_moderator", N_("Only moderators may do this."))
        return access


def install(hub: Hub) -> None:
    """Chat, direct messages and the private account channel."""
    settings = hub.settings
    store = ChatStore(settings)
    hub.on_stop(store.close)
    chat = Chat(
        hub=hub,
        store=store,
        # A sliding-window counter: two counters per sender. The moving window keeps a list
        # per sender, and its in-memory store sweeps every list on a thread after each hit.
        limiter=SlidingWindowCounterRateLimiter(limiter_storage(settings)),
        per_minute=RateLimitItemPerMinute(settings.chat_messages_per_minute),
    )
    hub.register_channel("account", authorise_account)
    hub.register_channel("dm", authorise_dm)
    hub.register("chat.send", ChatSend, chat.send)
    hub.register("chat.history", ChatHistory, chat.history)
    hub.register("chat.hide", ChatHide, chat.hide)
    hub.register("chat.mute", ChatMuteRequest, chat.mute)
    hub.register("chat.unmute", ChatUnmute, chat.unmute)
    hub.register("dm.open", DmOpen, chat.dm_open)
    hub.on_subscribe(chat.on_subscribe)
