"""Pure rules of live talks: poll counting and ballot checks; the slots of a talk's room
(hall, floor, interpretations), what a viewer hears, and what a recording's name says."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from server.media.protocol import Feed, RoomPolicy
from server.media.rules import parse_recording_file


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


def audio_slots(language: str | None) -> list[str]:
    """The audio a viewer wants, best first: its interpretation, then the hall."""
    if language and LANGUAGE_RE.match(language):
        return [LANGUAGE_PREFIX + language, HALL]
    return [HALL]


def recordings_name(talk_id: int) -> str:
    """The folder of a talk's recordings, in the data folder's `recordings`."""
    return f"talk-{int(talk_id)}"


def recordings_folder(data_dir: Path, talk_id: int) -> Path:
    """Where a talk's recordings are kept, in the data folder."""
    return data_dir / "recordings" / recordings_name(talk_id)


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


@dataclass(frozen=True)
class RecordingName:
    """What a recording's file name tells: when it began and whose feed it holds."""

    started: datetime
    slot: str
    point_id: int | None = None
    language: str | None = None


def parse_recording_name(name: str) -> RecordingName | None:
    """A talk's recording's file name read back, or None for any other name."""
    found = parse_recording_file(name)
    if found is None:
        return None
    started, tag = found
    if tag == "hall":
        return RecordingName(started, HALL)
    kind, _, rest = tag.partition("-")
    if kind == "floor" and rest[:1] == "p" and rest[1:].isdigit() and len(rest) <= 13:
        return RecordingName(started, FLOOR, point_id=int(rest[1:]))
    if kind == "lang" and LANGUAGE_RE.match(rest):
        return RecordingName(started, LANGUAGE_PREFIX + rest, language=rest)
    return None


def talk_feed(
    room: str, talk_id: int, slot: str, label: str, *, max_publishers: int, recorded: bool
) -> Feed:
    """A publisher of a talk's room: its slot (hall, floor, an interpretation), recorded under
    the talk's folder when talks are recorded; an interpretation is heard, not seen."""
    return Feed(
        room=room,
        policy=RoomPolicy(
            max_publishers=max_publishers, recordings=recordings_name(talk_id) if recorded else None
        ),
        slot=slot,
        label=label,
        video=not slot.startswith(LANGUAGE_PREFIX),
        record_as=recording_tag(slot, label),
    )
