"""Hostile text wherever text comes in (form, JSON, path, query, hub frame): a clear 4xx or
`error{code}` with a message, nothing stored, on SQLite and on PostgreSQL alike."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import create_engine
from sqlmodel import Session, func, select

from server.chat.models import ChatMessage
from server.db import sync_url
from server.identity.models import Account
from server.main import create_app
from server.migrate import upgrade
from server.settings import Settings
from sessions.registration.models import Registration
from tests.conftest import SECRET
from tests.hubpeer import World, connect, make_world
from tests.services import PostgresServer
from tests.sessions.registration.test_registration import sign_up

# Characters no text may hold, and where each may hide.
UNUSABLE = [
    pytest.param("\x00", id="NUL"),
    pytest.param("\x07", id="BEL"),
    pytest.param("\x1b[31m", id="ESC"),
    pytest.param("\x85", id="C1-NEL"),
    pytest.param("\ud800", id="lone-surrogate"),
]
# Bodies that show nothing: refused as empty.
BLANK = [
    pytest.param("\u200b", id="zero-width-space"),
    pytest.param(" \u00a0\u3000 ", id="spaces"),
    pytest.param("\u200b\n\u200b", id="newline-between-invisibles"),
    pytest.param("\u202e\u200d", id="bidi-and-joiner"),
]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Settings]:
    """A migrated database: a fresh SQLite file, or a fresh PostgreSQL database."""
    base = Settings(
        data_dir=tmp_path / "data",
        secret_key=SecretStr(SECRET),
        relay_enabled=False,
        login_failures_per_window=1000,
    )
    if request.param == "sqlite":
        value = base
        upgrade(value)
        yield value
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    name = f"hostile_{uuid.uuid4().hex[:12]}"
    value = base.model_copy(update={"database_url": server.create_database(name)})
    upgrade(value)
    yield value
    server.drop_database(name)


@pytest.fixture
def db(settings: Settings) -> Iterator[Session]:
    engine = create_engine(sync_url(settings.database_url))
    with Session(engine, expire_on_commit=False) as session:
        yield session
    engine.dispose()


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings), base_url="http://testserver") as test_client:
        test_client.cookies.set("ketnoi_lang", "en")
        yield test_client


@pytest.fixture
def world(db: Session) -> World:
    return make_world(db, SECRET)


def count(db: Session, table: type[Account] | type[Registration] | type[ChatMessage]) -> int:
    db.expire_all()
    return int(db.exec(select(func.count()).select_from(table)).one())


def refused(response: object) -> str:
    """The error code of a refused JSON answer (a 4xx with a message)."""
    status = response.status_code  # type: ignore[attr-defined]
    assert 400 <= status < 500, status
    error = response.json()["error"]  # type: ignore[attr-defined]
    assert error["message"]
    return str(error["code"])


@pytest.mark.parametrize("bad", UNUSABLE)
def test_unusable_characters_are_refused_in_json_path_and_query(
    client: TestClient, db: Session, world: World, bad: str
) -> None:
    accounts = count(db, Account)
    # Sent as JSON escapes (`\\u0000`), as a script would: a lone surrogate has no UTF-8.
    body = json.dumps({"email": f"a{bad}b@example.vn", "password": "x"})
    login = client.post(
        "/api/auth/login", content=body, headers={"content-type": "application/json"}
    )
    assert refused(login) == "invalid_text"
    assert "U+" in login.json()["error"]["message"]
    encoded = bad.encode("utf-8", errors="surrogatepass").hex()
    escaped = "".join(f"%{encoded[i : i + 2]}" for i in range(0, len(encoded), 2))
    slug = client.get(f"/api/events/{world.event.slug}{escaped}/points")
    assert refused(slug) == "invalid_text"
    query = client.get(f"/api/events/{world.event.slug}/points?q=x{escaped}")
    assert refused(query) == "invalid_text"
    # A page answers with the page of errors, not a crash.
    page = client.get(f"/e/{world.event.slug}{escaped}")
    assert page.status_code == 400
    assert "cannot be used" in page.text
    assert count(db, Account) == accounts


# A form is UTF-8 as the browser sends it: a lone surrogate cannot be in one.
@pytest.mark.parametrize("bad", UNUSABLE[:-1])
def test_unusable_characters_in_a_form_store_nothing(
    client: TestClient, db: Session, world: World, bad: str
) -> None:
    response = sign_up(client, world.event, full_name=f"Nguyễn{bad}Văn A")
    assert response.status_code == 400
    assert "cannot be used" in response.text
    assert count(db, Registration) == 0


@pytest.mark.parametrize("bad", UNUSABLE)
def test_unusable_characters_in_hub_frames_are_refused_before_any_handler(
    client: TestClient, db: Session, world: World, bad: str
) -> None:
    talk = f"talk:{world.talk.id}"
    with connect(client, world.tokyo) as room:
        room.ok("subscribe", channel=talk)
        for fields in (
            {"client_id": f"m{bad}1", "body": "Xin chào"},
            {"client_id": "m2", "body": f"Xin{bad} chào"},
        ):
            sent = room.request("chat.send", channel=talk, **fields)
            assert (sent["type"], sent["code"]) == ("error", "invalid_text"), fields
            assert sent["message"]
    assert count(db, ChatMessage) == 0


@pytest.mark.parametrize("blank", BLANK)
def test_messages_that_show_nothing_are_refused_as_empty(
    client: TestClient, db: Session, world: World, blank: str
) -> None:
    talk = f"talk:{world.talk.id}"
    with connect(client, world.tokyo) as room:
        room.ok("subscribe", channel=talk)
        sent = room.request("chat.send", channel=talk, client_id="b1", body=blank)
        assert (sent["type"], sent["code"]) == ("error", "chat_empty")
        asked = room.request("qa.ask", talk=world.talk.id, body=blank)
        assert (asked["type"], asked["code"]) == ("error", "text_empty")
    assert count(db, ChatMessage) == 0


def test_text_with_vietnamese_tabs_newlines_markup_and_joiners_is_stored_intact(
    client: TestClient, db: Session, world: World
) -> None:
    talk = f"talk:{world.talk.id}"
    body = "Cà rốt Hải Dương\tgiá sỉ?\n<script>alert(1)</script> \u200d👩‍🌾"
    with connect(client, world.tokyo) as room:
        room.ok("subscribe", channel=talk)
        assert room.ok("chat.send", channel=talk, client_id="v1", body=body)["seq"] == 1
    db.expire_all()
    (stored,) = db.exec(select(ChatMessage)).all()
    assert stored.body == body.strip()
