"""Small factories for test data, written through a sync session on the test's SQLite file."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from sqlmodel import Session

from server.events.models import AttendancePoint, Event, EventKind, Membership, Role
from server.events.rules import join_token, join_token_hash, new_join_nonce
from server.identity.models import Account, Organisation, OrganisationKind
from server.rules import email_key
from sessions.agenda.models import Talk

PASSWORD = "correct horse battery"
_hasher = PasswordHasher(time_cost=1, memory_cost=8192)
_counter = itertools.count(1)


def add_organisation(db: Session, **overrides: Any) -> Organisation:
    """An organisation (a cooperative at home by default)."""
    n = next(_counter)
    values: dict[str, Any] = {
        "name": f"HTX Nông nghiệp số {n}",
        "kind": OrganisationKind.cooperative,
        "country": "VN",
    }
    org = Organisation(**{**values, **overrides})
    db.add(org)
    db.commit()
    db.refresh(org)
    return org


def add_event(db: Session, **overrides: Any) -> Event:
    """A published one-day conference that runs from an hour ago to tomorrow."""
    n = next(_counter)
    now = datetime.now(UTC)
    values: dict[str, Any] = {
        "slug": f"hoi-nghi-{n}",
        "title_vi": f"Hội nghị kết nối tiêu thụ cà rốt số {n}",
        "title_en": f"Carrot trade-connection conference {n}",
        "kind": EventKind.conference,
        "starts_at": now - timedelta(hours=1),
        "ends_at": now + timedelta(days=1),
        "timezone": "Asia/Ho_Chi_Minh",
        "venue": "Hải Dương",
        "published": True,
    }
    event = Event(**{**values, **overrides})
    db.add(event)
    db.commit()
    db.refresh(event)
    return event


def add_account(
    db: Session,
    *,
    role: Role | None = None,
    event: Event | None = None,
    password: str = PASSWORD,
    **overrides: Any,
) -> Account:
    """An account with a password, and a role in `event` when both are given."""
    n = next(_counter)
    email = overrides.pop("email", f"nguoi{n}@example.vn")
    values: dict[str, Any] = {
        "email": email,
        "email_key": email_key(email),
        "display_name": f"Nguyễn Văn {n}",
        "password_hash": _hasher.hash(password),
    }
    account = Account(**{**values, **overrides})
    db.add(account)
    db.commit()
    db.refresh(account)
    if role is not None and event is not None:
        assert account.id is not None
        assert event.id is not None
        db.add(Membership(account_id=account.id, event_id=event.id, role=role))
        db.commit()
    return account


def add_point(
    db: Session, event: Event, secret_key: str, **overrides: Any
) -> tuple[AttendancePoint, str]:
    """An attendance point with a working join link; returns the point and its token."""
    assert event.id is not None
    n = next(_counter)
    nonce = new_join_nonce()
    values: dict[str, Any] = {
        "event_id": event.id,
        "name": f"Thương vụ Việt Nam tại Nhật Bản {n}",
        "country": "JP",
        "city": "Tokyo",
        "timezone": "Asia/Tokyo",
        "join_nonce": nonce,
        "join_token_hash": join_token_hash(secret_key, nonce),
    }
    point = AttendancePoint(**{**values, **overrides})
    db.add(point)
    db.commit()
    db.refresh(point)
    return point, join_token(secret_key, nonce)


def add_talk(db: Session, event: Event, **overrides: Any) -> Talk:
    """A talk at the start of the event."""
    assert event.id is not None
    values: dict[str, Any] = {
        "event_id": event.id,
        "stage": "Hội trường chính",
        "title_vi": "Khai mạc hội nghị",
        "title_en": "Opening",
        "starts_at": event.starts_at,
        "ends_at": event.starts_at + timedelta(minutes=30),
    }
    talk = Talk(**{**values, **overrides})
    db.add(talk)
    db.commit()
    db.refresh(talk)
    return talk
