"""The agenda's talks, their speakers and their documents."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict
from pydantic import Field as PField
from sqlalchemy import JSON, String, Text
from sqlmodel import Field, SQLModel

from server.db import UTCDateTime, utcnow
from server.events.models import EventKind


class TalkStatus(StrEnum):
    """Where a talk is in its day."""

    scheduled = "scheduled"
    live = "live"
    ended = "ended"
    cancelled = "cancelled"


class TalkKind(StrEnum):
    """What a talk is; a briefing is about one market (its `country`)."""

    opening = "opening"
    briefing = "briefing"
    panel = "panel"
    qa = "qa"
    signing = "signing"
    break_ = "break"
    other = "other"


class Talk(SQLModel, table=True):
    """An agenda item on a stage."""

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="event.id", index=True)
    stage: str = Field(default="", max_length=120)
    stage_en: str = Field(default="", max_length=120)
    kind: TalkKind = Field(default=TalkKind.other, sa_type=String(20))
    # ISO 3166 code of the market a briefing is about; "" for other kinds.
    country: str = Field(default="", max_length=2)
    title_vi: str = Field(max_length=300)
    title_en: str = Field(max_length=300)
    abstract_vi: str = Field(default="", sa_type=Text)
    abstract_en: str = Field(default="", sa_type=Text)
    # [{"name", "organisation", "country", "account_id"}]: accounts of the event or guests.
    speakers: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    starts_at: datetime = Field(sa_type=UTCDateTime)
    ends_at: datetime = Field(sa_type=UTCDateTime)
    status: TalkStatus = Field(default=TalkStatus.scheduled, sa_type=String(20))
    # Bumped whenever the talk moves, so calendars replace their copy (iCal SEQUENCE).
    sequence: int = 0
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class TalkDocument(SQLModel, table=True):
    """A PDF or slide deck of a talk, stored under a generated name."""

    __tablename__ = "talk_document"

    id: int | None = Field(default=None, primary_key=True)
    talk_id: int = Field(foreign_key="talk.id", index=True)
    name: str = Field(max_length=200)
    stored_name: str = Field(max_length=80, unique=True)
    content_type: str = Field(max_length=120)
    size: int
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Speaker(BaseModel):
    """Who speaks: an account of the event (by id) or a guest, with an organisation and a country."""

    model_config = ConfigDict(extra="forbid")

    name: str = PField(min_length=1, max_length=200)
    organisation: str = PField(default="", max_length=300)
    country: str = PField(default="", max_length=2)
    account_id: int | None = PField(default=None, ge=1, le=2**31 - 1)


class TalkFields(BaseModel):
    """What an organiser may set on a talk; every field optional (a PATCH)."""

    model_config = ConfigDict(extra="forbid")

    title_vi: str | None = PField(default=None, max_length=300)
    title_en: str | None = PField(default=None, max_length=300)
    stage: str | None = PField(default=None, max_length=120)
    stage_en: str | None = PField(default=None, max_length=120)
    kind: TalkKind | None = None
    country: str | None = PField(default=None, max_length=2)
    abstract_vi: str | None = PField(default=None, max_length=4000)
    abstract_en: str | None = PField(default=None, max_length=4000)
    speakers: list[Speaker] | None = PField(default=None, max_length=12)
    start: str | None = PField(
        default=None,
        max_length=40,
        description="Local time in the event's zone (2026-12-02T09:00) or ISO with an offset",
    )
    end: str | None = PField(default=None, max_length=40)
    fold: int | None = PField(
        default=None,
        ge=0,
        le=1,
        description="0 or 1: the earlier or later of a local time the clocks show twice",
    )
    cancelled: bool | None = None


class TalkCreate(TalkFields):
    """A new talk: titles, start and end are needed."""

    title_vi: str = PField(min_length=1, max_length=300)
    start: str = PField(max_length=40, examples=["2026-12-02T09:00"])
    end: str = PField(max_length=40, examples=["2026-12-02T09:30"])


SLUG_PATTERN = r"^[a-z0-9](?:[a-z0-9-]{1,78}[a-z0-9])$"
CLOCK_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$"


class EventFields(BaseModel):
    """What an organiser may set on an event; every field optional (a PATCH)."""

    model_config = ConfigDict(extra="forbid")

    slug: str | None = PField(default=None, pattern=SLUG_PATTERN, examples=["hoi-nghi-ca-rot-2026"])
    title_vi: str | None = PField(default=None, max_length=300)
    title_en: str | None = PField(default=None, max_length=300)
    summary_vi: str | None = PField(default=None, max_length=4000)
    summary_en: str | None = PField(default=None, max_length=4000)
    kind: EventKind | None = None
    timezone: str | None = PField(default=None, max_length=64, examples=["Asia/Ho_Chi_Minh"])
    start: str | None = PField(
        default=None, max_length=40, description="Local time in the event's zone, or with an offset"
    )
    end: str | None = PField(default=None, max_length=40)
    venue: str | None = PField(default=None, max_length=300)
    venue_en: str | None = PField(default=None, max_length=300)
    work_day_start: str | None = PField(default=None, pattern=CLOCK_PATTERN, examples=["07:00"])
    work_day_end: str | None = PField(default=None, pattern=CLOCK_PATTERN, examples=["21:00"])
    published: bool | None = None


class EventCreate(EventFields):
    """A new event: slug, Vietnamese title, zone, start and end are needed."""

    slug: str = PField(pattern=SLUG_PATTERN, examples=["hoi-nghi-ca-rot-2026"])
    title_vi: str = PField(min_length=1, max_length=300)
    kind: EventKind = EventKind.conference
    timezone: str = PField(max_length=64, examples=["Asia/Ho_Chi_Minh"])
    start: str = PField(max_length=40, examples=["2026-12-02T08:00"])
    end: str = PField(max_length=40, examples=["2026-12-02T17:00"])
