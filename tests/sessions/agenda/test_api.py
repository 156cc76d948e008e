"""The organisers' JSON API for events and their agenda, on SQLite and PostgreSQL alike: local
times in the event's zone, every rule refused with its field and nothing stored, who may edit."""

from __future__ import annotations

import itertools
import unicodedata
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import httpx2
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, func, select

from server.events.models import Event, Role
from server.identity.auth import SESSION_COOKIE
from server.identity.models import AuthSession
from server.rules import token_hash
from server.settings import Settings
from sessions.agenda.models import Talk
from sessions.live.models import Question
from tests.conftest import SECRET
from tests.databases import BOTH, english_client, migrated
from tests.factories import add_account
from tests.hubpeer import World, add_session, make_world

ORIGIN = {"origin": "http://testserver"}
MAIN = "Hội trường chính"
_slugs = itertools.count(1)


@pytest.fixture(params=BOTH)
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Settings]:
    """A migrated database of either kind."""
    yield from migrated(request, tmp_path, "agenda")


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    yield from english_client(settings)


@pytest.fixture
def world(db: Session) -> World:
    return make_world(db, SECRET)


def call(
    client: TestClient,
    token: str | None,
    method: str,
    url: str,
    body: dict[str, Any] | None = None,
    **params: str,
) -> httpx2.Response:
    """A request as the holder of `token` (None: signed out)."""
    client.cookies.delete(SESSION_COOKIE)
    if token is not None:
        client.cookies.set(SESSION_COOKIE, token)
    return client.request(method, url, json=body, params=params or None, headers=ORIGIN)


def caller(client: TestClient, token: str | None) -> partial[httpx2.Response]:
    """`call` bound to one caller: `org("PATCH", url, body)`."""
    return partial(call, client, token)


def refused(response: httpx2.Response, status: int, code: str, field: str | None) -> str:
    """The refusal's English message, after checking its status, code and field."""
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert (error["code"], error.get("field")) == (code, field), error
    return str(error["message"])


def new_event(client: TestClient, world: World, zone: str, start: str, end: str) -> dict[str, Any]:
    """An event the world's organiser creates through the API (unpublished)."""
    body = {"slug": f"su-kien-{next(_slugs)}", "title_vi": "Hội nghị kết nối giao thương"}
    body |= {"timezone": zone, "start": start, "end": end}
    response = call(client, world.organiser, "POST", "/api/events", body)
    assert response.status_code == 201, response.text
    return dict(response.json())


def talk(start: str, end: str, **extra: Any) -> dict[str, Any]:
    """A talk's body: a panel on the main hall unless `extra` says otherwise."""
    body = {"title_vi": "Phiên thảo luận", "title_en": "Panel", "stage": MAIN, "kind": "panel"}
    return {**body, "start": start, "end": end, **extra}


def post_talk(
    client: TestClient, token: str | None, slug: str, body: dict[str, Any]
) -> httpx2.Response:
    return call(client, token, "POST", f"/api/events/{slug}/talks", body)


def listed(client: TestClient, token: str | None, slug: str, **params: str) -> list[Any]:
    response = call(client, token, "GET", f"/api/events/{slug}/talks", None, **params)
    assert response.status_code == 200, response.text
    return list(response.json())


def stored(db: Session, event_id: int) -> list[dict[str, Any]]:
    """Every stored talk of the event, as the database holds it now."""
    db.expire_all()
    rows = db.exec(select(Talk).where(Talk.event_id == event_id).order_by(col(Talk.id))).all()
    found = [{name: getattr(t, name) for name in Talk.model_fields} for t in rows]
    db.commit()
    return found


def row(db: Session, talk_id: int) -> Talk | None:
    db.expire_all()
    found = db.get(Talk, talk_id)
    db.commit()
    return found


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def nfd(text: str) -> str:
    """The text as a keyboard that sends decomposed letters types it."""
    decomposed = unicodedata.normalize("NFD", text)
    assert decomposed != text
    return decomposed


def span(shown: dict[str, Any]) -> tuple[str, str]:
    return shown["start"], shown["end"]


def events_count(db: Session) -> int:
    count = db.exec(select(func.count()).select_from(Event)).one()
    db.commit()
    return int(count)


def test_an_organiser_creates_an_event_in_its_zone_and_runs_it(
    client: TestClient, db: Session, world: World
) -> None:
    org = caller(client, world.organiser)
    created = new_event(client, world, "Asia/Tokyo", "2026-12-02T09:00", "2026-12-02T17:30")
    slug = created["slug"]
    assert span(created) == ("2026-12-02T09:00:00+09:00", "2026-12-02T17:30:00+09:00")
    assert (created["timezone"], created["published"]) == ("Asia/Tokyo", False)
    assert org("GET", f"/api/events/{slug}").json() == created
    for token in (None, world.stranger, world.counsellor):
        refused(call(client, token, "GET", f"/api/events/{slug}"), 404, "event_not_found", None)
        assert call(client, token, "GET", f"/api/events/{slug}/talks").status_code == 404
    # The maker organises it: they may move it; a counsellor of another event may not.
    moved = org("PATCH", f"/api/events/{slug}", {"start": "08:30"})
    refused(moved, 422, "time_invalid", "start")
    edit = {"start": "2026-12-02T08:30", "title_en": "Trade conference", "published": True}
    moved = org("PATCH", f"/api/events/{slug}", edit)
    assert moved.status_code == 200, moved.text
    assert (moved.json()["start"], moved.json()["title"]) == (
        "2026-12-02T08:30:00+09:00",
        "Trade conference",
    )
    assert call(client, None, "GET", f"/api/events/{slug}").json() == moved.json()
    # Another zone shows the same instants; an unknown zone changes nothing.
    rezoned = org("PATCH", f"/api/events/{slug}", {"timezone": "UTC"})
    assert span(rezoned.json()) == ("2026-12-01T23:30:00Z", "2026-12-02T08:30:00Z")
    unknown = org("PATCH", f"/api/events/{slug}", {"timezone": "Mars/Olympus"})
    refused(unknown, 422, "invalid_timezone", "timezone")
    assert call(client, None, "GET", f"/api/events/{slug}").json() == rezoned.json()
    stolen = call(client, world.counsellor, "PATCH", f"/api/events/{slug}", {"title_en": "Mine"})
    refused(stolen, 403, "forbidden", None)

    before = events_count(db)
    body = {"slug": "hoi-nghi-moi", "title_vi": "Hội nghị mới", "timezone": "Asia/Tokyo"}
    body |= {"start": "2026-12-02T09:00", "end": "2026-12-02T17:00"}
    refused(call(client, None, "POST", "/api/events", body), 401, "sign_in_required", None)
    for token in (world.stranger, world.counsellor, world.tokyo):
        refused(call(client, token, "POST", "/api/events", body), 403, "forbidden", None)
    for changes, status, code, field in [
        ({"slug": slug}, 409, "slug_taken", None),
        ({"slug": world.event.slug}, 409, "slug_taken", None),
        ({"end": "2026-12-02T08:59"}, 422, "event_ends_before_start", "end"),
        ({"end": "2026-12-02T09:00"}, 422, "event_ends_before_start", "end"),
        ({"timezone": "Asia/Tokio"}, 422, "invalid_timezone", "timezone"),
        ({"timezone": "asia/tokyo"}, 422, "invalid_timezone", "timezone"),
        ({"start": "2026-02-30T09:00"}, 422, "time_invalid", "start"),
        ({"title_vi": "\u200b \u200b"}, 422, "field_required", "title_vi"),
        ({"slug": "Hội-nghị"}, 422, "invalid_input", None),
        ({"slug": "-hoi-nghi"}, 422, "invalid_input", None),
    ]:
        answer = org("POST", "/api/events", body | changes)
        refused(answer, status, code, field)
    assert events_count(db) == before
    assert org("POST", "/api/events", body).status_code == 201


def test_talks_are_given_in_the_event_zone_and_listed_as_returned(
    client: TestClient, world: World
) -> None:
    event = new_event(client, world, "Asia/Ho_Chi_Minh", "2026-12-02T08:00", "2026-12-02T17:00")
    slug = event["slug"]
    local = post_talk(client, world.organiser, slug, talk("2026-12-02T09:00", "2026-12-02T09:30"))
    assert local.status_code == 201, local.text
    opening = local.json()
    assert span(opening) == ("2026-12-02T09:00:00+07:00", "2026-12-02T09:30:00+07:00")
    assert (opening["timezone"], opening["sequence"]) == ("Asia/Ho_Chi_Minh", 0)
    # With an offset (or Z) the time is that instant, whatever the event's zone.
    tokyo = talk("2026-12-02T12:00+09:00", "2026-12-02T03:30:00Z", stage="Phòng B")
    offset = post_talk(client, world.organiser, slug, tokyo)
    assert offset.status_code == 201, offset.text
    assert span(offset.json()) == ("2026-12-02T10:00:00+07:00", "2026-12-02T10:30:00+07:00")
    assert listed(client, world.organiser, slug) == [opening, offset.json()]
    abroad = listed(client, world.organiser, slug, tz="Asia/Tokyo")
    assert [(t["start"], t["timezone"]) for t in abroad] == [
        ("2026-12-02T11:00:00+09:00", "Asia/Tokyo"),
        ("2026-12-02T12:00:00+09:00", "Asia/Tokyo"),
    ]
    assert [utc(t["start"]) for t in abroad] == [utc(opening["start"]), utc(tokyo["start"])]
    assert [utc(t["end"]) for t in abroad] == [utc(opening["end"]), utc(tokyo["end"])]


# start, end (local, 2026-12-02), other fields; status, code, field, words of the message
RULES: list[tuple[str, str, dict[str, str], int, str, str | None, str]] = [
    ("09:40", "09:35", {}, 422, "talk_ends_before_start", "end", "must end after it starts"),
    ("10:00", "10:00", {}, 422, "talk_ends_before_start", "end", "must end after it starts"),
    (
        "07:59",
        "08:30",
        {},
        422,
        "talk_outside_event",
        "start",
        "event: 02/12/2026 08:00",
    ),
    ("16:30", "17:01", {}, 422, "talk_outside_event", "end", "to 02/12/2026 17:00"),
    ("09:29", "09:45", {}, 422, "talk_overlaps", "start", "overlaps “Panel” (02/12"),
    ("08:30", "09:01", {}, 422, "talk_overlaps", "start", "09:00"),
    ("08:30", "10:00", {"stage": " hội trường CHÍNH "}, 422, "talk_overlaps", "start", "09:30"),
    ("9:00", "09:30", {}, 422, "time_invalid", "start", "is not a time"),
    ("10:00", "25:00", {}, 422, "time_invalid", "end", "is not a time"),
    ("10:00", "10:30", {"kind": "briefing"}, 422, "briefing_needs_country", "country", "country"),
    ("10:00", "10:30", {"kind": "briefing", "country": "XX"}, 400, "invalid_country", None, "list"),
    ("10:00", "10:30", {"title_vi": " \u200b "}, 422, "field_required", "title_vi", "fill in"),
]


def test_each_rule_is_refused_with_its_field_and_nothing_is_stored(
    client: TestClient, db: Session, world: World
) -> None:
    event = new_event(client, world, "Asia/Ho_Chi_Minh", "2026-12-02T08:00", "2026-12-02T17:00")
    slug, day = event["slug"], "2026-12-02T"
    first = talk(day + "09:00", day + "09:30", title_vi="Khai mạc hội nghị")
    assert post_talk(client, world.organiser, slug, first).status_code == 201
    for start, end, extra, status, code, field, words in RULES:
        before = stored(db, event["id"])
        body = talk(day + start, day + end, **extra)
        message = refused(post_talk(client, world.organiser, slug, body), status, code, field)
        assert words in message, (code, message)
        assert stored(db, event["id"]) == before, code
    # Half-open: a talk may start or end the very minute another does; other stages are free.
    for body in (
        talk(day + "09:30", day + "10:00"),
        talk(day + "08:30", day + "09:00"),
        talk(day + "09:00", day + "09:30", stage="Phòng B"),
        talk(day + "08:00", day + "08:30", stage="Phòng B"),
        talk(day + "16:30", day + "17:00", kind="briefing", country="JP"),
    ):
        assert post_talk(client, world.organiser, slug, body).status_code == 201, body
    assert len(stored(db, event["id"])) == 6


@pytest.mark.parametrize(
    ("zone", "gap", "fold", "utc_times"),
    [  # utc_times: the fold's earlier and later instants in UTC, then a local end after it
        ("Europe/Berlin", "2026-03-29T02:30", "2026-10-25T02:30", "00:30 01:30 04:00"),
        ("America/Los_Angeles", "2026-03-08T02:30", "2026-11-01T01:30", "08:30 09:30 03:00"),
    ],
)
def test_clock_changes_are_refused_or_resolved_by_fold(
    client: TestClient,
    db: Session,
    world: World,
    zone: str,
    gap: str,
    fold: str,
    utc_times: str,
) -> None:
    earlier, later, after = utc_times.split()
    event = new_event(client, world, zone, "2026-03-01T08:00", "2026-11-30T18:00")
    slug, day = event["slug"], fold[:11]
    for body, field, code, words in [
        (talk(gap, gap[:11] + "04:00"), "start", "time_nonexistent", "does not exist in " + zone),
        (talk(gap[:11] + "01:00", gap), "end", "time_nonexistent", "skip that hour"),
        (talk(fold, day + after), "start", "time_ambiguous", "happens twice in " + zone),
    ]:
        message = refused(post_talk(client, world.organiser, slug, body), 422, code, field)
        assert words in message, message
        assert "fold 0" in message or code == "time_nonexistent", message
        assert stored(db, event["id"]) == []
    for n, wanted in enumerate((earlier, later)):
        body = talk(fold, day + after, fold=n, stage=f"Phòng {n}")
        placed = post_talk(client, world.organiser, slug, body)
        assert placed.status_code == 201, placed.text
        moment = datetime.fromisoformat(f"{day}{wanted}+00:00")
        assert utc(placed.json()["start"]) == moment
        assert placed.json()["start"][:16] == fold
        stored_row = row(db, placed.json()["id"])
        assert stored_row is not None
        assert stored_row.starts_at == moment
    starts = [t["start"] for t in listed(client, world.organiser, slug)]
    assert len(set(starts)) == 2
    assert {s[:16] for s in starts} == {fold}


@pytest.mark.parametrize(
    ("zone", "offset", "utc_start"),
    [
        ("Asia/Kathmandu", "+05:45", datetime(2026, 12, 2, 3, 30, 30, 250000, tzinfo=UTC)),
        ("Pacific/Auckland", "+13:00", datetime(2026, 12, 1, 20, 15, 30, 250000, tzinfo=UTC)),
    ],
)
def test_odd_offsets_round_trip_through_the_database(
    client: TestClient, db: Session, world: World, zone: str, offset: str, utc_start: datetime
) -> None:
    start = "2026-12-02T09:15:30.250000"
    event = new_event(client, world, zone, "2026-12-02T08:00", "2026-12-02T18:00")
    assert event["start"] == f"2026-12-02T08:00:00{offset}"
    placed = post_talk(client, world.organiser, event["slug"], talk(start, "2026-12-02T10:00"))
    assert placed.status_code == 201, placed.text
    assert span(placed.json()) == (start + offset, f"2026-12-02T10:00:00{offset}")
    kept = row(db, placed.json()["id"])
    assert kept is not None
    assert (kept.starts_at, kept.starts_at.utcoffset()) == (utc_start, timedelta(0))
    assert kept.ends_at == datetime.fromisoformat(f"2026-12-02T10:00{offset}")
    assert listed(client, world.organiser, event["slug"]) == [placed.json()]
    in_utc = listed(client, world.organiser, event["slug"], tz="UTC")[0]
    assert utc(in_utc["start"]) == kept.starts_at
    assert datetime.fromisoformat(in_utc["start"]).utcoffset() == timedelta(0)


def test_moving_a_talk_raises_its_sequence_and_a_refused_edit_changes_nothing(
    client: TestClient, db: Session, world: World
) -> None:
    org = caller(client, world.organiser)
    event = new_event(client, world, "Asia/Ho_Chi_Minh", "2026-12-02T08:00", "2026-12-02T17:00")
    slug, day = event["slug"], "2026-12-02T"
    opening, panel = (
        post_talk(client, world.organiser, slug, talk(day + a, day + b)).json()
        for a, b in (("09:00", "09:30"), ("10:00", "10:30"))
    )
    url = f"/api/talks/{opening['id']}"

    renamed = org("PATCH", url, {"title_vi": "Khai mạc"})
    assert renamed.status_code == 200, renamed.text
    assert (renamed.json()["title_vi"], renamed.json()["sequence"]) == ("Khai mạc", 0)
    same = org("PATCH", url, {"start": day + "09:00"})
    assert same.json()["sequence"] == 0
    moved = org("PATCH", url, {"start": day + "14:00", "end": day + "14:30"})
    assert moved.status_code == 200, moved.text
    assert (moved.json()["start"], moved.json()["sequence"]) == ("2026-12-02T14:00:00+07:00", 1)
    assert listed(client, world.organiser, slug) == [panel, moved.json()]

    before = stored(db, event["id"])
    for title, start, end, extra, code, field in [
        ("Tên mới", "10:15", "10:45", {}, "talk_overlaps", "start"),
        ("Tên mới", "14:00", "13:00", {}, "talk_ends_before_start", "end"),
        ("Tên mới", "07:00", "14:30", {"stage": "Phòng B"}, "talk_outside_event", "start"),
        ("Tên mới", "14:00", "14:30", {"kind": "briefing"}, "briefing_needs_country", "country"),
        (" \u200b", "15:00", "15:30", {}, "field_required", "title_vi"),
    ]:
        body = {"title_vi": title, "start": day + start, "end": day + end, **extra}
        refused(org("PATCH", url, body), 422, code, field)
        assert stored(db, event["id"]) == before, code
    assert listed(client, world.organiser, slug) == [panel, moved.json()]

    refused(org("PATCH", url, {"sequence": 9}), 422, "invalid_input", None)
    # The event cannot shrink past a talk; a cancelled talk frees its slot until it comes back.
    shrunk = org("PATCH", f"/api/events/{slug}", {"end": day + "14:15"})
    assert "Khai mạc" in refused(shrunk, 422, "event_leaves_out_talk", "end")
    assert call(client, None, "GET", f"/api/events/{slug}").status_code == 404
    assert org("GET", f"/api/events/{slug}").json()["end"] == event["end"]
    off = org("PATCH", url, {"cancelled": True})
    assert (off.json()["status"], off.json()["sequence"]) == ("cancelled", 1)
    late = post_talk(client, world.organiser, slug, talk(day + "14:00", day + "14:30"))
    assert late.status_code == 201, late.text
    before = stored(db, event["id"])
    back = org("PATCH", url, {"cancelled": False})
    assert "“Panel”" in refused(back, 422, "talk_overlaps", "start")
    backwards = org("PATCH", url, {"end": day + "13:00"})
    refused(backwards, 422, "talk_ends_before_start", "end")
    assert stored(db, event["id"]) == before

    # A talk the floor took part in is kept (cancel it instead); others go.
    db.add(Question(talk_id=panel["id"], author_key="k1", author_name="HTX", body="Giá FOB?"))
    db.commit()
    kept = org("DELETE", f"/api/talks/{panel['id']}")
    refused(kept, 409, "talk_has_activity", None)
    assert org("DELETE", url).status_code == 204
    assert row(db, opening["id"]) is None
    assert listed(client, world.organiser, slug) == [panel, late.json()]
    refused(org("DELETE", url), 404, "talk_not_found", None)
    refused(org("PATCH", url, {"title_vi": "X"}), 404, "talk_not_found", None)


def test_only_the_event_organisers_may_edit_its_agenda(
    client: TestClient, db: Session, world: World
) -> None:
    event_id, talk_id, other_talk_id = world.event.id or 0, world.talk.id, world.other_talk.id
    other_event = db.get(Event, world.other_talk.event_id)
    assert other_event is not None
    producer = add_account(db, role=Role.producer, event=world.event)
    elsewhere = add_account(db, role=Role.organiser, event=other_event)
    start = world.event.starts_at.replace(microsecond=0) + timedelta(hours=2)
    body = talk(start.isoformat(), (start + timedelta(minutes=30)).isoformat(), stage="Phòng B")
    slug = world.event.slug
    before, other_before = stored(db, event_id), stored(db, other_event.id or 0)
    callers: list[tuple[str | None, int, int]] = [
        (None, 401, 401),
        (add_session(db, account_id=producer.id), 403, 403),
        (world.counsellor, 403, 403),
        (world.interpreter, 403, 403),
        (world.tokyo, 403, 403),
        (add_session(db, account_id=elsewhere.id), 403, 404),
        (world.stranger, 403, 404),
    ]
    for token, on_event, on_talk in callers:
        assert post_talk(client, token, slug, body).status_code == on_event, token
        url = f"/api/talks/{talk_id}"
        assert call(client, token, "PATCH", url, {"title_vi": "Bị sửa"}).status_code == on_talk
        assert call(client, token, "DELETE", url).status_code == on_talk, token
    # This event's organiser may not reach into the other event either.
    other_url = f"/api/talks/{other_talk_id}"
    edit = call(client, world.organiser, "PATCH", other_url, {"title_vi": "Bị sửa"})
    refused(edit, 404, "talk_not_found", None)
    refused(call(client, world.organiser, "DELETE", other_url), 404, "talk_not_found", None)
    refused(post_talk(client, world.organiser, other_event.slug, body), 403, "forbidden", None)
    assert stored(db, event_id) == before
    assert stored(db, other_event.id or 0) == other_before
    # The same body from the organiser goes through: the refusals above were about who asked.
    assert post_talk(client, world.organiser, slug, body).status_code == 201


def test_vietnamese_typed_decomposed_is_stored_composed_with_its_speakers(
    client: TestClient, db: Session, world: World
) -> None:
    slug = new_event(client, world, "Asia/Tokyo", "2026-12-02T08:00", "2026-12-02T17:00")["slug"]
    title = "Thị trường Nhật Bản: quy định an toàn thực phẩm"
    speaker = {"name": "Đỗ Quang Huy", "organisation": "Thương vụ Việt Nam tại Nhật Bản"}
    typed = [{"name": nfd(speaker["name"]), "organisation": nfd(speaker["organisation"])}]
    body = talk("2026-12-02T09:10", "2026-12-02T09:35", kind="briefing", country="jp")
    body |= {"title_vi": nfd(title), "stage": nfd(MAIN), "speakers": [typed[0] | {"country": "JP"}]}
    made = post_talk(client, world.organiser, slug, body)
    assert made.status_code == 201, made.text
    shown = made.json()
    speakers = [speaker | {"country": "JP", "account_id": None}]
    assert (shown["title_vi"], shown["stage_vi"], shown["country"]) == (title, MAIN, "JP")
    assert shown["speakers"] == speakers
    assert shown["speaker"] == "Đỗ Quang Huy (Thương vụ Việt Nam tại Nhật Bản)"
    assert listed(client, world.organiser, slug) == [shown]
    kept = row(db, shown["id"])
    assert kept is not None
    assert (kept.title_vi, kept.stage, kept.speakers) == (title, MAIN, speakers)
    # Typed decomposed again, the same stage is the same stage: the overlap is caught.
    again = talk("2026-12-02T09:30", "2026-12-02T10:00", stage=nfd(MAIN))
    refused(post_talk(client, world.organiser, slug, again), 422, "talk_overlaps", "start")

    # A speaker named by account must be one of the event's people: its organiser is, the
    # buyer of another event is not.
    def account_of(token: str) -> int | None:
        hashed = token_hash(token)
        return db.exec(select(AuthSession.account_id).where(AuthSession.token_hash == hashed)).one()

    host = {"name": "Ban tổ chức", "account_id": account_of(world.organiser)}
    member = talk("2026-12-02T11:00", "2026-12-02T11:30", speakers=[host])
    assert post_talk(client, world.organiser, slug, member).status_code == 201
    outsider = {"name": "Người lạ", "account_id": account_of(world.stranger)}
    body = talk("2026-12-02T12:00", "2026-12-02T12:30", speakers=[outsider])
    field = "speakers.0.account_id"
    refused(post_talk(client, world.organiser, slug, body), 422, "speaker_not_member", field)
