"""The chat store on both databases: numbers without gaps, resends found, Vietnamese intact."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy import create_engine
from sqlmodel import Session, col, select

from server.chat.models import ChatChannel, ChatMessage
from server.chat.store import ChatStore
from server.db import sync_url
from server.migrate import upgrade
from server.realtime.presence import Member
from server.settings import Settings
from tests.factories import add_account
from tests.services import PostgresServer

SECRET = "s" * 24 + "-store-test-secret-0123456789"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_settings(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Settings]:
    """A migrated SQLite file, or a migrated PostgreSQL database."""
    data_dir = tmp_path / "data"
    if request.param == "sqlite":
        value = Settings(data_dir=data_dir, secret_key=SecretStr(SECRET))
        upgrade(value)
        yield value
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    name = f"chat_{uuid.uuid4().hex[:12]}"
    value = Settings(
        data_dir=data_dir, secret_key=SecretStr(SECRET), database_url=server.create_database(name)
    )
    upgrade(value)
    yield value
    server.drop_database(name)


def test_numbers_follow_each_other_and_a_resend_is_the_same_message(
    store_settings: Settings,
) -> None:
    engine = create_engine(sync_url(store_settings.database_url))
    with Session(engine, expire_on_commit=False) as db:
        account = add_account(db)
    member = Member(key=f"a:{account.id}", kind="account", id=account.id or 0, name="Trần Thị Hoa")
    text = "Cà rốt Hải Dương — đạt chuẩn GlobalGAP ✓"

    async def scenario() -> list[tuple[int, bool]]:
        store = ChatStore(store_settings)
        try:
            results = []
            for client_id in ("a", "b", "a", "c"):
                message, duplicate = await store.post("talk:7", member, client_id, text)
                results.append((message.seq, duplicate))
            earlier, _ = await store.post("talk:7", member, "b", "ignored")
            assert earlier.body == text
            assert earlier.created_at.tzinfo is not None
            return results
        finally:
            await asyncio.to_thread(store.close)

    assert asyncio.run(scenario()) == [(1, False), (2, False), (1, True), (3, False)]
    with Session(engine) as db:
        stored = db.exec(select(ChatMessage).order_by(col(ChatMessage.seq))).all()
        assert [(m.seq, m.client_id, m.body) for m in stored] == [
            (1, "a", text),
            (2, "b", text),
            (3, "c", text),
        ]
        assert all(m.created_at.tzinfo is not None for m in stored)
        # The number given back by the resends was not lost: the counter is at 3, not 5.
        assert db.get(ChatChannel, "talk:7").last_seq == 3  # type: ignore[union-attr]
    engine.dispose()
