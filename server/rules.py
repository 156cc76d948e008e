"""Pure rules of the core: emails, tokens, passwords, time zones. No I/O."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import unicodedata
from datetime import datetime
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from babel.dates import get_timezone_location

# 32 random bytes: far above the 128 bits a guessable link must have.
TOKEN_BYTES = 32


def normalise_text(value: str) -> str:
    """NFC, trimmed: how every name and text is stored."""
    return unicodedata.normalize("NFC", value).strip()


# The largest row id: PostgreSQL's INTEGER. An id past it names no row (and is refused as
# such) rather than reaching the database.
MAX_ROW_ID = 2**31 - 1
# Control characters text may hold: tab, newline, carriage return. Every other C0 or C1
# control (NUL, BEL, ESC...) and every lone surrogate is refused wherever text comes in.
ALLOWED_CONTROLS = frozenset("\t\n\r")
# What a message made only of is empty: controls, format characters (zero-width space, joiners,
# bidi marks) and spaces.
BLANK_CATEGORIES = frozenset({"Cc", "Cf", "Zs", "Zl", "Zp"})


def unusable_character(text: str) -> str | None:
    """The first character no text may hold (`U+0000`), or None."""
    for ch in text:
        if ch in ALLOWED_CONTROLS:
            continue
        if unicodedata.category(ch) in ("Cc", "Cs"):
            return f"U+{ord(ch):04X}"
    return None


def unusable_in(value: object) -> str | None:
    """The first unusable character in any string of a parsed JSON value (keys included)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            found = unusable_character(item)
            if found:
                return found
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return None


def is_blank(text: str) -> bool:
    """Whether a text shows nothing: only spaces, controls and invisible format characters."""
    return all(unicodedata.category(ch) in BLANK_CATEGORIES for ch in text)


def email_key(email: str) -> str:
    """The spelling that decides uniqueness: NFC, then case-folded."""
    return unicodedata.normalize("NFC", email).strip().casefold()


def new_token() -> str:
    """A random URL-safe token."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    """What is stored in place of a token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def derive_token(secret_key: str, purpose: str, nonce: str) -> str:
    """A token only the holder of the secret key can compute from a stored nonce."""
    mac = hmac.new(secret_key.encode("utf-8"), f"{purpose}:{nonce}".encode(), hashlib.sha256)
    return mac.hexdigest()


def password_text(password: str) -> str:
    """A password as it is hashed and compared: NFC, spaces kept (RFC 8265's OpaqueString), so
    "cà rốt" typed on a keyboard that sends decomposed letters is the same password."""
    return unicodedata.normalize("NFC", password)


def check_password_policy(password: str, *, min_length: int, max_length: int) -> str | None:
    """Why a password is refused, or None when it is acceptable."""
    password = password_text(password)
    if len(password) < min_length:
        return "too_short"
    if len(password) > max_length:
        return "too_long"
    if password.strip() == "" or len(set(password)) < 4:
        return "too_simple"
    return None


def is_timezone(name: str) -> bool:
    """True for a known IANA zone name such as Asia/Ho_Chi_Minh."""
    if not name or name != name.strip() or name not in _zones():
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


@cache
def _zones() -> frozenset[str]:
    return frozenset(available_timezones())


@cache
def zone_info(name: str) -> ZoneInfo:
    """The zone of this name, loaded once: `ZoneInfo` keeps only its last eight zones strongly,
    and the ~40 zones of an event's points would be read from disk again on every page."""
    return ZoneInfo(name)


def in_zone(moment: datetime, zone: str) -> datetime:
    """An aware UTC moment as wall time in `zone`."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime")
    return moment.astimezone(zone_info(zone))


# Vietnam's time is known by its capital, whatever the zone database names it after.
ZONE_CITIES = {
    "Asia/Ho_Chi_Minh": {"vi": "Hà Nội", "en": "Hanoi"},
    "Asia/Saigon": {"vi": "Hà Nội", "en": "Hanoi"},
}


@cache
def zone_city(zone: str, locale: str) -> str:
    """The city people name a zone by, in the reader's language ('Tokyo', 'Hà Nội')."""
    known = ZONE_CITIES.get(zone)
    if known:
        return known.get(locale, known["en"])
    try:
        return str(get_timezone_location(zone, locale=locale, return_city=True))
    except (LookupError, ValueError):
        return zone.rsplit("/", 1)[-1].replace("_", " ")


def gmt_offset(moment: datetime, zone: str) -> str:
    """The zone's offset at that moment as people write it: 'GMT+7', 'GMT+5:45', 'GMT-8'."""
    offset = in_zone(moment, zone).utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset else 0
    if minutes == 0:
        return "GMT"
    sign = "+" if minutes > 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"GMT{sign}{hours}" + (f":{rest:02d}" if rest else "")


def zone_label(moment: datetime, zone: str, locale: str = "vi") -> str:
    """The label shown beside every time: 'GMT+9, Tokyo', 'GMT+7, Hà Nội'."""
    if zone in ("UTC", "Etc/UTC"):
        return "UTC"
    return f"{gmt_offset(moment, zone)}, {zone_city(zone, locale)}"


def format_time(moment: datetime, zone: str) -> str:
    """'HH:MM' wall time in the zone."""
    return in_zone(moment, zone).strftime("%H:%M")


def pick(locale: str, vi: str, en: str) -> str:
    """The text in the reader's language, falling back to Vietnamese."""
    return en if locale == "en" and en else vi


def format_datetime(moment: datetime, zone: str, locale: str = "vi") -> str:
    """'DD/MM/YYYY HH:MM (GMT+7, Hà Nội)': date, time and zone together."""
    local = in_zone(moment, zone)
    return f"{local.strftime('%d/%m/%Y %H:%M')} ({zone_label(moment, zone, locale)})"
