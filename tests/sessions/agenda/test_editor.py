"""The organisers' pages of the programme: making an event, its settings, and the agenda
editor's forms (the plain-form path; the script's path is the API, tests/e2e drives it)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import httpx2
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from server.events.models import Event, Membership, Role
from server.identity.auth import SESSION_COOKIE
from sessions.agenda.models import Talk
from tests.factories import add_account, add_event, add_talk
from tests.hubpeer import add_session

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
OPENING = datetime(2026, 12, 2, 1, 0, tzinfo=UTC)  # 08:00 in Hà Nội


def post_form(client: TestClient, page: str, action: str, **data: str) -> httpx2.Response:
    """Submit a form of `page` as the browser would (its CSRF token included)."""
    shown = client.get(page)
    assert shown.status_code == 200, shown.text[:300]
    token = CSRF.search(shown.text)
    assert token is not None
    return client.post(action, data={"csrf_token": token.group(1), **data}, follow_redirects=False)


def talks(db: Session) -> list[Talk]:
    db.expire_all()
    return list(db.exec(select(Talk).order_by(Talk.starts_at)).all())  # type: ignore[arg-type]


def sign_in_as(client: TestClient, db: Session, event: Event, role: Role) -> None:
    account = add_account(db, role=role, event=event)
    client.cookies.set(SESSION_COOKIE, add_session(db, account_id=account.id))
    client.cookies.set("ketnoi_lang", "en")


def test_an_organiser_adds_moves_and_deletes_talks_from_the_editor(
    client: TestClient, db: Session
) -> None:
    event = add_event(db, starts_at=OPENING, ends_at=OPENING + timedelta(hours=9))
    add_talk(
        db, event, title_vi="Khai mạc", starts_at=OPENING, ends_at=OPENING + timedelta(minutes=30)
    )
    sign_in_as(client, db, event, Role.organiser)
    editor = f"/e/{event.slug}/organiser/agenda"
    page = client.get(editor)
    assert page.status_code == 200
    assert page.template.name == "organiser_agenda.html"  # type: ignore[attr-defined]
    assert "GMT+7, Hanoi" in page.text
    assert 'value="2026-12-02T08:00"' in page.text

    fields = {
        "title_vi": "Thị trường Nhật Bản",
        "title_en": "Japan",
        "kind": "briefing",
        "country": "JP",
        "stage": "Hội trường chính",
        "start": "2026-12-02T08:30",
        "end": "2026-12-02T09:00",
        "speakers": "Đỗ Quang Huy; Thương vụ Việt Nam tại Nhật Bản; JP",
    }
    added = post_form(client, editor, editor, **fields)
    assert added.status_code == 303, added.text[:500]
    first, briefing = talks(db)
    assert added.headers["location"] == f"{editor}#talk-{briefing.id}"
    assert (briefing.kind, briefing.country) == ("briefing", "JP")
    assert briefing.starts_at == OPENING + timedelta(minutes=30)
    assert briefing.speakers[0]["organisation"] == "Thương vụ Việt Nam tại Nhật Bản"

    # One minute into the opening on the same stage: refused, named, nothing stored.
    clash = post_form(client, editor, editor, **{**fields, "start": "2026-12-02T08:29"})
    assert clash.status_code == 422
    assert "overlaps “Opening”" in clash.text
    assert 'value="2026-12-02T08:29"' in clash.text
    assert len(talks(db)) == 2

    moved = post_form(
        client,
        editor,
        f"{editor}/{briefing.id}",
        **{**fields, "start": "2026-12-02T15:00", "end": "2026-12-02T15:30"},
    )
    assert moved.status_code == 303
    _first, again = talks(db)
    assert again.starts_at == datetime(2026, 12, 2, 8, 0, tzinfo=UTC)
    assert again.sequence == 1

    deleted = post_form(client, editor, f"{editor}/{briefing.id}/delete")
    assert deleted.status_code == 303
    assert [t.id for t in talks(db)] == [first.id]


def test_people_who_do_not_organise_the_event_cannot_open_or_post_the_editor(
    client: TestClient, db: Session
) -> None:
    event = add_event(db, starts_at=OPENING, ends_at=OPENING + timedelta(hours=9))
    talk = add_talk(db, event, starts_at=OPENING, ends_at=OPENING + timedelta(minutes=30))
    other = add_event(db)
    editor = f"/e/{event.slug}/organiser/agenda"
    signed_out = client.get(editor, follow_redirects=False)
    assert signed_out.status_code == 303
    assert signed_out.headers["location"].startswith("/login?next=")
    for role, target in ((Role.producer, event), (Role.counsellor, event), (Role.organiser, other)):
        client.cookies.clear()
        sign_in_as(client, db, target, role)
        assert client.get(editor).status_code == 403
        home = client.get(f"/e/{target.slug}")
        token = CSRF.search(home.text) if home.status_code == 200 else None
        data = {
            "csrf_token": token.group(1) if token else "",
            "title_vi": "X",
            "start": "2026-12-02T10:00",
            "end": "2026-12-02T10:30",
        }
        assert client.post(f"{editor}/{talk.id}", data=data).status_code in (403, 404)
        assert client.post(f"{editor}/{talk.id}/delete", data=data).status_code in (403, 404)
    assert [t.title_vi for t in talks(db)] == [talk.title_vi]


def test_an_organiser_makes_an_event_in_its_zone_and_edits_it(
    client: TestClient, db: Session
) -> None:
    first = add_event(db)
    sign_in_as(client, db, first, Role.organiser)
    assert "/organiser/events/new" in client.get("/").text
    made = post_form(
        client,
        "/organiser/events/new",
        "/organiser/events",
        slug="tuan-hang-na-chi-lang",
        title_vi="Tuần hàng na Chi Lăng",
        title_en="Chi Lăng custard apple week",
        kind="product_week",
        timezone="Asia/Ho_Chi_Minh",
        start="2026-08-10T08:00",
        end="2026-08-16T21:00",
        work_day_start="07:00",
        work_day_end="21:00",
    )
    assert made.status_code == 303, made.text[:500]
    assert made.headers["location"] == "/e/tuan-hang-na-chi-lang/organiser/agenda"
    db.expire_all()
    event = db.exec(select(Event).where(Event.slug == "tuan-hang-na-chi-lang")).one()
    assert event.starts_at == datetime(2026, 8, 10, 1, 0, tzinfo=UTC)
    roles = db.exec(select(Membership.role).where(Membership.event_id == event.id)).all()
    assert roles == [Role.organiser]
    # The settings form: a new zone and working day; an end before the start is refused.
    settings = f"/e/{event.slug}/organiser/event"
    refused = post_form(
        client,
        settings,
        settings,
        title_vi="Tuần hàng na Chi Lăng",
        start="2026-08-10T08:00",
        end="2026-08-01T08:00",
    )
    assert refused.status_code == 422
    assert "must end after it starts" in refused.text
    saved = post_form(
        client,
        settings,
        settings,
        slug=event.slug,
        title_vi="Tuần hàng na Chi Lăng",
        timezone="Asia/Ho_Chi_Minh",
        start="2026-08-10T08:00",
        end="2026-08-16T21:00",
        work_day_start="08:00",
        work_day_end="20:00",
        published="yes",
    )
    assert saved.status_code == 303, saved.text[:500]
    db.expire_all()
    event = db.exec(select(Event).where(Event.slug == "tuan-hang-na-chi-lang")).one()
    assert (event.work_day_start, event.work_day_end, event.published) == (480, 1200, True)
    # A buyer who organises nothing cannot make events.
    client.cookies.clear()
    sign_in_as(client, db, first, Role.buyer)
    assert client.get("/organiser/events/new").status_code == 403
    assert "/organiser/events/new" not in client.get("/").text
