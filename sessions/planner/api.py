"""JSON API: the multi-site planner of an event's day (organisers)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from server.deps import DbSession, MaybePrincipal
from server.i18n import get_locale
from server.rules import in_zone, pick, zone_label
from sessions.agenda.access import organised_event
from sessions.agenda.rules import clock_text
from sessions.planner.rules import Choice
from sessions.planner.service import Plan, PlannedTalk, plan_day

router = APIRouter(prefix="/api", tags=["planner"])


class PointTimeOut(BaseModel):
    """A talk in one point's local time."""

    point_id: int
    local_start: dt.datetime = Field(description="The talk's start in the point's zone")
    off_hours: bool = Field(description="True when the talk falls outside the point's working day")


class PlannedTalkOut(BaseModel):
    """A talk of the day and where it falls for every point."""

    id: int
    title: str
    start: dt.datetime = Field(description="In the event's zone")
    end: dt.datetime = Field(description="In the event's zone")
    points: list[PointTimeOut]


class ChoiceOut(BaseModel):
    """A candidate start and how many points it keeps inside working hours."""

    start: dt.datetime = Field(description="In the event's zone")
    inside: int
    inside_abroad: int
    left_out: list[int] = Field(description="Ids of the points outside working hours")


class PlannerPointOut(BaseModel):
    """An attendance point and its zone."""

    id: int
    name: str
    country: str
    timezone: str
    zone_label: str = Field(description="'GMT+9, Tokyo', read on the planned day")
    abroad: bool


class WorkingHoursOut(BaseModel):
    """The points' local working day, 'HH:MM' (weekends are off)."""

    start: str
    end: str


class PlanOut(BaseModel):
    """One local day of the event: its talks at every point and the best starts for a talk."""

    date: dt.date
    duration: int = Field(description="Minutes of the talk being placed")
    timezone: str = Field(description="The event's zone")
    working_hours: WorkingHoursOut
    talks: list[PlannedTalkOut]
    best: list[ChoiceOut] = Field(description="Best starts, most points inside first")
    points: list[PlannerPointOut]


def _talk_out(planned: PlannedTalk, event_zone: str) -> PlannedTalkOut:
    talk = planned.talk
    return PlannedTalkOut(
        id=talk.id or 0,
        title=pick(get_locale(), talk.title_vi, talk.title_en),
        start=in_zone(talk.starts_at, event_zone),
        end=in_zone(talk.ends_at, event_zone),
        points=[
            PointTimeOut(point_id=t.point_id, local_start=t.local_start, off_hours=t.off_hours)
            for t in planned.times
        ],
    )


def _choice_out(choice: Choice, zone: str) -> ChoiceOut:
    return ChoiceOut(
        start=in_zone(choice.start, zone),
        inside=choice.inside,
        inside_abroad=choice.inside_abroad,
        left_out=list(choice.left_out),
    )


def plan_out(plan: Plan) -> PlanOut:
    """A planned day as the API shows it."""
    event = plan.event
    return PlanOut(
        date=plan.day,
        duration=plan.duration,
        timezone=event.timezone,
        working_hours=WorkingHoursOut(
            start=clock_text(event.work_day_start), end=clock_text(event.work_day_end)
        ),
        talks=[_talk_out(t, event.timezone) for t in plan.talks],
        best=[_choice_out(c, event.timezone) for c in plan.best],
        points=[
            PlannerPointOut(
                id=p.id or 0,
                name=p.name,
                country=p.country,
                timezone=p.timezone,
                zone_label=zone_label(plan.noon, p.timezone, get_locale()),
                abroad=pp.abroad,
            )
            for p, pp in zip(plan.points, plan.planner_points, strict=True)
        ],
    )


Day = Annotated[
    dt.date | None,
    Query(alias="date", description="A local date of the event (default: its first day)"),
]
Duration = Annotated[int, Query(ge=5, le=720, description="Minutes of the talk to place")]


@router.get("/events/{slug}/planner")
async def get_planner(
    slug: str, db: DbSession, principal: MaybePrincipal, day: Day = None, duration: Duration = 30
) -> PlanOut:
    """The multi-site planner (organisers): each talk of the day in every point's local time,
    flagged off hours outside the event's working day, and the best starts for a new talk."""
    event = await organised_event(db, principal, slug)
    return plan_out(await plan_day(db, event, day, duration))
