"""Durable chat on the hub: numbered messages, resume, history, moderation, direct messages."""

from __future__ import annotations

import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated, Any

from limits import RateLimitItemPerMinute
from limits.aio.strategies import MovingWindowRateLimiter
from pydantic import Field, StringConstraints
from sqlalchemy import delete, or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.auth import Principal, limiter_storage
from server.db import utcnow
from server.errors import AppError, Forbidden, NotFound, TooMany
from server.hub import Access, Call, Hub, HubRequest, Subscribe, iso
from server.i18n import N_
from server.models import Account, ChatChannel, ChatMessage, ChatMute, Membership
from server.presence import Member

MEMBER_KEY = re.compile(r"^[ap]:[0-9]{1,12}$")
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


def message_view(message: ChatMessage) -> dict[str, Any]:
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


async def channel_state(db: AsyncSession, channel: str) -> ChatChannel:
    """The channel's counter row, created with a fresh epoch on first use."""
    state = await db.get(ChatChannel, channel)
    if state is not None:
        return state
    try:
        async with db.begin_nested():
            state = ChatChannel(channel=channel, epoch=secrets.token_urlsafe(6))
            db.add(state)
    except IntegrityError:
        # Created by a concurrent request: use theirs.
        state = await db.get(ChatChannel, channel, populate_existing=True)
    assert state is not None
    return state


async def find_message(
    db: AsyncSession, channel: str, sender_key: str, client_id: str
) -> ChatMessage | None:
    """A message already posted with this client id."""
    rows = await db.exec(
        select(ChatMessage).where(
            ChatMessage.channel == channel,
            ChatMessage.sender_key == sender_key,
            ChatMessage.client_id == client_id,
        )
    )
    return rows.first()


async def post_message(
    db: AsyncSession, channel: str, member: Member, client_id: str, body: str
) -> tuple[ChatMessage, bool]:
    """Store a message with the channel's next number; (message, False), or the earlier one."""
    earlier = await find_message(db, channel, member.key, client_id)
    if earlier is not None:
        return earlier, True
    await channel_state(db, channel)
    try:
        async with db.begin_nested():
            result = await db.exec(
                update(ChatChannel)
                .where(col(ChatChannel.channel) == channel)
                .values(last_seq=col(ChatChannel.last_seq) + 1)
                .returning(col(ChatChannel.last_seq))
            )
            seq = int(result.scalar_one())
            message = ChatMessage(
                channel=channel,
                seq=seq,
                sender_key=member.key,
                author_account_id=member.id if member.kind == "account" else None,
                author_point_id=member.id if member.kind == "point" else None,
                author_name=member.name,
                body=body,
                client_id=client_id,
            )
            db.add(message)
    except IntegrityError:
        # The same client id raced in on another connection: that one is the message.
        earlier = await find_message(db, channel, member.key, client_id)
        if earlier is None:
            raise
        return earlier, True
    return message, False


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
    """Chat handlers with their rate limiter."""

    hub: Hub
    limiter: MovingWindowRateLimiter
    per_minute: RateLimitItemPerMinute

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
        earlier = await find_message(call.db, request.channel, member.key, request.client_id)
        if earlier is not None:
            return {"seq": earlier.seq, "message_id": earlier.id, "duplicate": True}
        if access.mute_scope and await is_muted(call.db, access.mute_scope, member.key):
            raise Forbidden("muted", N_("A moderator has muted you here."))
        if not await self.limiter.hit(self.per_minute, "chat", member.key):
            raise TooMany(
                "chat_rate_limited",
                N_("You are sending messages too fast (at most %(limit)s a minute)."),
                limit=call.settings.chat_messages_per_minute,
            )
        message, duplicate = await post_message(
            call.db, request.channel, member, request.client_id, body
        )
        if not duplicate:
            call.publish(request.channel, "chat.message", message_view(message), seq=message.seq)
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
        return {"member": request.member, "until": iso(until) if until else None}

    async def unmute(self, call: Call, request: ChatUnmute) -> dict[str, Any]:
        """Lift a mute."""
        access = await self._moderator(call, request.channel)
        if access.mute_scope is not None:
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
    chat = Chat(
        hub=hub,
        limiter=MovingWindowRateLimiter(limiter_storage(settings)),
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
