"""Request dependencies, as Annotated aliases routes can name."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Path, Request
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.datastructures import FormData

from server.errors import AppError, Forbidden, Unauthorised
from server.i18n import LANG_COOKIE, negotiate, set_locale
from server.identity.auth import SESSION_COOKIE, LoginThrottle, Principal, resolve_session
from server.identity.csrf import CSRF_COOKIE, CSRF_FIELD, form_token_valid
from server.identity.models import Account
from server.realtime.hub import Hub
from server.rules import MAX_ROW_ID
from server.settings import Settings


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def _db(request: Request) -> AsyncIterator[AsyncSession]:
    # Written out, not delegated to another generator: an error thrown in here must roll back
    # and return the connection now, not whenever an abandoned generator is collected.
    async with request.app.state.sessionmaker() as db:
        try:
            yield db
            await db.commit()
        except BaseException:
            await db.rollback()
            raise


def _hub(request: Request) -> Hub:
    hub: Hub = request.app.state.hub
    return hub


def _throttle(request: Request) -> LoginThrottle:
    throttle: LoginThrottle = request.app.state.login_throttle
    return throttle


AppSettings = Annotated[Settings, Depends(_settings)]
# "function" scope: the commit happens before the response is sent, so what a user is told
# was saved is saved.
DbSession = Annotated[AsyncSession, Depends(_db, scope="function")]
Throttle = Annotated[LoginThrottle, Depends(_throttle)]
# The realtime hub of this process (presence, publishing after a page's commit).
CurrentHub = Annotated[Hub, Depends(_hub)]


async def _maybe_principal(
    request: Request, db: DbSession, settings: AppSettings
) -> Principal | None:
    principal = await resolve_session(db, request.cookies.get(SESSION_COOKIE))
    request.state.principal = principal
    # Plain strings for the page frame: an error rolls back and expires the ORM objects.
    request.state.signed_in_name = (
        principal.account.display_name if principal and principal.account else None
    )
    account_locale = principal.account.locale if principal and principal.account else None
    set_locale(
        negotiate(
            request.cookies.get(LANG_COOKIE),
            account_locale,
            request.headers.get("accept-language"),
            settings.default_locale,
        )
    )
    return principal


async def _principal(
    principal: Annotated[Principal | None, Depends(_maybe_principal)],
) -> Principal:
    if principal is None:
        raise Unauthorised("sign_in_required", "Please sign in.")
    return principal


async def _account(principal: Annotated[Principal, Depends(_principal)]) -> Account:
    if principal.account is None:
        raise Forbidden("accounts_only", "This needs a personal account, not an attendance point.")
    return principal.account


MaybePrincipal = Annotated[Principal | None, Depends(_maybe_principal)]
CurrentPrincipal = Annotated[Principal, Depends(_principal)]
CurrentAccount = Annotated[Account, Depends(_account)]


async def _csrf_form(request: Request, settings: AppSettings) -> AsyncIterator[FormData]:
    form = await request.form()
    try:
        submitted = form.get(CSRF_FIELD)
        if not form_token_valid(
            settings.secret_key.get_secret_value(),
            request.cookies.get(CSRF_COOKIE),
            submitted if isinstance(submitted, str) else None,
        ):
            raise AppError(
                "csrf_failed",
                "This form has expired. Please reload the page and try again.",
                status_code=403,
            )
        yield form
    finally:
        # Uploaded files sit in temporary files until the form is closed.
        await form.close()


CsrfForm = Annotated[FormData, Depends(_csrf_form)]


def form_str(form: FormData, name: str) -> str:
    """A text field of a form, '' when absent or a file."""
    value = form.get(name)
    return value if isinstance(value, str) else ""


# A row's id in a path: a positive integer the database can hold, else a 422 that says so.
RowId = Annotated[int, Path(ge=1, le=MAX_ROW_ID)]
