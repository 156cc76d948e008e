"""Attendance points: join links (valid, rotated, revoked, forged), the points API, roles."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from server.events.models import AttendancePoint, Role
from server.identity.auth import SESSION_COOKIE
from server.identity.models import AuthSession
from server.settings import Settings
from tests.factories import add_account, add_event, add_point
from tests.hubpeer import connect
from tests.server.identity.test_auth import login


def test_join_link_signs_the_room_pc_in_as_its_point(
    client: TestClient, db: Session, settings: Settings
) -> None:
    event = add_event(db)
    point, token = add_point(
        db, event, settings.secret_key.get_secret_value(), name="Thương vụ Việt Nam tại Nhật Bản"
    )
    response = client.get(f"/join/{token}", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"/e/{event.slug}/point"
    assert "HttpOnly" in response.headers["set-cookie"]
    assert client.get("/api/me").json()["point_id"] == point.id
    console = client.get(f"/e/{event.slug}/point")
    assert console.status_code == 200
    assert "Thương vụ Việt Nam tại Nhật Bản" in console.text
    assert "Asia/Tokyo" in console.text
    # The session lasts for the event (plus grace), not the default account lifetime.
    row = db.exec(select(AuthSession).where(AuthSession.point_id == point.id)).one()
    assert row.expires_at == event.ends_at + timedelta(hours=settings.point_session_grace_hours)


def test_join_api_returns_the_point(client: TestClient, db: Session, settings: Settings) -> None:
    event = add_event(db)
    point, token = add_point(db, event, settings.secret_key.get_secret_value())
    response = client.post("/api/points/join", json={"token": token})
    assert response.status_code == 200
    assert response.json()["point_id"] == point.id
    assert response.json()["event_slug"] == event.slug
    assert client.get("/api/me").json()["point_id"] == point.id


@pytest.mark.parametrize("token", ["forged", "0" * 64, "x" * 300])
def test_forged_join_tokens_are_refused(
    client: TestClient, db: Session, settings: Settings, token: str
) -> None:
    event = add_event(db)
    add_point(db, event, settings.secret_key.get_secret_value())
    response = client.post("/api/points/join", json={"token": token})
    assert response.status_code in (404, 422)
    assert client.get(f"/join/{token}", follow_redirects=False).status_code == 404
    assert db.exec(select(AuthSession)).all() == []


def test_a_token_from_another_secret_key_is_refused(
    client: TestClient, db: Session, settings: Settings
) -> None:
    event = add_event(db)
    point, _token = add_point(db, event, settings.secret_key.get_secret_value())
    from server.events.rules import join_token

    assert point.join_nonce is not None
    other = join_token("another-secret-key-of-sufficient-length", point.join_nonce)
    assert client.post("/api/points/join", json={"token": other}).status_code == 404


def test_rotating_a_link_stops_the_old_one_and_its_sessions(
    client: TestClient, db: Session, settings: Settings
) -> None:
    event = add_event(db)
    point, old_token = add_point(db, event, settings.secret_key.get_secret_value())
    add_account(db, email="org@example.vn", role=Role.organiser, event=event)
    room = TestClient(client.app, base_url="http://testserver")
    assert room.post("/api/points/join", json={"token": old_token}).status_code == 200
    assert room.get("/api/me").status_code == 200

    assert login(client, "org@example.vn") == 200
    rotated = client.post(f"/api/points/{point.id}/join-link")
    assert rotated.status_code == 200
    new_url = rotated.json()["join_url"]
    assert old_token not in new_url
    assert new_url.startswith(f"{settings.public_base_url}/join/")

    assert room.get("/api/me").status_code == 401
    assert room.post("/api/points/join", json={"token": old_token}).status_code == 404
    new_token = new_url.rsplit("/", 1)[1]
    assert room.post("/api/points/join", json={"token": new_token}).status_code == 200
    # Only a hash is stored.
    db.expire_all()
    stored = db.get(AttendancePoint, point.id)
    assert stored is not None
    assert new_token not in (stored.join_token_hash, stored.join_nonce)


def test_revoking_a_link_signs_the_point_out(
    client: TestClient, db: Session, settings: Settings
) -> None:
    event = add_event(db)
    point, token = add_point(db, event, settings.secret_key.get_secret_value())
    add_account(db, email="org@example.vn", role=Role.organiser, event=event)
    room = TestClient(client.app, base_url="http://testserver")
    assert room.post("/api/points/join", json={"token": token}).status_code == 200
    assert login(client, "org@example.vn") == 200
    assert client.post(f"/api/points/{point.id}/revoke").status_code == 200
    assert room.get("/api/me").status_code == 401
    assert room.post("/api/points/join", json={"token": token}).status_code == 404
    listed = client.get(f"/api/events/{event.slug}/points").json()
    assert listed[0]["join_url"] is None


def test_join_link_of_a_finished_event_is_refused(
    client: TestClient, db: Session, settings: Settings
) -> None:
    now = datetime.now(UTC)
    event = add_event(db, starts_at=now - timedelta(days=3), ends_at=now - timedelta(days=2))
    _point, token = add_point(db, event, settings.secret_key.get_secret_value())
    response = client.post("/api/points/join", json={"token": token})
    assert response.status_code == 410
    assert db.exec(select(AuthSession)).all() == []


def test_points_api_shows_join_links_to_organisers_only(
    client: TestClient, db: Session, settings: Settings
) -> None:
    event = add_event(db)
    secret = settings.secret_key.get_secret_value()
    _p1, token = add_point(
        db,
        event,
        secret,
        name="UBND huyện Cẩm Giàng",
        country="VN",
        city="Cẩm Giàng",
        timezone="Asia/Ho_Chi_Minh",
    )
    add_point(
        db,
        event,
        secret,
        name="Thương vụ Việt Nam tại UAE",
        country="AE",
        city="Dubai",
        timezone="Asia/Dubai",
    )
    add_account(db, email="org@example.vn", role=Role.organiser, event=event)
    add_account(db, email="tt@example.vn", role=Role.counsellor, event=event)

    assert login(client, "tt@example.vn") == 200
    as_counsellor = client.get(f"/api/events/{event.slug}/points").json()
    assert {p["name"] for p in as_counsellor} == {
        "UBND huyện Cẩm Giàng",
        "Thương vụ Việt Nam tại UAE",
    }
    assert all(p["join_url"] is None for p in as_counsellor)
    assert all(p["online"] is False for p in as_counsellor)

    room = TestClient(client.app, base_url="http://testserver")
    assert room.get(f"/join/{token}", follow_redirects=False).status_code == 303
    assert login(client, "org@example.vn") == 200
    cam_giang = "UBND huyện Cẩm Giàng"

    def online() -> dict[str, bool]:
        listed = client.get(f"/api/events/{event.slug}/points").json()
        return {p["name"]: p["online"] for p in listed}

    # Online means the room's console is connected to the live hub, on the event's channel.
    assert online()[cam_giang] is False
    with connect(client, room.cookies.get(SESSION_COOKIE)) as console:
        console.ok("subscribe", channel=f"event:{event.id}")
        assert online()[cam_giang] is True
    assert online()[cam_giang] is False

    as_organiser = client.get(f"/api/events/{event.slug}/points").json()
    by_name = {p["name"]: p for p in as_organiser}
    assert by_name["UBND huyện Cẩm Giàng"]["join_url"].endswith(token)
    assert by_name["Thương vụ Việt Nam tại UAE"]["timezone"] == "Asia/Dubai"
    assert by_name["Thương vụ Việt Nam tại UAE"]["join_url"].startswith(settings.public_base_url)


def test_points_api_needs_a_member(client: TestClient, db: Session, settings: Settings) -> None:
    event = add_event(db)
    other = add_event(db)
    add_point(db, event, settings.secret_key.get_secret_value())
    assert client.get(f"/api/events/{event.slug}/points").status_code == 401
    add_account(db, email="buyer@example.vn", role=Role.buyer, event=other)
    assert login(client, "buyer@example.vn") == 200
    assert client.get(f"/api/events/{event.slug}/points").status_code == 403


@pytest.mark.parametrize("role", [Role.producer, Role.counsellor, Role.buyer])
def test_non_organisers_cannot_manage_points(
    client: TestClient, db: Session, settings: Settings, role: Role
) -> None:
    event = add_event(db)
    point, token = add_point(db, event, settings.secret_key.get_secret_value())
    add_account(db, email="member@example.vn", role=role, event=event)
    assert login(client, "member@example.vn") == 200
    assert client.get(f"/e/{event.slug}/organiser/points").status_code == 403
    assert client.post(f"/api/points/{point.id}/join-link").status_code == 403
    assert client.post(f"/api/points/{point.id}/revoke").status_code == 403
    db.expire_all()
    stored = db.get(AttendancePoint, point.id)
    assert stored is not None
    assert not stored.revoked
    assert client.post("/api/points/join", json={"token": token}).status_code == 200


def test_a_point_cannot_open_organiser_pages_or_api(
    client: TestClient, db: Session, settings: Settings
) -> None:
    event = add_event(db)
    point, token = add_point(db, event, settings.secret_key.get_secret_value())
    assert client.post("/api/points/join", json={"token": token}).status_code == 200
    assert client.get(f"/e/{event.slug}/organiser/points").status_code == 403
    assert client.post(f"/api/points/{point.id}/join-link").status_code == 403


def test_organiser_of_another_event_cannot_touch_this_events_points(
    client: TestClient, db: Session, settings: Settings
) -> None:
    event = add_event(db)
    other = add_event(db)
    point, _token = add_point(db, event, settings.secret_key.get_secret_value())
    add_account(db, email="org-b@example.vn", role=Role.organiser, event=other)
    assert login(client, "org-b@example.vn") == 200
    # Answered as a point that does not exist: ids of other events are not told apart.
    assert client.post(f"/api/points/{point.id}/join-link").status_code == 404
    assert client.post("/api/points/987654/join-link").status_code == 404
    page = client.get(f"/e/{other.slug}/organiser/points")
    assert page.status_code == 200
    from tests.server.identity.test_auth import csrf_from

    forged = client.post(
        f"/e/{other.slug}/organiser/points/{point.id}/revoke",
        data={"csrf_token": csrf_from(page.text)},
    )
    assert forged.status_code == 404
    db.expire_all()
    stored = db.get(AttendancePoint, point.id)
    assert stored is not None
    assert not stored.revoked


def test_anonymous_visitor_is_sent_to_sign_in(client: TestClient, db: Session) -> None:
    event = add_event(db)
    response = client.get(f"/e/{event.slug}/organiser/points", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=")
    assert client.post("/api/points/1/join-link").status_code == 401


def test_organiser_page_rotates_a_link_with_a_form(
    client: TestClient, db: Session, settings: Settings
) -> None:
    event = add_event(db)
    point, token = add_point(db, event, settings.secret_key.get_secret_value())
    add_account(db, email="org@example.vn", role=Role.organiser, event=event)
    assert login(client, "org@example.vn") == 200
    page = client.get(f"/e/{event.slug}/organiser/points")
    assert token in page.text
    from tests.server.identity.test_auth import csrf_from

    response = client.post(
        f"/e/{event.slug}/organiser/points/{point.id}/rotate",
        data={"csrf_token": csrf_from(page.text)},
    )
    assert response.status_code == 200
    assert token not in response.text
    assert client.post("/api/points/join", json={"token": token}).status_code == 404


def _session_of(client: TestClient) -> str:
    """The session token the client's browser holds now."""
    (token,) = {c.value for c in client.cookies.jar if c.name == SESSION_COOKIE and c.value}
    return token


def _holder_of(client: TestClient, token: str) -> TestClient:
    """Another browser holding that session token."""
    other = TestClient(client.app, base_url="http://testserver")
    other.cookies.set(SESSION_COOKIE, token)
    return other


def test_opening_a_join_link_while_signed_in_ends_the_accounts_session(
    client: TestClient, db: Session, settings: Settings
) -> None:
    event = add_event(db)
    _, token = add_point(db, event, settings.secret_key.get_secret_value())
    add_account(db, email="org@example.vn", role=Role.organiser, event=event)
    assert login(client, "org@example.vn") == 200
    account_session = _session_of(client)
    assert _holder_of(client, account_session).get("/api/me").status_code == 200
    assert client.get(f"/join/{token}", follow_redirects=False).status_code == 303
    assert client.get("/api/me").json()["account"] is None
    # The account's session is over on the server, not only forgotten by this browser.
    assert _holder_of(client, account_session).get("/api/me").status_code == 401
    # The same through the JSON API.
    other = TestClient(client.app, base_url="http://testserver")
    assert login(other, "org@example.vn") == 200
    again = _session_of(other)
    assert other.post("/api/points/join", json={"token": token}).status_code == 200
    assert _holder_of(client, again).get("/api/me").status_code == 401


def test_answers_that_carry_join_links_are_never_cached(
    client: TestClient, db: Session, settings: Settings
) -> None:
    event = add_event(db)
    point, _ = add_point(db, event, settings.secret_key.get_secret_value())
    add_account(db, email="org@example.vn", role=Role.organiser, event=event)
    assert login(client, "org@example.vn") == 200
    for response in (
        client.get(f"/e/{event.slug}/organiser/points"),
        client.get(f"/api/events/{event.slug}/points"),
        client.post(f"/api/points/{point.id}/join-link"),
    ):
        assert response.status_code == 200
        assert "/join/" in response.text
        assert response.headers["cache-control"] == "no-store"
    # Static files keep their own caching.
    assert "no-store" not in client.get("/static/ketnoi.css").headers.get("cache-control", "")
