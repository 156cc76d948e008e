"""Events, attendance points, the agenda and sign-ups."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Index, String, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from server.db import UTCDateTime, utcnow
from server.models import Role


class EventKind(StrEnum):
    """A one-day hybrid conference or a week-long online product fair."""

    conference = "conference"
    product_week = "product_week"


class TalkStatus(StrEnum):
    """Where a talk is in its day."""

    scheduled = "scheduled"
    live = "live"
    ended = "ended"
    cancelled = "cancelled"


class QuestionStatus(StrEnum):
    """Where a question from the floor stands."""

    open = "open"
    answered = "answered"
    hidden = "hidden"


class FloorStatus(StrEnum):
    """A raised hand: waiting, speaking, or done one way or another."""

    waiting = "waiting"
    granted = "granted"
    lowered = "lowered"
    skipped = "skipped"
    revoked = "revoked"


class RegistrationStatus(StrEnum):
    """An organiser's decision on a sign-up."""

    pending = "pending"
    approved = "approved"
    rejected = "rejected"


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
    expected_seats: int = Field(default=0, ge=0)
    # Only a hash of the join token is stored; the nonce lets organisers see the link again
    # (token = HMAC(secret key, nonce)), which the database alone cannot reproduce.
    join_token_hash: str | None = Field(default=None, max_length=64, unique=True, index=True)
    join_nonce: str | None = Field(default=None, max_length=64)
    revoked: bool = False
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Talk(SQLModel, table=True):
    """An agenda item on a stage."""

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="event.id", index=True)
    stage: str = Field(default="", max_length=120)
    title_vi: str = Field(max_length=300)
    title_en: str = Field(max_length=300)
    speaker: str = Field(default="", max_length=300)
    starts_at: datetime = Field(sa_type=UTCDateTime)
    ends_at: datetime = Field(sa_type=UTCDateTime)
    status: TalkStatus = Field(default=TalkStatus.scheduled, sa_type=String(20))


class Registration(SQLModel, table=True):
    """A public sign-up waiting for an organiser's decision."""

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="event.id", index=True)
    full_name: str = Field(max_length=200)
    email: str = Field(max_length=320)
    email_key: str = Field(max_length=320, index=True)
    organisation_name: str = Field(max_length=300)
    country: str = Field(max_length=2)
    role_requested: Role = Field(sa_type=String(20))
    locale: str = Field(default="vi", max_length=5)
    consent_at: datetime = Field(sa_type=UTCDateTime)
    status: RegistrationStatus = Field(default=RegistrationStatus.pending, sa_type=String(20))
    account_id: int | None = Field(default=None, foreign_key="account.id")
    decided_by_id: int | None = Field(default=None, foreign_key="account.id")
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Question(SQLModel, table=True):
    """A question asked during a talk; plain text."""

    id: int | None = Field(default=None, primary_key=True)
    talk_id: int = Field(foreign_key="talk.id", index=True)
    author_key: str = Field(max_length=24)
    author_name: str = Field(max_length=300)
    body: str = Field(sa_type=Text)
    votes: int = 0
    status: QuestionStatus = Field(default=QuestionStatus.open, sa_type=String(20))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    answered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class QuestionVote(SQLModel, table=True):
    """One member's upvote; once per member and question."""

    __tablename__ = "question_vote"
    __table_args__ = (UniqueConstraint("question_id", "voter_key"),)

    id: int | None = Field(default=None, primary_key=True)
    question_id: int = Field(foreign_key="question.id", index=True)
    voter_key: str = Field(max_length=24)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class FloorRequest(SQLModel, table=True):
    """An attendance point's raised hand in a talk, and what became of it."""

    __tablename__ = "floor_request"
    # One raised hand per point and talk at a time, even when two PCs of a room raise at once.
    __table_args__ = (
        Index(
            "uq_floor_request_active",
            "talk_id",
            "point_id",
            unique=True,
            sqlite_where=text("status IN ('waiting', 'granted')"),
            postgresql_where=text("status IN ('waiting', 'granted')"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    talk_id: int = Field(foreign_key="talk.id", index=True)
    point_id: int = Field(foreign_key="attendance_point.id", index=True)
    status: FloorStatus = Field(default=FloorStatus.waiting, sa_type=String(20))
    raised_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    granted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decided_by_id: int | None = Field(default=None, foreign_key="account.id")


class Poll(SQLModel, table=True):
    """A single- or multiple-choice poll an organiser puts to an event."""

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="event.id", index=True)
    question: str = Field(max_length=500)
    options: list[str] = Field(sa_type=JSON)
    multiple: bool = False
    is_open: bool = True
    created_by_id: int | None = Field(default=None, foreign_key="account.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class PollVote(SQLModel, table=True):
    """A member's choices in a poll (replaced when they vote again)."""

    __tablename__ = "poll_vote"
    __table_args__ = (UniqueConstraint("poll_id", "voter_key"),)

    id: int | None = Field(default=None, primary_key=True)
    poll_id: int = Field(foreign_key="poll.id", index=True)
    voter_key: str = Field(max_length=24)
    choices: list[int] = Field(sa_type=JSON)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Announcement(SQLModel, table=True):
    """A banner organisers show on every connected page of an event, until cleared."""

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="event.id", index=True)
    body: str = Field(max_length=2000)
    created_by_id: int | None = Field(default=None, foreign_key="account.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    cleared_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
