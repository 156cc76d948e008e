"""Core JSON API: health, sign-in and sign-out."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import text

from server.deps import AppSettings, CurrentPrincipal, DbSession, Throttle
from server.identity.auth import SESSION_COOKIE, authenticate, revoke_session
from server.identity.cookies import clear_session_cookie, sign_in
from server.identity.models import AccountPublic

router = APIRouter()


class LoginIn(BaseModel):
    """Credentials for POST /api/auth/login."""

    model_config = ConfigDict(extra="forbid")

    email: Annotated[str, Field(min_length=1, max_length=320)]
    password: Annotated[str, Field(min_length=1, max_length=4096)]


class MeOut(BaseModel):
    """Who the session belongs to."""

    account: AccountPublic | None
    point_id: int | None


@router.get("/healthz", tags=["health"])
async def healthz(db: DbSession) -> dict[str, str]:
    """Liveness that includes the database."""
    await db.exec(text("SELECT 1"))  # type: ignore[call-overload]
    return {"status": "ok"}


@router.post("/api/auth/login", tags=["auth"])
async def login(
    body: LoginIn, request: Request, db: DbSession, settings: AppSettings, throttle: Throttle
) -> JSONResponse:
    """Sign in; sets the session cookie (a new id every time)."""
    client = request.client.host if request.client else "unknown"
    account = await authenticate(db, throttle, body.email, body.password, client)
    # Rotation: whatever session this browser had ends here.
    response = JSONResponse(
        {"account": AccountPublic.model_validate(account, from_attributes=True).model_dump()}
    )
    assert account.id is not None
    await sign_in(db, settings, request, response, account.id)
    return response


@router.post("/api/auth/logout", tags=["auth"])
async def logout(request: Request, db: DbSession, settings: AppSettings) -> JSONResponse:
    """End this browser's session at once."""
    await revoke_session(db, request.cookies.get(SESSION_COOKIE))
    response = JSONResponse({"status": "signed_out"})
    clear_session_cookie(response, settings)
    return response


@router.get("/api/me", tags=["auth"])
async def me(principal: CurrentPrincipal) -> MeOut:
    """The signed-in account or attendance point."""
    account = (
        AccountPublic.model_validate(principal.account, from_attributes=True)
        if principal.account
        else None
    )
    return MeOut(account=account, point_id=principal.point_id)
