"""The agenda in a chosen time zone, on the API and on the pages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session

from server.events.models import Role
from tests.factories import add_account, add_event, add_talk
from tests.server.identity.test_auth import login

OPENING = datetime(2026, 12, 4, 1, 30, tzinfo=UTC)  # 08:30 in Hà Nội, 10:30 in Tokyo


def test_talks_in_a_requested_zone_carry_its_offset(client: TestClient, db: Session) -> None:
    event = add_event(db, starts_at=OPENING, ends_at=OPENING.replace(hour=10))
    add_talk(
        db,
        event,
        title_vi="Khai mạc hội nghị",
        title_en="Opening",
        starts_at=OPENING,
        ends_at=OPENING + timedelta(minutes=30),
    )
    default = client.get(f"/api/events/{event.slug}/talks").json()
    assert default[0]["start"] == "2026-12-04T08:30:00+07:00"
    assert default[0]["timezone"] == "Asia/Ho_Chi_Minh"
    assert default[0]["title"] == "Khai mạc hội nghị"
    tokyo = client.get(f"/api/events/{event.slug}/talks", params={"tz": "Asia/Tokyo"}).json()
    assert tokyo[0]["start"] == "2026-12-04T10:30:00+09:00"
    assert tokyo[0]["end"] == "2026-12-04T11:00:00+09:00"
    berlin = client.get(f"/api/events/{event.slug}/talks", params={"tz": "Europe/Berlin"}).json()
    assert berlin[0]["start"] == "2026-12-04T02:30:00+01:00"
    english = client.get(
        f"/api/events/{event.slug}/talks", headers={"accept-language": "en"}
    ).json()
    assert english[0]["title"] == "Opening"


def test_unknown_zone_is_a_422_with_a_message(client: TestClient, db: Session) -> None:
    event = add_event(db)
    for zone in ("Mars/Olympus", "../../etc/passwd", "asia/tokyo", " Asia/Tokyo"):
        response = client.get(
            f"/api/events/{event.slug}/talks",
            params={"tz": zone},
            headers={"accept-language": "en"},
        )
        assert response.status_code == 422
        assert response.json()["error"]["code"] == "invalid_timezone"
        assert "time zone" in response.json()["error"]["message"]


def test_events_api_lists_published_events_only(client: TestClient, db: Session) -> None:
    shown = add_event(db, title_vi="Tuần hàng Cao Bằng tại TP. Hồ Chí Minh")
    add_event(db, published=False)
    events = client.get("/api/events").json()
    assert [e["slug"] for e in events] == [shown.slug]
    assert events[0]["title_vi"] == "Tuần hàng Cao Bằng tại TP. Hồ Chí Minh"
    assert events[0]["start"].endswith("+07:00")


def test_unpublished_event_agenda_is_hidden(client: TestClient, db: Session) -> None:
    hidden = add_event(db, published=False)
    assert client.get(f"/api/events/{hidden.slug}/talks").status_code == 404
    assert client.get("/api/events/no-such-event/talks").status_code == 404


def test_event_page_labels_every_time_with_its_zone(client: TestClient, db: Session) -> None:
    event = add_event(db, starts_at=OPENING, ends_at=OPENING.replace(hour=10))
    add_talk(
        db,
        event,
        title_vi="Thương vụ tại Nhật Bản: quy định nhập khẩu rau củ",
        starts_at=OPENING,
        ends_at=OPENING + timedelta(minutes=30),
    )
    page = client.get(f"/e/{event.slug}")
    assert page.status_code == 200
    assert "Thương vụ tại Nhật Bản: quy định nhập khẩu rau củ" in page.text
    assert "08:30–09:00" in page.text
    assert "GMT+7, Hà Nội" in page.text
    assert "Thứ Sáu, 4 tháng 12, 2026" in page.text
    client.cookies.set("ketnoi_lang", "en")
    assert "GMT+7, Hanoi" in client.get(f"/e/{event.slug}").text


def test_signed_in_viewer_abroad_also_sees_their_own_time(client: TestClient, db: Session) -> None:
    event = add_event(db, starts_at=OPENING, ends_at=OPENING.replace(hour=10))
    add_talk(db, event, starts_at=OPENING, ends_at=OPENING + timedelta(minutes=30))
    add_account(
        db, email="tokyo@example.vn", role=Role.counsellor, event=event, timezone="Asia/Tokyo"
    )
    assert login(client, "tokyo@example.vn") == 200
    page = client.get(f"/e/{event.slug}")
    assert "GMT+9, Tokyo" in page.text
    assert "10:30–11:00" in page.text
    assert "08:30–09:00" in page.text
    assert page.context["agenda_zone"] == "GMT+9, Tokyo"  # type: ignore[attr-defined]


def test_the_zone_switch_is_remembered_and_a_talk_past_midnight_is_on_its_own_day(
    client: TestClient, db: Session
) -> None:
    # 22:30-23:30 in Hà Nội on 4 December is 00:30-01:30 on 5 December in Tokyo.
    late = datetime(2026, 12, 4, 15, 30, tzinfo=UTC)
    event = add_event(db, starts_at=OPENING, ends_at=late + timedelta(hours=2))
    add_talk(
        db, event, title_vi="Khai mạc", starts_at=OPENING, ends_at=OPENING + timedelta(hours=1)
    )
    add_talk(
        db, event, title_vi="Thương vụ Nhật Bản", starts_at=late, ends_at=late + timedelta(hours=1)
    )
    client.cookies.set("ketnoi_lang", "en")
    here = client.get(f"/e/{event.slug}")
    days = here.context["agenda"]  # type: ignore[attr-defined]
    assert [d["label"] for d in days] == ["Friday, December 4, 2026"]
    assert here.context["zones"]["label"] == "GMT+7, Hanoi"  # type: ignore[attr-defined]
    switch = client.get(f"/tz?zone=Asia/Tokyo&next=/e/{event.slug}", follow_redirects=False)
    assert switch.status_code == 303
    assert switch.headers["location"] == f"/e/{event.slug}"
    tokyo = client.get(f"/e/{event.slug}")
    days = tokyo.context["agenda"]  # type: ignore[attr-defined]
    assert [d["label"] for d in days] == ["Friday, December 4, 2026", "Saturday, December 5, 2026"]
    assert [t["time"] for t in days[1]["talks"]] == ["00:30–01:30"]
    # The event's own time beside it, marked as the day before.
    assert [t["other_time"] for t in days[1]["talks"]] == ["22:30–23:30 (-1)"]
    assert "GMT+9, Tokyo" in tokyo.text
    client.get(f"/tz?zone=event&next=/e/{event.slug}")
    assert client.get(f"/e/{event.slug}").context["zones"]["label"] == "GMT+7, Hanoi"  # type: ignore[attr-defined]
    # A zone that does not exist changes nothing.
    client.get(f"/tz?zone=Mars/Olympus&next=/e/{event.slug}")
    assert client.get(f"/e/{event.slug}").context["zones"]["label"] == "GMT+7, Hanoi"  # type: ignore[attr-defined]


def test_pages_switch_language(client: TestClient, db: Session) -> None:
    event = add_event(
        db, title_vi="Hội nghị cà rốt Hải Dương", title_en="Hai Duong carrot conference"
    )
    vi = client.get(f"/e/{event.slug}")
    assert "Hội nghị cà rốt Hải Dương" in vi.text
    assert 'lang="vi"' in vi.text
    switch = client.get(f"/lang/en?next=/e/{event.slug}", follow_redirects=False)
    assert switch.status_code == 303
    assert switch.headers["location"] == f"/e/{event.slug}"
    en = client.get(f"/e/{event.slug}")
    assert 'lang="en"' in en.text
    assert "Hai Duong carrot conference" in en.text
    assert "Agenda" in en.text
    assert "Agenda" not in vi.text
    assert (
        client.get("/lang/en?next=https://evil.example", follow_redirects=False).headers["location"]
        == "/"
    )


def test_event_text_is_escaped(client: TestClient, db: Session) -> None:
    event = add_event(db, title_vi="<script>alert('x')</script> Hội nghị")
    page = client.get(f"/e/{event.slug}")
    assert "<script>alert" not in page.text
    assert "&lt;script&gt;" in page.text


def test_home_lists_published_events(client: TestClient, db: Session) -> None:
    shown = add_event(db, title_vi="Tuần hàng Cao Bằng")
    hidden = add_event(db, title_vi="Sự kiện nháp", published=False)
    page = client.get("/")
    assert page.template.name == "home.html"  # type: ignore[attr-defined]
    assert [e["slug"] for e in page.context["events"]] == [shown.slug]  # type: ignore[attr-defined]
    assert "Tuần hàng Cao Bằng" in page.text
    assert hidden.title_vi not in page.text
    assert client.get(f"/e/{hidden.slug}").status_code == 403


def test_pages_send_security_headers(client: TestClient) -> None:
    response = client.get("/login")
    assert response.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"
