"""The platform's tenancy: events, their attendance points and who has which role."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import String, UniqueConstraint
from sqlmodel import Field, SQLModel

from server.db import UTCDateTime, utcnow


class Role(StrEnum):
    """An account's role in one event."""

    organiser = "organiser"
    counsellor = "counsellor"
    producer = "producer"
    buyer = "buyer"
    # Publishes the talks' interpretations (audio per language); no organiser rights.
    interpreter = "interpreter"


class Membership(SQLModel, table=True):
    """An account's role in one event."""

    __table_args__ = (UniqueConstraint("account_id", "event_id"),)

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    event_id: int = Field(foreign_key="event.id", index=True)
    role: Role = Field(sa_type=String(20))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class EventKind(StrEnum):
    """A one-day hybrid conference or a week-long online product fair."""

    conference = "conference"
    product_week = "product_week"


class Event(SQLModel, table=True):
    """A conference or product week; times in UTC, shown in `timezone`."""

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=80, unique=True, index=True)
    title_vi: str = Field(max_length=300)
    title_en: str = Field(max_length=300)
    kind: EventKind = Field(sa_type=String(20))
    starts_at: datetime = Field(sa_type=UTCDateTime)
    ends_at: datetime = Field(sa_type=UTCDateTime)
    timezone: str = Field(max_length=64)
    venue: str = Field(default="", max_length=300)
    venue_en: str = Field(default="", max_length=300)
    # The attendance points' working day, local wall time in minutes (the planner flags a talk
    # outside it); weekends are flagged too.
    work_day_start: int = Field(default=7 * 60, ge=0, le=24 * 60)
    work_day_end: int = Field(default=21 * 60, ge=0, le=24 * 60)
    summary_vi: str = Field(default="", max_length=4000)
    summary_en: str = Field(default="", max_length=4000)
    published: bool = False
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class AttendancePoint(SQLModel, table=True):
    """A remote room (điểm cầu) that joins the live hall with its own join link."""

    __tablename__ = "attendance_point"

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="event.id", index=True)
    name: str = Field(max_length=300)
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id")
    country: str = Field(max_length=2)
    city: str = Field(max_length=120)
    timezone: str = Field(max_length=64)
    contact_name: str = Field(default="", max_length=200)
    contact_email: str = Field(default="", max_length=320)
    contact_phone: str = Field(default="", max_length=40)
    # The host organisation's name as the room is known ("Thương vụ Việt Nam tại Nhật Bản").
    host: str = Field(default="", max_length=300)
    room_notes: str = Field(default="", max_length=2000)
    equipment_notes: str = Field(default="", max_length=2000)
    expected_seats: int = Field(default=0, ge=0)
    # Only a hash of the join token is stored; the nonce lets organisers see the link again
    # (token = HMAC(secret key, nonce)), which the database alone cannot reproduce.
    join_token_hash: str | None = Field(default=None, max_length=64, unique=True, index=True)
    join_nonce: str | None = Field(default=None, max_length=64)
    revoked: bool = False
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
