"""Suites that run against SQLite and PostgreSQL alike: a freshly migrated database of either
kind, and a client of the app on it reading English."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from server.main import create_app
from server.migrate import upgrade
from server.settings import Settings
from tests.conftest import SECRET
from tests.services import PostgresServer, migrated_sqlite

BOTH = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def migrated(
    request: pytest.FixtureRequest, tmp_path: Path, prefix: str, **overrides: Any
) -> Iterator[Settings]:
    """Settings of a migrated database (`request.param`: sqlite or postgres), dropped after."""
    base = Settings(
        data_dir=tmp_path / "data", secret_key=SecretStr(SECRET), relay_enabled=False, **overrides
    )
    if request.param == "sqlite":
        migrated_sqlite(base)
        yield base
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"

    def migrate(url: str) -> None:
        upgrade(base.model_copy(update={"database_url": url}))

    value = base.model_copy(update={"database_url": server.migrated_copy(name, migrate)})
    yield value
    server.drop_database(name)


def english_client(settings: Settings) -> Iterator[TestClient]:
    """The app on those settings, its pages and messages in English."""
    with TestClient(create_app(settings), base_url="http://testserver") as test_client:
        test_client.cookies.set("ketnoi_lang", "en")
        yield test_client
