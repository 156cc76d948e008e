"""The hostile table, form by form and field by field: sign-up, sign-in, the organiser's
invitation, setting a password, and the hub's text requests on every channel kind that takes
text (talk, booth, event). Each field gets control characters, ten times its limit, NFD, bidi
overrides and markup: a 4xx or `error{code}` with a message and nothing stored, or the text
stored intact (NFC) and shown escaped."""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass

import httpx2
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from server.chat.models import ChatMessage
from server.identity.auth import SESSION_COOKIE
from server.identity.models import Account, AuthSession, Invitation
from sessions.live.models import Announcement, Poll, Question
from sessions.registration.models import Registration
from tests.booths.stands.test_pages import add_booth
from tests.hubpeer import Peer, World, connect
from tests.security.test_text import UNUSABLE
from tests.sessions.registration.test_registration import CSRF, INVITE_PATH

# A browser's form is UTF-8: a lone surrogate cannot be in one (the JSON table has it).
FORM_UNUSABLE = [str(p.values[0]) for p in UNUSABLE if p.id != "lone-surrogate"]
MARKUP = "<img src=x onerror=alert(1)>\u202eĐức"
ESCAPED = "&lt;img src=x onerror=alert(1)&gt;"
PASSWORD = "cà rốt Cẩm Giàng 2026"


def nfd(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    assert decomposed != text
    return decomposed


def stored(db: Session, table: type[object]) -> int:
    db.expire_all()
    return int(db.exec(select(func.count()).select_from(table)).one())


@dataclass(frozen=True)
class Form:
    """One form of the product: where it is, what a good submission holds, what it stores."""

    page: str
    action: str
    good: dict[str, str]
    tables: tuple[type[object], ...]
    limits: dict[str, int]
    organiser: bool = False

    def submit(self, client: TestClient, world: World, **overrides: str) -> httpx2.Response:
        if self.organiser:
            client.cookies.set(SESSION_COOKIE, world.organiser)
        page = client.get(self.page.format(slug=world.event.slug))
        assert page.status_code == 200, page.text[:300]
        token = CSRF.search(page.text)
        assert token is not None
        data = {"csrf_token": token.group(1), **self.good, **overrides}
        action = self.action.format(slug=world.event.slug)
        return client.post(action, data=data, follow_redirects=False)

    def counts(self, db: Session) -> list[int]:
        return [stored(db, table) for table in self.tables]


FORMS = {
    "sign-up": Form(
        page="/e/{slug}/register",
        action="/e/{slug}/register",
        good={
            "full_name": "Nguyễn Thị Hồng Nhung",
            "email": "nhung@htx-ducchinh.vn",
            "organisation_name": "HTX Nông nghiệp Đức Chính",
            "country": "VN",
            "role": "producer",
            "locale": "vi",
            "consent": "yes",
        },
        tables=(Registration,),
        limits={"full_name": 200, "organisation_name": 300, "email": 320},
    ),
    "sign-in": Form(
        page="/login",
        action="/login",
        good={"email": "nobody@example.vn", "password": PASSWORD, "next": "/"},
        tables=(AuthSession,),
        limits={"email": 320, "password": 256},
    ),
    "invitation": Form(
        page="/e/{slug}/organiser/registrations",
        action="/e/{slug}/organiser/invitations",
        good={
            "email": "thuongvu.jp@moit.gov.vn",
            "display_name": "Tham tán Lê Văn Đức",
            "role": "counsellor",
            "locale": "en",
        },
        tables=(Account, Invitation),
        limits={"email": 320, "display_name": 200},
        organiser=True,
    ),
}
FIELDS = [
    pytest.param(form, name, id=f"{form}-{name}")
    for form, spec in FORMS.items()
    for name in spec.good
]
LIMITED = [
    pytest.param(form, name, limit, id=f"{form}-{name}")
    for form, spec in FORMS.items()
    for name, limit in spec.limits.items()
]


def invitation_link(client: TestClient, world: World, **overrides: str) -> str:
    """An invitation issued through the organiser's form; returns its set-password path."""
    invited = FORMS["invitation"].submit(client, world, **overrides)
    assert invited.status_code == 200, invited.text[:300]
    found = INVITE_PATH.search(invited.text)
    assert found is not None
    client.cookies.clear()
    client.cookies.set("ketnoi_lang", "en")
    return found.group(0)


@pytest.mark.parametrize(("form", "name"), FIELDS)
def test_control_characters_in_any_field_of_any_form_are_refused_and_store_nothing(
    client: TestClient, db: Session, world: World, form: str, name: str
) -> None:
    spec = FORMS[form]
    before = spec.counts(db)
    for bad in FORM_UNUSABLE:
        value = spec.good[name][:3] + bad + spec.good[name][3:]
        response = spec.submit(client, world, **{name: value})
        assert response.status_code == 400, (name, bad, response.status_code)
        assert "cannot be used" in response.text
        assert SESSION_COOKIE not in response.headers.get("set-cookie", "")
    assert spec.counts(db) == before


@pytest.mark.parametrize(("form", "name", "limit"), LIMITED)
def test_ten_times_a_fields_limit_is_refused_with_a_message_and_stores_nothing(
    client: TestClient, db: Session, world: World, form: str, name: str, limit: int
) -> None:
    spec = FORMS[form]
    before = spec.counts(db)
    value = "a" * (10 * limit) + ("@example.vn" if name == "email" else "")
    response = spec.submit(client, world, **{name: value})
    assert 400 <= response.status_code < 500, response.status_code
    assert 'role="alert"' in response.text
    # What is echoed back into the form is cut, not the whole hostile value.
    assert value not in response.text
    assert spec.counts(db) == before


def test_a_set_password_form_with_control_characters_sets_nothing(
    client: TestClient, db: Session, world: World
) -> None:
    path = invitation_link(client, world)
    page = client.get(path)
    token = CSRF.search(page.text)
    assert token is not None
    for bad in FORM_UNUSABLE:
        for fields in (
            {"password": PASSWORD + bad, "password_repeat": PASSWORD + bad},
            {"password": PASSWORD, "password_repeat": PASSWORD + bad},
        ):
            response = client.post(path, data={"csrf_token": token.group(1), **fields})
            assert response.status_code == 400
            assert "cannot be used" in response.text
    long = {"password": "ạ" * 2_560, "password_repeat": "ạ" * 2_560}
    refused = client.post(path, data={"csrf_token": token.group(1), **long})
    assert refused.status_code == 400
    assert "at most 256 characters" in refused.text
    db.expire_all()
    account = db.exec(select(Account).where(Account.email == "thuongvu.jp@moit.gov.vn")).one()
    assert account.password_hash is None


def test_names_typed_in_nfd_are_stored_in_nfc_and_found_again(
    client: TestClient, db: Session, world: World
) -> None:
    signed_up = FORMS["sign-up"].submit(
        client,
        world,
        full_name=nfd("Nguyễn Thị Hồng Nhung"),
        organisation_name=nfd("HTX Nông nghiệp Đức Chính"),
        email=nfd("nhung@htx-đứcchính.vn"),
    )
    assert signed_up.status_code == 200, signed_up.text[:300]
    db.expire_all()
    (row,) = db.exec(select(Registration)).all()
    assert row.full_name == "Nguyễn Thị Hồng Nhung"
    assert row.organisation_name == "HTX Nông nghiệp Đức Chính"
    assert row.email == "nhung@htx-đứcchính.vn"
    # The same address in NFC is the same person: refused as already registered.
    again = FORMS["sign-up"].submit(client, world, email="nhung@htx-đứcchính.vn")
    assert again.status_code == 409

    invitation_link(client, world, display_name=nfd("Tham tán Lê Văn Đức"))
    db.expire_all()
    account = db.exec(select(Account).where(Account.email == "thuongvu.jp@moit.gov.vn")).one()
    assert account.display_name == "Tham tán Lê Văn Đức"


def test_a_password_set_in_nfd_signs_in_when_typed_in_nfc_and_back(
    client: TestClient, world: World
) -> None:
    path = invitation_link(client, world)
    page = client.get(path)
    token = CSRF.search(page.text)
    assert token is not None
    decomposed = nfd(PASSWORD)
    fields = {"password": decomposed, "password_repeat": PASSWORD}
    # The same password in two forms of Unicode is the same password.
    done = client.post(path, data={"csrf_token": token.group(1), **fields}, follow_redirects=False)
    assert done.status_code == 303, done.text[:300]
    client.cookies.clear()
    for typed in (PASSWORD, decomposed):
        answer = client.post(
            "/api/auth/login", json={"email": "thuongvu.jp@moit.gov.vn", "password": typed}
        )
        assert answer.status_code == 200, answer.text
        client.cookies.clear()


def test_markup_and_bidi_in_names_are_stored_as_typed_and_shown_escaped(
    client: TestClient, db: Session, world: World
) -> None:
    signed_up = FORMS["sign-up"].submit(client, world, organisation_name=MARKUP)
    assert signed_up.status_code == 200
    assert "<img src=x" not in signed_up.text
    path = invitation_link(client, world, display_name=MARKUP)
    db.expire_all()
    row = db.exec(select(Registration)).one()
    assert row.organisation_name == MARKUP
    account = db.exec(select(Account).where(Account.email == "thuongvu.jp@moit.gov.vn")).one()
    assert account.display_name == MARKUP
    # The set-password page greets the invited person by name, escaped.
    page = client.get(path)
    assert ESCAPED in page.text
    assert "<img src=x" not in page.text
    client.cookies.set(SESSION_COOKIE, world.organiser)
    listing = client.get(f"/e/{world.event.slug}/organiser/registrations")
    assert ESCAPED in listing.text
    assert "<img src=x" not in listing.text
    # The login form echoes the typed address back escaped.
    client.cookies.clear()
    page = FORMS["sign-in"].submit(client, world, email=MARKUP)
    assert page.status_code in (400, 401)
    assert "<img src=x" not in page.text


def hub_texts(world: World, booth: int) -> list[tuple[str, str, dict[str, object]]]:
    """Every hub request that stores text: (who, request type, fields) with `{}` for the text."""
    event = world.event.id
    talk = world.talk.id
    return [
        ("point", "chat.send", {"channel": f"talk:{talk}", "body": "{}"}),
        ("point", "chat.send", {"channel": f"booth:{booth}", "body": "{}"}),
        ("point", "qa.ask", {"talk": talk, "body": "{}"}),
        ("organiser", "announce.send", {"event": event, "body": "{}"}),
        ("organiser", "poll.create", {"event": event, "question": "{}", "options": ["Có", "{}"]}),
    ]


def fill(fields: dict[str, object], text: str) -> dict[str, object]:
    def one(value: object) -> object:
        if value == "{}":
            return text
        if isinstance(value, list):
            return [one(item) for item in value]
        return value

    return {key: one(value) for key, value in fields.items()}


def subscribe_all(room: Peer, world: World, booth: int) -> None:
    for channel in (f"talk:{world.talk.id}", f"booth:{booth}", f"event:{world.event.id}"):
        room.ok("subscribe", channel=channel)


TEXT_TABLES = (ChatMessage, Question, Announcement, Poll)


def test_every_hub_text_refuses_controls_and_past_its_limit_and_stores_nothing(
    client: TestClient, db: Session, world: World
) -> None:
    assert world.event.id is not None
    booth = add_booth(db, world.event.id).id or 0
    sessions = {"point": world.tokyo, "organiser": world.organiser}
    for who, kind, fields in hub_texts(world, booth):
        with connect(client, sessions[who]) as room:
            if who == "point":
                subscribe_all(room, world, booth)
            for n, bad in enumerate([p.values[0] for p in UNUSABLE]):
                extra = {"client_id": f"c{n}"} if kind == "chat.send" else {}
                answer = room.request(kind, **fill(fields, f"Xin{bad} chào"), **extra)
                assert (answer["type"], answer["code"]) == ("error", "invalid_text"), (kind, bad)
                assert answer["message"]
            # One past the longest limit (2,000): ten times it is past the frame limit as well,
            # which refuses it unread (test_text's frame test).
            extra = {"client_id": "long"} if kind == "chat.send" else {}
            answer = room.request(kind, **fill(fields, "ạ" * 2_001), **extra)
            assert answer["type"] == "error", kind
            assert answer["code"] in ("chat_too_long", "text_too_long", "invalid_message"), fields
            assert answer["message"]
    assert [stored(db, table) for table in TEXT_TABLES] == [0, 0, 0, 0]


def test_every_hub_text_stores_nfd_as_nfc_and_markup_as_text(
    client: TestClient, db: Session, world: World
) -> None:
    assert world.event.id is not None
    booth = add_booth(db, world.event.id).id or 0
    sessions = {"point": world.tokyo, "organiser": world.organiser}
    typed = nfd("Giá cà rốt Hải Dương?") + " " + MARKUP
    expected = unicodedata.normalize("NFC", typed)
    for n, (who, kind, fields) in enumerate(hub_texts(world, booth)):
        with connect(client, sessions[who]) as room:
            if who == "point":
                subscribe_all(room, world, booth)
            extra = {"client_id": f"n{n}"} if kind == "chat.send" else {}
            room.ok(kind, **fill(fields, typed), **extra)
    db.expire_all()
    texts = [m.body for m in db.exec(select(ChatMessage)).all()]
    texts += [q.body for q in db.exec(select(Question)).all()]
    texts += [a.body for a in db.exec(select(Announcement)).all()]
    texts += [p.question for p in db.exec(select(Poll)).all()]
    assert texts == [expected] * 5


def json_inputs(world: World) -> list[tuple[str, str, dict[str, object], str]]:
    """Every JSON body the API takes text in: (who, path, good body, the text field)."""
    talk = world.talk.id
    offer: dict[str, object] = {"type": "offer", "sdp": "v=0\r\n"}
    return [
        ("nobody", "/api/auth/login", {"email": "a@example.vn", "password": PASSWORD}, "email"),
        ("nobody", "/api/auth/login", {"email": "a@example.vn", "password": PASSWORD}, "password"),
        ("nobody", "/api/points/join", {"token": "abc"}, "token"),
        ("point", f"/api/talks/{talk}/language", {"id": "v1", "language": "en"}, "id"),
        ("point", f"/api/talks/{talk}/watch", offer, "sdp"),
        ("organiser", f"/api/talks/{talk}/publish", {**offer, "slot": "hall"}, "sdp"),
    ]


def test_every_json_text_refuses_controls_and_surrogates_before_anything_runs(
    client: TestClient, db: Session, world: World
) -> None:
    sessions = {"point": world.tokyo, "organiser": world.organiser}
    before = stored(db, AuthSession)
    for who, path, body, name in json_inputs(world):
        client.cookies.clear()
        if who in sessions:
            client.cookies.set(SESSION_COOKIE, sessions[who])
        for bad in [p.values[0] for p in UNUSABLE]:
            hostile = {**body, name: f"{body[name]}{bad}"}
            # As JSON escapes (`\\u0000`), as a script would send them.
            answer = client.post(
                path, content=json.dumps(hostile), headers={"content-type": "application/json"}
            )
            assert answer.status_code == 400, (path, name, bad, answer.text)
            assert answer.json()["error"]["code"] == "invalid_text"
    assert stored(db, AuthSession) == before
