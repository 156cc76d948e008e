"""A small hub client for in-process tests: requests by id, events kept in arrival order."""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import anyio
from fastapi.testclient import TestClient
from sqlmodel import Session
from starlette.testclient import WebSocketTestSession
from starlette.types import Message

from server.db import utcnow
from server.events.models import AttendancePoint, Event, Role
from server.identity.auth import SESSION_COOKIE, new_session
from sessions.agenda.models import Talk
from tests.factories import add_account, add_event, add_point, add_talk

ORIGIN = "http://testserver"


def add_session(
    db: Session,
    *,
    account_id: int | None = None,
    point_id: int | None = None,
    event_id: int | None = None,
) -> str:
    """A signed-in session stored as the app stores it; returns the cookie value."""
    token, row = new_session(
        expires_at=utcnow() + timedelta(days=1),
        account_id=account_id,
        point_id=point_id,
        event_id=event_id,
    )
    db.add(row)
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

    def send(self, type_: str, rid: str, **fields: Any) -> None:
        """Send a request without waiting; read its answer later with `answer(rid)`."""
        self.ws.send_json({"type": type_, "id": rid, **fields})

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

    def wait_for(
        self,
        type_: str,
        match: Callable[[dict[str, Any]], bool] | None = None,
        *,
        within: float = 3.0,
    ) -> dict[str, Any] | None:
        """Sync until an event of this type (that `match`es) comes; remove and return it.

        None when none came within `within` seconds (for batched events such as presence).
        """
        deadline = time.monotonic() + within
        while True:
            self.sync()
            found = next(
                (e for e in self.events if e.get("type") == type_ and (match is None or match(e))),
                None,
            )
            if found is not None:
                self.events.remove(found)
                return found
            if time.monotonic() >= deadline:
                return None
            time.sleep(0.05)

    def close_code(self, within: float) -> int | None:
        """Read, sending nothing, until the server closes: its code (None if open after `within` s)."""
        deadline = time.monotonic() + within
        while (left := deadline - time.monotonic()) > 0:
            message = self.ws.portal.call(_next_message, self.ws, left)
            if message is None:
                break
            if message["type"] == "websocket.close":
                return int(message.get("code", 1000))
            self.events.append(json.loads(message["text"]))
        return None


async def _next_message(ws: WebSocketTestSession, seconds: float) -> Message | None:
    """The socket's next message from the server, or None after `seconds` (nothing is lost)."""
    with anyio.move_on_after(seconds):
        return await ws._send_rx.receive()
    return None


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


@dataclass
class World:
    """An event with a talk, an organiser, a counsellor and two points; another event apart."""

    event: Event
    talk: Talk
    organiser: str
    interpreter: str
    counsellor: str
    counsellor_id: int
    tokyo: str
    tokyo_point: AttendancePoint
    hanoi: str
    hanoi_point: AttendancePoint
    stranger: str
    other_point: str
    other_talk: Talk


def make_world(db: Session, key: str) -> World:
    """People and rooms of two events (key: the secret key, for join links)."""
    event = add_event(db)
    talk = add_talk(db, event)
    other = add_event(db, slug="tuan-hang-cao-bang")
    other_talk = add_talk(db, other)
    organiser = add_account(db, role=Role.organiser, event=event)
    counsellor = add_account(db, role=Role.counsellor, event=event)
    interpreter = add_account(db, role=Role.interpreter, event=event)
    stranger = add_account(db, role=Role.buyer, event=other)
    tokyo, _ = add_point(db, event, key, name="Thương vụ Việt Nam tại Nhật Bản")
    hanoi, _ = add_point(db, event, key, name="Sở Công Thương Hải Dương", country="VN")
    elsewhere, _ = add_point(db, other, key)
    return World(
        event=event,
        talk=talk,
        organiser=add_session(db, account_id=organiser.id),
        interpreter=add_session(db, account_id=interpreter.id),
        counsellor=add_session(db, account_id=counsellor.id),
        counsellor_id=counsellor.id or 0,
        tokyo=add_session(db, point_id=tokyo.id, event_id=event.id),
        tokyo_point=tokyo,
        hanoi=add_session(db, point_id=hanoi.id, event_id=event.id),
        hanoi_point=hanoi,
        stranger=add_session(db, account_id=stranger.id),
        other_point=add_session(db, point_id=elsewhere.id, event_id=other.id),
        other_talk=other_talk,
    )
