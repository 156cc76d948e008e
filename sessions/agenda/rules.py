"""Talk times in a zone, and which talk is on now."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol, TypeVar

from server.rules import format_datetime, format_time, zone_label


def talk_times(starts_at: datetime, ends_at: datetime, zone: str) -> dict[str, str]:
    """Display strings for a talk in a zone, always with the zone's label."""
    return {
        "start": format_time(starts_at, zone),
        "end": format_time(ends_at, zone),
        "zone": zone_label(starts_at, zone),
        "start_full": format_datetime(starts_at, zone),
    }


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
