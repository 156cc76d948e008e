"""Organisers add, edit and delete attendance points through the API and the points page, on
SQLite and PostgreSQL alike; everyone else is refused and nothing changes."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, func, select

from server.events.models import AttendancePoint, Event, Role
from server.identity.auth import SESSION_COOKIE
from server.identity.models import AuthSession
from server.realtime.models import PresenceInterval
from server.settings import Settings
from sessions.live.models import FloorRequest
from tests.conftest import SECRET
from tests.databases import BOTH, english_client, migrated
from tests.factories import add_account
from tests.hubpeer import World, add_session, make_world
from tests.sessions.points.test_import import csv_file, rooms

ORIGIN = {"origin": "http://testserver"}
KATHMANDU = {
    "name": unicodedata.normalize("NFD", "  Thương vụ Việt Nam tại Nê-pan "),
    "country": "np",
    "city": "Kathmandu",
    "timezone": "Asia/Kathmandu",
    "host": "Đại sứ quán Việt Nam tại Ấn Độ",
    "contact_name": "Lê Minh Châu",
    "contact_email": "np@example.vn",
    "contact_phone": "+977 1 441 0000",
    "expected_seats": 25,
    "room_notes": "Phòng họp tầng 2\nCửa sau",
    "equipment_notes": "Máy chiếu, loa hội nghị",
}


@pytest.fixture(params=BOTH)
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Settings]:
    """A migrated database of either kind."""
    yield from migrated(request, tmp_path, "points")


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    yield from english_client(settings)


@pytest.fixture
def world(db: Session) -> World:
    return make_world(db, SECRET)


def call(
    client: TestClient, token: str | None, method: str, url: str, body: Any = None
) -> httpx2.Response:
    """A request as the holder of `token` (None: signed out)."""
    client.cookies.delete(SESSION_COOKIE)
    if token is not None:
        client.cookies.set(SESSION_COOKIE, token)
    return client.request(method, url, json=body, headers=ORIGIN)


def stored(db: Session) -> list[tuple[Any, ...]]:
    """Every point as stored, read fresh."""
    db.expire_all()
    rows = db.exec(select(AttendancePoint).order_by(col(AttendancePoint.id)))
    return [
        (p.id, p.event_id, p.name, p.city, p.timezone, p.host, p.room_notes) for p in rows.all()
    ]


def other_organiser(db: Session) -> str:
    """A session of an organiser of the other event."""
    other = db.exec(select(Event).where(Event.slug == "tuan-hang-cao-bang")).one()
    return add_session(db, account_id=add_account(db, role=Role.organiser, event=other).id)


def producer(db: Session, world: World) -> str:
    """A session of a producer of the event."""
    return add_session(db, account_id=add_account(db, role=Role.producer, event=world.event).id)


def test_an_organiser_adds_a_point_with_its_own_join_link_as_the_list_shows_it(
    client: TestClient, world: World, settings: Settings
) -> None:
    created = call(
        client, world.organiser, "POST", f"/api/events/{world.event.slug}/points", KATHMANDU
    )
    assert created.status_code == 201, created.text
    point = created.json()
    assert point["name"] == "Thương vụ Việt Nam tại Nê-pan"
    assert unicodedata.is_normalized("NFC", point["name"])
    assert (point["country"], point["timezone"], point["expected_seats"]) == (
        "NP",
        "Asia/Kathmandu",
        25,
    )
    assert point["room_notes"] == "Phòng họp tầng 2\nCửa sau"
    assert point["join_url"].startswith(f"{settings.public_base_url}/join/")
    listed = call(client, world.organiser, "GET", f"/api/events/{world.event.slug}/points").json()
    assert point in listed
    # The join link works.
    room = TestClient(client.app, base_url="http://testserver")
    token = point["join_url"].rsplit("/", 1)[-1]
    assert room.post("/api/points/join", json={"token": token}).json()["point_id"] == point["id"]
    # Members see the point, not its contacts, notes or link.
    seen = call(client, world.counsellor, "GET", f"/api/events/{world.event.slug}/points").json()
    mine = next(p for p in seen if p["id"] == point["id"])
    assert mine["host"] == KATHMANDU["host"]
    assert mine["contact_email"] is None
    assert mine["join_url"] is None


@pytest.mark.parametrize(
    ("change", "status", "code", "field"),
    [
        ({"timezone": "Asia/Hanoi"}, 422, "invalid_timezone", "timezone"),
        ({"country": "XX"}, 422, "invalid_country", "country"),
        ({"name": "   "}, 422, "field_required", "name"),
        ({"name": "Đ" * 301}, 422, "too_long", "name"),
        ({"room_notes": "x" * 2001}, 422, "too_long", "room_notes"),
        ({"contact_email": "not an email"}, 422, "invalid_email", "contact_email"),
        ({"name": "THƯƠNG VỤ VIỆT NAM TẠI NHẬT BẢN"}, 409, "point_name_taken", None),
    ],
)
def test_a_point_that_breaks_a_rule_is_refused_with_its_field_and_not_stored(
    client: TestClient,
    db: Session,
    world: World,
    change: dict[str, Any],
    status: int,
    code: str,
    field: str | None,
) -> None:
    before = stored(db)
    url = f"/api/events/{world.event.slug}/points"
    refused = call(client, world.organiser, "POST", url, {**KATHMANDU, **change})
    assert refused.status_code == status, refused.text
    assert (refused.json()["error"]["code"], refused.json()["error"].get("field")) == (code, field)
    patched = call(client, world.organiser, "PATCH", f"/api/points/{world.hanoi_point.id}", change)
    assert patched.status_code == status, patched.text
    assert stored(db) == before


def test_an_organiser_edits_a_point_and_its_join_link_stays(
    client: TestClient, db: Session, world: World
) -> None:
    point = world.tokyo_point
    url = f"/api/points/{point.id}"
    patched = call(
        client,
        world.organiser,
        "PATCH",
        url,
        {
            "city": "Ôsaka",
            "timezone": "Asia/Tokyo",
            "host": "Tổng Lãnh sự quán",
            "expected_seats": 0,
        },
    )
    assert patched.status_code == 200, patched.text
    assert (patched.json()["city"], patched.json()["host"]) == ("Ôsaka", "Tổng Lãnh sự quán")
    row = db.exec(select(AttendancePoint).where(AttendancePoint.id == point.id)).one()
    db.refresh(row)
    assert (row.city, row.name, row.join_token_hash) == ("Ôsaka", point.name, point.join_token_hash)
    # Its own name in another case is not a clash with itself.
    renamed = call(client, world.organiser, "PATCH", url, {"name": point.name.upper()})
    assert renamed.status_code == 200


def test_only_the_event_s_organisers_may_add_edit_or_delete_a_point(
    client: TestClient, db: Session, world: World
) -> None:
    point = world.tokyo_point
    before = stored(db)
    sessions_before = db.exec(select(func.count()).select_from(AuthSession)).one()
    add = f"/api/events/{world.event.slug}/points"
    one = f"/api/points/{point.id}"
    callers = [
        (None, 401, 401),
        (world.counsellor, 403, 403),
        (producer(db, world), 403, 403),
        (world.tokyo, 403, 403),
        (world.hanoi, 403, 403),
        (world.stranger, 403, 404),
        (other_organiser(db), 403, 404),
        (world.other_point, 403, 404),
    ]
    for token, on_event, on_point in callers:
        assert call(client, token, "POST", add, KATHMANDU).status_code == on_event, token
        assert call(client, token, "PATCH", one, {"city": "Osaka"}).status_code == on_point
        assert call(client, token, "DELETE", one).status_code == on_point
    assert stored(db) == before
    sessions_after = db.exec(select(func.count()).select_from(AuthSession)).one()
    assert sessions_after >= sessions_before
    missing = call(client, world.organiser, "PATCH", "/api/points/999999", {"city": "Osaka"})
    assert missing.status_code == 404


def test_deleting_a_point_signs_its_pcs_out_and_removes_it(
    client: TestClient, db: Session, world: World
) -> None:
    point = world.tokyo_point
    assert call(client, world.tokyo, "GET", "/api/me").status_code == 200
    deleted = call(client, world.organiser, "DELETE", f"/api/points/{point.id}")
    assert deleted.status_code == 204, deleted.text
    assert db.exec(select(AttendancePoint.id).where(AttendancePoint.id == point.id)).first() is None
    left = db.exec(select(AuthSession.id).where(AuthSession.point_id == point.id)).all()
    assert left == []
    assert call(client, world.tokyo, "GET", "/api/me").status_code == 401
    again = call(client, world.organiser, "DELETE", f"/api/points/{point.id}")
    assert again.status_code == 404


@pytest.mark.parametrize("activity", ["floor request", "attendance"])
def test_a_point_that_has_taken_part_cannot_be_deleted(
    client: TestClient, db: Session, world: World, activity: str
) -> None:
    point = world.hanoi_point
    assert point.id is not None
    assert world.talk.id is not None
    assert world.event.id is not None
    if activity == "floor request":
        db.add(FloorRequest(talk_id=world.talk.id, point_id=point.id))
    else:
        moment = world.event.starts_at
        db.add(
            PresenceInterval(
                event_id=world.event.id,
                member_key=f"p:{point.id}",
                point_id=point.id,
                node="test",
                joined_at=moment,
                seen_at=moment,
            )
        )
    db.commit()
    before = stored(db)
    refused = call(client, world.organiser, "DELETE", f"/api/points/{point.id}")
    assert refused.status_code == 409, refused.text
    assert refused.json()["error"]["code"] == "point_has_activity"
    assert stored(db) == before
    assert call(client, world.hanoi, "GET", "/api/me").status_code == 200


def page_csrf(client: TestClient, token: str, slug: str) -> tuple[httpx2.Response, dict[str, str]]:
    """The organisers' points page and the CSRF field its forms carry."""
    client.cookies.set(SESSION_COOKIE, token)
    page = client.get(f"/e/{slug}/organiser/points")
    assert page.status_code == 200
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found is not None
    return page, {"csrf_token": found.group(1)}


def test_the_points_page_offers_adding_importing_exporting_editing_and_deleting(
    client: TestClient, world: World
) -> None:
    page, _csrf = page_csrf(client, world.organiser, world.event.slug)
    assert page.template.name == "organiser_points.html"  # type: ignore[attr-defined]
    context = page.context  # type: ignore[attr-defined]
    assert context["max_rows"] == 2000
    assert "name, country, city, timezone" in context["columns"]
    html = page.text
    slug = world.event.slug
    assert f'action="/e/{slug}/organiser/points"' in html
    assert f'action="/e/{slug}/organiser/points/import" enctype="multipart/form-data"' in html
    assert f'href="/api/events/{slug}/points.csv"' in html
    assert 'href="/api/points/import-template.csv"' in html
    for point in (world.tokyo_point, world.hanoi_point):
        assert f'action="/e/{slug}/organiser/points/{point.id}"' in html
        assert f'action="/e/{slug}/organiser/points/{point.id}/delete"' in html
    assert html.count("<details") >= 2
    # Every field has its label.
    assert "<label>Time zone <input" in html


def test_the_page_adds_edits_and_deletes_a_point(
    client: TestClient, db: Session, world: World
) -> None:
    slug = world.event.slug
    _page, csrf = page_csrf(client, world.organiser, slug)
    form = {k: str(v) for k, v in KATHMANDU.items()}
    added = client.post(
        f"/e/{slug}/organiser/points", data={**csrf, **form}, follow_redirects=False
    )
    assert added.status_code == 303, added.text
    point = db.exec(
        select(AttendancePoint).where(AttendancePoint.name == "Thương vụ Việt Nam tại Nê-pan")
    ).one()
    assert (point.country, point.expected_seats, point.join_nonce is not None) == ("NP", 25, True)
    assert added.headers["location"] == f"/e/{slug}/organiser/points#point-{point.id}"

    bad = client.post(
        f"/e/{slug}/organiser/points/{point.id}",
        data={**csrf, **form, "timezone": "Asia/Nepal"},
    )
    assert bad.status_code == 422
    assert "Unknown time zone: Asia/Nepal" in bad.text
    assert bad.context["failed"] == point.id  # type: ignore[attr-defined]
    edited = client.post(
        f"/e/{slug}/organiser/points/{point.id}",
        data={**csrf, **form, "city": "Lalitpur", "expected_seats": ""},
        follow_redirects=False,
    )
    assert edited.status_code == 303
    db.refresh(point)
    assert (point.city, point.expected_seats) == ("Lalitpur", 0)

    gone = client.post(
        f"/e/{slug}/organiser/points/{point.id}/delete", data=csrf, follow_redirects=False
    )
    assert gone.status_code == 303
    assert db.exec(select(AttendancePoint.id).where(AttendancePoint.id == point.id)).first() is None


def test_the_page_refuses_a_form_without_its_csrf_token_or_from_a_counsellor(
    client: TestClient, db: Session, world: World
) -> None:
    slug = world.event.slug
    before = stored(db)
    form = {k: str(v) for k, v in KATHMANDU.items()}
    client.cookies.set(SESSION_COOKIE, world.organiser)
    assert client.post(f"/e/{slug}/organiser/points", data=form).status_code == 403
    _page, csrf = page_csrf(client, world.organiser, slug)
    client.cookies.set(SESSION_COOKIE, world.counsellor)
    assert client.post(f"/e/{slug}/organiser/points", data={**csrf, **form}).status_code == 403
    assert stored(db) == before


def test_the_page_imports_an_uploaded_file_and_says_how_many(
    client: TestClient, db: Session, world: World
) -> None:
    slug = world.event.slug
    _page, csrf = page_csrf(client, world.organiser, slug)
    before = len(stored(db))
    imported = client.post(
        f"/e/{slug}/organiser/points/import",
        data=csrf,
        files={"file": ("điểm cầu.csv", csv_file(rooms(12)), "text/csv")},
        follow_redirects=False,
    )
    assert imported.status_code == 303, imported.text
    assert len(stored(db)) == before + 12
    page = client.get(imported.headers["location"])
    assert page.context["notice"] == (  # type: ignore[attr-defined]
        "Imported 12 new points; 0 were already there unchanged."
    )


def test_a_bad_import_on_the_page_lists_its_rows_and_imports_nothing(
    client: TestClient, db: Session, world: World
) -> None:
    slug = world.event.slug
    _page, csrf = page_csrf(client, world.organiser, slug)
    rows = rooms(5)
    rows[1][1] = "XX"
    rows[4][3] = "Europe/Hanoi"
    before = stored(db)
    refused = client.post(
        f"/e/{slug}/organiser/points/import",
        data=csrf,
        files={"file": ("points.csv", csv_file(rows), "text/csv")},
    )
    assert refused.status_code == 422
    errors = refused.context["import_errors"]  # type: ignore[attr-defined]
    assert [(e["row"], e["column"]) for e in errors] == [(3, "country"), (6, "timezone")]
    assert 'id="import-errors"' in refused.text
    assert "Unknown country code: XX" in refused.text
    assert "Nothing was imported" in refused.text
    assert stored(db) == before
    empty = client.post(f"/e/{slug}/organiser/points/import", data=csrf)
    assert empty.status_code == 422
    assert "Choose a CSV file to import." in empty.text
