"""What the domain's pages show of an event, its agenda and its live widgets."""

from __future__ import annotations

from typing import Any

from server.db import utcnow
from server.events.models import Event
from server.events.rules import member_key
from server.i18n import get_locale, gettext
from server.identity.auth import Principal
from server.rules import format_datetime, pick, zone_label
from server.settings import Settings
from server.templating import live_labels
from sessions.agenda.models import Talk
from sessions.agenda.rules import talk_times


def event_view(event: Event) -> dict[str, Any]:
    locale = get_locale()
    return {
        "id": event.id,
        "slug": event.slug,
        "title": pick(locale, event.title_vi, event.title_en),
        "summary": pick(locale, event.summary_vi, event.summary_en),
        "kind": gettext("Conference") if event.kind == "conference" else gettext("Product week"),
        "venue": event.venue,
        "starts": format_datetime(event.starts_at, event.timezone),
        "ends": format_datetime(event.ends_at, event.timezone),
        "zone": event.timezone,
    }


def agenda_rows(talks: list[Talk], zone: str, other_zone: str | None) -> list[dict[str, str]]:
    locale = get_locale()
    rows = []
    for talk in talks:
        times = talk_times(talk.starts_at, talk.ends_at, zone)
        row = {
            "title": pick(locale, talk.title_vi, talk.title_en),
            "speaker": talk.speaker,
            "stage": talk.stage,
            "time": f"{times['start']}–{times['end']}",
            "status": talk.status,
            "other_time": "",
        }
        if other_zone and other_zone != zone:
            other = talk_times(talk.starts_at, talk.ends_at, other_zone)
            row["other_time"] = f"{other['start']}–{other['end']}"
        rows.append(row)
    return rows


def talk_option(talk: Talk, zone: str) -> dict[str, Any]:
    times = talk_times(talk.starts_at, talk.ends_at, zone)
    return {
        "id": talk.id,
        "title": pick(get_locale(), talk.title_vi, talk.title_en),
        "speaker": talk.speaker,
        "stage": talk.stage,
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
