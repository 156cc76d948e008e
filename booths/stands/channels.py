"""The name of a booth's channel (and of its call's media room)."""

from __future__ import annotations

from server.realtime.channels import channel_name

BOOTH = "booth"


def booth_channel(booth_id: int) -> str:
    """A booth's channel: its chat, and its video call."""
    return channel_name(BOOTH, booth_id)
