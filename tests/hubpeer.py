"""A small hub client for in-process tests: requests by id, events kept in arrival order."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session
from starlette.testclient import WebSocketTestSession

from server.auth import SESSION_COOKIE
from server.db import utcnow
from server.models import AuthSession
from server.rules import new_token, token_hash

ORIGIN = "http://testserver"


def add_session(
    db: Session,
    *,
    account_id: int | None = None,
    point_id: int | None = None,
    event_id: int | None = None,
) -> str:
    """A signed-in session stored as the app stores it; returns the cookie value."""
    token = new_token()
    db.add(
        AuthSession(
            token_hash=token_hash(token),
            account_id=account_id,
            point_id=point_id,
            event_id=event_id,
            expires_at=utcnow() + timedelta(days=1),
        )
    )
    db.commit()
    return token


class Peer:
    """One websocket: `request` waits for its answer; events wait in `events`."""

    def __init__(self, ws: WebSocketTestSession) -> None:
        self.ws = ws
        self.events: list[dict[str, Any]] = []
        self._ids = itertools.count(1)
        self.hello = ws.receive_json()

    def request(self, type_: str, **fields: Any) -> dict[str, Any]:
        """Send a request and return its answer (ok or error); events meanwhile are kept."""
        rid = f"r{next(self._ids)}"
        self.ws.send_json({"type": type_, "id": rid, **fields})
        return self.answer(rid)

    def answer(self, rid: str | int | None) -> dict[str, Any]:
        """Read until the answer to `rid` arrives."""
        while True:
            frame: dict[str, Any] = self.ws.receive_json()
            if frame.get("type") in ("ok", "error", "pong") and frame.get("id") == rid:
                return frame
            self.events.append(frame)

    def ok(self, type_: str, **fields: Any) -> dict[str, Any]:
        """A request that must succeed."""
        answer = self.request(type_, **fields)
        assert answer["type"] == "ok", answer
        return answer

    def sync(self) -> list[dict[str, Any]]:
        """Everything the server sent before a ping's pong (frames on a socket keep their order)."""
        self.request("ping")
        return self.events

    def take(self, type_: str) -> list[dict[str, Any]]:
        """Remove and return the kept events of one type."""
        taken = [e for e in self.events if e.get("type") == type_]
        self.events = [e for e in self.events if e.get("type") != type_]
        return taken


@contextmanager
def connect(
    client: TestClient, token: str | None, *, origin: str = ORIGIN, version: str = "1"
) -> Iterator[Peer]:
    """A hub connection with this session cookie."""
    headers = {"origin": origin}
    if token is not None:
        headers["cookie"] = f"{SESSION_COOKIE}={token}"
    with client.websocket_connect(f"/ws?v={version}", headers=headers) as ws:
        yield Peer(ws)
