"""The multi-site planner: each point's local time, working-hour boundaries, DST days, ranking."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest

from sessions.planner.rules import (
    Choice,
    PlannerPoint,
    PointTime,
    WorkingHours,
    best_starts,
    candidate_starts,
    is_within_hours,
    point_times,
    zone_groups,
)

HANOI = "Asia/Ho_Chi_Minh"
HOURS = WorkingHours()
HOUR = timedelta(hours=1)
EVENT_DAY = date(2026, 12, 2)  # a Wednesday

TOKYO = PlannerPoint(4, "Asia/Tokyo", abroad=True)
BERLIN = PlannerPoint(5, "Europe/Berlin", abroad=True)
LOS_ANGELES = PlannerPoint(6, "America/Los_Angeles", abroad=True)
RIYADH = PlannerPoint(7, "Asia/Riyadh", abroad=True)
HOME = [PlannerPoint(i, HANOI, abroad=False) for i in (1, 2, 3)]
EVERYONE = [*HOME, TOKYO, BERLIN, LOS_ANGELES, RIYADH]


def hanoi(hour: int, minute: int = 0, day: date = EVENT_DAY) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo(HANOI)).astimezone(UTC)


def local(zone: str, *fields: int) -> datetime:
    year, month, day, hour, minute = fields
    return datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(zone))


def times_by_point(start: datetime, points: list[PlannerPoint]) -> dict[int, PointTime]:
    return {t.point_id: t for t in point_times(start, start + HOUR, points, HOURS)}


def test_nine_in_hanoi_is_eleven_the_same_day_in_tokyo_and_inside_hours() -> None:
    tokyo = times_by_point(hanoi(9), [TOKYO])[TOKYO.id]
    assert tokyo.local_start == local("Asia/Tokyo", 2026, 12, 2, 11, 0)
    assert (tokyo.local_start.hour, tokyo.local_start.day) == (11, 2)
    assert not tokyo.off_hours


def test_nine_in_hanoi_is_six_pm_the_evening_before_in_los_angeles_and_still_inside() -> None:
    la = times_by_point(hanoi(9), [LOS_ANGELES])[LOS_ANGELES.id]
    assert la.local_start.date() == date(2026, 12, 1)
    assert la.local_start.strftime("%a %H:%M") == "Tue 18:00"
    assert la.local_end.strftime("%H:%M") == "19:00"
    assert not la.off_hours


def test_a_talk_at_five_pm_in_hanoi_is_two_am_and_off_hours_in_los_angeles() -> None:
    la = times_by_point(hanoi(17), [LOS_ANGELES])[LOS_ANGELES.id]
    assert la.local_start.strftime("%a %H:%M") == "Wed 02:00"
    assert la.off_hours


def test_a_talk_ending_exactly_at_nine_pm_is_inside_and_a_minute_later_is_off() -> None:
    start = local("Asia/Tokyo", 2026, 12, 2, 20, 0)
    assert is_within_hours(start, start + HOUR, HOURS)
    assert not is_within_hours(start, start + HOUR + timedelta(minutes=1), HOURS)


def test_a_talk_starting_exactly_at_seven_is_inside_and_at_six_fifty_nine_is_off() -> None:
    seven = local("Asia/Tokyo", 2026, 12, 2, 7, 0)
    assert is_within_hours(seven, seven + HOUR, HOURS)
    early = seven - timedelta(minutes=1)
    assert not is_within_hours(early, early + HOUR, HOURS)


def test_a_talk_crossing_local_midnight_is_off_even_when_it_ends_early_in_the_morning() -> None:
    late = WorkingHours(start=time(0, 0), end=time(23, 59))
    start = local("Asia/Tokyo", 2026, 12, 2, 23, 30)
    assert not is_within_hours(start, start + HOUR, late)


def test_a_talk_ending_at_local_midnight_counts_as_crossing_it() -> None:
    late = WorkingHours(start=time(0, 0), end=time(23, 59))
    start = local("Asia/Tokyo", 2026, 12, 2, 23, 0)
    assert not is_within_hours(start, start + HOUR, late)
    assert is_within_hours(start, start + timedelta(minutes=59), late)


def test_saturday_local_time_is_off_when_weekends_are_off_and_inside_when_not() -> None:
    saturday = local("Asia/Tokyo", 2026, 12, 5, 10, 0)
    assert not is_within_hours(saturday, saturday + HOUR, HOURS)
    assert is_within_hours(saturday, saturday + HOUR, WorkingHours(weekends_off=False))


def test_the_same_talk_is_saturday_in_auckland_but_a_friday_morning_in_los_angeles() -> None:
    auckland = PlannerPoint(8, "Pacific/Auckland", abroad=True)
    start = datetime(2026, 12, 4, 19, 0, tzinfo=UTC)  # Friday in UTC
    found = times_by_point(start, [auckland, LOS_ANGELES])
    assert found[8].local_start.strftime("%a %H:%M") == "Sat 08:00"
    assert found[8].off_hours
    assert found[LOS_ANGELES.id].local_start.strftime("%a %H:%M") == "Fri 11:00"
    assert not found[LOS_ANGELES.id].off_hours


def test_kathmandu_and_auckland_get_their_exact_local_start() -> None:
    kathmandu = PlannerPoint(8, "Asia/Kathmandu", abroad=True)
    auckland = PlannerPoint(9, "Pacific/Auckland", abroad=True)
    start = hanoi(9)
    assert start == datetime(2026, 12, 2, 2, 0, tzinfo=UTC)
    found = times_by_point(start, [kathmandu, auckland])
    assert found[8].local_start.strftime("%Y-%m-%d %H:%M %z") == "2026-12-02 07:45 +0545"
    assert found[9].local_start.strftime("%Y-%m-%d %H:%M %z") == "2026-12-02 15:00 +1300"
    assert not found[8].off_hours
    assert not found[9].off_hours


def test_a_berlin_point_sees_the_clock_go_back_on_the_night_of_25_october() -> None:
    berlin = [BERLIN]
    before = times_by_point(datetime(2026, 10, 25, 0, 30, tzinfo=UTC), berlin)[BERLIN.id]
    after = times_by_point(datetime(2026, 10, 25, 1, 30, tzinfo=UTC), berlin)[BERLIN.id]
    assert before.local_start.strftime("%H:%M %z") == "02:30 +0200"
    assert after.local_start.strftime("%H:%M %z") == "02:30 +0100"
    morning = datetime(2026, 10, 25, 6, 0, tzinfo=UTC)
    seven = point_times(morning, morning + HOUR, berlin, WorkingHours(weekends_off=False))[0]
    assert seven.local_start.strftime("%H:%M %z") == "07:00 +0100"
    assert not seven.off_hours


def test_a_half_hour_talk_inside_the_repeated_hour_is_not_taken_for_a_negative_one() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    start = datetime(2026, 10, 25, 0, 45, tzinfo=UTC).astimezone(berlin)  # 02:45 summer time
    end = datetime(2026, 10, 25, 1, 15, tzinfo=UTC).astimezone(berlin)  # 02:15 winter time
    always = WorkingHours(start=time(0, 0), end=time(23, 59), weekends_off=False)
    assert is_within_hours(start, end, always)


def test_a_day_has_96_quarter_hours_but_92_and_100_on_the_days_berlin_changes_its_clocks() -> None:
    ordinary = candidate_starts(date(2026, 12, 2), "Europe/Berlin")
    spring = candidate_starts(date(2026, 3, 29), "Europe/Berlin")
    autumn = candidate_starts(date(2026, 10, 25), "Europe/Berlin")
    assert (len(ordinary), len(spring), len(autumn)) == (96, 92, 100)
    for starts in (ordinary, spring, autumn):
        assert {b - a for a, b in pairwise(starts)} == {timedelta(minutes=15)}
        assert all(s.tzinfo is UTC for s in starts)
    assert spring[0] == datetime(2026, 3, 28, 23, 0, tzinfo=UTC)
    assert spring[-1] == datetime(2026, 3, 29, 21, 45, tzinfo=UTC)
    assert autumn[0] == datetime(2026, 10, 24, 22, 0, tzinfo=UTC)
    assert autumn[-1] == datetime(2026, 10, 25, 22, 45, tzinfo=UTC)


def test_candidate_starts_begin_at_local_midnight_of_the_event_day() -> None:
    starts = candidate_starts(EVENT_DAY, HANOI, step_minutes=30)
    assert len(starts) == 48
    assert starts[0] == hanoi(0)
    assert starts[-1] == hanoi(23, 30)


@pytest.mark.parametrize("step", [0, 4, 7, 45, 90])
def test_a_step_that_does_not_divide_an_hour_or_is_under_five_minutes_is_refused(
    step: int,
) -> None:
    with pytest.raises(ValueError, match="step"):
        candidate_starts(EVENT_DAY, HANOI, step_minutes=step)


def test_a_talk_of_no_length_or_negative_length_is_refused() -> None:
    start = hanoi(9)
    with pytest.raises(ValueError, match="longer than zero"):
        point_times(start, start, EVERYONE, HOURS)
    with pytest.raises(ValueError, match="longer than zero"):
        point_times(start, start - HOUR, EVERYONE, HOURS)
    with pytest.raises(ValueError, match="longer than zero"):
        best_starts(EVENT_DAY, HANOI, timedelta(0), EVERYONE, HOURS)


def _left_out_by_point_times(choice: Choice) -> tuple[int, ...]:
    found = point_times(choice.start, choice.start + HOUR, EVERYONE, HOURS)
    return tuple(sorted(t.point_id for t in found if t.off_hours))


def test_the_top_start_keeps_six_of_seven_points_and_leaves_out_only_berlin() -> None:
    top = best_starts(EVENT_DAY, HANOI, HOUR, EVERYONE, HOURS)[0]
    # 11:00 Hanoi: 13:00 Tokyo, 07:00 Riyadh, 20:00 the evening before in Los Angeles, 05:00 Berlin.
    assert top.start == hanoi(11)
    assert (top.inside, top.inside_abroad) == (6, 3)
    assert top.left_out == (BERLIN.id,) == _left_out_by_point_times(top)


def test_no_start_keeps_all_seven_points_inside() -> None:
    everything = best_starts(EVENT_DAY, HANOI, HOUR, EVERYONE, HOURS, limit=200)
    assert len(everything) == 96
    assert max(c.inside for c in everything) == 6
    for choice in everything:
        assert choice.left_out == _left_out_by_point_times(choice)
        assert choice.inside == len(EVERYONE) - len(choice.left_out)


def test_three_pm_in_hanoi_suits_berlin_riyadh_and_tokyo_but_leaves_los_angeles_out() -> None:
    choices = best_starts(EVENT_DAY, HANOI, HOUR, EVERYONE, HOURS, limit=200)
    three = next(c for c in choices if c.start == hanoi(15))
    found = times_by_point(three.start, EVERYONE)
    assert found[BERLIN.id].local_start.strftime("%H:%M") == "09:00"
    assert found[RIYADH.id].local_start.strftime("%H:%M") == "11:00"
    assert found[TOKYO.id].local_start.strftime("%H:%M") == "17:00"
    assert found[LOS_ANGELES.id].local_start.strftime("%H:%M") == "00:00"
    assert three.left_out == (LOS_ANGELES.id,)
    assert (three.inside, three.inside_abroad) == (6, 3)


def test_the_ten_best_are_eleven_then_every_quarter_from_one_to_three_pm() -> None:
    ten = best_starts(EVENT_DAY, HANOI, HOUR, EVERYONE, HOURS)
    expected = [hanoi(11)] + [hanoi(13) + timedelta(minutes=15 * i) for i in range(9)]
    assert [c.start for c in ten] == expected
    assert len(best_starts(EVENT_DAY, HANOI, HOUR, EVERYONE, HOURS, limit=3)) == 3


def test_the_ranking_never_puts_a_worse_start_before_a_better_one() -> None:
    everything = best_starts(EVENT_DAY, HANOI, HOUR, EVERYONE, HOURS, limit=200)
    keys = [(-c.inside, -c.inside_abroad, c.start) for c in everything]
    assert keys == sorted(keys)


def test_ties_go_to_the_start_that_keeps_more_points_abroad_then_to_the_earliest() -> None:
    nine_to_ten = WorkingHours(start=time(9, 0), end=time(10, 0))
    home = PlannerPoint(1, HANOI, abroad=False)
    points = [home, BERLIN]
    three = best_starts(EVENT_DAY, HANOI, HOUR, points, nine_to_ten, limit=3)
    # 09:00 Berlin is 15:00 Hanoi: later than 09:00 Hanoi, but it keeps the point abroad.
    assert [c.start for c in three] == [hanoi(15), hanoi(9), hanoi(0)]
    assert [(c.inside, c.inside_abroad) for c in three] == [(1, 1), (1, 0), (0, 0)]
    assert [c.left_out for c in three] == [(1,), (BERLIN.id,), (1, BERLIN.id)]


def test_best_starts_weighs_all_100_quarter_hours_of_berlins_long_day() -> None:
    points = [PlannerPoint(1, "Europe/Berlin", abroad=False)]
    day = date(2026, 10, 25)
    choices = best_starts(
        day, "Europe/Berlin", HOUR, points, WorkingHours(weekends_off=False), limit=200
    )
    assert len(choices) == 100
    assert choices[0].start == datetime(2026, 10, 25, 6, 0, tzinfo=UTC)  # 07:00 winter time


def test_zone_groups_put_abroad_zones_first_east_to_west_then_home() -> None:
    seoul = PlannerPoint(10, "Asia/Seoul", abroad=True)
    auckland = PlannerPoint(11, "Pacific/Auckland", abroad=True)
    kathmandu = PlannerPoint(12, "Asia/Kathmandu", abroad=True)
    tokyo_too = PlannerPoint(13, "Asia/Tokyo", abroad=True)
    points = [*EVERYONE, seoul, auckland, kathmandu, tokyo_too]
    groups = zone_groups(points, hanoi(9))
    assert [zone for zone, _ in groups] == [
        "Pacific/Auckland",
        "Asia/Seoul",
        "Asia/Tokyo",
        "Asia/Kathmandu",
        "Asia/Riyadh",
        "Europe/Berlin",
        "America/Los_Angeles",
        HANOI,
    ]
    by_zone = dict(groups)
    assert [p.id for p in by_zone["Asia/Tokyo"]] == [TOKYO.id, 13]
    assert [p.id for p in by_zone[HANOI]] == [1, 2, 3]


def test_zone_groups_use_the_offset_at_the_given_moment() -> None:
    berlin_home = PlannerPoint(1, "Europe/Berlin", abroad=False)
    london_home = PlannerPoint(2, "Europe/London", abroad=False)
    lagos = PlannerPoint(3, "Africa/Lagos", abroad=False)  # +01:00 all year
    points = [london_home, lagos, berlin_home]
    winter = zone_groups(points, datetime(2026, 12, 2, tzinfo=UTC))
    summer = zone_groups(points, datetime(2026, 7, 1, tzinfo=UTC))
    # In winter Berlin and Lagos share +01:00 and go by name; in summer Berlin is +02:00.
    assert [z for z, _ in winter] == ["Africa/Lagos", "Europe/Berlin", "Europe/London"]
    assert [z for z, _ in summer] == ["Europe/Berlin", "Africa/Lagos", "Europe/London"]


def test_best_starts_within_the_events_opening_hours_only() -> None:
    opens = datetime(2026, 12, 2, 1, 0, tzinfo=UTC)  # 08:00 in Hà Nội
    closes = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)  # 17:00
    points = [PlannerPoint(1, "Europe/Berlin", abroad=True)]
    everywhere = best_starts(
        date(2026, 12, 2), "Asia/Ho_Chi_Minh", timedelta(hours=1), points, WorkingHours(), limit=96
    )
    inside = best_starts(
        date(2026, 12, 2),
        "Asia/Ho_Chi_Minh",
        timedelta(hours=1),
        points,
        WorkingHours(),
        limit=96,
        within=(opens, closes),
    )
    assert any(c.start < opens or c.start + timedelta(hours=1) > closes for c in everywhere)
    assert inside
    assert all(opens <= c.start and c.start + timedelta(hours=1) <= closes for c in inside)
    # 13:00 Hà Nội = 07:00 Berlin: the first start inside both.
    assert inside[0].start == datetime(2026, 12, 2, 6, 0, tzinfo=UTC)
