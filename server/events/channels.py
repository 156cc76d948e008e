"""The names of an event's own channels: the event's, and each attendance point's."""

from __future__ import annotations

from server.realtime.channels import channel_name

EVENT = "event"
POINT = "point"


def event_channel(event_id: int) -> str:
    """Everyone taking part in the event: banner, polls, presence."""
    return channel_name(EVENT, event_id)


def point_channel(point_id: int) -> str:
    """One attendance point's PCs, and the organisers watching it."""
    return channel_name(POINT, point_id)
