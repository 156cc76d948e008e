"""Chat channels, their numbered messages and mutes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from server.db import UTCDateTime, utcnow


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
