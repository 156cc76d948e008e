"""A producer's booth at an event."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from server.db import UTCDateTime, utcnow


class Booth(SQLModel, table=True):
    """A producer's virtual stand at one event."""

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="event.id", index=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    name_vi: str = Field(max_length=300)
    name_en: str = Field(max_length=300)
    description_vi: str = Field(default="", max_length=4000)
    description_en: str = Field(default="", max_length=4000)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
