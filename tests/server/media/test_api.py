"""ICE servers for browsers, with short-lived TURN credentials in coturn's REST scheme."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time

from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlmodel import Session

from server.events.models import Role
from server.main import create_app
from server.settings import Settings
from tests.factories import add_account, add_event
from tests.server.identity.test_auth import login


def test_browsers_get_stun_as_is_and_turn_with_credentials_that_expire(
    settings: Settings, db: Session
) -> None:
    configured = settings.model_copy(
        update={
            "relay_ice_servers": ["stun:stun.example.vn:3478", "turn:turn.example.vn:3478"],
            "relay_turn_secret": SecretStr("coturn-shared-secret"),
            "relay_turn_ttl_seconds": 600,
        }
    )
    add_account(db, email="ban.to.chuc@example.vn", role=Role.organiser, event=add_event(db))
    with TestClient(create_app(configured), base_url="http://testserver") as client:
        assert client.get("/api/rtc").status_code == 401
        assert login(client, "ban.to.chuc@example.vn") == 200
        before = time.time()
        servers = client.get("/api/rtc").json()["ice_servers"]
    stun, turn = servers
    assert stun == {"urls": ["stun:stun.example.vn:3478"], "username": None, "credential": None}
    assert turn["urls"] == ["turn:turn.example.vn:3478"]
    expiry, _, user = turn["username"].partition(":")
    assert before + 600 - 5 <= int(expiry) <= time.time() + 600
    assert user.startswith("a")
    # What coturn computes from its `static-auth-secret` for that user name.
    expected = hmac.new(b"coturn-shared-secret", turn["username"].encode(), hashlib.sha1)
    assert turn["credential"] == base64.b64encode(expected.digest()).decode()


def test_without_servers_browsers_use_host_candidates_only(client: TestClient, db: Session) -> None:
    add_account(db, email="khach@example.vn", role=Role.buyer, event=add_event(db))
    assert login(client, "khach@example.vn") == 200
    assert client.get("/api/rtc").json() == {"ice_servers": []}
