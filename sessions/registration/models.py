"""Sign-ups to an event."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import String
from sqlmodel import Field, SQLModel

from server.db import UTCDateTime, utcnow
from server.events.models import Role


class RegistrationStatus(StrEnum):
    """An organiser's decision on a sign-up."""

    pending = "pending"
    approved = "approved"
    rejected = "rejected"


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
