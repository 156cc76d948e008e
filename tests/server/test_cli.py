"""The `ketnoi` command as an operator uses it."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import unicodedata
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import uvicorn
from fastapi.testclient import TestClient
from sqlalchemy import create_engine
from sqlmodel import Session, func, select

from server.cli import uvicorn_options
from server.db import sync_url
from server.events.models import Event, Membership, Role
from server.identity.models import Account
from server.main import create_app
from server.settings import Settings
from tests.factories import add_event

KETNOI = str(Path(sys.executable).with_name("ketnoi"))


def run(*args: str, stdin: str = "", data_dir: Path) -> subprocess.CompletedProcess[str]:
    """Run the CLI with only this test's data folder configured."""
    env = {"PATH": "/usr/bin:/bin", "KETNOI_DATA_DIR": str(data_dir), "HOME": str(data_dir.parent)}
    return subprocess.run(
        [KETNOI, *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def test_db_upgrade_then_create_organiser_who_can_sign_in(tmp_path: Path) -> None:
    data = tmp_path / "data"
    upgraded = run("db", "upgrade", data_dir=data)
    assert upgraded.returncode == 0, upgraded.stderr
    settings = Settings(data_dir=data)
    engine = create_engine(sync_url(settings.database_url))
    with Session(engine) as db:
        event = add_event(db, slug="hoi-nghi-ca-rot")
    created = run(
        "create-organiser",
        "--email",
        "Ban.ToChuc@example.vn",
        "--name",
        "Sở Công Thương Hải Dương",
        "--password-stdin",
        stdin="mật khẩu đủ dài\n",
        data_dir=data,
    )
    assert created.returncode == 0, created.stderr
    assert "hoi-nghi-ca-rot" in created.stdout
    assert "mật khẩu" not in created.stdout + created.stderr

    # The same person again, in NFD and another case: no second account.
    again = run(
        "create-organiser",
        "--email",
        unicodedata.normalize("NFD", "ban.tochuc@EXAMPLE.vn"),
        "--name",
        "x",
        "--password-stdin",
        stdin="mật khẩu đủ dài\n",
        data_dir=data,
    )
    assert again.returncode == 0, again.stderr
    with Session(engine) as db:
        assert db.exec(select(func.count()).select_from(Account)).one() == 1
        account = db.exec(select(Account)).one()
        assert account.display_name == "Sở Công Thương Hải Dương"
        membership = db.exec(select(Membership)).one()
        assert membership.role == Role.organiser
        assert membership.event_id == event.id
    engine.dispose()

    with TestClient(create_app(Settings(data_dir=data))) as client:
        response = client.post(
            "/api/auth/login",
            json={"email": "ban.tochuc@example.vn", "password": "mật khẩu đủ dài"},
        )
        assert response.status_code == 200
        assert client.get(f"/e/{event.slug}/organiser/points").status_code == 200


def test_create_organiser_refuses_a_weak_password_and_changes_nothing(tmp_path: Path) -> None:
    data = tmp_path / "data"
    refused = run(
        "create-organiser",
        "--email",
        "a@example.vn",
        "--name",
        "A",
        "--password-stdin",
        stdin="short\n",
        data_dir=data,
    )
    assert refused.returncode == 2
    assert "Refused" in refused.stderr
    settings = Settings(data_dir=data)
    engine = create_engine(sync_url(settings.database_url))
    with Session(engine) as db:
        assert db.exec(select(func.count()).select_from(Account)).one() == 0
    engine.dispose()


def test_unknown_event_is_named(tmp_path: Path) -> None:
    refused = run(
        "create-organiser",
        "--email",
        "a@example.vn",
        "--name",
        "A",
        "--event",
        "khong-co",
        "--password-stdin",
        stdin="mật khẩu đủ dài\n",
        data_dir=tmp_path / "data",
    )
    assert refused.returncode == 2
    assert "khong-co" in refused.stderr


def test_placeholder_secret_stops_the_server_with_a_message(tmp_path: Path) -> None:
    leaked = "tooshort-secret-9f3a"
    env = {"PATH": "/usr/bin:/bin", "KETNOI_SECRET_KEY": leaked, "HOME": str(tmp_path)}
    result = subprocess.run(
        [KETNOI, "db", "upgrade", "--data-dir", str(tmp_path / "d")],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "placeholder" in result.stderr
    assert not (tmp_path / "d" / "ketnoi.sqlite3").exists()
    assert leaked not in result.stdout + result.stderr


def _client_seen(settings: Settings, peer: str, forwarded: str) -> str:
    """The client address the app sees behind `ketnoi serve`'s server options."""
    seen: list[str] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        del receive, send
        seen.append(scope["client"][0])

    options = {k: v for k, v in uvicorn_options(settings).items() if k not in ("host", "port")}
    config = uvicorn.Config(app, **options)
    config.load()
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": "/",
        "raw_path": b"/",
        "query_string": b"",
        "headers": [(b"x-forwarded-for", forwarded.encode())],
        "client": (peer, 50000),
        "server": ("127.0.0.1", 8000),
    }
    asyncio.run(config.loaded_app(scope, None, None))
    return seen[0]


def test_forwarded_addresses_are_believed_only_from_the_proxies_named(settings: Settings) -> None:
    # By default nobody is a proxy: a local process cannot choose the address it counts as.
    assert _client_seen(settings, "127.0.0.1", "203.0.113.9") == "127.0.0.1"
    behind = settings.model_copy(update={"trusted_proxies": ["10.0.0.2"]})
    assert _client_seen(behind, "10.0.0.2", "203.0.113.9") == "203.0.113.9"
    assert _client_seen(behind, "127.0.0.1", "203.0.113.9") == "127.0.0.1"


def test_an_operator_creates_an_event_in_its_zone_and_a_refused_one_changes_nothing(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    organiser = run(
        "create-organiser",
        "--email",
        "bantochuc@example.vn",
        "--name",
        "Ban tổ chức",
        "--password-stdin",
        stdin="mật khẩu đủ dài\n",
        data_dir=data,
    )
    assert organiser.returncode == 0, organiser.stderr
    made = run(
        "create-event",
        "--slug",
        "tuan-hang-lang-son",
        "--title-vi",
        "Tuần hàng na Chi Lăng",
        "--start",
        "2026-08-10T08:00",
        "--end",
        "2026-08-16T21:00",
        "--timezone",
        "Asia/Ho_Chi_Minh",
        "--kind",
        "product_week",
        "--organiser",
        "bantochuc@example.vn",
        data_dir=data,
    )
    assert made.returncode == 0, made.stderr
    assert "/e/tuan-hang-lang-son" in made.stdout
    gap = run(
        "create-event",
        "--slug",
        "hoi-nghi-berlin",
        "--title-vi",
        "Hội nghị Berlin",
        "--start",
        "2026-03-29T02:30",
        "--end",
        "2026-03-29T17:00",
        "--timezone",
        "Europe/Berlin",
        data_dir=data,
    )
    assert gap.returncode == 2
    assert "không tồn tại ở múi giờ Europe/Berlin" in gap.stderr
    engine = create_engine(sync_url(Settings(data_dir=data).database_url))
    with Session(engine) as db:
        (event,) = db.exec(select(Event)).all()
        assert event.title_vi == "Tuần hàng na Chi Lăng"
        assert event.starts_at == datetime(2026, 8, 10, 1, 0, tzinfo=UTC)
        (membership,) = db.exec(select(Membership)).all()
        assert (membership.event_id, membership.role) == (event.id, Role.organiser)
