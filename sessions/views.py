"""What the domain's pages show of an event, its agenda and its live widgets."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from babel.dates import format_date
from fastapi import Request

from server.db import utcnow
from server.events.models import Event
from server.events.rules import member_key
from server.i18n import N_, TZ_COOKIE, ZONE_CHOICES, get_locale, gettext
from server.identity.auth import Principal
from server.rules import format_datetime, in_zone, is_timezone, pick, zone_label
from server.settings import Settings
from server.templating import live_labels
from sessions.agenda.models import Talk, TalkDocument, TalkStatus
from sessions.agenda.rules import group_by_day, speaker_line, starts_in, talk_times

STATUS_LABELS = {
    TalkStatus.scheduled: N_("scheduled"),
    TalkStatus.live: N_("on air"),
    TalkStatus.ended: N_("ended"),
    TalkStatus.cancelled: N_("cancelled"),
}


def event_view(event: Event) -> dict[str, Any]:
    locale = get_locale()
    return {
        "id": event.id,
        "slug": event.slug,
        "title": pick(locale, event.title_vi, event.title_en),
        "summary": pick(locale, event.summary_vi, event.summary_en),
        "kind": gettext("Conference") if event.kind == "conference" else gettext("Product week"),
        "venue": pick(locale, event.venue, event.venue_en),
        "starts": format_datetime(event.starts_at, event.timezone, locale),
        "ends": format_datetime(event.ends_at, event.timezone, locale),
        "zone": event.timezone,
    }


COMMON_ZONES = (
    "Asia/Ho_Chi_Minh",
    "Asia/Tokyo",
    "Asia/Seoul",
    "Asia/Shanghai",
    "Asia/Singapore",
    "Asia/Kathmandu",
    "Asia/Dubai",
    "Asia/Riyadh",
    "Europe/Moscow",
    "Europe/Berlin",
    "Europe/Paris",
    "Europe/London",
    "America/New_York",
    "America/Los_Angeles",
    "Australia/Sydney",
    "Pacific/Auckland",
)


def reading_zone(request: Request, event_zone: str, own_zone: str | None) -> tuple[str, str]:
    """The zone a page shows times in, and which choice that is: the reader's own (an
    account's or a point's zone), the event's, or another remembered by this browser."""
    choice = request.cookies.get(TZ_COOKIE, "mine")
    if choice == "event":
        return event_zone, "event"
    if choice not in ZONE_CHOICES and is_timezone(choice):
        return choice, "other"
    return (own_zone, "mine") if own_zone else (event_zone, "event")


def zone_switch(
    request: Request, event: Event, own_zone: str | None, zones: list[str]
) -> dict[str, Any]:
    """The switch between my zone, the event's and any other, as the page shows it."""
    locale = get_locale()
    zone, choice = reading_zone(request, event.timezone, own_zone)
    at = event.starts_at
    mine = (
        gettext("My zone: %(zone)s", zone=zone_label(at, own_zone, locale))
        if own_zone
        else gettext("This computer’s zone")
    )
    options = [
        {"value": "mine", "label": mine, "selected": choice == "mine"},
        {
            "value": "event",
            "label": gettext(
                "The event’s zone: %(zone)s", zone=zone_label(at, event.timezone, locale)
            ),
            "selected": choice == "event",
        },
    ]
    others = sorted(set(zones) | set(COMMON_ZONES) | ({zone} if choice == "other" else set()))
    for name in sorted(others, key=lambda z: (in_zone(at, z).utcoffset() or timedelta(), z)):
        label = f"{zone_label(at, name, locale)} ({name})"
        options.append(
            {"value": name, "label": label, "selected": choice == "other" and name == zone}
        )
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return {
        "zone": zone,
        "label": zone_label(at, zone, locale),
        "options": options,
        "next": here,
        "detect": own_zone is None,
    }


def agenda_days(
    talks: list[Talk],
    zone: str,
    other_zone: str | None,
    documents: dict[int, list[TalkDocument]] | None = None,
) -> list[dict[str, Any]]:
    """The agenda by day in the reader's zone (a talk is on the day it starts there), each
    time also in `other_zone` when it differs, with a day mark when its date differs; the
    talks' documents for readers who may download them."""
    locale = get_locale()
    days = []
    for group in group_by_day(talks, zone, lambda t: t.starts_at):
        rows = []
        for talk in group.items:
            times = talk_times(talk.starts_at, talk.ends_at, zone, locale)
            row = {
                "id": talk.id,
                "title": pick(locale, talk.title_vi, talk.title_en),
                "speaker": speaker_line(talk.speakers),
                "stage": pick(locale, talk.stage, talk.stage_en),
                "time": f"{times['start']}–{times['end']}",
                "status": talk.status,
                "status_label": gettext(STATUS_LABELS[talk.status]),
                "other_time": "",
                "documents": [
                    {"name": d.name, "url": f"/api/talks/{d.talk_id}/documents/{d.id}"}
                    for d in (documents or {}).get(talk.id or 0, [])
                ],
            }
            if other_zone and other_zone != zone:
                other = talk_times(talk.starts_at, talk.ends_at, other_zone, locale)
                shift = (in_zone(talk.starts_at, other_zone).date() - group.day).days
                mark = f" ({shift:+d})" if shift else ""
                row["other_time"] = f"{other['start']}–{other['end']}{mark}"
            rows.append(row)
        days.append({"label": format_date(group.day, format="full", locale=locale), "talks": rows})
    return days


def talk_option(talk: Talk, zone: str) -> dict[str, Any]:
    """A talk as the live widgets and the 'now' box show it: on air, now, or starting in…"""
    locale = get_locale()
    times = talk_times(talk.starts_at, talk.ends_at, zone, locale)
    now = utcnow()
    wait = starts_in(talk.starts_at, now)
    if talk.status == TalkStatus.live:
        when = gettext("On air now")
    elif wait is None:
        when = gettext("Now, by the agenda")
    else:
        when = gettext(
            "Next: starts in %(hours)s h %(minutes)02d min", hours=wait[0], minutes=wait[1]
        )
    return {
        "id": talk.id,
        "title": pick(locale, talk.title_vi, talk.title_en),
        "speaker": speaker_line(talk.speakers),
        "stage": pick(locale, talk.stage, talk.stage_en),
        "when": when,
        "time": f"{times['start']}–{times['end']}",
        "zone": times["zone"],
        "status": talk.status,
    }


def live_config(
    settings: Settings,
    event: Event,
    principal: Principal,
    *,
    moderates: bool,
    zone: str,
    talk: Talk | None = None,
    talks: list[Talk] | None = None,
) -> dict[str, Any]:
    """What the live scripts read from the page: who is watching, which channels, the labels."""
    return {
        "event": event.id,
        "me": member_key(principal.account.id if principal.account else None, principal.point_id),
        "point": principal.point_id,
        "moderates": moderates,
        "chat_max": settings.chat_max_length,
        "zone": zone,
        "zone_label": zone_label(utcnow(), zone),
        "talk": talk.id if talk else None,
        "talks": [talk_option(t, zone) for t in talks or []],
        "labels": live_labels(),
    }
