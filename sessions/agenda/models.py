"""The agenda's talks."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import String
from sqlmodel import Field, SQLModel

from server.db import UTCDateTime


class TalkStatus(StrEnum):
    """Where a talk is in its day."""

    scheduled = "scheduled"
    live = "live"
    ended = "ended"
    cancelled = "cancelled"


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
