"""Pages: the organisers' multi-site planner of a day."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from server.deps import DbSession, MaybePrincipal
from server.i18n import get_locale
from server.rules import format_time, pick, zone_label
from server.templating import render
from sessions.agenda.access import organised_event
from sessions.agenda.rules import clock_text
from sessions.planner.rules import Choice, PointTime, zone_groups
from sessions.planner.service import Plan, plan_day
from sessions.views import event_view

router = APIRouter(include_in_schema=False)

# Beyond this many names, a list of points (left out, or in one zone) folds into a <details>.
NAMES_SHOWN = 5
MINUS = "\N{MINUS SIGN}"


def _shift_text(shift: int) -> str:
    if shift == 0:
        return ""
    return f"(+{shift})" if shift > 0 else f"({MINUS}{-shift})"


def _cell(time: PointTime, day: dt.date) -> dict[str, Any]:
    shift = (time.local_start.date() - day).days
    return {
        "time": time.local_start.strftime("%H:%M"),
        "shift": shift,
        "shift_text": _shift_text(shift),
        "off": time.off_hours,
    }


def _rows(plan: Plan) -> list[dict[str, Any]]:
    names = {p.id: p.name for p in plan.points}
    by_talk = [{t.point_id: t for t in planned.times} for planned in plan.talks]
    locale = get_locale()
    rows = []
    for zone, members in zone_groups(plan.planner_points, plan.noon):
        first = members[0].id
        rows.append(
            {
                "zone": zone,
                "label": zone_label(plan.noon, zone, locale),
                "abroad": any(m.abroad for m in members),
                "points": [names[m.id] for m in members],
                "collapsed": len(members) > NAMES_SHOWN,
                "cells": [_cell(times[first], plan.day) for times in by_talk],
            }
        )
    return rows


def _best(plan: Plan, choice: Choice) -> dict[str, Any]:
    names = {p.id: p.name for p in plan.points}
    zone = plan.event.timezone
    left_out = [names[i] for i in choice.left_out]
    return {
        "start": format_time(choice.start, zone),
        "label": zone_label(choice.start, zone, get_locale()),
        "inside": choice.inside,
        "inside_abroad": choice.inside_abroad,
        "left_out": left_out,
        "collapsed": len(left_out) > NAMES_SHOWN,
    }


def planner_context(plan: Plan) -> dict[str, Any]:
    """What the planner page shows: the form, the best starts and the grid, as display text."""
    event = plan.event
    zone = event.timezone
    locale = get_locale()
    return {
        "event": event_view(event),
        "form": {
            "date": plan.day.isoformat(),
            "min": plan.first_day.isoformat(),
            "max": plan.last_day.isoformat(),
            "duration": plan.duration,
        },
        "zone_label": zone_label(plan.noon, zone, locale),
        "hours": f"{clock_text(event.work_day_start)}–{clock_text(event.work_day_end)}",
        "point_count": len(plan.planner_points),
        "abroad_count": sum(1 for p in plan.planner_points if p.abroad),
        "best": [_best(plan, c) for c in plan.best],
        "talks": [
            {
                "id": t.talk.id,
                "title": pick(locale, t.talk.title_vi, t.talk.title_en),
                "time": f"{format_time(t.talk.starts_at, zone)}–{format_time(t.talk.ends_at, zone)}",
            }
            for t in plan.talks
        ],
        "rows": _rows(plan),
    }


Day = Annotated[dt.date | None, Query(alias="date")]
Duration = Annotated[int, Query(ge=5, le=720)]


@router.get("/e/{slug}/organiser/planner")
async def organiser_planner(
    request: Request,
    slug: str,
    db: DbSession,
    principal: MaybePrincipal,
    day: Day = None,
    duration: Duration = 30,
) -> Response:
    """Each talk of the day at every point's local time, and the best starts (organisers)."""
    event = await organised_event(db, principal, slug)
    plan = await plan_day(db, event, day, duration)
    return render(request, "organiser_planner.html", planner_context(plan))
