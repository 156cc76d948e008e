"""What the hub records: presence intervals for attendance reports."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from server.db import UTCDateTime


class PresenceInterval(SQLModel, table=True):
    """A stretch of time a member was connected to an event, for attendance reports.

    `seen_at` is refreshed while the interval is open, so one left open by a process that died
    ends at its last `seen_at`.
    """

    __tablename__ = "presence_interval"
    __table_args__ = (Index("ix_presence_interval_event_member", "event_id", "member_key"),)

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="event.id")
    member_key: str = Field(max_length=24)
    account_id: int | None = Field(default=None, foreign_key="account.id")
    point_id: int | None = Field(default=None, foreign_key="attendance_point.id")
    node: str = Field(max_length=16, index=True)
    joined_at: datetime = Field(sa_type=UTCDateTime)
    seen_at: datetime = Field(sa_type=UTCDateTime)
    left_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
