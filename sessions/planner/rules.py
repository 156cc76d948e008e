"""Where a talk falls in each attendance point's working day, and the starts that suit most points."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from server.rules import zone_info

SATURDAY = 5


@dataclass(frozen=True)
class WorkingHours:
    """The local hours a point attends: a talk starts at or after `start` and ends by `end`."""

    start: time = time(7, 0)
    end: time = time(21, 0)
    weekends_off: bool = True

    def __post_init__(self) -> None:
        if self.start >= self.end:
            raise ValueError("working hours must start before they end")


@dataclass(frozen=True)
class PlannerPoint:
    """An attendance point (a room) and the zone its clocks keep."""

    id: int
    zone: str
    abroad: bool


@dataclass(frozen=True)
class PointTime:
    """A talk in one point's local time."""

    point_id: int
    local_start: datetime
    local_end: datetime
    off_hours: bool


@dataclass(frozen=True)
class Choice:
    """One candidate start and the points it keeps inside working hours."""

    start: datetime
    inside: int
    inside_abroad: int
    left_out: tuple[int, ...]


def _require_aware(*moments: datetime) -> None:
    for moment in moments:
        if moment.utcoffset() is None:
            raise ValueError("datetimes must carry a zone")


def _require_positive(duration: timedelta) -> None:
    if duration <= timedelta(0):
        raise ValueError("a talk must last longer than zero")


def is_within_hours(local_start: datetime, local_end: datetime, hours: WorkingHours) -> bool:
    """True when a talk lies inside one local working day."""
    _require_aware(local_start, local_end)
    # Same-zone datetimes compare by wall time, which is wrong across a fall-back hour.
    _require_positive(local_end.astimezone(UTC) - local_start.astimezone(UTC))
    if hours.weekends_off and local_start.weekday() >= SATURDAY:
        return False
    # Ending at 24:00 is the next local date, so it counts as crossing midnight.
    if local_end.date() != local_start.date():
        return False
    return local_start.time() >= hours.start and local_end.time() <= hours.end


def point_times(
    starts_at: datetime,
    ends_at: datetime,
    points: Sequence[PlannerPoint],
    hours: WorkingHours,
) -> list[PointTime]:
    """Where a talk falls for every point."""
    _require_aware(starts_at, ends_at)
    _require_positive(ends_at - starts_at)
    found = []
    for point in points:
        zone = zone_info(point.zone)
        local_start = starts_at.astimezone(zone)
        local_end = ends_at.astimezone(zone)
        off = not is_within_hours(local_start, local_end, hours)
        found.append(PointTime(point.id, local_start, local_end, off))
    return found


def _local_midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=zone).astimezone(UTC)


def candidate_starts(day: date, zone: str, step_minutes: int = 15) -> list[datetime]:
    """Every start (aware UTC) of the local `day` in `zone`, `step_minutes` apart."""
    if step_minutes < 5 or 60 % step_minutes != 0:
        raise ValueError("the step must divide an hour and be at least 5 minutes")
    tz = zone_info(zone)
    # Walking in UTC gives a DST day its real length (92 or 100 quarter hours).
    moment = _local_midnight(day, tz)
    stop = _local_midnight(day + timedelta(days=1), tz)
    step = timedelta(minutes=step_minutes)
    starts = []
    while moment < stop:
        starts.append(moment)
        moment += step
    return starts


def _by_zone(points: Sequence[PlannerPoint]) -> dict[str, list[PlannerPoint]]:
    groups: dict[str, list[PlannerPoint]] = {}
    for point in points:
        groups.setdefault(point.zone, []).append(point)
    return groups


def _choice(
    start: datetime,
    duration: timedelta,
    groups: dict[str, list[PlannerPoint]],
    hours: WorkingHours,
) -> Choice:
    end = start + duration
    inside = inside_abroad = 0
    left_out: list[int] = []
    for zone, members in groups.items():
        tz = zone_info(zone)
        if is_within_hours(start.astimezone(tz), end.astimezone(tz), hours):
            inside += len(members)
            inside_abroad += sum(1 for p in members if p.abroad)
        else:
            left_out.extend(p.id for p in members)
    return Choice(start, inside, inside_abroad, tuple(sorted(left_out)))


def best_starts(
    day: date,
    zone: str,
    duration: timedelta,
    points: Sequence[PlannerPoint],
    hours: WorkingHours,
    *,
    limit: int = 10,
    step_minutes: int = 15,
    within: tuple[datetime, datetime] | None = None,
) -> list[Choice]:
    """The `limit` best starts on the local `day` in `zone`, most points inside first; only
    starts whose whole talk lies `within` (the event's opening hours) when given."""
    _require_positive(duration)
    if limit < 1:
        raise ValueError("limit must be at least 1")
    # ~150 points share ~40 zones: each zone is worked out once per start.
    groups = _by_zone(points)
    starts = candidate_starts(day, zone, step_minutes)
    if within is not None:
        opens, closes = within
        starts = [s for s in starts if opens <= s and s + duration <= closes]
    choices = [_choice(s, duration, groups, hours) for s in starts]
    choices.sort(key=lambda c: (-c.inside, -c.inside_abroad, c.start))
    return choices[:limit]


def zone_groups(
    points: Sequence[PlannerPoint], at: datetime
) -> list[tuple[str, list[PlannerPoint]]]:
    """Points by zone: abroad zones first, then east to west by offset at `at`, then name."""
    _require_aware(at)
    groups = _by_zone(points)

    def order(zone: str) -> tuple[bool, timedelta, str]:
        # A zone counts as abroad when any of its points is.
        abroad = any(p.abroad for p in groups[zone])
        offset = at.astimezone(zone_info(zone)).utcoffset() or timedelta(0)
        return (not abroad, -offset, zone)

    return [(zone, groups[zone]) for zone in sorted(groups, key=order)]
