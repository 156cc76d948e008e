"""The hostile suites run against SQLite and PostgreSQL alike."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlmodel import Session

from server.main import create_app
from server.migrate import upgrade
from server.settings import Settings
from tests.conftest import SECRET
from tests.hubpeer import World, make_world
from tests.services import PostgresServer


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
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings), base_url="http://testserver") as test_client:
        test_client.cookies.set("ketnoi_lang", "en")
        yield test_client


@pytest.fixture
def world(db: Session) -> World:
    return make_world(db, SECRET)
