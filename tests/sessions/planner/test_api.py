"""The planner on the API and on the organisers' page: local times, best hours, access."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from server.events.models import AttendancePoint, Event, Role
from server.i18n import translations
from server.main import create_app
from server.settings import Settings
from sessions.planner import api, pages
from sessions.planner.rules import PlannerPoint, WorkingHours, point_times
from tests.factories import add_account, add_event, add_point, add_talk
from tests.hubpeer import add_session

# 2026-12-02, a Wednesday: 08:00-18:00 in Hà Nội (UTC+7).
OPENING = datetime(2026, 12, 2, 1, 0, tzinfo=UTC)
CLOSING = datetime(2026, 12, 2, 11, 0, tzinfo=UTC)
TALK_START = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)  # 17:00 in Hà Nội
ZONES = [
    ("Hà Nội 1", "VN", "Hà Nội", "Asia/Ho_Chi_Minh"),
    ("Hà Nội 2", "VN", "Hà Nội", "Asia/Ho_Chi_Minh"),
    ("Tokyo", "JP", "Tokyo", "Asia/Tokyo"),
    ("Berlin", "DE", "Berlin", "Europe/Berlin"),
    ("Los Angeles", "US", "Los Angeles", "America/Los_Angeles"),
    ("Auckland", "NZ", "Auckland", "Pacific/Auckland"),
    ("Kathmandu", "NP", "Kathmandu", "Asia/Kathmandu"),
]


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    """The app with the planner's routers, added here until the composition root has them."""
    app = create_app(settings)
    if not any(getattr(r, "path", None) == "/api/events/{slug}/planner" for r in app.routes):
        app.include_router(api.router)
        app.include_router(pages.router)
    with TestClient(app, base_url="http://testserver") as test_client:
        yield test_client


@dataclass
class Conference:
    """An event with its points by city and a signed-in organiser."""

    event: Event
    points: dict[str, AttendancePoint]
    organiser_token: str


@pytest.fixture
def conference(db: Session, settings: Settings) -> Conference:
    """The 2 December conference with seven points in six zones (and one revoked)."""
    event = add_event(db, starts_at=OPENING, ends_at=CLOSING, timezone="Asia/Ho_Chi_Minh")
    secret = settings.secret_key.get_secret_value()
    points = {}
    for name, country, city, zone in ZONES:
        point, _token = add_point(
            db, event, secret, name=name, country=country, city=city, timezone=zone
        )
        points[name] = point
    add_point(db, event, secret, name="Revoked", country="KR", timezone="Asia/Seoul", revoked=True)
    add_talk(
        db,
        event,
        title_vi="Thị trường Nhật Bản",
        title_en="The Japanese market",
        starts_at=TALK_START,
        ends_at=TALK_START + timedelta(minutes=25),
    )
    add_talk(
        db,
        event,
        title_vi="Đã huỷ",
        title_en="Cancelled",
        starts_at=OPENING,
        ends_at=OPENING + timedelta(minutes=30),
        status="cancelled",
    )
    organiser = add_account(db, role=Role.organiser, event=event)
    return Conference(event, points, add_session(db, account_id=organiser.id))


def _planner(client: TestClient, slug: str, **params: Any) -> Any:
    response = client.get(f"/api/events/{slug}/planner", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def _times(talk: dict[str, Any], points: dict[str, AttendancePoint]) -> dict[str, Any]:
    by_id = {t["point_id"]: t for t in talk["points"]}
    return {name: by_id[p.id] for name, p in points.items()}


def test_each_talk_shows_every_point_local_start_and_whether_it_is_off_hours(
    client: TestClient, conference: Conference
) -> None:
    client.cookies.set("ketnoi_session", conference.organiser_token)
    plan = _planner(client, conference.event.slug)
    assert plan["date"] == "2026-12-02"
    assert plan["duration"] == 30
    assert plan["timezone"] == "Asia/Ho_Chi_Minh"
    assert plan["working_hours"] == {"start": "07:00", "end": "21:00"}
    assert [t["title"] for t in plan["talks"]] == ["Thị trường Nhật Bản"]
    talk = plan["talks"][0]
    assert talk["start"] == "2026-12-02T17:00:00+07:00"
    assert talk["end"] == "2026-12-02T17:25:00+07:00"
    times = _times(talk, conference.points)
    assert times["Los Angeles"]["local_start"] == "2026-12-02T02:00:00-08:00"
    assert times["Los Angeles"]["off_hours"] is True
    assert times["Tokyo"]["local_start"] == "2026-12-02T19:00:00+09:00"
    assert times["Tokyo"]["off_hours"] is False
    assert times["Auckland"]["local_start"] == "2026-12-02T23:00:00+13:00"
    assert times["Auckland"]["off_hours"] is True
    assert times["Kathmandu"]["local_start"] == "2026-12-02T15:45:00+05:45"
    assert times["Kathmandu"]["off_hours"] is False
    assert times["Berlin"]["local_start"] == "2026-12-02T11:00:00+01:00"
    assert len(talk["points"]) == len(ZONES)
    listed = {p["name"]: p for p in plan["points"]}
    assert set(listed) == {name for name, *_ in ZONES}
    assert listed["Tokyo"]["zone_label"] == "GMT+9, Tokyo"
    assert listed["Tokyo"]["abroad"] is True
    assert listed["Hà Nội 1"]["abroad"] is False
    assert listed["Kathmandu"]["timezone"] == "Asia/Kathmandu"


def test_best_hours_are_ranked_and_leave_out_exactly_the_points_off_hours(
    client: TestClient, conference: Conference
) -> None:
    client.cookies.set("ketnoi_session", conference.organiser_token)
    plan = _planner(client, conference.event.slug, date="2026-12-02", duration=45)
    best = plan["best"]
    assert len(best) == 10
    insides = [b["inside"] for b in best]
    assert insides == sorted(insides, reverse=True)
    points = [
        PlannerPoint(p.id or 0, p.timezone, abroad=p.country != "VN")
        for p in conference.points.values()
    ]
    for choice in best[:3]:
        start = datetime.fromisoformat(choice["start"])
        assert start.utcoffset() == timedelta(hours=7)
        times = point_times(start, start + timedelta(minutes=45), points, WorkingHours())
        off = sorted(t.point_id for t in times if t.off_hours)
        assert choice["left_out"] == off
        assert choice["inside"] == len(points) - len(off)
        abroad = {p.id for p in points if p.abroad}
        assert choice["inside_abroad"] == len(abroad - set(off))


def test_working_hours_follow_the_event_working_day(
    client: TestClient, db: Session, conference: Conference
) -> None:
    client.cookies.set("ketnoi_session", conference.organiser_token)
    before = _times(_planner(client, conference.event.slug)["talks"][0], conference.points)
    assert before["Tokyo"]["off_hours"] is False
    assert before["Kathmandu"]["off_hours"] is False
    event = conference.event
    event.work_day_start = 16 * 60
    event.work_day_end = 19 * 60
    db.add(event)
    db.commit()
    plan = _planner(client, event.slug)
    assert plan["working_hours"] == {"start": "16:00", "end": "19:00"}
    after = _times(plan["talks"][0], conference.points)
    assert after["Tokyo"]["off_hours"] is True  # 19:00-19:25 runs past 19:00
    assert after["Kathmandu"]["off_hours"] is True  # 15:45 is before 16:00
    assert after["Hà Nội 1"]["off_hours"] is False


def test_on_the_day_europe_changes_its_clocks_berlin_starts_carry_the_offset_of_their_hour(
    client: TestClient, db: Session, settings: Settings
) -> None:
    event = add_event(
        db,
        starts_at=datetime(2026, 10, 24, 6, 0, tzinfo=UTC),
        ends_at=datetime(2026, 10, 26, 16, 0, tzinfo=UTC),
        timezone="Europe/Berlin",
    )
    berlin, _ = add_point(
        db,
        event,
        settings.secret_key.get_secret_value(),
        name="Berlin",
        country="DE",
        timezone="Europe/Berlin",
    )
    # 02:30 summer time, 02:30 again in winter time, then 10:00 winter time.
    for hour, minute in ((0, 30), (1, 30), (9, 0)):
        start = datetime(2026, 10, 25, hour, minute, tzinfo=UTC)
        add_talk(db, event, starts_at=start, ends_at=start + timedelta(minutes=20))
    organiser = add_account(db, role=Role.organiser, event=event)
    client.cookies.set("ketnoi_session", add_session(db, account_id=organiser.id))
    plan = _planner(client, event.slug, date="2026-10-25")
    starts = [t["start"] for t in plan["talks"]]
    assert starts == [
        "2026-10-25T02:30:00+02:00",
        "2026-10-25T02:30:00+01:00",
        "2026-10-25T10:00:00+01:00",
    ]
    local = [t["points"][0] for t in plan["talks"]]
    assert all(t["point_id"] == berlin.id for t in local)
    assert [t["local_start"] for t in local] == starts
    # A Sunday: every start is off hours, and the day still ranks its starts.
    assert all(t["off_hours"] for t in local)
    assert len(plan["best"]) == 10
    assert plan["best"][0]["left_out"] == [berlin.id]


def test_only_the_event_organisers_may_open_the_planner(
    client: TestClient, db: Session, conference: Conference
) -> None:
    url = f"/api/events/{conference.event.slug}/planner"
    assert client.get(url).status_code == 401
    point = conference.points["Tokyo"]
    point_token = add_session(db, point_id=point.id, event_id=conference.event.id)
    buyer = add_account(db, role=Role.buyer, event=conference.event)
    other_event = add_event(db)
    stranger = add_account(db, role=Role.organiser, event=other_event)
    for token in (
        point_token,
        add_session(db, account_id=buyer.id),
        add_session(db, account_id=stranger.id),
    ):
        client.cookies.set("ketnoi_session", token)
        assert client.get(url).status_code == 403
        assert client.get(f"/e/{conference.event.slug}/organiser/planner").status_code == 403


def test_a_duration_out_of_range_or_a_date_outside_the_event_is_a_422(
    client: TestClient, conference: Conference
) -> None:
    client.cookies.set("ketnoi_session", conference.organiser_token)
    url = f"/api/events/{conference.event.slug}/planner"
    for duration in (0, 4, 721, 1000):
        assert client.get(url, params={"duration": duration}).status_code == 422
    for day in ("2026-12-01", "2026-12-03"):
        response = client.get(url, params={"date": day}, headers={"accept-language": "en"})
        assert response.status_code == 422
        error = response.json()["error"]
        assert error["field"] == "date"
        assert error["code"] == "date_outside_event"
        assert "2026-12-02" in error["message"]
    assert client.get(url, params={"date": "tomorrow"}).status_code == 422


def _row(html: str, zone: str) -> str:
    found = re.search(rf'<tr data-zone="{zone}"[^>]*>(.*?)</tr>', html, re.S)
    assert found is not None
    return found.group(1)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_planner_page_shows_best_hours_and_marks_off_hours_in_words(
    client: TestClient, conference: Conference, lang: str
) -> None:
    client.cookies.set("ketnoi_session", conference.organiser_token)
    client.cookies.set("ketnoi_lang", lang)
    page = client.get(f"/e/{conference.event.slug}/organiser/planner", params={"duration": 25})
    assert page.status_code == 200
    assert page.template.name == "organiser_planner.html"  # type: ignore[attr-defined]
    context = page.context  # type: ignore[attr-defined]
    assert context["form"] == {
        "date": "2026-12-02",
        "min": "2026-12-02",
        "max": "2026-12-02",
        "duration": 25,
    }
    assert [t["time"] for t in context["talks"]] == ["17:00–17:25"]
    assert context["point_count"] == len(ZONES)
    rows = {r["zone"]: r for r in context["rows"]}
    assert rows["America/Los_Angeles"]["cells"] == [
        {"time": "02:00", "shift": 0, "shift_text": "", "off": True}
    ]
    assert rows["Asia/Tokyo"]["label"] == "GMT+9, Tokyo"
    assert rows["Asia/Ho_Chi_Minh"]["points"] == ["Hà Nội 1", "Hà Nội 2"]
    words = translations(lang)
    assert f'lang="{lang}"' in page.text
    assert f"<h1>{words.gettext('Planner')}</h1>" in page.text
    assert f">{words.gettext('Best hours')}</h2>" in page.text
    los_angeles = _row(page.text, "America/Los_Angeles")
    assert "02:00" in los_angeles
    assert f"⚠</span> {words.gettext('off hours')}" in los_angeles
    assert 'class="time off-hours"' in los_angeles
    assert "off-hours" not in _row(page.text, "Asia/Tokyo")
    assert 'tabindex="0" role="region" aria-label="' in page.text
    assert 'type="date" name="date" value="2026-12-02" min="2026-12-02" max="2026-12-02"' in (
        page.text
    )
    if lang == "en":
        assert "of 7 points inside working hours" in page.text


def test_a_talk_on_the_point_previous_local_day_is_marked_minus_one(
    client: TestClient, db: Session, conference: Conference
) -> None:
    start = OPENING  # 08:00 in Hà Nội, 17:00 the day before in Los Angeles
    add_talk(db, conference.event, starts_at=start, ends_at=start + timedelta(minutes=30))
    client.cookies.set("ketnoi_session", conference.organiser_token)
    page = client.get(f"/e/{conference.event.slug}/organiser/planner")
    rows = {r["zone"]: r for r in page.context["rows"]}  # type: ignore[attr-defined]
    first = rows["America/Los_Angeles"]["cells"][0]
    assert first["time"] == "17:00"
    assert first["shift_text"] == "(\N{MINUS SIGN}1)"
    assert "(\N{MINUS SIGN}1)" in _row(page.text, "America/Los_Angeles")
    assert rows["Pacific/Auckland"]["cells"][0]["shift"] == 0


def test_a_signed_out_visitor_of_the_planner_page_is_sent_to_sign_in(
    client: TestClient, conference: Conference
) -> None:
    page = client.get(f"/e/{conference.event.slug}/organiser/planner", follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"].startswith("/login?next=")
