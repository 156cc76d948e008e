"""Attendance points' join links."""

from __future__ import annotations

import secrets

from server.rules import derive_token, token_hash

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
