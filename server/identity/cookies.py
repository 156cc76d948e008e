"""The session cookie: HttpOnly, SameSite=Lax, Secure behind HTTPS."""

from __future__ import annotations

from datetime import datetime

from fastapi import Request
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.responses import Response

from server.db import utcnow
from server.identity.auth import SESSION_COOKIE, revoke_session, session_expiry, start_session
from server.settings import Settings


def set_session_cookie(
    response: Response, settings: Settings, token: str, expires_at: datetime
) -> None:
    """Hand the browser its session token."""
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=max(0, int((expires_at - utcnow()).total_seconds())),
        httponly=True,
        samesite="lax",
        secure=settings.https,
        path="/",
    )


def clear_session_cookie(response: Response, settings: Settings) -> None:
    """Make the browser forget its session token."""
    response.delete_cookie(
        SESSION_COOKIE, httponly=True, samesite="lax", secure=settings.https, path="/"
    )


def safe_next(target: str | None, default: str = "/") -> str:
    """A local path to go to after signing in; never another site."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target


async def hand_over(
    db: AsyncSession,
    settings: Settings,
    request: Request,
    response: Response,
    token: str,
    expires_at: datetime,
) -> None:
    """Switch this browser to a new session: whatever session it had ends on the server at
    once (an account's does not live on behind a join link), and the new one's cookie is set."""
    await revoke_session(db, request.cookies.get(SESSION_COOKIE))
    set_session_cookie(response, settings, token, expires_at)


async def sign_in(
    db: AsyncSession, settings: Settings, request: Request, response: Response, account_id: int
) -> None:
    """Start a session for an account and hand this browser over to it (rotation)."""
    expires = session_expiry(settings)
    token = await start_session(db, account_id=account_id, expires_at=expires)
    await hand_over(db, settings, request, response, token, expires)
