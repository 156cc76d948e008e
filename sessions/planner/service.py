"""The planner's day: every talk in each point's local time, and the starts that suit most."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession

from server.errors import FieldError
from server.events.models import AttendancePoint, Event
from server.events.rules import is_international
from server.i18n import N_
from sessions.agenda.models import Talk, TalkStatus
from sessions.agenda.service import list_talks
from sessions.planner.rules import (
    Choice,
    PlannerPoint,
    PointTime,
    WorkingHours,
    best_starts,
    point_times,
)
from sessions.points.service import list_points

DAY_MINUTES = 24 * 60
BEST_LIMIT = 10


@dataclass(frozen=True)
class PlannedTalk:
    """A talk of the day and where it falls for every point."""

    talk: Talk
    times: list[PointTime]


@dataclass(frozen=True)
class Plan:
    """One local day of an event as the planner shows it."""

    event: Event
    day: date
    first_day: date
    last_day: date
    duration: int
    hours: WorkingHours
    points: list[AttendancePoint]
    planner_points: list[PlannerPoint]
    talks: list[PlannedTalk]
    best: list[Choice]

    @property
    def noon(self) -> datetime:
        """Midday of the planned day in the event's zone: the moment zone labels are read at."""
        return datetime.combine(self.day, time(12, 0), tzinfo=ZoneInfo(self.event.timezone))


def _wall_time(minutes: int) -> time:
    # 24:00 has no `time`; the last instant of the day keeps a talk ending at midnight outside.
    return time.max if minutes >= DAY_MINUTES else time(minutes // 60, minutes % 60)


def working_hours(event: Event) -> WorkingHours:
    """The event's working day for its points (weekends off)."""
    return WorkingHours(_wall_time(event.work_day_start), _wall_time(event.work_day_end))


def event_days(event: Event) -> tuple[date, date]:
    """The first and last local dates of the event in its zone."""
    zone = ZoneInfo(event.timezone)
    first = event.starts_at.astimezone(zone).date()
    # An event ending at local midnight does not reach into the next date.
    last = (event.ends_at - timedelta(microseconds=1)).astimezone(zone).date()
    return first, max(first, last)


def _check_day(day: date, first: date, last: date) -> None:
    if not first <= day <= last:
        raise FieldError(
            "date_outside_event",
            N_("Choose a date within the event, from %(first)s to %(last)s."),
            "date",
            first=first.isoformat(),
            last=last.isoformat(),
        )


def planner_point(point: AttendancePoint) -> PlannerPoint:
    """A stored point as the planner's rules see it."""
    assert point.id is not None
    return PlannerPoint(point.id, point.timezone, abroad=is_international(point.country))


def _talks_of_day(talks: list[Talk], day: date, zone: str) -> list[Talk]:
    tz = ZoneInfo(zone)
    return [
        t
        for t in talks
        if t.status != TalkStatus.cancelled and t.starts_at.astimezone(tz).date() == day
    ]


async def plan_day(db: AsyncSession, event: Event, day: date | None, duration: int) -> Plan:
    """The event's local `day` (default: its first) for a talk of `duration` minutes."""
    assert event.id is not None
    first, last = event_days(event)
    chosen = day or first
    _check_day(chosen, first, last)
    hours = working_hours(event)
    points = [p for p in await list_points(db, event.id) if not p.revoked]
    planner_points = [planner_point(p) for p in points]
    talks = _talks_of_day(await list_talks(db, event.id), chosen, event.timezone)
    planned = [
        PlannedTalk(t, point_times(t.starts_at, t.ends_at, planner_points, hours)) for t in talks
    ]
    # With no points every start ties at zero: no ranking to offer.
    best = (
        best_starts(
            chosen,
            event.timezone,
            timedelta(minutes=duration),
            planner_points,
            hours,
            limit=BEST_LIMIT,
            within=(event.starts_at, event.ends_at),
        )
        if planner_points
        else []
    )
    return Plan(
        event=event,
        day=chosen,
        first_day=first,
        last_day=last,
        duration=duration,
        hours=hours,
        points=points,
        planner_points=planner_points,
        talks=planned,
        best=best,
    )
