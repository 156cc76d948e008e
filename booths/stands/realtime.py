"""Booth channels on the hub."""

from __future__ import annotations

from booths.stands.access import authorise_booth
from booths.stands.channels import BOOTH
from server.realtime.hub import Hub


def install(hub: Hub) -> None:
    """Register the booth channel."""
    hub.register_channel(BOOTH, authorise_booth, chat=True, live=True)
