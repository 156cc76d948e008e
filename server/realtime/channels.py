"""Channels: their names, and the registry of kinds the domains fill at start-up.

A channel is `kind:id` (`event:3`, `talk:12`). The core owns no kind but its own (`event`,
`point`, `account`, `dm`); each domain registers the kinds it needs with who may follow them
and what they carry (durable chat, a live media room), and names its channels through the one
function of its kind, never by formatting strings in place.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sqlmodel.ext.asyncio.session import AsyncSession

from server.identity.auth import Principal

# No run of ten digits: every numeric id fits the database's integer (see MAX_ROW_ID).
CHANNEL_RE = re.compile(r"^([a-z]{2,12}):(?![0-9a-z-]*[0-9]{10})([0-9a-z-]{1,40})$")
KIND_RE = re.compile(r"^[a-z]{2,12}$")


@dataclass(frozen=True)
class Access:
    """What a principal may do in one channel."""

    can_post: bool = False
    can_moderate: bool = False
    event_id: int | None = None
    # Mutes apply across this scope (an event's talks, or one booth).
    mute_scope: str | None = None


Authoriser = Callable[[AsyncSession, Principal, str], Awaitable[Access | None]]


def channel_name(kind: str, ident: int | str) -> str:
    """The channel of one thing: `kind:id`."""
    return f"{kind}:{ident}"


def split_channel(channel: str) -> tuple[str, str] | None:
    """A channel's kind and id, or None when it is not a channel name."""
    match = CHANNEL_RE.match(channel)
    return (match.group(1), match.group(2)) if match else None


@dataclass(frozen=True)
class ChannelKind:
    """A kind of channel as a domain registered it."""

    name: str
    authorise: Authoriser
    # Durable chat is kept for channels of this kind (resume on subscribe).
    chat: bool = False
    # A media room of the same name exists; the hub tells its channel `<kind>.live`.
    live: bool = False


class ChannelKinds:
    """Every registered kind, looked up by a channel's name."""

    def __init__(self) -> None:
        self._kinds: dict[str, ChannelKind] = {}

    def register(self, kind: ChannelKind) -> None:
        """Add a kind; a name registered twice is a start-up error."""
        if not KIND_RE.match(kind.name):
            raise ValueError(f"bad channel kind {kind.name!r}")
        if kind.name in self._kinds:
            raise ValueError(f"channel kind {kind.name!r} registered twice")
        self._kinds[kind.name] = kind

    def of(self, channel: str) -> ChannelKind | None:
        """The kind of a channel, when it is one that is registered."""
        parts = split_channel(channel)
        return self._kinds.get(parts[0]) if parts else None

    def has_chat(self, channel: str) -> bool:
        """Whether the channel keeps durable chat."""
        kind = self.of(channel)
        return kind is not None and kind.chat

    def live(self) -> list[str]:
        """The kinds whose channels have a media room."""
        return [name for name, kind in self._kinds.items() if kind.live]
