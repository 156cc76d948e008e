"""Pure rules of the sessions domain: join links, agenda display. No I/O."""

from __future__ import annotations

import csv
import io
import re
import secrets
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol, TypeVar

from server.rules import derive_token, format_datetime, format_time, in_zone, token_hash, zone_label

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


# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: str) -> str:
    """A cell a spreadsheet shows as text: a leading = + - @ tab or CR gets a single quote."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def csv_text(rows: Iterable[Sequence[str]]) -> str:
    """RFC 4180 CSV of text cells, each one guarded against formula injection."""
    out = io.StringIO()
    writer = csv.writer(out)
    for row in rows:
        writer.writerow([csv_safe(cell) for cell in row])
    return out.getvalue()


def csv_time(moment: datetime | None, zone: str) -> str:
    """'YYYY-MM-DD HH:MM' wall time in the zone, '' for no time (the zone is in the header)."""
    return in_zone(moment, zone).strftime("%Y-%m-%d %H:%M") if moment is not None else ""


def country_code(value: str) -> str | None:
    """Two ASCII letters, upper-cased; None for anything else."""
    code = value.strip()
    if len(code) == 2 and code.isascii() and code.isalpha():
        return code.upper()
    return None


def sort_key(text: str) -> str:
    """An accent-blind key so 'Việt Nam' sorts among the V's, not after 'Zimbabwe'."""
    bare = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in bare if not unicodedata.combining(ch)).casefold()


def filename_part(value: str) -> str:
    """Only letters, digits, dot, dash and underscore: safe inside a quoted filename."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", value) or "event"


class Scheduled(Protocol):
    """What choosing the current talk needs to know of a talk."""

    @property
    def status(self) -> str: ...

    @property
    def starts_at(self) -> datetime: ...

    @property
    def ends_at(self) -> datetime: ...


TalkT = TypeVar("TalkT", bound=Scheduled)


def pick_current_talk(talks: Sequence[TalkT], now: datetime) -> TalkT | None:
    """The live talk, else the one running now, else the next, else the first; None for none."""
    if not talks:
        return None
    for talk in talks:
        if talk.status == "live":
            return talk
    usable = [t for t in talks if t.status not in ("cancelled", "ended")]
    for talk in usable:
        if talk.starts_at <= now < talk.ends_at:
            return talk
    upcoming = [t for t in usable if t.starts_at > now]
    if upcoming:
        return min(upcoming, key=lambda t: t.starts_at)
    return talks[0]


def member_key(account_id: int | None, point_id: int | None) -> str:
    """How the realtime hub names a member: 'p:<point id>' for a room's PC, else 'a:<account id>'."""
    if point_id is not None:
        return f"p:{point_id}"
    if account_id is None:
        raise ValueError("a member is an account or an attendance point")
    return f"a:{account_id}"


def poll_counts(option_count: int, ballots: list[list[int]]) -> list[int]:
    """Votes per option; choices outside the options are ignored."""
    counts = [0] * option_count
    for choices in ballots:
        for index in set(choices):
            if 0 <= index < option_count:
                counts[index] += 1
    return counts


def check_poll_choices(choices: list[int], option_count: int, multiple: bool) -> str | None:
    """Why a ballot is invalid (a code), or None when it is fine."""
    if not choices:
        return "poll_no_choice"
    if len(set(choices)) != len(choices) or any(not 0 <= c < option_count for c in choices):
        return "poll_bad_choice"
    if not multiple and len(choices) != 1:
        return "poll_single_choice"
    return None


# Slots of a live room: the hall feed, the speaker who has the floor, interpretation audio.
HALL = "hall"
FLOOR = "floor"
LANGUAGE_PREFIX = "lang:"
LANGUAGE_RE = re.compile(r"^[a-z]{2,3}$")
# A booth call: each person publishes in a slot of their own.
CALL_PREFIX = "call:"
SLOT_RE = re.compile(r"^(hall|floor|lang:[a-z]{2,3}|call:[ap]\d{1,12})$")


def audio_slots(language: str | None) -> list[str]:
    """The audio a viewer wants, best first: its interpretation, then the hall."""
    if language and LANGUAGE_RE.match(language):
        return [LANGUAGE_PREFIX + language, HALL]
    return [HALL]


def recordings_folder(data_dir: Path, talk_id: int) -> Path:
    """Where a talk's recordings are kept, in the data folder."""
    return data_dir / "recordings" / f"talk-{int(talk_id)}"


RECORDING_NAME = re.compile(
    r"^(?P<start>\d{8}T\d{6}Z)"
    r"(?:-(?:(?P<hall>hall)|floor-p(?P<point>\d{1,12})|lang-(?P<language>[a-z]{2,3})))?"
    r"(?:-(?P<copy>[2-9]|[1-9]\d{1,2}))?\.mkv$"
)


def recording_tag(slot: str, label: str) -> str | None:
    """What a recording's file name says of its publisher, or None for a slot not recorded.

    The hall gives `hall`, the point that has the floor `floor-p12` (its label is `p:12`), an
    interpretation `lang-en`; booth calls are not recorded.
    """
    if slot == HALL:
        return "hall"
    if slot == FLOOR:
        kind, _, point = label.partition(":")
        return f"floor-p{point}" if kind == "p" and point.isdigit() else None
    if slot.startswith(LANGUAGE_PREFIX) and LANGUAGE_RE.match(slot[len(LANGUAGE_PREFIX) :]):
        return "lang-" + slot[len(LANGUAGE_PREFIX) :]
    return None


def recording_name(moment: str, tag: str, copy: int = 1) -> str:
    """A recording's file name: when it began (UTC), whose it is, and a copy number after 1."""
    return f"{moment}-{tag}{f'-{copy}' if copy > 1 else ''}.mkv"


def recording_copy(name: str, copy: int) -> str:
    """Another copy's name for a recording's file name (`name` must be one)."""
    match = RECORDING_NAME.fullmatch(name)
    if match is None:
        raise ValueError(f"not a recording's name: {name!r}")
    stem = name[: match.start("copy") - 1] if match["copy"] else name[: -len(".mkv")]
    return f"{stem}-{copy}.mkv" if copy > 1 else f"{stem}.mkv"


@dataclass(frozen=True)
class RecordingName:
    """What a recording's file name tells: when it began and whose feed it holds."""

    started: datetime
    slot: str
    point_id: int | None = None
    language: str | None = None


def parse_recording_name(name: str) -> RecordingName | None:
    """A recording's file name read back, or None for any other name."""
    match = RECORDING_NAME.fullmatch(name)
    if match is None:
        return None
    try:
        started = datetime.strptime(match["start"], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    except ValueError:
        return None
    if match["point"]:
        return RecordingName(started, FLOOR, point_id=int(match["point"]))
    if match["language"]:
        return RecordingName(
            started, LANGUAGE_PREFIX + match["language"], language=match["language"]
        )
    return RecordingName(started, HALL)
