"""Errors a user sees: a stable code and a message in their language."""

from __future__ import annotations

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from server.i18n import N_, gettext


class AppError(Exception):
    """A refusal with an HTTP status, a machine code and a translatable message."""

    status_code = 400

    def __init__(
        self, code: str, message: str, status_code: int | None = None, **params: object
    ) -> None:
        super().__init__(code)
        self.code = code
        self.message = message
        self.params = params
        if status_code is not None:
            self.status_code = status_code

    def text(self) -> str:
        """The message in the current locale."""
        return gettext(self.message, **self.params)


class FieldError(AppError):
    """One field of a form or a JSON body breaks a rule; the answer names the field."""

    status_code = 422

    def __init__(self, code: str, message: str, field: str, **params: object) -> None:
        super().__init__(code, message, None, **params)
        self.field = field


class NotFound(AppError):
    """The thing does not exist, or the caller may not know it exists."""

    status_code = 404


class Unauthorised(AppError):
    """Sign in first."""

    status_code = 401


class Forbidden(AppError):
    """Signed in, but this role may not do this here."""

    status_code = 403


class Conflict(AppError):
    """The request clashes with what is stored."""

    status_code = 409


class TooMany(AppError):
    """Slow down."""

    status_code = 429


def error_body(code: str, message: str, field: str | None = None) -> dict[str, object]:
    """The JSON shape of every API error (`field`: the input it concerns, when one does)."""
    error: dict[str, object] = {"code": code, "message": message}
    if field is not None:
        error["field"] = field
    return {"error": error, "detail": message}


HTTP_MESSAGES = {
    400: ("bad_request", N_("The request could not be understood.")),
    401: ("unauthorised", N_("Please sign in.")),
    403: ("forbidden", N_("You do not have permission to do this.")),
    404: ("not_found", N_("Not found.")),
    405: ("method_not_allowed", N_("This method is not allowed here.")),
    413: ("too_large", N_("The request is too large.")),
    429: ("too_many_requests", N_("Too many requests; please wait and try again.")),
}


def wants_json(request: Request) -> bool:
    """API paths answer JSON; pages answer HTML."""
    return request.url.path.startswith("/api/") or request.url.path == "/healthz"


async def app_error_json(_request: Request, exc: Exception) -> Response:
    """Render an AppError for the API."""
    assert isinstance(exc, AppError)
    field = exc.field if isinstance(exc, FieldError) else None
    return JSONResponse(error_body(exc.code, exc.text(), field), status_code=exc.status_code)


async def http_error_json(_request: Request, exc: Exception) -> Response:
    """Render Starlette's HTTP errors (404 route, 405, 413 body limit) in our shape."""
    assert isinstance(exc, StarletteHTTPException)
    code, message = HTTP_MESSAGES.get(exc.status_code, ("error", N_("The request failed.")))
    return JSONResponse(
        error_body(code, gettext(message)), status_code=exc.status_code, headers=exc.headers
    )


async def validation_error_json(_request: Request, exc: Exception) -> Response:
    """A 422 that names each bad field in words."""
    assert isinstance(exc, RequestValidationError)
    problems = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err.get("loc", ()) if p != "body")
        problems.append(f"{where}: {err.get('msg', '')}" if where else str(err.get("msg", "")))
    message = gettext("Invalid input") + ": " + "; ".join(problems)
    return JSONResponse(error_body("invalid_input", message), status_code=422)
