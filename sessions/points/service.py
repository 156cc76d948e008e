"""Attendance points: the organisers' list, join links and signing a room in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.db import utcnow
from server.errors import AppError, NotFound
from server.events.channels import event_channel
from server.events.models import AttendancePoint, Event
from server.events.rules import join_token, join_token_hash, join_url, new_join_nonce, point_key
from server.identity.auth import revoke_point_sessions, start_session
from server.realtime.hub import Hub
from server.rules import token_hash
from server.settings import Settings


async def list_points(db: AsyncSession, event_id: int) -> list[AttendancePoint]:
    """An event's attendance points: home first, then abroad, each by name."""
    rows = await db.exec(select(AttendancePoint).where(AttendancePoint.event_id == event_id))
    return sorted(rows.all(), key=lambda p: (p.country != "VN", p.country, p.name))


async def count_points(db: AsyncSession, event_id: int) -> tuple[int, int]:
    """How many points the event has, and how many of them are abroad (counted in SQL)."""
    abroad = case((col(AttendancePoint.country) != "VN", 1), else_=0)
    row = (
        await db.exec(
            select(func.count(), func.coalesce(func.sum(abroad), 0)).where(
                AttendancePoint.event_id == event_id
            )
        )
    ).one()
    return int(row[0]), int(row[1])


async def point_zones(db: AsyncSession, event_id: int) -> list[str]:
    """The zones the event's points sit in."""
    rows = await db.exec(
        select(AttendancePoint.timezone).where(AttendancePoint.event_id == event_id).distinct()
    )
    return list(rows.all())


def online_point_ids(hub: Hub, event_id: int, points: list[AttendancePoint]) -> set[int]:
    """Points with a console connected to the event's live channel, in any server process."""
    channel = event_channel(event_id)
    return {
        p.id
        for p in points
        if p.id is not None and hub.presence.is_present(channel, point_key(p.id))
    }


def point_join_url(settings: Settings, point: AttendancePoint) -> str | None:
    """The point's current join link, recomputed from its nonce; None when revoked."""
    if point.revoked or not point.join_nonce:
        return None
    return join_url(
        settings.public_base_url,
        join_token(settings.secret_key.get_secret_value(), point.join_nonce),
    )


async def rotate_join_link(db: AsyncSession, settings: Settings, point: AttendancePoint) -> str:
    """A new join link; the old one and every session it opened stop working at once."""
    assert point.id is not None
    nonce = new_join_nonce()
    point.join_nonce = nonce
    point.join_token_hash = join_token_hash(settings.secret_key.get_secret_value(), nonce)
    point.revoked = False
    db.add(point)
    await revoke_point_sessions(db, point.id)
    await db.flush()
    url = point_join_url(settings, point)
    assert url is not None
    return url


async def revoke_join_link(db: AsyncSession, point: AttendancePoint) -> None:
    """Stop the join link and sign the point's PCs out; rotating issues a new one."""
    assert point.id is not None
    point.revoked = True
    point.join_token_hash = None
    point.join_nonce = None
    db.add(point)
    await revoke_point_sessions(db, point.id)
    await db.flush()


@dataclass(frozen=True)
class PointSignIn:
    """A point's PC signed in with its join link."""

    point: AttendancePoint
    event: Event
    token: str
    expires_at: datetime


async def join_with_token(db: AsyncSession, settings: Settings, token: str) -> PointSignIn:
    """Sign a room's PC in as its attendance point, until the event is over."""
    if not token or len(token) > 200:
        raise NotFound(
            "join_link_invalid",
            "This join link is not valid. Ask the organisers for the current link.",
        )
    point = (
        await db.exec(
            select(AttendancePoint).where(AttendancePoint.join_token_hash == token_hash(token))
        )
    ).first()
    if point is None or point.revoked or point.id is None:
        raise NotFound(
            "join_link_invalid",
            "This join link is not valid. Ask the organisers for the current link.",
        )
    event = await db.get(Event, point.event_id)
    assert event is not None
    expires = event.ends_at + timedelta(hours=settings.point_session_grace_hours)
    if expires <= utcnow():
        raise AppError(
            "event_over", "This event is over; its join links no longer open it.", status_code=410
        )
    session_token = await start_session(
        db, point_id=point.id, event_id=event.id, expires_at=expires
    )
    return PointSignIn(point=point, event=event, token=session_token, expires_at=expires)
