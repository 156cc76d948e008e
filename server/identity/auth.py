"""Passwords, cookie sessions and the principal behind a request."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta

import anyio.to_thread
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from limits import RateLimitItemPerSecond
from limits.aio.storage import MemoryStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string
from sqlalchemy import or_, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.db import utcnow
from server.errors import TooMany, Unauthorised
from server.identity.models import Account, AuthSession
from server.rules import email_key, new_token, password_text, token_hash
from server.settings import Settings

SESSION_COOKIE = "ketnoi_session"


# last_seen is written at most this often per session, not on every request.
TOUCH_EVERY = timedelta(seconds=20)


_hasher = PasswordHasher()


# Verified against when the email is unknown, so both failures take the same time.
_DUMMY_HASH = _hasher.hash("ketnoi-timing-equaliser")


async def hash_password(password: str) -> str:
    """An argon2id hash, computed off the event loop."""
    return await anyio.to_thread.run_sync(_hasher.hash, password_text(password))


async def verify_password(stored: str | None, password: str) -> bool:
    """True when `password` matches; unknown accounts cost the same time."""
    typed = password_text(password)

    def check() -> bool:
        try:
            return _hasher.verify(stored or _DUMMY_HASH, typed) and stored is not None
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    return await anyio.to_thread.run_sync(check)


@dataclass(frozen=True)
class Principal:
    """Who is behind a request: an account, or an attendance point's PC."""

    session_id: int
    account: Account | None = None
    point_id: int | None = None
    point_event_id: int | None = None

    @property
    def is_point(self) -> bool:
        """True for a join-link session."""
        return self.point_id is not None


def limiter_storage(settings: Settings) -> Storage:
    """Counters for rate limits: in memory, or in Redis so the limits hold across processes."""
    if not settings.redis_url:
        return MemoryStorage()
    # redis-py (a dependency already) rather than limits' default async client, coredis.
    shared = storage_from_string(f"async+{settings.redis_url}", implementation="redispy")
    assert isinstance(shared, Storage)
    return shared


class LoginThrottle:
    """Counts failed logins per email and per client address in a moving window.

    An address past its failures is refused. An email past its failures is only slowed:
    every attempt on it waits `login_slow_seconds` first, and the right password still gets in,
    so nobody can lock the owner out by failing on purpose from other addresses, while each of
    those addresses runs into its own limit.
    """

    def __init__(self, settings: Settings) -> None:
        self._limiter = MovingWindowRateLimiter(limiter_storage(settings))
        self._item = RateLimitItemPerSecond(
            settings.login_failures_per_window, settings.login_failure_window_seconds
        )
        self.slow_seconds = settings.login_slow_seconds

    async def allowed(self, *keys: str) -> bool:
        """False while any key has used up its failures."""
        for key in keys:
            if not await self._limiter.test(self._item, "login", key):
                return False
        return True

    async def failed(self, *keys: str) -> None:
        """Count one failure against every key."""
        for key in keys:
            await self._limiter.hit(self._item, "login", key)


async def authenticate(
    db: AsyncSession, throttle: LoginThrottle, email: str, password: str, client: str
) -> Account:
    """The account for these credentials; one message for unknown email and wrong password."""
    keys = (f"email:{email_key(email)}", f"ip:{client}")
    if not await throttle.allowed(keys[1]):
        raise TooMany(
            "login_throttled", "Too many failed sign-in attempts. Please wait a few minutes."
        )
    if not await throttle.allowed(keys[0]):
        await asyncio.sleep(throttle.slow_seconds)
    account = (await db.exec(select(Account).where(Account.email_key == email_key(email)))).first()
    ok = await verify_password(account.password_hash if account else None, password)
    if account is None or not ok or not account.is_active:
        await throttle.failed(*keys)
        raise Unauthorised("invalid_credentials", "Wrong email or password.")
    return account


async def start_session(
    db: AsyncSession,
    *,
    expires_at: datetime,
    account_id: int | None = None,
    point_id: int | None = None,
    event_id: int | None = None,
) -> str:
    """Store a new session and return its cookie value (only its hash is kept)."""
    token, row = new_session(
        expires_at=expires_at, account_id=account_id, point_id=point_id, event_id=event_id
    )
    db.add(row)
    await db.flush()
    return token


def new_session(
    *,
    expires_at: datetime,
    account_id: int | None = None,
    point_id: int | None = None,
    event_id: int | None = None,
) -> tuple[str, AuthSession]:
    """A session's cookie value and the row to store (which holds only the value's hash)."""
    token = new_token()
    row = AuthSession(
        token_hash=token_hash(token),
        account_id=account_id,
        point_id=point_id,
        event_id=event_id,
        expires_at=expires_at,
    )
    return token, row


async def resolve_session(db: AsyncSession, token: str | None) -> Principal | None:
    """The principal behind a cookie, or None when it is unknown, expired or revoked."""
    if not token or len(token) > 200:
        return None
    row = (
        await db.exec(select(AuthSession).where(AuthSession.token_hash == token_hash(token)))
    ).first()
    now = utcnow()
    if row is None or row.id is None or row.revoked_at is not None or row.expires_at <= now:
        return None
    account = None
    if row.account_id is not None:
        account = await db.get(Account, row.account_id)
        if account is None or not account.is_active:
            return None
    if now - row.last_seen_at > TOUCH_EVERY:
        row.last_seen_at = now
        db.add(row)
    return Principal(
        session_id=row.id, account=account, point_id=row.point_id, point_event_id=row.event_id
    )


async def revoke_session(db: AsyncSession, token: str | None) -> None:
    """End one session at once (logout)."""
    if token:
        await db.exec(
            update(AuthSession)
            .where(
                col(AuthSession.token_hash) == token_hash(token),
                col(AuthSession.revoked_at).is_(None),
            )
            .values(revoked_at=utcnow())
        )


async def revoke_account_sessions(db: AsyncSession, account_id: int) -> int:
    """End every session of an account; returns how many."""
    result = await db.exec(
        update(AuthSession)
        .where(col(AuthSession.account_id) == account_id, col(AuthSession.revoked_at).is_(None))
        .values(revoked_at=utcnow())
    )
    return int(result.rowcount)


async def revoke_point_sessions(db: AsyncSession, point_id: int) -> int:
    """End every session opened with an attendance point's join link."""
    result = await db.exec(
        update(AuthSession)
        .where(col(AuthSession.point_id) == point_id, col(AuthSession.revoked_at).is_(None))
        .values(revoked_at=utcnow())
    )
    return int(result.rowcount)


def session_expiry(settings: Settings) -> datetime:
    """When a new account session ends."""
    return utcnow() + timedelta(days=settings.session_days)


async def ended_sessions(db: AsyncSession, session_ids: list[int]) -> list[int | None]:
    """Those of the sessions that were revoked, expired, or whose account was disabled."""
    rows = await db.exec(
        select(AuthSession.id)
        .outerjoin(Account, col(Account.id) == col(AuthSession.account_id))
        .where(
            col(AuthSession.id).in_(session_ids),
            or_(
                col(AuthSession.revoked_at).is_not(None),
                col(AuthSession.expires_at) <= utcnow(),
                col(Account.is_active).is_(False),
            ),
        )
    )
    return list(rows.all())
