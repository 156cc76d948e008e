"""How the platform names a member (`a:57` for an account, `p:31` for an attendance point),
and the join link that signs a point's PC in."""

from __future__ import annotations

import re
import secrets

from server.rules import derive_token, token_hash

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


def point_of(key: str) -> int | None:
    """The attendance point a member key names (`p:31`), or None for any other key."""
    return int(key[2:]) if MEMBER_KEY_RE.match(key) and key[0] == "p" else None


JOIN_PURPOSE = "join-link"


def new_join_nonce() -> str:
    """A fresh random nonce (128 bits) for an attendance point's join link."""
    return secrets.token_hex(16)


def join_token(secret_key: str, nonce: str) -> str:
    """The join token for a nonce: 256 bits only the secret key's holder can compute."""
    return derive_token(secret_key, JOIN_PURPOSE, nonce)


def join_token_hash(secret_key: str, nonce: str) -> str:
    """What the database keeps of a join token."""
    return token_hash(join_token(secret_key, nonce))


def join_url(base_url: str, token: str) -> str:
    """The link an organiser sends to a point's room PC."""
    return f"{base_url.rstrip('/')}/join/{token}"


def is_international(country: str) -> bool:
    """Points abroad (trade offices) versus points at home."""
    return country.upper() != "VN"
