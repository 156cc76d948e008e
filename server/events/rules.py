"""How the platform names a member: an account or an attendance point (`a:57`, `p:31`)."""

from __future__ import annotations

import re

MEMBER_KEY_RE = re.compile(r"^[ap]:[0-9]{1,12}$")


def account_key(account_id: int) -> str:
    """The member key of a person signed in with an account."""
    return f"a:{account_id}"


def point_key(point_id: int) -> str:
    """The member key of an attendance point's PC."""
    return f"p:{point_id}"


def member_key(account_id: int | None, point_id: int | None) -> str:
    """A member's key: 'p:<point id>' for a room's PC, else 'a:<account id>'."""
    if point_id is not None:
        return point_key(point_id)
    if account_id is None:
        raise ValueError("a member is an account or an attendance point")
    return account_key(account_id)
