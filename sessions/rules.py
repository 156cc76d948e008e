"""RULESDOC"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

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
