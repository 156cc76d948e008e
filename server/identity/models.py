"""Accounts, organisations, signed-in browsers and invitations."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import String
from sqlmodel import Field, SQLModel

from server.db import UTCDateTime, utcnow
from server.events.models import Role


class OrganisationKind(StrEnum):
    """What an organisation is, as the conference sees it."""

    producer_firm = "producer_firm"
    cooperative = "cooperative"
    trade_office = "trade_office"
    agency = "agency"
    buyer = "buyer"


class Organisation(SQLModel, table=True):
    """A firm, cooperative, trade office, agency or buyer."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=300, index=True)
    kind: OrganisationKind = Field(sa_type=String(20))
    country: str = Field(max_length=2, description="ISO 3166-1 alpha-2")
    province: str | None = Field(default=None, max_length=120)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class AccountBase(SQLModel):
    """Fields an account shows about itself."""

    email: str = Field(max_length=320)
    display_name: str = Field(max_length=200)
    locale: str = Field(default="vi", max_length=5)
    timezone: str = Field(default="Asia/Ho_Chi_Minh", max_length=64)


class Account(AccountBase, table=True):
    """A person who signs in with email and password."""

    id: int | None = Field(default=None, primary_key=True)
    # NFC-normalised and case-folded: the one spelling that decides uniqueness.
    email_key: str = Field(max_length=320, unique=True, index=True)
    password_hash: str | None = Field(default=None, max_length=255)
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id")
    is_active: bool = True
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class AccountPublic(AccountBase):
    """An account as the API returns it: never the hash."""

    id: int


class AuthSession(SQLModel, table=True):
    """A signed-in browser: an account, or an attendance point's PC via its join link."""

    __tablename__ = "auth_session"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    account_id: int | None = Field(default=None, foreign_key="account.id", index=True)
    point_id: int | None = Field(default=None, foreign_key="attendance_point.id", index=True)
    event_id: int | None = Field(default=None, foreign_key="event.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    last_seen_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Invitation(SQLModel, table=True):
    """A link that lets an invited person set a password; only its hash is kept."""

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    event_id: int = Field(foreign_key="event.id")
    role: Role = Field(sa_type=String(20))
    next_path: str = Field(default="/", max_length=300)
    created_by_id: int | None = Field(default=None, foreign_key="account.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    mailed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
