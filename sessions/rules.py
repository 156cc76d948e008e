"""Pure rules of the sessions domain: join links, agenda display. No I/O."""

from __future__ import annotations

import secrets
from datetime import datetime

from server.rules import derive_token, format_datetime, format_time, token_hash, zone_label

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


def talk_times(starts_at: datetime, ends_at: datetime, zone: str) -> dict[str, str]:
    """Display strings for a talk in a zone, always with the zone's label."""
    return {
        "start": format_time(starts_at, zone),
        "end": format_time(ends_at, zone),
        "zone": zone_label(starts_at, zone),
        "start_full": format_datetime(starts_at, zone),
    }


def pick(locale: str, vi: str, en: str) -> str:
    """The text in the reader's language, falling back to Vietnamese."""
    return en if locale == "en" and en else vi
