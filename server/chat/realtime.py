"""Chat on the hub: sending, history, moderation, direct messages."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Annotated, Any

from limits import RateLimitItemPerMinute
from limits.aio.strategies import SlidingWindowCounterRateLimiter
from pydantic import Field, StringConstraints
from sqlalchemy import delete
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.chat.channels import ACCOUNT, DM, account_channel, dm_channel, dm_partner
from server.chat.models import ChatMessage, ChatMute
from server.chat.service import (
    channel_state,
    clean_body,
    history,
    message_view,
    muted_keys,
    recently_hidden,
    replay,
    share_an_event,
)
from server.chat.store import ChatStore
from server.db import utcnow
from server.errors import AppError, Forbidden, NotFound, TooMany
from server.events.rules import MEMBER_KEY_RE
from server.i18n import N_
from server.identity.auth import Principal, limiter_storage
from server.identity.models import Account
from server.realtime.call import Call
from server.realtime.channels import Access
from server.realtime.framing import iso
from server.realtime.hub import Hub
from server.realtime.messages import HubRequest, Subscribe
from server.rules import MAX_ROW_ID

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
    before: int | None = Field(default=None, ge=1, le=MAX_ROW_ID)
    limit: int = Field(default=50, ge=1, le=200)


class ChatHide(HubRequest):
    """Hide one message for everyone (moderators)."""

    channel: Channel
    seq: int = Field(ge=1, le=MAX_ROW_ID)


class ChatMuteRequest(HubRequest):
    """Stop a member posting in the channel's scope (moderators)."""

    channel: Channel
    member: Annotated[str, StringConstraints(pattern=MEMBER_KEY_RE.pattern)]
    minutes: int | None = Field(default=None, ge=1, le=60 * 24 * 30)


class ChatUnmute(HubRequest):
    """Let a muted member post again (moderators)."""

    channel: Channel
    member: Annotated[str, StringConstraints(pattern=MEMBER_KEY_RE.pattern)]


class DmOpen(HubRequest):
    """The direct-message channel with another account."""

    account: int = Field(ge=1, le=MAX_ROW_ID)


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
            call.publish(request.channel, "chat.message", message_view(message), message.seq)
            other = dm_partner(request.channel, member.id) if member.kind == "account" else None
            if other is not None:
                call.publish(
                    account_channel(other),
                    "dm.notify",
                    {"dm": request.channel, "from": member.as_dict()},
                )
            # The store committed the message in its own transaction: publish now, not after
            # this request's (empty) one, since the writer finishes messages in number order
            # and this process then delivers them in that order too.
            call.committed()
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
        if not self.hub.kinds.has_chat(channel):
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
    hub.register_channel(ACCOUNT, authorise_account)
    hub.register_channel(DM, authorise_dm, chat=True)
    hub.register("chat.send", ChatSend, chat.send)
    hub.register("chat.history", ChatHistory, chat.history)
    hub.register("chat.hide", ChatHide, chat.hide)
    hub.register("chat.mute", ChatMuteRequest, chat.mute)
    hub.register("chat.unmute", ChatUnmute, chat.unmute)
    hub.register("dm.open", DmOpen, chat.dm_open)
    hub.on_subscribe(chat.on_subscribe)
