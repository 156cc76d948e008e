"""What happens during a talk: questions, raised hands, polls and announcements."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Index, String, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from server.db import UTCDateTime, utcnow


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
