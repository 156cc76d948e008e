"""One request being handled, and how the hub names who sent it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlmodel.ext.asyncio.session import AsyncSession

from server.events.rules import account_key, point_key
from server.identity.auth import Principal
from server.realtime.channels import Access
from server.realtime.connection import Connection
from server.realtime.presence import Member
from server.settings import Settings

if TYPE_CHECKING:
    from server.realtime.hub import Hub


def member_of(principal: Principal, point_name: str | None = None) -> Member:
    """How the hub names the person or room behind a session."""
    if principal.account is not None and principal.account.id is not None:
        return Member(
            key=account_key(principal.account.id),
            kind="account",
            id=principal.account.id,
            name=principal.account.display_name,
        )
    assert principal.point_id is not None
    return Member(
        key=point_key(principal.point_id),
        kind="point",
        id=principal.point_id,
        name=point_name or "",
    )


@dataclass
class Call:
    """One request being handled: its database session, connection and deferred publishes."""

    db: AsyncSession
    hub: Hub
    conn: Connection
    outbox: list[tuple[str, str, dict[str, Any], int | None]] = field(default_factory=list)
    after_reply: list[Callable[[], None]] = field(default_factory=list)

    @property
    def principal(self) -> Principal:
        """Who is asking."""
        return self.conn.principal

    @property
    def member(self) -> Member:
        """Who is asking, as the hub names them."""
        return self.conn.member

    @property
    def settings(self) -> Settings:
        """The process settings."""
        return self.hub.settings

    def publish(
        self, channel: str, type_: str, payload: dict[str, Any], seq: int | None = None
    ) -> None:
        """Publish to a channel once this request's transaction has committed."""
        self.outbox.append((channel, type_, payload, seq))

    def committed(self) -> None:
        """Send what was published so far: its transaction has committed.

        The hub calls this after the request's commit; a handler whose writes another
        transaction committed (chat's store) calls it itself once that one is done.
        """
        outbox, self.outbox = self.outbox, []
        for channel, type_, payload, seq in outbox:
            self.hub.publish(channel, type_, payload, seq)

    async def access(self, channel: str) -> Access:
        """The caller's access to a channel (cached while subscribed); refuses when none."""
        cached = self.conn.subs.get(channel)
        if cached is not None:
            return cached
        return await self.hub.authorise(self.db, self.principal, channel)
