"""The names of chat's own channels: an account's private one, and a direct conversation."""

from __future__ import annotations

from server.realtime.channels import channel_name

ACCOUNT = "account"
DM = "dm"


def account_channel(account_id: int) -> str:
    """Private to one account: notices of new direct messages."""
    return channel_name(ACCOUNT, account_id)


def dm_channel(first: int, second: int) -> str:
    """The one channel two accounts write to each other in."""
    low, high = sorted((first, second))
    return channel_name(DM, f"{low}-{high}")


def dm_partner(channel: str, me: int) -> int | None:
    """The other account of a direct conversation, or None when it is not one of mine."""
    kind, _, ident = channel.partition(":")
    low, _, high = ident.partition("-")
    if kind != DM or not (low.isdigit() and high.isdigit()) or me not in (int(low), int(high)):
        return None
    return int(high) if me == int(low) else int(low)
