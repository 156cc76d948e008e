"""Core tables: organisations, accounts, cookie sessions, memberships, invitations."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from server.db import UTCDateTime, utcnow


class OrganisationKind(StrEnum):
    """What an organisation is, as the conference sees it."""

    producer_firm = "producer_firm"
    cooperative = "cooperative"
    trade_office = "trade_office"
    agency = "agency"
    buyer = "buyer"


class Role(StrEnum):
    """An account's role in one event."""

    organiser = "organiser"
    counsellor = "counsellor"
    producer = "producer"
    buyer = "buyer"
    # Publishes the talks' interpretations (audio per language); no organiser rights.
    interpreter = "interpreter"


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


class Membership(SQLModel, table=True):
    """An account's role in one event."""

    __table_args__ = (UniqueConstraint("account_id", "event_id"),)

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    event_id: int = Field(foreign_key="event.id", index=True)
    role: Role = Field(sa_type=String(20))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


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


class ChatChannel(SQLModel, table=True):
    """A channel's chat counter; `epoch` changes when its history is reset."""

    __tablename__ = "chat_channel"

    channel: str = Field(primary_key=True, max_length=60)
    epoch: str = Field(max_length=32)
    last_seq: int = 0
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ChatMessage(SQLModel, table=True):
    """A chat message, numbered within its channel; plain text."""

    __tablename__ = "chat_message"
    __table_args__ = (
        UniqueConstraint("channel", "seq"),
        # A resend with the same client id is the same message.
        UniqueConstraint("channel", "sender_key", "client_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=60)
    seq: int
    sender_key: str = Field(max_length=24)
    author_account_id: int | None = Field(default=None, foreign_key="account.id")
    author_point_id: int | None = Field(default=None, foreign_key="attendance_point.id")
    author_name: str = Field(max_length=300)
    body: str = Field(sa_type=Text)
    client_id: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    hidden_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    hidden_by_id: int | None = Field(default=None, foreign_key="account.id")


class ChatMute(SQLModel, table=True):
    """A member who may not post in a scope (an event's talks, or a booth) until `until`."""

    __tablename__ = "chat_mute"
    __table_args__ = (UniqueConstraint("scope", "member_key"),)

    id: int | None = Field(default=None, primary_key=True)
    scope: str = Field(max_length=60)
    member_key: str = Field(max_length=24)
    until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_by_id: int | None = Field(default=None, foreign_key="account.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


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
