"""The agenda's calendar files through their routes: per event, per talk, per point; parsed
back with icalendar and checked time by time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from server.events.models import Event, Role
from server.identity.auth import SESSION_COOKIE
from tests.conftest import SECRET
from tests.factories import add_account, add_event, add_point, add_talk
from tests.hubpeer import add_session

OPENING = datetime(2026, 12, 2, 1, 0, tzinfo=UTC)  # 08:00 in Hà Nội, 10:00 in Tokyo


def entries(body: bytes) -> list[icalendar.cal.Component]:
    calendar = icalendar.Calendar.from_ical(body)
    return list(calendar.walk("VEVENT"))


def zones(body: bytes) -> set[str]:
    calendar = icalendar.Calendar.from_ical(body)
    return {str(c["TZID"]) for c in calendar.walk("VTIMEZONE")}


def test_the_events_calendar_holds_every_talk_at_its_time_and_a_move_raises_its_sequence(
    client: TestClient, db: Session
) -> None:
    event = add_event(db, starts_at=OPENING, ends_at=OPENING + timedelta(hours=9))
    first = add_talk(
        db,
        event,
        title_vi="Khai mạc hội nghị",
        starts_at=OPENING,
        ends_at=OPENING + timedelta(minutes=20),
    )
    second = add_talk(
        db,
        event,
        title_vi="Thị trường Nhật Bản: dư lượng thuốc bảo vệ thực vật",
        starts_at=OPENING + timedelta(minutes=20),
        ends_at=OPENING + timedelta(minutes=45),
        speakers=[
            {
                "name": "Đỗ Quang Huy",
                "organisation": "Thương vụ Việt Nam tại Nhật Bản",
                "country": "JP",
            }
        ],
    )
    answer = client.get(f"/e/{event.slug}/agenda.ics")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "text/calendar; charset=utf-8"
    got = entries(answer.content)
    assert [str(e["SUMMARY"]) for e in got] == [first.title_vi, second.title_vi]
    assert [e.decoded("DTSTART") for e in got] == [first.starts_at, second.starts_at]
    assert [e.decoded("DTEND") for e in got] == [first.ends_at, second.ends_at]
    assert all(e.decoded("DTSTART").tzinfo == ZoneInfo("Asia/Ho_Chi_Minh") for e in got)
    assert "Asia/Ho_Chi_Minh" in zones(answer.content)
    assert "Đỗ Quang Huy (Thương vụ Việt Nam tại Nhật Bản)" in str(got[1]["DESCRIPTION"])
    uids = [str(e["UID"]) for e in got]
    assert [e.decoded("SEQUENCE") for e in got] == [0, 0]

    # The organiser moves the second talk: same UID, SEQUENCE 1, the new time.
    client.cookies.set(SESSION_COOKIE, _organiser_of(db, event.id or 0))
    moved = client.patch(
        f"/api/talks/{second.id}",
        json={"start": "2026-12-02T13:30", "end": "2026-12-02T14:00"},
        headers={"origin": "http://testserver"},
    )
    assert moved.status_code == 200, moved.text
    again = entries(client.get(f"/e/{event.slug}/agenda.ics").content)
    assert [str(e["UID"]) for e in again] == uids
    assert [e.decoded("SEQUENCE") for e in again] == [0, 1]
    assert again[1].decoded("DTSTART") == datetime(2026, 12, 2, 6, 30, tzinfo=UTC)

    one = client.get(f"/api/talks/{second.id}.ics")
    assert one.status_code == 200
    (alone,) = entries(one.content)
    assert str(alone["UID"]) == uids[1]


def _organiser_of(db: Session, event_id: int) -> str:
    """A signed-in organiser of the event (a session cookie)."""
    event = db.exec(select(Event).where(Event.id == event_id)).one()
    account = add_account(db, role=Role.organiser, event=event)
    return add_session(db, account_id=account.id)


def test_a_points_calendar_is_in_the_rooms_own_zone_and_only_for_that_point_and_organisers(
    client: TestClient, db: Session
) -> None:
    event = add_event(db, starts_at=OPENING, ends_at=OPENING + timedelta(hours=9))
    talk = add_talk(db, event, starts_at=OPENING, ends_at=OPENING + timedelta(minutes=30))
    tokyo, _ = add_point(
        db, event, SECRET, name="Thương vụ Việt Nam tại Nhật Bản", timezone="Asia/Tokyo"
    )
    other, _ = add_point(db, event, SECRET, name="Sở Công Thương Hải Dương", country="VN")
    path = f"/api/points/{tokyo.id}/agenda.ics"
    assert client.get(path).status_code == 401
    client.cookies.set(SESSION_COOKIE, add_session(db, point_id=other.id, event_id=event.id))
    assert client.get(path).status_code == 404
    client.cookies.set(SESSION_COOKIE, add_session(db, point_id=tokyo.id, event_id=event.id))
    answer = client.get(path)
    assert answer.status_code == 200
    (entry,) = entries(answer.content)
    start = entry.decoded("DTSTART")
    assert start == talk.starts_at
    assert start.tzinfo == ZoneInfo("Asia/Tokyo")
    assert (start.hour, start.minute) == (10, 0)
    assert zones(answer.content) == {"Asia/Tokyo"}


def test_an_unpublished_events_calendar_is_hidden_from_strangers(
    client: TestClient, db: Session
) -> None:
    event = add_event(db, published=False)
    talk = add_talk(db, event)
    assert client.get(f"/e/{event.slug}/agenda.ics").status_code == 404
    assert client.get(f"/api/talks/{talk.id}.ics").status_code == 404
    client.cookies.set(SESSION_COOKIE, _organiser_of(db, event.id or 0))
    assert client.get(f"/e/{event.slug}/agenda.ics").status_code == 200
