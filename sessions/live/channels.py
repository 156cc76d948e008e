"""The name of a talk's channel (and of its media room): chat, questions, the floor."""

from __future__ import annotations

from server.realtime.channels import channel_name

TALK = "talk"


def talk_channel(talk_id: int) -> str:
    """A talk's channel."""
    return channel_name(TALK, talk_id)
