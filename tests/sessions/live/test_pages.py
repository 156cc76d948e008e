"""The live pages: the organisers' live desk, a point's console and what their scripts read."""

from __future__ import annotations

import json
import posixpath
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx2 import Response
from sqlmodel import Session

from server.events.models import Event, Role
from server.settings import Settings
from sessions.agenda.models import TalkStatus
from sessions.agenda.rules import pick_current_talk
from sessions.live.rules import recordings_folder
from tests.factories import add_account, add_event, add_point, add_talk
from tests.server.identity.test_auth import login

NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)  # 10:00 in Hà Nội


@dataclass
class Slot:
    """A talk as pick_current_talk sees it."""

    name: str
    starts_at: datetime
    ends_at: datetime
    status: str = "scheduled"


def slot(name: str, start_hour: float, hours: float = 1, status: str = "scheduled") -> Slot:
    """A talk starting `start_hour` hours after NOW (negative: before)."""
    starts = NOW + timedelta(hours=start_hour)
    return Slot(name, starts, starts + timedelta(hours=hours), status)


def test_the_live_talk_wins_over_the_clock() -> None:
    talks = [slot("opening", -1, 2), slot("panel", 3, status="live")]
    picked = pick_current_talk(talks, NOW)
    assert picked is not None
    assert picked.name == "panel"


def test_the_talk_running_now_then_the_next_and_none_when_all_are_over() -> None:
    running = [slot("before", -2), slot("now", -0.5), slot("later", 2)]
    assert getattr(pick_current_talk(running, NOW), "name", None) == "now"
    between = [slot("done", -2), slot("soon", 1), slot("later", 2)]
    assert getattr(pick_current_talk(between, NOW), "name", None) == "soon"
    over = [slot("first", -5), slot("second", -3)]
    assert pick_current_talk(over, NOW) is None
    assert pick_current_talk([], NOW) is None


def test_cancelled_and_ended_talks_are_not_current() -> None:
    talks = [slot("cancelled", -0.5, status="cancelled"), slot("next", 1)]
    assert getattr(pick_current_talk(talks, NOW), "name", None) == "next"
    talks = [slot("ended early", -0.5, status="ended"), slot("next", 1)]
    assert getattr(pick_current_talk(talks, NOW), "name", None) == "next"


def live_config(response: Response) -> dict[str, Any]:
    """The JSON block the page's scripts read."""
    match = re.search(
        r'<script type="application/json" id="live-config">(.*?)</script>', response.text, re.S
    )
    assert match, "page has no live config"
    config: dict[str, Any] = json.loads(match.group(1))
    return config


def organiser_event(db: Session) -> tuple[Event, int]:
    """An event whose second talk runs now, with a signed-up organiser; returns its account id."""
    now = datetime.now(UTC)
    event = add_event(db, starts_at=now - timedelta(hours=2), ends_at=now + timedelta(hours=6))
    add_talk(
        db,
        event,
        title_vi="Khai mạc",
        title_en="Opening",
        starts_at=now - timedelta(hours=2),
        ends_at=now - timedelta(hours=1),
    )
    add_talk(
        db,
        event,
        title_vi="Thị trường Nhật Bản: quy định nhập khẩu rau củ",
        title_en="Japan: import rules for vegetables",
        starts_at=now - timedelta(minutes=30),
        ends_at=now + timedelta(minutes=30),
    )
    organiser = add_account(db, email="org@example.vn", role=Role.organiser, event=event)
    assert organiser.id is not None
    return event, organiser.id


def test_live_desk_gives_the_scripts_the_event_the_talk_and_the_points(
    client: TestClient, db: Session, settings: Settings
) -> None:
    event, organiser_id = organiser_event(db)
    secret = settings.secret_key.get_secret_value()
    tokyo, _ = add_point(db, event, secret, name="Thương vụ Việt Nam tại Nhật Bản")
    home, _ = add_point(
        db,
        event,
        secret,
        name="UBND huyện Cẩm Giàng",
        country="VN",
        city="Cẩm Giàng",
        timezone="Asia/Ho_Chi_Minh",
    )
    assert login(client, "org@example.vn") == 200
    page = client.get(f"/e/{event.slug}/organiser/live")
    assert page.status_code == 200
    assert page.template.name == "organiser_live.html"  # type: ignore[attr-defined]
    context = page.context  # type: ignore[attr-defined]
    assert context["talk"]["title"] == "Thị trường Nhật Bản: quy định nhập khẩu rau củ"
    assert context["talk"]["zone"] == "GMT+7, Hà Nội"
    assert [t["selected"] for t in context["talks"]] == [False, True]
    assert context["points"] == [
        {"id": home.id, "name": "UBND huyện Cẩm Giàng", "place": "Cẩm Giàng, VN"},
        {"id": tokyo.id, "name": "Thương vụ Việt Nam tại Nhật Bản", "place": "Tokyo, JP"},
    ]
    live = context["live"]
    assert live["event"] == event.id
    assert live["me"] == f"a:{organiser_id}"
    assert live["point"] is None
    assert live["moderates"] is True
    assert live["chat_max"] == settings.chat_max_length
    assert live["talk"] == context["talk"]["id"]
    assert [t["title"] for t in live["talks"]] == [
        "Khai mạc",
        "Thị trường Nhật Bản: quy định nhập khẩu rau củ",
    ]
    assert all(t["zone"] == "GMT+7, Hà Nội" for t in live["talks"])
    assert live["zone_label"] == "GMT+7, Hà Nội"
    # The scripts get the same data, and their labels in the page's language.
    assert live_config(page)["me"] == f"a:{organiser_id}"
    assert live_config(page)["labels"]["raise_hand"] == "Giơ tay"
    assert f'data-point="{tokyo.id}"' in page.text
    assert client.get("/lang/en?next=/", follow_redirects=False).status_code == 303
    english = client.get(f"/e/{event.slug}/organiser/live")
    assert live_config(english)["labels"]["raise_hand"] == "Raise hand"


def test_live_desk_lists_the_talks_recordings_by_feed_in_the_events_zone(
    client: TestClient, db: Session, settings: Settings
) -> None:
    event, _ = organiser_event(db)
    tokyo, _ = add_point(
        db, event, settings.secret_key.get_secret_value(), name="Thương vụ Việt Nam tại Nhật Bản"
    )
    assert login(client, "org@example.vn") == 200
    talk = client.get(f"/e/{event.slug}/organiser/live").context["talk"]  # type: ignore[attr-defined]
    folder = recordings_folder(settings.data_dir, talk["id"])
    folder.mkdir(parents=True)
    for name, size in [
        ("20261124T020000Z-hall.mkv", 3 * 2**20),
        (f"20261124T021500Z-floor-p{tokyo.id}.mkv", 2**20),
        ("20261124T021500Z-lang-en.mkv", 2**19),
        ("20261124T023000Z-hall.part", 10),  # still being written
    ]:
        (folder / name).write_bytes(b"\0" * size)
    page = client.get(f"/e/{event.slug}/organiser/live")
    listed = [
        (r["what"], r["started_label"], r["megabytes"])
        for r in page.context["recordings"]  # type: ignore[attr-defined]
    ]
    assert listed == [
        ("Hình ảnh hội trường", "24/11/2026 09:00 (GMT+7, Hà Nội)", 3.0),
        (
            "Phát biểu: Thương vụ Việt Nam tại Nhật Bản",
            "24/11/2026 09:15 (GMT+7, Hà Nội)",
            1.0,
        ),
        ("Phiên dịch: Tiếng Anh (en)", "24/11/2026 09:15 (GMT+7, Hà Nội)", 0.5),
    ]
    assert "Phát biểu: Thương vụ Việt Nam tại Nhật Bản" in page.text


def test_live_desk_shows_a_chosen_talk_and_refuses_another_events(
    client: TestClient, db: Session
) -> None:
    event, _ = organiser_event(db)
    other = add_event(db)
    elsewhere = add_talk(db, other)
    assert login(client, "org@example.vn") == 200
    first = client.get(f"/e/{event.slug}/organiser/live").context["talks"][0]  # type: ignore[attr-defined]
    chosen = client.get(f"/e/{event.slug}/organiser/live", params={"talk": first["id"]})
    assert chosen.context["talk"]["title"] == "Khai mạc"  # type: ignore[attr-defined]
    assert live_config(chosen)["talk"] == first["id"]
    missing = client.get(f"/e/{event.slug}/organiser/live", params={"talk": elsewhere.id})
    assert missing.status_code == 404
    assert client.get(f"/e/{event.slug}/organiser/live?talk=abc").status_code == 422


def test_live_desk_without_talks_still_runs_the_event(client: TestClient, db: Session) -> None:
    event = add_event(db)
    add_account(db, email="org@example.vn", role=Role.organiser, event=event)
    assert login(client, "org@example.vn") == 200
    page = client.get(f"/e/{event.slug}/organiser/live")
    assert page.status_code == 200
    assert page.context["talk"] is None  # type: ignore[attr-defined]
    assert live_config(page)["talk"] is None
    assert 'data-live="polls"' in page.text
    assert 'data-live="chat"' not in page.text


@pytest.mark.parametrize("role", [Role.producer, Role.counsellor, Role.buyer, Role.interpreter])
def test_live_desk_is_for_organisers_only(client: TestClient, db: Session, role: Role) -> None:
    event, _ = organiser_event(db)
    add_account(db, email="member@example.vn", role=role, event=event)
    assert login(client, "member@example.vn") == 200
    assert client.get(f"/e/{event.slug}/organiser/live").status_code == 403


def test_live_desk_refuses_points_strangers_and_other_organisers(
    client: TestClient, db: Session, settings: Settings
) -> None:
    event, _ = organiser_event(db)
    anonymous = client.get(f"/e/{event.slug}/organiser/live", follow_redirects=False)
    assert anonymous.status_code == 303
    assert anonymous.headers["location"].startswith("/login?next=")
    other = add_event(db)
    add_account(db, email="org-b@example.vn", role=Role.organiser, event=other)
    assert login(client, "org-b@example.vn") == 200
    assert client.get(f"/e/{event.slug}/organiser/live").status_code == 403
    room = TestClient(client.app, base_url="http://testserver")
    _point, token = add_point(db, event, settings.secret_key.get_secret_value())
    assert room.get(f"/join/{token}", follow_redirects=False).status_code == 303
    assert room.get(f"/e/{event.slug}/organiser/live").status_code == 403


def test_point_console_follows_the_live_talk_in_the_rooms_zone(
    client: TestClient, db: Session, settings: Settings
) -> None:
    now = datetime.now(UTC)
    event = add_event(db, starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=8))
    add_talk(db, event, title_vi="Đang diễn ra", starts_at=now - timedelta(minutes=10))
    panel = add_talk(
        db,
        event,
        title_vi="Tọa đàm </script><b>giao thương</b>",
        starts_at=now + timedelta(hours=1),
        ends_at=now + timedelta(hours=2),
        status=TalkStatus.live,
    )
    point, token = add_point(db, event, settings.secret_key.get_secret_value())
    assert client.get(f"/join/{token}", follow_redirects=False).status_code == 303
    page = client.get(f"/e/{event.slug}/point")
    assert page.status_code == 200
    assert page.template.name == "point.html"  # type: ignore[attr-defined]
    context = page.context  # type: ignore[attr-defined]
    assert context["talk"]["id"] == panel.id
    assert context["talk"]["zone"] == "GMT+9, Tokyo"
    live = live_config(page)
    assert live["me"] == f"p:{point.id}"
    assert live["point"] == point.id
    assert live["moderates"] is False
    assert live["talk"] == panel.id
    assert live["zone"] == "Asia/Tokyo"
    assert live["chat_max"] == settings.chat_max_length
    assert live["talks"][1]["title"] == "Tọa đàm </script><b>giao thương</b>"
    # Text reaches the scripts as data: it can neither end the JSON block nor become markup.
    assert "</script><b>" not in page.text
    for widget in ("chat", "qa", "hand", "polls"):
        assert f'data-live="{widget}"' in page.text
    assert 'data-live="floor"' not in page.text
    assert 'id="live-banner"' in page.text
    assert "/static/point.js" not in page.text


def test_scripts_run_from_files_only(client: TestClient, db: Session, settings: Settings) -> None:
    event, _ = organiser_event(db)
    _point, token = add_point(db, event, settings.secret_key.get_secret_value())
    assert client.get(f"/join/{token}", follow_redirects=False).status_code == 303
    page = client.get(f"/e/{event.slug}/point")
    scripts = re.findall(r"<script([^>]*)>", page.text)
    assert scripts == [
        ' type="application/json" id="live-config"',
        ' type="module" src="/static/js/main.js"',
        ' type="module" src="/static/js/zone-switch.js"',
    ]
    assert "script-src" not in page.headers["content-security-policy"]
    assert "default-src 'self'" in page.headers["content-security-policy"]
    # The entry and every module it imports, followed through: served as scripts.
    seen: set[str] = set()
    todo = ["/static/js/main.js"]
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        served = client.get(path)
        assert served.status_code == 200, path
        assert "javascript" in served.headers["content-type"], path
        for target in re.findall(r'^import .* from "(\./[^"]+|\.\./[^"]+)";$', served.text, re.M):
            todo.append(posixpath.normpath(posixpath.join(posixpath.dirname(path), target)))
    assert "/static/js/widgets/chat.js" in seen
    assert "/static/js/hub.js" in seen


def test_event_page_connects_members_only_and_links_the_live_desk(
    client: TestClient, db: Session
) -> None:
    event, organiser_id = organiser_event(db)
    anonymous = client.get(f"/e/{event.slug}")
    assert "live" not in anonymous.context  # type: ignore[attr-defined]
    assert "/static/js/main.js" not in anonymous.text
    assert f"/e/{event.slug}/organiser/live" not in anonymous.text
    assert login(client, "org@example.vn") == 200
    page = client.get(f"/e/{event.slug}")
    assert live_config(page)["me"] == f"a:{organiser_id}"
    assert f'href="/e/{event.slug}/organiser/live"' in page.text
    assert 'id="live-banner"' in page.text
    add_account(db, email="buyer@example.vn", role=Role.buyer, event=event)
    assert login(client, "buyer@example.vn") == 200
    member = client.get(f"/e/{event.slug}")
    assert live_config(member)["moderates"] is False
    assert f"/e/{event.slug}/organiser/live" not in member.text
    # Members watch the talk running now from the event page.
    current = member.context["live_talk"]  # type: ignore[attr-defined]
    assert current["title"] == "Thị trường Nhật Bản: quy định nhập khẩu rau củ"
    assert live_config(member)["talk"] == current["id"]
    assert 'data-media="watch"' in member.text
    assert 'data-media="watch"' not in anonymous.text
    # Only an interpreter gets the interpretation box here (organisers have their desk).
    assert 'data-media="desk"' not in member.text
    assert 'data-media="desk"' not in page.text
    add_account(db, email="interpreter@example.vn", role=Role.interpreter, event=event)
    assert login(client, "interpreter@example.vn") == 200
    interpreter = client.get(f"/e/{event.slug}")
    assert interpreter.context["interprets"] is True  # type: ignore[attr-defined]
    assert live_config(interpreter)["moderates"] is False
    assert 'data-media="desk"' in interpreter.text
    assert 'class="desk-interpret"' in interpreter.text
    assert 'class="desk-hall"' not in interpreter.text


def test_points_page_marks_each_row_for_live_presence(
    client: TestClient, db: Session, settings: Settings
) -> None:
    event, _ = organiser_event(db)
    point, _ = add_point(db, event, settings.secret_key.get_secret_value())
    assert login(client, "org@example.vn") == 200
    page = client.get(f"/e/{event.slug}/organiser/points")
    assert page.template.name == "organiser_points.html"  # type: ignore[attr-defined]
    assert live_config(page)["event"] == event.id
    assert f'data-point="{point.id}" data-state="offline"' in page.text
    assert "0/1 điểm cầu đang trực tuyến" in page.text
