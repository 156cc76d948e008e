"""The agenda as an iCalendar (RFC 5545) file for Google Calendar, Outlook and Apple Calendar."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone

PRODID = "-//ketnoi//agenda//VI"
UTC_ZONES = frozenset({"UTC", "Etc/UTC"})


@dataclass(frozen=True)
class CalendarTalk:
    """One talk as the calendar shows it; every datetime is aware UTC."""

    uid: str
    title: str
    description: str
    location: str
    starts_at: datetime
    ends_at: datetime
    sequence: int
    cancelled: bool
    url: str
    stamp: datetime


def _zone_component(zone: tzinfo, name: str, talks: Sequence[CalendarTalk]) -> Timezone:
    """The VTIMEZONE of `zone` for the whole years the talks cover."""
    moments = [moment for talk in talks for moment in (talk.starts_at, talk.ends_at)]
    # Whole years bound the search so each year's DST changes are written, yet stay quick.
    first = date(min(moments).astimezone(zone).year, 1, 1)
    last = date(max(moments).astimezone(zone).year + 1, 1, 1)
    return Timezone.from_tzinfo(zone, tzid=name, first_date=first, last_date=last)


def _event(talk: CalendarTalk, zone: tzinfo) -> Event:
    """The VEVENT of one talk, its times local to `zone`."""
    event = Event()
    event.add("UID", talk.uid)
    event.add("SEQUENCE", talk.sequence)
    event.add("DTSTAMP", talk.stamp.astimezone(UTC))
    event.add("DTSTART", talk.starts_at.astimezone(zone))
    event.add("DTEND", talk.ends_at.astimezone(zone))
    event.add("SUMMARY", talk.title)
    if talk.description:
        event.add("DESCRIPTION", talk.description)
    if talk.location:
        event.add("LOCATION", talk.location)
    if talk.url:
        event.add("URL", talk.url)
    event.add("STATUS", "CANCELLED" if talk.cancelled else "CONFIRMED")
    return event


def agenda_calendar(name: str, zone: str, talks: Sequence[CalendarTalk]) -> bytes:
    """An iCalendar file of these talks, each time in `zone` with that zone's VTIMEZONE."""
    calendar = Calendar()
    calendar.add("PRODID", PRODID)
    calendar.add("VERSION", "2.0")
    calendar.add("CALSCALE", "GREGORIAN")
    calendar.add("METHOD", "PUBLISH")
    calendar.add("X-WR-CALNAME", name)
    calendar.add("X-WR-TIMEZONE", zone)
    local: tzinfo = UTC if zone in UTC_ZONES else ZoneInfo(zone)
    # UTC times carry 'Z' and need no VTIMEZONE; an empty agenda references no TZID at all.
    if local is not UTC and talks:
        calendar.add_component(_zone_component(local, zone, talks))
    for talk in talks:
        calendar.add_component(_event(talk, local))
    return bytes(calendar.to_ical())
