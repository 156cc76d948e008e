"""The agenda as an iCalendar file, parsed back time by time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from sessions.agenda.ical import CalendarTalk, agenda_calendar

STAMP = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
OPENING_TITLE = "Khai mạc Hội nghị kết nối cung cầu cà rốt Hải Dương"
BRIEFING_NOTE = "Quy định; rào cản kỹ thuật, thị trường EU\nxuất khẩu"


def talk(
    number: int,
    starts_at: datetime,
    minutes: int,
    *,
    title: str = "Phiên thảo luận",
    description: str = "",
    location: str = "",
    url: str = "",
    cancelled: bool = False,
) -> CalendarTalk:
    """A talk with a caller-built UID and a sequence that tells talks apart."""
    return CalendarTalk(
        uid=f"talk-{number}@hoi-nghi-hai-duong.ketnoi",
        title=title,
        description=description,
        location=location,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=minutes),
        sequence=number + 1,
        cancelled=cancelled,
        url=url,
        stamp=STAMP,
    )


# 08:30, 09:00 and 10:15 in Hà Nội on 2026-12-02.
HAI_DUONG = [
    talk(
        1,
        datetime(2026, 12, 2, 1, 30, tzinfo=UTC),
        30,
        title=OPENING_TITLE,
        location="Hội trường tầng 2, Trung tâm Hội nghị tỉnh Hải Dương",
        url="https://ketnoi.example/vi/su-kien/hai-duong/phien/1",
    ),
    talk(
        2,
        datetime(2026, 12, 2, 2, 0, tzinfo=UTC),
        60,
        title="Thông tin về yêu cầu nhập khẩu",
        description=BRIEFING_NOTE,
    ),
    talk(3, datetime(2026, 12, 2, 3, 15, tzinfo=UTC), 45, title="Giao thương", cancelled=True),
]


def parse(name: str, zone: str, talks: list[CalendarTalk]) -> Calendar:
    """The calendar built for these talks, read back by icalendar."""
    return Calendar.from_ical(agenda_calendar(name, zone, talks))


def moment(event: Event, name: str) -> datetime:
    """An event's DTSTART or DTEND as the aware datetime it was parsed into."""
    value = event.decoded(name)
    assert isinstance(value, datetime)
    assert value.tzinfo is not None
    return value


def assert_round_trip(calendar: Calendar, zone: str, talks: list[CalendarTalk]) -> None:
    """Each event's local times name `zone` and are the talks' own moments."""
    events = calendar.events
    assert len(events) == len(talks)
    for event, original in zip(events, talks, strict=True):
        assert str(event["UID"]) == original.uid
        for name, expected in (("DTSTART", original.starts_at), ("DTEND", original.ends_at)):
            assert event[name].params["TZID"] == zone
            assert moment(event, name) == expected
            assert (
                moment(event, name).utcoffset() == expected.astimezone(ZoneInfo(zone)).utcoffset()
            )
    assert zone in [timezone.tz_name for timezone in calendar.timezones]


def test_a_hanoi_agenda_keeps_every_moment_uid_sequence_and_vietnamese_text() -> None:
    calendar = parse("Hội nghị Hải Dương", "Asia/Ho_Chi_Minh", HAI_DUONG)
    assert_round_trip(calendar, "Asia/Ho_Chi_Minh", HAI_DUONG)
    opening, briefing, _ = calendar.events
    start = moment(opening, "DTSTART")
    assert (start.day, start.hour, start.minute) == (2, 8, 30)
    assert [event.decoded("SEQUENCE") for event in calendar.events] == [2, 3, 4]
    assert str(opening["SUMMARY"]) == OPENING_TITLE
    assert str(opening["LOCATION"]) == "Hội trường tầng 2, Trung tâm Hội nghị tỉnh Hải Dương"
    assert str(briefing["DESCRIPTION"]) == BRIEFING_NOTE
    assert moment(opening, "DTSTART").tzinfo == ZoneInfo("Asia/Ho_Chi_Minh")


def test_the_calendar_carries_its_name_zone_and_publishing_headers() -> None:
    calendar = parse("Hội nghị Hải Dương", "Asia/Ho_Chi_Minh", HAI_DUONG)
    assert str(calendar["PRODID"]) == "-//ketnoi//agenda//VI"
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["CALSCALE"]) == "GREGORIAN"
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert str(calendar["X-WR-CALNAME"]) == "Hội nghị Hải Dương"
    assert str(calendar["X-WR-TIMEZONE"]) == "Asia/Ho_Chi_Minh"


def test_a_tokyo_point_shows_the_same_talks_at_tokyo_hours() -> None:
    calendar = parse("Điểm cầu Tokyo", "Asia/Tokyo", HAI_DUONG)
    assert_round_trip(calendar, "Asia/Tokyo", HAI_DUONG)
    opening = moment(calendar.events[0], "DTSTART")
    assert (opening.hour, opening.minute) == (10, 30)
    assert b"DTSTART;TZID=Asia/Tokyo:20261202T103000\r\n" in agenda_calendar(
        "Điểm cầu Tokyo", "Asia/Tokyo", HAI_DUONG
    )


def test_berlin_talks_either_side_of_the_autumn_change_keep_their_moments() -> None:
    talks = [
        talk(1, datetime(2026, 10, 24, 7, 0, tzinfo=UTC), 60),  # 09:00 CEST
        talk(2, datetime(2026, 10, 26, 8, 0, tzinfo=UTC), 60),  # 09:00 CET
    ]
    calendar = parse("Điểm cầu Berlin", "Europe/Berlin", talks)
    assert_round_trip(calendar, "Europe/Berlin", talks)
    assert [moment(event, "DTSTART").hour for event in calendar.events] == [9, 9]
    (berlin,) = calendar.timezones
    assert berlin.standard
    assert berlin.daylight


def test_los_angeles_and_kathmandu_points_round_trip() -> None:
    for zone, local in (
        (
            "America/Los_Angeles",
            datetime(2026, 12, 1, 17, 30, tzinfo=ZoneInfo("America/Los_Angeles")),
        ),
        ("Asia/Kathmandu", datetime(2026, 12, 2, 7, 15, tzinfo=ZoneInfo("Asia/Kathmandu"))),
    ):
        calendar = parse(f"Điểm cầu {zone}", zone, HAI_DUONG)
        assert_round_trip(calendar, zone, HAI_DUONG)
        assert moment(calendar.events[0], "DTSTART") == local
        assert moment(calendar.events[0], "DTSTART").hour == local.hour


def test_a_utc_calendar_writes_z_times_and_no_timezone() -> None:
    for zone in ("UTC", "Etc/UTC"):
        raw = agenda_calendar("UTC", zone, HAI_DUONG)
        assert b"DTSTART:20261202T013000Z\r\n" in raw
        assert b"TZID" not in raw
        calendar = Calendar.from_ical(raw)
        assert not calendar.timezones
        assert [moment(event, "DTSTART") for event in calendar.events] == [
            original.starts_at for original in HAI_DUONG
        ]


def test_a_cancelled_talk_is_cancelled_and_empty_fields_are_left_out() -> None:
    opening, briefing, trade = parse("Hải Dương", "Asia/Ho_Chi_Minh", HAI_DUONG).events
    assert [str(event["STATUS"]) for event in (opening, briefing, trade)] == [
        "CONFIRMED",
        "CONFIRMED",
        "CANCELLED",
    ]
    assert "DESCRIPTION" not in opening
    assert "LOCATION" not in briefing
    assert "URL" not in briefing
    assert str(opening["URL"]) == "https://ketnoi.example/vi/su-kien/hai-duong/phien/1"
    assert {"DESCRIPTION", "LOCATION", "URL"}.isdisjoint(trade)
    assert moment(trade, "DTSTAMP") == STAMP


def test_every_line_ends_with_crlf_and_fits_in_75_octets() -> None:
    raw = agenda_calendar("Hội nghị kết nối cung cầu cà rốt Hải Dương", "Europe/Berlin", HAI_DUONG)
    assert raw.startswith(b"BEGIN:VCALENDAR\r\n")
    assert raw.endswith(b"END:VCALENDAR\r\n")
    assert b"\r\nMETHOD:PUBLISH\r\n" in raw
    lines = raw.split(b"\r\n")
    assert lines[-1] == b""
    for line in lines[:-1]:
        assert b"\n" not in line
        assert b"\r" not in line
        assert len(line) <= 75
        line.decode()  # folding never splits a Vietnamese character's bytes
    assert OPENING_TITLE.encode() not in raw  # folded, since it is longer than one line
    assert str(Calendar.from_ical(raw).events[0]["SUMMARY"]) == OPENING_TITLE


def test_an_empty_agenda_is_still_a_valid_calendar() -> None:
    calendar = parse("Chưa có phiên", "Asia/Ho_Chi_Minh", [])
    assert calendar.events == []
    assert str(calendar["METHOD"]) == "PUBLISH"
