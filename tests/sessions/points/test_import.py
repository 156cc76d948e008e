"""Importing attendance points from CSV and exporting them, on SQLite and PostgreSQL alike:
150 rooms in one file, every bad row named with its column and nothing stored, size and row
limits, formula cells neutralised, and an export that imports again unchanged."""

from __future__ import annotations

import csv
import io
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
from server.settings import Settings
from sessions.points.rules import COLUMNS, parse_points_csv
from tests.conftest import SECRET
from tests.databases import BOTH, english_client, migrated
from tests.factories import add_account
from tests.hubpeer import World, add_session, make_world

ORIGIN = {"origin": "http://testserver"}
HEADER = ",".join(COLUMNS)
# Where the 36 rooms abroad sit: half-hour and quarter-hour offsets and both hemispheres.
ABROAD = [
    ("JP", "Tokyo", "Asia/Tokyo"),
    ("NP", "Kathmandu", "Asia/Kathmandu"),
    ("NZ", "Auckland", "Pacific/Auckland"),
    ("US", "Los Angeles", "America/Los_Angeles"),
    ("IN", "New Delhi", "Asia/Kolkata"),
    ("DE", "Berlin", "Europe/Berlin"),
    ("AU", "Sydney", "Australia/Sydney"),
    ("KR", "Seoul", "Asia/Seoul"),
    ("FR", "Paris", "Europe/Paris"),
]
PROVINCES = ["Hải Dương", "Cao Bằng", "Đắk Lắk", "Thừa Thiên Huế", "Bà Rịa – Vũng Tàu", "Hà Nội"]


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


def as_caller(client: TestClient, token: str | None) -> TestClient:
    """The client signed in with `token` (None: signed out)."""
    client.cookies.delete(SESSION_COOKIE)
    if token is not None:
        client.cookies.set(SESSION_COOKIE, token)
    return client


def post_csv(client: TestClient, slug: str, data: bytes) -> httpx2.Response:
    """An import with the file as the body."""
    return client.post(
        f"/api/events/{slug}/points/import",
        content=data,
        headers={"content-type": "text/csv", **ORIGIN},
    )


def csv_file(rows: list[list[str]], *, bom: bool = True) -> bytes:
    """A CSV file of the import's columns."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    writer.writerows(rows)
    return (("\ufeff" if bom else "") + out.getvalue()).encode("utf-8")


def rooms(count: int = 150) -> list[list[str]]:
    """`count` rooms: the first 36 abroad, the rest in Vietnam; every third name decomposed
    (NFD), as some keyboards and spreadsheets send Vietnamese."""
    rows = []
    for n in range(count):
        if n < 36:
            country, city, zone = ABROAD[n % len(ABROAD)]
            name = f"Thương vụ Việt Nam tại {city} số {n + 1}"
            host = "Bộ Công Thương"
        else:
            country, zone = "VN", "Asia/Ho_Chi_Minh"
            city = PROVINCES[n % len(PROVINCES)]
            name = f"Sở Công Thương {city} – điểm cầu {n + 1}"
            host = f"UBND tỉnh {city}"
        if n % 3 == 0:
            name = unicodedata.normalize("NFD", name)
        phone = f"+84 24 3826 {n:04d}"
        contact = f"Nguyễn Thị Hằng {n + 1}"
        email = f"diemcau{n + 1}@example.vn"
        rows.append([name, country, city, zone, host, contact, email, phone, str(20 + n)])
    return rows


def event_points(db: Session, event: Event) -> list[tuple[Any, ...]]:
    """What is stored of the event's points, read fresh."""
    db.expire_all()
    rows = db.exec(
        select(AttendancePoint)
        .where(AttendancePoint.event_id == event.id)
        .order_by(col(AttendancePoint.id))
    )
    return [
        (p.id, p.name, p.country, p.timezone, p.contact_phone, p.join_token_hash)
        for p in rows.all()
    ]


def point_count(db: Session) -> int:
    return int(db.exec(select(func.count()).select_from(AttendancePoint)).one())


def test_importing_150_rooms_stores_them_in_nfc_each_with_a_join_link_and_again_changes_nothing(
    client: TestClient, db: Session, world: World
) -> None:
    as_caller(client, world.organiser)
    data = csv_file(rooms())
    before = event_points(db, world.event)
    imported = post_csv(client, world.event.slug, data)
    assert imported.status_code == 200, imported.text
    assert imported.json() == {"imported": 150, "unchanged": 0}
    stored = event_points(db, world.event)
    assert len(stored) == len(before) + 150
    new = stored[len(before) :]
    assert all(unicodedata.is_normalized("NFC", name) for _id, name, *_ in new)
    assert {name for _id, name, *_ in new} >= {
        unicodedata.normalize("NFC", "Thương vụ Việt Nam tại Kathmandu số 2"),
        unicodedata.normalize("NFC", "Thương vụ Việt Nam tại Tokyo số 1"),
    }
    assert sum(1 for row in new if row[2] != "VN") == 36
    assert {row[3] for row in new} >= {"Asia/Kathmandu", "Pacific/Auckland", "America/Los_Angeles"}
    assert all(row[5] for row in new), "every point has a join link"
    assert len({row[5] for row in new}) == 150
    # The organisers' list shows each one's link.
    listed = client.get(f"/api/events/{world.event.slug}/points").json()
    assert sum(1 for p in listed if p["join_url"]) == len(stored)

    again = post_csv(client, world.event.slug, data)
    assert again.status_code == 200, again.text
    assert again.json() == {"imported": 0, "unchanged": 150}
    assert event_points(db, world.event) == stored


def test_a_file_without_a_bom_or_with_extra_columns_and_any_header_case_imports(
    client: TestClient, db: Session, world: World
) -> None:
    as_caller(client, world.organiser)
    data = (
        "  NAME ,Country,CITY,TimeZone,ghi chú\n"
        "Thương vụ Việt Nam tại Úc,au,Canberra,Australia/Sydney,không quan trọng\n"
    ).encode()
    imported = post_csv(client, world.event.slug, data)
    assert imported.status_code == 200, imported.text
    assert imported.json()["imported"] == 1
    names = {row[1]: row for row in event_points(db, world.event)}
    assert names["Thương vụ Việt Nam tại Úc"][2] == "AU"


BAD_ROWS = [
    ("unknown country", 1, "country", "XX", "Unknown country code: XX"),
    ("unknown zone", 3, "timezone", "Asia/Hanoi", "Unknown time zone: Asia/Hanoi"),
    ("missing city", 2, "city", "   ", "Please fill in this field."),
    ("overlong name", 0, "name", "Đ" * 301, "at most 300 characters"),
    ("overlong phone", 7, "contact_phone", "9" * 41, "at most 40 characters"),
    ("seats not a number", 8, "expected_seats", "nhiều", "whole number from 0 to 10000"),
    ("seats out of range", 8, "expected_seats", "10001", "whole number from 0 to 10000"),
    ("control character", 5, "contact_name", "Anh\x07Ba", "U+0007"),
    ("bad email", 6, "contact_email", "hang-at-example.vn", "not an email address"),
]


@pytest.mark.parametrize(
    ("case", "index", "column", "value", "message"), BAD_ROWS, ids=[b[0] for b in BAD_ROWS]
)
def test_each_kind_of_bad_row_is_named_with_its_row_and_column_and_nothing_is_imported(
    client: TestClient,
    db: Session,
    world: World,
    case: str,
    index: int,
    column: str,
    value: str,
    message: str,
) -> None:
    as_caller(client, world.organiser)
    rows = rooms(6)
    rows[3][index] = value
    before = point_count(db)
    refused = post_csv(client, world.event.slug, csv_file(rows))
    assert refused.status_code == 422, (case, refused.text)
    body = refused.json()
    assert body["error"]["code"] == "import_refused"
    # The header is row 1, so the fourth room is on row 5.
    assert [(e["row"], e["column"]) for e in body["errors"]] == [(5, column)]
    assert message in body["errors"][0]["message"]
    assert point_count(db) == before


def test_a_name_twice_in_the_file_in_other_case_and_spelling_is_refused(
    client: TestClient, db: Session, world: World
) -> None:
    as_caller(client, world.organiser)
    rows = rooms(5)
    rows[4][0] = unicodedata.normalize("NFD", rows[1][0].upper())
    before = point_count(db)
    refused = post_csv(client, world.event.slug, csv_file(rows))
    assert refused.status_code == 422
    errors = refused.json()["errors"]
    assert [(e["row"], e["column"]) for e in errors] == [(6, "name")]
    assert "row 3" in errors[0]["message"]
    assert point_count(db) == before


def test_a_name_the_event_has_with_other_details_is_refused_but_the_same_details_are_not(
    client: TestClient, db: Session, world: World
) -> None:
    as_caller(client, world.organiser)
    tokyo = world.tokyo_point
    same = [tokyo.name, tokyo.country, tokyo.city, tokyo.timezone, "", "", "", "", "0"]
    other = [tokyo.name.lower(), "JP", "Osaka", "Asia/Tokyo", "", "", "", "", "0"]
    before = point_count(db)
    refused = post_csv(client, world.event.slug, csv_file([*rooms(2), other]))
    assert refused.status_code == 422
    errors = refused.json()["errors"]
    assert [(e["row"], e["column"]) for e in errors] == [(4, "name")]
    assert "already has a point of this name" in errors[0]["message"]
    assert point_count(db) == before
    accepted = post_csv(client, world.event.slug, csv_file([*rooms(2), same]))
    assert accepted.json() == {"imported": 2, "unchanged": 1}


def test_every_bad_row_is_listed_at_once_in_the_reader_s_language(
    client: TestClient, world: World
) -> None:
    as_caller(client, world.organiser)
    rows = rooms(4)
    rows[0][1] = "QQ"
    rows[2][3] = "Mars/Olympus"
    client.cookies.set("ketnoi_lang", "vi")
    try:
        refused = post_csv(client, world.event.slug, csv_file(rows))
    finally:
        client.cookies.set("ketnoi_lang", "en")
    assert refused.status_code == 422
    errors = refused.json()["errors"]
    assert [(e["row"], e["column"]) for e in errors] == [(2, "country"), (4, "timezone")]
    assert "Mars/Olympus" in errors[1]["message"]
    assert "Unknown" not in errors[1]["message"], "the message is in Vietnamese"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\xff\xfeT\x00", "not UTF-8"),
        (b"ten,quoc_gia\nA,VN\n", "lacks: name, country, city, timezone"),
        (b"", "lacks"),
    ],
    ids=["utf-16", "wrong header", "empty"],
)
def test_a_file_that_is_not_our_csv_is_refused_as_a_whole(
    client: TestClient, db: Session, world: World, data: bytes, message: str
) -> None:
    as_caller(client, world.organiser)
    before = point_count(db)
    refused = post_csv(client, world.event.slug, data)
    assert refused.status_code == 422
    assert message in refused.json()["errors"][0]["message"]
    assert point_count(db) == before


def test_a_10_mb_body_is_refused_before_it_is_parsed(
    client: TestClient, db: Session, world: World
) -> None:
    as_caller(client, world.organiser)
    big = csv_file(rooms(2)) + b"x" * 10_000_000
    before = point_count(db)
    refused = post_csv(client, world.event.slug, big)
    assert refused.status_code == 413
    assert refused.json()["error"]["code"] == "import_too_large"
    assert "at most 2 MB" in refused.json()["error"]["message"]
    uploaded = client.post(
        f"/api/events/{world.event.slug}/points/import",
        files={"file": ("points.csv", big, "text/csv")},
        headers=ORIGIN,
    )
    assert uploaded.status_code == 413
    assert point_count(db) == before


def test_a_body_past_the_limit_without_a_declared_length_is_refused(
    client: TestClient, db: Session, world: World
) -> None:
    as_caller(client, world.organiser)

    def chunks() -> Iterator[bytes]:
        yield csv_file(rooms(2))
        for _ in range(30):
            yield b"x" * 100_000

    before = point_count(db)
    refused = client.post(
        f"/api/events/{world.event.slug}/points/import",
        content=chunks(),
        headers={"content-type": "text/csv", **ORIGIN},
    )
    assert refused.status_code == 413
    assert point_count(db) == before


def test_more_rows_than_the_limit_is_refused_with_one_error(
    client: TestClient, db: Session, world: World, settings: Settings
) -> None:
    as_caller(client, world.organiser)
    limit = settings.points_import_max_rows
    rows = [[f"Điểm cầu {n}", "VN", "Hà Nội", "Asia/Ho_Chi_Minh"] + [""] * 5 for n in range(limit)]
    before = point_count(db)
    refused = post_csv(client, world.event.slug, csv_file([*rows, rows[0]]))
    assert refused.status_code == 422
    errors = refused.json()["errors"]
    assert len(errors) == 1
    assert errors[0]["code"] == "too_many_rows"
    assert f"more than {limit} rows" in errors[0]["message"]
    assert point_count(db) == before


def test_only_the_event_s_organisers_may_import_or_export(
    client: TestClient, db: Session, world: World
) -> None:
    counsellor = world.counsellor
    other = db.exec(select(Event).where(Event.slug == "tuan-hang-cao-bang")).one()
    foreign = add_session(db, account_id=add_account(db, role=Role.organiser, event=other).id)
    data = csv_file(rooms(3))
    before = point_count(db)
    for token, status in [
        (None, 401),
        (counsellor, 403),
        (world.tokyo, 403),
        (world.stranger, 403),
        (foreign, 403),
    ]:
        as_caller(client, token)
        assert post_csv(client, world.event.slug, data).status_code == status, token
        exported = client.get(f"/api/events/{world.event.slug}/points.csv")
        assert exported.status_code == status
    assert point_count(db) == before


def test_the_export_neutralises_formula_cells_keeps_vietnamese_and_imports_again_unchanged(
    client: TestClient, db: Session, world: World
) -> None:
    as_caller(client, world.organiser)
    created = client.post(
        f"/api/events/{world.event.slug}/points",
        json={
            "name": '=HYPERLINK("http://x","y")',
            "country": "VN",
            "city": "Hà Nội",
            "timezone": "Asia/Ho_Chi_Minh",
        },
        headers=ORIGIN,
    )
    assert created.status_code == 201, created.text
    injected = [
        "+cmd|' /C calc'!A0",
        "JP",
        "Tokyo",
        "Asia/Tokyo",
        "@SUM(1+1)",
        "-2+3",
        "",
        "+81 3 3466 3311",
        "12",
    ]
    assert post_csv(client, world.event.slug, csv_file([injected])).json()["imported"] == 1

    exported = client.get(f"/api/events/{world.event.slug}/points.csv")
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/csv")
    assert "attachment" in exported.headers["content-disposition"]
    raw = exported.content
    assert raw.startswith("\ufeff".encode())
    table = list(csv.reader(io.StringIO(raw.decode("utf-8").removeprefix("\ufeff"))))
    assert table[0] == list(COLUMNS)
    by_name = {row[0]: row for row in table[1:]}
    assert '\'=HYPERLINK("http://x","y")' in by_name
    row = by_name["'+cmd|' /C calc'!A0"]
    assert row[4:8] == ["'@SUM(1+1)", "'-2+3", "", "'+81 3 3466 3311"]
    assert not any(cell.startswith(("=", "+", "-", "@")) for r in table for cell in r)
    assert {"Thương vụ Việt Nam tại Nhật Bản", "Sở Công Thương Hải Dương"} <= set(by_name)

    # The export is a file the import takes back as it is.
    stored = event_points(db, world.event)
    again = post_csv(client, world.event.slug, raw)
    assert again.json() == {"imported": 0, "unchanged": len(stored)}
    assert event_points(db, world.event) == stored
    phones = {name: phone for _id, name, _c, _z, phone, _h in stored}
    assert phones["+cmd|' /C calc'!A0"] == "+81 3 3466 3311"


def test_the_template_is_public_and_imports_as_it_is(
    client: TestClient, db: Session, world: World
) -> None:
    as_caller(client, None)
    template = client.get("/api/points/import-template.csv")
    assert template.status_code == 200
    text = template.content.decode("utf-8")
    assert text.startswith("\ufeff" + ",".join(COLUMNS))
    assert "Thương vụ Việt Nam tại Nhật Bản,JP,Tokyo,Asia/Tokyo" in text
    as_caller(client, world.organiser)
    # The example names the Tokyo room the event already has, with other details.
    assert post_csv(client, world.event.slug, template.content).status_code == 422
    other = db.exec(select(Event).where(Event.slug == "tuan-hang-cao-bang")).one()
    organiser = add_account(db, role=Role.organiser, event=other)
    as_caller(client, add_session(db, account_id=organiser.id))
    assert post_csv(client, other.slug, template.content).json() == {"imported": 1, "unchanged": 0}


def test_parsing_numbers_rows_as_a_spreadsheet_does_and_skips_blank_lines() -> None:
    data = (
        HEADER + "\n\nA,VN,Huế,Asia/Ho_Chi_Minh,,,,,\n,,,,\nB,vn,Huế,Asia/Bangkok,,,,,x\n"
    ).encode()
    rows, errors = parse_points_csv(data, max_rows=10, known_countries={"VN"})
    assert [r.name for r in rows] == ["A"]
    assert rows[0].row == 3
    assert [(e.row, e.column, e.message_code) for e in errors] == [
        (5, "expected_seats", "invalid_seats")
    ]
