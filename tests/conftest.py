"""Shared fixtures: throwaway PostgreSQL and Redis servers for the whole test session."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import aioice.ice
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import create_engine
from sqlmodel import Session

from server.db import sync_url
from server.main import create_app
from server.settings import Settings
from tests.hubpeer import World, make_world
from tests.hubprocess import PROCESS_SECRET, HubServer
from tests.mediapeer import relay_status
from tests.services import (
    PostgresServer,
    RedisServer,
    migrated_sqlite,
    start_postgres,
    start_redis,
)

LOOPBACK = ["127.0.0.1"]


@pytest.fixture(scope="session")
def postgres_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PostgresServer]:
    """A PostgreSQL cluster on 127.0.0.1; tests create their own databases in it."""
    server = start_postgres(tmp_path_factory.mktemp("postgres"))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """A Redis server on 127.0.0.1 that keeps nothing on disk."""
    server = start_redis(tmp_path_factory.mktemp("redis"))
    try:
        yield server
    finally:
        server.stop()


SECRET = "t" * 24 + "-test-secret-key-0123456789"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings on a fresh SQLite file in this test's folder, migrated to head."""
    value = Settings(
        data_dir=tmp_path / "data",
        secret_key=SecretStr(SECRET),
        login_failures_per_window=5,
        relay_enabled=False,
    )
    migrated_sqlite(value)
    return value


@pytest.fixture
def db(settings: Settings) -> Iterator[Session]:
    """A sync session on the test's database, for arranging data and checking what was stored."""
    engine = create_engine(sync_url(settings.database_url))
    with Session(engine, expire_on_commit=False) as session:
        yield session
    engine.dispose()


@pytest.fixture
def app(settings: Settings) -> FastAPI:
    """The whole web app on the test's database."""
    return create_app(settings)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    """A client that talks to the app in-process (lifespan included)."""
    with TestClient(app, base_url="http://testserver") as test_client:
        yield test_client


@pytest.fixture
def settings_limit(settings: Settings) -> int:
    """The request body limit in force."""
    return settings.max_body_bytes


@pytest.fixture
def settings_https_client(settings: Settings) -> Iterator[TestClient]:
    """A client for an app configured to run behind HTTPS."""
    secure = settings.model_copy(update={"https": True, "public_base_url": "https://testserver"})
    with TestClient(create_app(secure), base_url="https://testserver") as test_client:
        yield test_client


HUB_SECRET = "h" * 24 + "-hub-test-secret-key-0123456789"


@pytest.fixture
def hub_settings(tmp_path: Path) -> Settings:
    """Settings with quick housekeeping, so revocation and idleness show within a test."""
    value = Settings(
        data_dir=tmp_path / "data",
        secret_key=SecretStr(HUB_SECRET),
        hub_session_check_seconds=0.3,
        hub_presence_flush_seconds=0.1,
        hub_errors_per_minute=5,
        chat_messages_per_minute=20,
        relay_enabled=False,
    )
    migrated_sqlite(value)
    return value


@pytest.fixture
def hub_db(hub_settings: Settings) -> Session:
    """A sync session on the hub test's database."""
    return Session(create_engine(sync_url(hub_settings.database_url)), expire_on_commit=False)


@pytest.fixture
def hub_client(hub_settings: Settings) -> Iterator[TestClient]:
    """The app with its hub running."""
    with TestClient(create_app(hub_settings), base_url="http://testserver") as client:
        yield client


@pytest.fixture
def world(hub_db: Session, hub_settings: Settings) -> World:
    """People and rooms of two events, each with a signed-in session."""
    return make_world(hub_db, hub_settings.secret_key.get_secret_value())


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A migrated data folder."""
    settings = Settings(data_dir=tmp_path / "data", secret_key=SecretStr(PROCESS_SECRET))
    migrated_sqlite(settings)
    return settings.data_dir


@pytest.fixture
def people(data_dir: Path) -> World:
    """The usual event, talk, organiser and points, stored in the data folder's database."""
    settings = Settings(data_dir=data_dir, secret_key=SecretStr(PROCESS_SECRET))
    engine = create_engine(sync_url(settings.database_url))
    with Session(engine, expire_on_commit=False) as db:
        world = make_world(db, PROCESS_SECRET)
    engine.dispose()
    return world


@pytest.fixture
def servers() -> Iterator[list[HubServer]]:
    """Servers a test starts; all stopped at the end."""
    started: list[HubServer] = []
    yield started
    for server in started:
        server.stop()


@pytest.fixture
def loopback_candidates(monkeypatch: pytest.MonkeyPatch) -> None:
    """This process's aiortc peers offer loopback candidates only, as the relay does."""
    monkeypatch.setattr(aioice.ice, "get_host_addresses", lambda **_: LOOPBACK)


@pytest.fixture
def media(data_dir: Path, servers: list[HubServer]) -> HubServer:
    """`ketnoi serve` with its relay: loopback candidates, quick consent checks and polling."""
    server = HubServer(
        data_dir,
        PROCESS_SECRET,
        relay_enabled="true",
        relay_ice_addresses="127.0.0.1",
        relay_consent_seconds="1",
        relay_consent_failures="3",
        relay_poll_seconds="0.2",
    )
    servers.append(server.start())

    async def relay_up() -> None:
        for _ in range(150):
            try:
                await relay_status(server.relay_port, PROCESS_SECRET)
                return
            except Exception:  # noqa: S110 - not up yet
                pass
            await asyncio.sleep(0.2)
        raise RuntimeError("the relay did not start")

    asyncio.run(relay_up())
    return server


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser journeys last: they are the slowest, and the unit tests should speak first."""
    items.sort(key=lambda item: "/e2e/" in str(item.path))
