"""Reading, checking, grouping and choosing talk times, across zones and DST changes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest

from sessions.agenda.rules import (
    AgendaRuleError,
    DayGroup,
    Slot,
    check_talk_times,
    group_by_day,
    parse_moment,
    pick_current_talk,
    starts_in,
)

HANOI = "Asia/Ho_Chi_Minh"
BERLIN = "Europe/Berlin"
LOS_ANGELES = "America/Los_Angeles"


def utc(text: str) -> datetime:
    """A UTC moment from "2026-12-02T02:00"."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def refusal(text: str, zone: str, *, fold: int | None = None) -> AgendaRuleError:
    """The error parse_moment raises for this input."""
    with pytest.raises(AgendaRuleError) as caught:
        parse_moment(text, zone, fold=fold)
    return caught.value


# parse_moment


def test_a_local_time_in_hanoi_is_seven_hours_ahead_of_utc() -> None:
    moment = parse_moment("2026-12-02T09:00", HANOI)
    assert moment == utc("2026-12-02T02:00")
    assert moment.tzinfo is UTC


def test_a_space_works_as_well_as_a_t_between_date_and_time() -> None:
    assert parse_moment("2026-12-02 09:00", HANOI) == utc("2026-12-02T02:00")


def test_a_time_with_an_offset_is_that_instant_whatever_the_zone() -> None:
    assert parse_moment("2026-12-02T09:00+09:00", HANOI) == utc("2026-12-02T00:00")
    assert parse_moment("2026-12-02T09:00-03:30", BERLIN) == utc("2026-12-02T12:30")


def test_a_time_ending_in_z_is_utc() -> None:
    assert parse_moment("2026-12-02T09:00Z", HANOI) == utc("2026-12-02T09:00")


def test_seconds_and_microseconds_are_kept_as_given() -> None:
    assert parse_moment("2026-12-02T09:00:45", HANOI) == utc("2026-12-02T02:00:45")
    assert parse_moment("2026-12-02T09:00:45.250000Z", HANOI) == datetime(
        2026, 12, 2, 9, 0, 45, 250000, tzinfo=UTC
    )


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "tomorrow at nine",
        "2026-12-02",
        "09:00",
        "2026-12-02T9:00",
        "2026-12-02T09:00:4",
        "2026-13-02T09:00",
        "2026-02-30T09:00",
        "2026-12-02T24:00",
        "2026-12-02T09:00+25:00",
        "2026-12-02T09:00+0900",
        "20261202T0900",
        "٢٠٢٦-12-02T09:00",
    ],
)
def test_text_that_is_not_a_time_is_refused_as_invalid(text: str) -> None:
    error = refusal(text, HANOI)
    assert error.code == "time_invalid"
    assert error.field == "start"
    assert error.params == {"value": text}


def test_text_longer_than_forty_characters_is_refused_as_invalid() -> None:
    text = "2026-12-02T09:00" + " " * 25
    assert len(text) == 41
    assert refusal(text, HANOI).code == "time_invalid"


def test_the_error_names_the_field_it_was_given() -> None:
    with pytest.raises(AgendaRuleError) as caught:
        parse_moment("soon", HANOI, field="end")
    assert (caught.value.code, caught.value.field) == ("time_invalid", "end")


def test_a_fold_other_than_none_zero_or_one_is_invalid() -> None:
    assert refusal("2026-12-02T09:00", HANOI, fold=2).code == "time_invalid"


def test_a_local_time_beyond_the_calendar_in_utc_is_invalid() -> None:
    assert refusal("9999-12-31T23:59", LOS_ANGELES).code == "time_invalid"
    assert refusal("0001-01-01T00:00", "Asia/Tokyo").code == "time_invalid"


@pytest.mark.parametrize("zone", ["Mars/Olympus", "", "asia/ho_chi_minh", " Asia/Tokyo"])
def test_an_unknown_zone_is_refused_on_the_timezone_field(zone: str) -> None:
    error = refusal("2026-12-02T09:00", zone)
    assert (error.code, error.field, error.params) == (
        "invalid_timezone",
        "timezone",
        {"zone": zone},
    )


@pytest.mark.parametrize(
    ("text", "zone"),
    [
        ("2026-03-29T02:00", BERLIN),
        ("2026-03-29T02:30", BERLIN),
        ("2026-03-29T02:59:59", BERLIN),
        ("2026-03-08T02:00", LOS_ANGELES),
        ("2026-03-08T02:30", LOS_ANGELES),
    ],
)
def test_a_time_in_the_spring_gap_does_not_exist(text: str, zone: str) -> None:
    for fold in (None, 0, 1):
        error = refusal(text, zone, fold=fold)
        assert (error.code, error.field) == ("time_nonexistent", "start")
        assert error.params == {"value": text, "zone": zone}


@pytest.mark.parametrize(
    ("text", "zone", "expected"),
    [
        ("2026-03-29T01:59", BERLIN, "2026-03-29T00:59"),
        ("2026-03-29T03:00", BERLIN, "2026-03-29T01:00"),
        ("2026-03-08T01:59", LOS_ANGELES, "2026-03-08T09:59"),
        ("2026-03-08T03:00", LOS_ANGELES, "2026-03-08T10:00"),
    ],
)
def test_the_minutes_around_the_spring_gap_are_fine(text: str, zone: str, expected: str) -> None:
    assert parse_moment(text, zone) == utc(expected)


def test_a_time_with_an_offset_is_never_in_a_gap() -> None:
    assert parse_moment("2026-03-29T02:30+01:00", BERLIN) == utc("2026-03-29T01:30")


def test_a_berlin_time_in_the_autumn_fold_is_ambiguous_without_a_fold() -> None:
    error = refusal("2026-10-25T02:30", BERLIN)
    assert (error.code, error.field) == ("time_ambiguous", "start")
    assert error.params == {
        "value": "2026-10-25T02:30",
        "zone": BERLIN,
        "earlier": "2026-10-25T02:30:00+02:00",
        "later": "2026-10-25T02:30:00+01:00",
    }


def test_a_los_angeles_time_in_the_autumn_fold_is_ambiguous_without_a_fold() -> None:
    error = refusal("2026-11-01T01:30", LOS_ANGELES)
    assert error.code == "time_ambiguous"
    assert error.params["earlier"] == "2026-11-01T01:30:00-07:00"
    assert error.params["later"] == "2026-11-01T01:30:00-08:00"


@pytest.mark.parametrize(
    ("text", "zone", "earlier", "later"),
    [
        ("2026-10-25T02:30", BERLIN, "2026-10-25T00:30", "2026-10-25T01:30"),
        ("2026-10-25T02:00", BERLIN, "2026-10-25T00:00", "2026-10-25T01:00"),
        ("2026-11-01T01:30", LOS_ANGELES, "2026-11-01T08:30", "2026-11-01T09:30"),
        ("2026-11-01T01:00", LOS_ANGELES, "2026-11-01T08:00", "2026-11-01T09:00"),
    ],
)
def test_fold_zero_is_the_earlier_instant_and_fold_one_the_later(
    text: str, zone: str, earlier: str, later: str
) -> None:
    assert parse_moment(text, zone, fold=0) == utc(earlier)
    assert parse_moment(text, zone, fold=1) == utc(later)


def test_the_minutes_around_the_autumn_fold_are_not_ambiguous() -> None:
    assert parse_moment("2026-10-25T01:59", BERLIN) == utc("2026-10-24T23:59")
    assert parse_moment("2026-10-25T03:00", BERLIN) == utc("2026-10-25T02:00")
    assert parse_moment("2026-11-01T00:59", LOS_ANGELES) == utc("2026-11-01T07:59")
    assert parse_moment("2026-11-01T02:00", LOS_ANGELES) == utc("2026-11-01T10:00")


def test_a_fold_is_ignored_where_the_time_is_not_ambiguous() -> None:
    assert parse_moment("2026-12-02T09:00", HANOI, fold=1) == utc("2026-12-02T02:00")


def test_kathmandu_is_five_hours_forty_five_ahead() -> None:
    assert parse_moment("2026-12-02T09:00", "Asia/Kathmandu") == utc("2026-12-02T03:15")


def test_auckland_in_its_summer_is_thirteen_hours_ahead_and_a_day_earlier_in_utc() -> None:
    assert parse_moment("2026-12-02T09:00", "Pacific/Auckland") == utc("2026-12-01T20:00")


# check_talk_times

EVENT_START = utc("2026-12-02T01:00")  # 08:00 in Hà Nội
EVENT_END = utc("2026-12-02T11:00")  # 18:00 in Hà Nội
KEYNOTE = Slot(7, "Hội trường A", "Keynote", utc("2026-12-02T02:00"), utc("2026-12-02T03:00"))
PANEL = Slot(9, "Hội trường A", "Panel", utc("2026-12-02T04:00"), utc("2026-12-02T05:00"))


def check(
    starts_at: datetime,
    ends_at: datetime,
    *,
    stage: str = "Hội trường A",
    others: list[Slot] | None = None,
    talk_id: int | None = None,
) -> None:
    """check_talk_times inside the event, against the keynote and the panel by default."""
    check_talk_times(
        starts_at,
        ends_at,
        stage=stage,
        event_starts_at=EVENT_START,
        event_ends_at=EVENT_END,
        others=[PANEL, KEYNOTE] if others is None else others,
        talk_id=talk_id,
    )


def check_refusal(starts_at: datetime, ends_at: datetime) -> AgendaRuleError:
    """The error check_talk_times raises for these times on the keynote's stage."""
    with pytest.raises(AgendaRuleError) as caught:
        check(starts_at, ends_at)
    return caught.value


def test_a_talk_ending_exactly_when_the_next_starts_passes() -> None:
    check(utc("2026-12-02T01:00"), KEYNOTE.starts_at)
    check(KEYNOTE.ends_at, PANEL.starts_at)


def test_one_minute_more_overlaps_and_names_the_other_talk() -> None:
    error = check_refusal(utc("2026-12-02T01:00"), KEYNOTE.starts_at + timedelta(minutes=1))
    assert (error.code, error.field) == ("talk_overlaps", "start")
    assert error.params == {
        "other": "Keynote",
        "other_id": "7",
        "other_start": "2026-12-02T02:00:00+00:00",
        "other_end": "2026-12-02T03:00:00+00:00",
    }


def test_starting_one_minute_before_the_other_ends_overlaps() -> None:
    error = check_refusal(KEYNOTE.ends_at - timedelta(minutes=1), PANEL.starts_at)
    assert error.params["other"] == "Keynote"


def test_a_talk_spanning_two_others_reports_the_earliest() -> None:
    error = check_refusal(utc("2026-12-02T01:30"), utc("2026-12-02T06:00"))
    assert error.params["other_id"] == "7"


def test_a_talk_inside_another_overlaps() -> None:
    error = check_refusal(utc("2026-12-02T02:15"), utc("2026-12-02T02:45"))
    assert error.params["other"] == "Keynote"


def test_the_same_times_on_another_stage_pass() -> None:
    check(KEYNOTE.starts_at, KEYNOTE.ends_at, stage="Hội trường B")


def test_stage_names_match_ignoring_case_and_outer_spaces() -> None:
    others = [Slot(3, "Hội trường A ", "Workshop", KEYNOTE.starts_at, KEYNOTE.ends_at)]
    with pytest.raises(AgendaRuleError) as caught:
        check(KEYNOTE.starts_at, KEYNOTE.ends_at, stage="hội trường a", others=others)
    assert caught.value.params["other"] == "Workshop"


def test_a_blank_stage_is_the_main_hall_and_collides_with_itself_only() -> None:
    others = [Slot(4, "", "Opening", KEYNOTE.starts_at, KEYNOTE.ends_at)]
    with pytest.raises(AgendaRuleError) as caught:
        check(KEYNOTE.starts_at, KEYNOTE.ends_at, stage="  ", others=others)
    assert caught.value.params["other_id"] == "4"
    check(KEYNOTE.starts_at, KEYNOTE.ends_at, stage="Hội trường A", others=others)


def test_editing_a_talk_does_not_collide_with_itself() -> None:
    later = timedelta(minutes=30)
    check(KEYNOTE.starts_at + later, KEYNOTE.ends_at + later, talk_id=KEYNOTE.id)


def test_editing_a_talk_still_collides_with_the_others() -> None:
    with pytest.raises(AgendaRuleError) as caught:
        check(KEYNOTE.starts_at, PANEL.starts_at + timedelta(minutes=1), talk_id=KEYNOTE.id)
    assert caught.value.params["other"] == "Panel"


@pytest.mark.parametrize("minutes", [0, -1, -60])
def test_a_talk_must_end_after_it_starts(minutes: int) -> None:
    start = utc("2026-12-02T06:00")
    error = check_refusal(start, start + timedelta(minutes=minutes))
    assert (error.code, error.field, error.params) == ("talk_ends_before_start", "end", {})


def test_starting_a_minute_before_the_event_is_outside_it() -> None:
    error = check_refusal(EVENT_START - timedelta(minutes=1), KEYNOTE.starts_at)
    assert (error.code, error.field) == ("talk_outside_event", "start")
    assert error.params == {
        "event_start": "2026-12-02T01:00:00+00:00",
        "event_end": "2026-12-02T11:00:00+00:00",
    }


def test_ending_a_minute_after_the_event_is_outside_it() -> None:
    error = check_refusal(utc("2026-12-02T10:00"), EVENT_END + timedelta(minutes=1))
    assert (error.code, error.field) == ("talk_outside_event", "end")
    assert error.params["event_end"] == "2026-12-02T11:00:00+00:00"


def test_a_talk_exactly_at_the_event_bounds_passes() -> None:
    check(EVENT_START, EVENT_END, others=[])


def test_event_bounds_in_the_error_are_given_in_utc() -> None:
    with pytest.raises(AgendaRuleError) as caught:
        check_talk_times(
            utc("2026-12-02T00:00"),
            utc("2026-12-02T02:00"),
            stage="",
            event_starts_at=datetime.fromisoformat("2026-12-02T08:00+07:00"),
            event_ends_at=datetime.fromisoformat("2026-12-02T18:00+07:00"),
            others=[],
        )
    assert caught.value.params == {
        "event_start": "2026-12-02T01:00:00+00:00",
        "event_end": "2026-12-02T11:00:00+00:00",
    }


# group_by_day


@dataclass(frozen=True)
class Talk:
    """A talk as the grouping and the choice of the current talk see it."""

    name: str
    starts_at: datetime
    ends_at: datetime
    status: str = "scheduled"


def talk(name: str, start: str, minutes: int = 60, status: str = "scheduled") -> Talk:
    """A talk from an ISO start with an offset."""
    starts_at = datetime.fromisoformat(start)
    return Talk(name, starts_at, starts_at + timedelta(minutes=minutes), status)


def start_of(item: Talk) -> datetime:
    """The grouping key."""
    return item.starts_at


def days(groups: list[DayGroup[Talk]]) -> list[tuple[date, list[str]]]:
    """The groups as days and talk names."""
    return [(group.day, [item.name for item in group.items]) for group in groups]


LATE = talk("late", "2026-12-02T22:00+07:00", 90)  # 15:00 UTC


def test_a_late_talk_in_hanoi_is_on_the_next_day_in_tokyo() -> None:
    assert days(group_by_day([LATE], "Asia/Tokyo", start_of)) == [(date(2026, 12, 3), ["late"])]


def test_a_late_talk_in_hanoi_is_on_its_own_day_in_hanoi_and_los_angeles() -> None:
    assert days(group_by_day([LATE], HANOI, start_of)) == [(date(2026, 12, 2), ["late"])]
    assert days(group_by_day([LATE], LOS_ANGELES, start_of)) == [(date(2026, 12, 2), ["late"])]


def test_talks_either_side_of_local_midnight_fall_on_two_days() -> None:
    talks = [
        talk("after", "2026-12-03T00:00+07:00"),
        talk("before", "2026-12-02T23:59+07:00"),
    ]
    assert days(group_by_day(talks, HANOI, start_of)) == [
        (date(2026, 12, 2), ["before"]),
        (date(2026, 12, 3), ["after"]),
    ]
    # 16:59 and 17:00 UTC: one day in Tokyo (01:59, 02:00), one in Auckland (05:59, 06:00).
    assert days(group_by_day(talks, "Asia/Tokyo", start_of)) == [
        (date(2026, 12, 3), ["before", "after"])
    ]
    assert days(group_by_day(talks, "Pacific/Auckland", start_of)) == [
        (date(2026, 12, 3), ["before", "after"])
    ]


def test_a_week_of_talks_given_in_any_order_groups_into_seven_sorted_days() -> None:
    talks = [
        talk(f"{day}-{hour}", f"2026-12-{day:02d}T{hour:02d}:00+07:00")
        for hour in (16, 9, 13)
        for day in range(6, 0, -1)
    ]
    talks.append(talk("7-9", "2026-12-07T09:00+07:00"))
    groups = group_by_day(talks, HANOI, start_of)
    assert [group.day for group in groups] == [date(2026, 12, day) for day in range(1, 8)]
    assert [item.name for item in groups[0].items] == ["1-9", "1-13", "1-16"]
    assert [len(group.items) for group in groups] == [3, 3, 3, 3, 3, 3, 1]


def test_a_week_across_the_autumn_change_still_groups_into_seven_days() -> None:
    # Berlin leaves summer time on 25 Oct: 09:00 is 07:00 UTC before, 08:00 UTC after.
    talks = []
    for day in (28, 22, 25, 24, 27, 23, 26):
        starts_at = parse_moment(f"2026-10-{day}T09:00", BERLIN)
        talks.append(Talk(str(day), starts_at, starts_at + timedelta(hours=1)))
    groups = group_by_day(talks, BERLIN, start_of)
    assert days(groups) == [(date(2026, 10, day), [str(day)]) for day in range(22, 29)]
    assert [group.items[0].starts_at.hour for group in groups] == [7, 7, 7, 8, 8, 8, 8]


def test_grouping_nothing_gives_no_days() -> None:
    assert group_by_day([], HANOI, start_of) == []


def test_grouping_in_an_unknown_zone_is_refused() -> None:
    with pytest.raises(AgendaRuleError) as caught:
        group_by_day([LATE], "Nowhere/City", start_of)
    assert caught.value.code == "invalid_timezone"


# starts_in

NOW = utc("2026-12-02T02:00")


def test_a_start_three_hours_six_minutes_away() -> None:
    assert starts_in(NOW + timedelta(hours=3, minutes=6, seconds=59), NOW) == (3, 6)


def test_thirty_seconds_before_the_start_is_zero_hours_zero_minutes() -> None:
    assert starts_in(NOW + timedelta(seconds=30), NOW) == (0, 0)


def test_a_start_more_than_a_day_away_counts_all_its_hours() -> None:
    assert starts_in(NOW + timedelta(days=1, hours=2, minutes=5), NOW) == (26, 5)


def test_once_started_there_is_no_countdown() -> None:
    assert starts_in(NOW, NOW) is None
    assert starts_in(NOW - timedelta(minutes=1), NOW) is None


# pick_current_talk


def at(name: str, hours_from_now: float, status: str = "scheduled") -> Talk:
    """An hour-long talk starting this many hours from NOW."""
    starts_at = NOW + timedelta(hours=hours_from_now)
    return Talk(name, starts_at, starts_at + timedelta(hours=1), status)


def picked(talks: list[Talk]) -> str | None:
    """The name of the talk pick_current_talk chooses."""
    choice = pick_current_talk(talks, NOW)
    return None if choice is None else choice.name


def test_the_live_talk_wins_over_the_one_running_by_the_clock() -> None:
    assert picked([at("running", -0.5), at("started early", 2, "live")]) == "started early"


def test_the_talk_running_now_wins_over_the_next() -> None:
    assert picked([at("past", -3), at("next", 1), at("running", -0.5)]) == "running"


def test_between_talks_the_next_one_is_chosen_not_a_past_one() -> None:
    assert picked([at("hours ago", -5), at("later", 4), at("next", 0.5)]) == "next"


def test_when_everything_is_past_there_is_no_current_talk() -> None:
    assert picked([at("first", -5), at("second", -3)]) is None
    assert picked([]) is None


def test_cancelled_and_ended_talks_are_skipped() -> None:
    talks = [at("cancelled", -0.5, "cancelled"), at("ended", -0.2, "ended"), at("next", 1)]
    assert picked(talks) == "next"
    assert picked([at("cancelled", 1, "cancelled")]) is None
