"""Core pages: sign in and out, the language switch, accepting an invitation."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from server.deps import AppSettings, CsrfForm, DbSession, MaybePrincipal, Throttle, form_str
from server.errors import AppError
from server.i18n import LANG_COOKIE, LOCALES, TZ_COOKIE, ZONE_CHOICES, gettext
from server.identity.auth import SESSION_COOKIE, authenticate, revoke_session
from server.identity.cookies import clear_session_cookie, safe_next, sign_in
from server.identity.service import accept_invitation, open_invitation
from server.rules import is_timezone, password_text
from server.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/login")
async def login_page(request: Request, _principal: MaybePrincipal, next: str = "/") -> Response:
    """The sign-in form."""
    return render(request, "login.html", {"next": safe_next(next), "email": "", "error": None})


@router.post("/login")
async def login_submit(
    request: Request,
    form: CsrfForm,
    db: DbSession,
    settings: AppSettings,
    throttle: Throttle,
    _principal: MaybePrincipal,
) -> Response:
    """Check the credentials, start a fresh session, go on."""
    email = form_str(form, "email")[:320]
    target = safe_next(form_str(form, "next"))
    client = request.client.host if request.client else "unknown"
    try:
        account = await authenticate(db, throttle, email, form_str(form, "password"), client)
    except AppError as exc:
        context = {"next": target, "email": email, "error": exc.text()}
        return render(request, "login.html", context, status_code=exc.status_code)
    response = RedirectResponse(target, status_code=303)
    assert account.id is not None
    await sign_in(db, settings, request, response, account.id)
    return response


@router.post("/logout")
async def logout_submit(
    request: Request, _form: CsrfForm, db: DbSession, settings: AppSettings
) -> Response:
    """End the session and return home."""
    await revoke_session(db, request.cookies.get(SESSION_COOKIE))
    response = RedirectResponse("/", status_code=303)
    clear_session_cookie(response, settings)
    return response


@router.get("/lang/{code}")
async def switch_language(code: str, settings: AppSettings, next: str = "/") -> Response:
    """Remember the chosen language and go back."""
    response = RedirectResponse(safe_next(next), status_code=303)
    if code in LOCALES:
        response.set_cookie(
            LANG_COOKIE, code, max_age=60 * 60 * 24 * 365, samesite="lax", secure=settings.https
        )
    return response


@router.get("/tz")
async def switch_zone(settings: AppSettings, zone: str = "mine", next: str = "/") -> Response:
    """Remember the zone this browser reads times in, and go back."""
    response = RedirectResponse(safe_next(next), status_code=303)
    if zone in ZONE_CHOICES or is_timezone(zone):
        response.set_cookie(
            TZ_COOKIE, zone, max_age=60 * 60 * 24 * 365, samesite="lax", secure=settings.https
        )
    return response


@router.get("/invite/{token}")
async def invitation_page(
    request: Request, token: str, db: DbSession, _principal: MaybePrincipal
) -> Response:
    """The set-password form of an invitation."""
    _invitation, account = await open_invitation(db, token)
    return render(
        request,
        "invite.html",
        {"name": account.display_name, "email": account.email, "error": None},
    )


@router.post("/invite/{token}")
async def invitation_submit(
    request: Request,
    token: str,
    form: CsrfForm,
    db: DbSession,
    settings: AppSettings,
    _principal: MaybePrincipal,
) -> Response:
    """Set the password, sign in, go to the event."""
    password = form_str(form, "password")
    if password_text(password) != password_text(form_str(form, "password_repeat")):
        _invitation, account = await open_invitation(db, token)
        context = {
            "name": account.display_name,
            "email": account.email,
            "error": gettext("The two passwords differ."),
        }
        return render(request, "invite.html", context, status_code=400)
    try:
        invitation, account = await accept_invitation(db, settings, token, password)
    except AppError as exc:
        if exc.status_code == 404:
            raise
        _invitation, account = await open_invitation(db, token)
        context = {"name": account.display_name, "email": account.email, "error": exc.text()}
        return render(request, "invite.html", context, status_code=exc.status_code)
    response = RedirectResponse(safe_next(invitation.next_path), status_code=303)
    assert account.id is not None
    await sign_in(db, settings, request, response, account.id)
    return response
