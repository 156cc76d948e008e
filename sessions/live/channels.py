"""The name of a talk's channel (and of its media room): chat, questions, the floor."""

from __future__ import annotations

from server.realtime.channels import channel_name, split_channel

TALK = "talk"


def talk_channel(talk_id: int) -> str:
    """A talk's channel."""
    return channel_name(TALK, talk_id)


def talk_of(channel: str) -> int | None:
    """The talk a channel (or media room) belongs to, or None for another kind."""
    parts = split_channel(channel)
    return int(parts[1]) if parts and parts[0] == TALK and parts[1].isdigit() else None
