"""The hostile suites run against SQLite and PostgreSQL alike."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from server.settings import Settings
from tests.conftest import SECRET
from tests.databases import BOTH, english_client, migrated
from tests.hubpeer import World, make_world


@pytest.fixture(params=BOTH)
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Settings]:
    """A migrated database of either kind; sign-in throttles out of the way of the table."""
    yield from migrated(request, tmp_path, "hostile", login_failures_per_window=1000)


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    yield from english_client(settings)


@pytest.fixture
def world(db: Session) -> World:
    return make_world(db, SECRET)
