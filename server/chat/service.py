"""Chat's reads and rules over the database: history, hidden messages, mutes, direct messages."""

from __future__ import annotations

import unicodedata
from typing import Any

from sqlalchemy import or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.chat.models import ChatChannel, ChatMessage, ChatMute
from server.chat.store import MessageRow, new_epoch
from server.db import utcnow
from server.events.models import Membership
from server.realtime.framing import iso
from server.rules import is_blank


def clean_body(body: str) -> str:
    """Chat text as stored: NFC, without control characters but newlines and tabs, trimmed;
    empty when nothing visible is left (spaces, zero-width and format characters only)."""
    text = unicodedata.normalize("NFC", body)
    text = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) != "Cc").strip()
    return "" if is_blank(text) else text


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
