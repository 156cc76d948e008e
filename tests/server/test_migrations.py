"""The migrations build the schema the models describe, on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
import sqlite3
import unicodedata
import uuid
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from pprint import pformat

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, create_engine, inspect, text
from sqlmodel.ext.asyncio.session import AsyncSession

from server.db import make_engine, sync_url
from server.identity.models import Organisation, OrganisationKind
from server.main import metadata
from server.migrate import alembic_config, upgrade
from server.settings import Settings
from tests.services import PostgresServer

TABLES = frozenset(
    {
        "account",
        "event",
        "attendance_point",
        "talk",
        "booth",
        "product",
        "membership",
        "invitation",
        "auth_session",
        "organisation",
        "registration",
    }
)
COOPERATIVE_NFC = unicodedata.normalize("NFC", "Hợp tác xã Nông nghiệp Đức Chính — cà rốt")
COOPERATIVE_NFD = unicodedata.normalize("NFD", COOPERATIVE_NFC)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Settings]:
    """Settings for an empty database: a fresh SQLite file, or a fresh PostgreSQL database."""
    data_dir = tmp_path / "data"
    if request.param == "sqlite":
        data_dir.mkdir()
        database = data_dir / "ketnoi.sqlite3"
        database.touch()
        yield Settings(data_dir=data_dir, database_url=f"sqlite:///{database}")
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    name = f"migrations_{uuid.uuid4().hex[:12]}"
    yield Settings(data_dir=data_dir, database_url=server.create_database(name))
    server.drop_database(name)


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    """A plain synchronous engine on the test database (no pragmas, no app wiring)."""
    engine = create_engine(sync_url(settings.database_url))
    yield engine
    engine.dispose()


def table_names(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names())


def schema_diff(engine: Engine) -> list[object]:
    """What autogenerate would change to make the database match the models."""
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, metadata))


def test_migrations_run_on_an_empty_sqlite_file(tmp_path: Path) -> None:
    database = tmp_path / "empty.sqlite3"
    database.touch()
    assert database.stat().st_size == 0
    settings = Settings(data_dir=tmp_path, database_url=f"sqlite:///{database}")

    upgrade(settings)

    engine = create_engine(sync_url(settings.database_url))
    try:
        assert TABLES <= table_names(engine)
    finally:
        engine.dispose()


def test_migrated_sqlite_file_is_in_wal_mode(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    upgrade(settings)

    async def journal_mode() -> str:
        engine = make_engine(settings)
        try:
            async with engine.connect() as connection:
                mode = (await connection.execute(text("PRAGMA journal_mode"))).scalar_one()
                return str(mode)
        finally:
            await engine.dispose()

    assert asyncio.run(journal_mode()).lower() == "wal"
    # WAL is recorded in the file itself: a bare connection without our pragmas sees it too.
    database = settings.database_url.removeprefix("sqlite:///")
    with closing(sqlite3.connect(database)) as bare:
        assert bare.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_upgrade_creates_every_table(settings: Settings, engine: Engine) -> None:
    assert not TABLES & table_names(engine)

    upgrade(settings)

    assert TABLES <= table_names(engine)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM alembic_version")).scalar_one() == 1


def test_downgrade_to_base_and_upgrade_again(settings: Settings, engine: Engine) -> None:
    upgrade(settings)

    command.downgrade(alembic_config(settings.database_url), "base")
    assert not TABLES & table_names(engine)

    upgrade(settings)
    assert TABLES <= table_names(engine)
    assert schema_diff(engine) == []


def test_models_match_migrations(settings: Settings, engine: Engine) -> None:
    upgrade(settings)

    diff = schema_diff(engine)

    assert diff == [], "models and migrations differ; add a migration:\n" + pformat(diff)


@pytest.mark.parametrize("name", [COOPERATIVE_NFC, COOPERATIVE_NFD], ids=["nfc", "nfd"])
def test_vietnamese_names_round_trip_byte_identical(settings: Settings, name: str) -> None:
    assert COOPERATIVE_NFC != COOPERATIVE_NFD  # the two forms really are different strings
    upgrade(settings)

    async def round_trip() -> str:
        engine = make_engine(settings)
        try:
            async with AsyncSession(engine, expire_on_commit=False) as db:
                organisation = Organisation(
                    name=name, kind=OrganisationKind.cooperative, country="VN", province="Hà Nam"
                )
                db.add(organisation)
                await db.commit()
                organisation_id = organisation.id
            async with AsyncSession(engine) as db:  # a new session: no identity-map cache
                stored = await db.get(Organisation, organisation_id)
                assert stored is not None
                return stored.name
        finally:
            await engine.dispose()

    stored_name = asyncio.run(round_trip())

    assert stored_name.encode("utf-8") == name.encode("utf-8")
