"""The app factory: lifespan, middleware, error pages; domains bring their routers."""

from __future__ import annotations

import logging
import secrets
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from urllib.parse import quote

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.body_limit import RequestBodyLimitMiddleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.db import make_engine, make_sessionmaker
from server.errors import (
    HTTP_MESSAGES,
    AppError,
    app_error_json,
    error_body,
    http_error_json,
    validation_error_json,
    wants_json,
)
from server.i18n import LANG_COOKIE, N_, gettext, negotiate, set_locale
from server.identity.auth import LoginThrottle
from server.identity.csrf import SameOriginMiddleware
from server.inputs import TextInputMiddleware
from server.realtime.attendance import AttendanceRecorder
from server.realtime.bus import Bus, LocalBus, RedisBus
from server.realtime.hub import Hub
from server.realtime.middleware import HubMiddleware
from server.settings import Settings
from server.templating import STATIC_DIR, render

SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    # same-origin, not no-referrer: with no-referrer Chromium sends `Origin: null` on form posts.
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
    (
        b"content-security-policy",
        b"default-src 'self'; img-src 'self' data:; media-src 'self' blob:; "
        b"connect-src 'self' ws: wss:; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
    ),
]


def body_limit(scope: Scope, body: int, upload: int) -> int:
    """The largest body a request may send: an upload (multipart, or a CSV file sent as its
    body) has a limit of its own."""
    for name, value in scope.get("headers", []):
        if name == b"content-type":
            return (
                upload if value.lower().startswith((b"multipart/form-data", b"text/csv")) else body
            )
    return body


class BodyLimitMiddleware:
    """Starlette's body limit (it also guards chunked bodies), at the limit of the request's
    kind of body."""

    def __init__(self, app: ASGIApp, max_body_bytes: int, max_upload_bytes: int) -> None:
        self.body = RequestBodyLimitMiddleware(app, max_body_size=max_body_bytes)
        self.upload = RequestBodyLimitMiddleware(app, max_body_size=max_upload_bytes)
        self.max_body_bytes = max_body_bytes
        self.max_upload_bytes = max_upload_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        limit = body_limit(scope, self.max_body_bytes, self.max_upload_bytes)
        await (self.upload if limit == self.max_upload_bytes else self.body)(scope, receive, send)


class LocaleAndHeadersMiddleware:
    """Pick the request's language early (errors are translated too) and add security headers."""

    def __init__(
        self, app: ASGIApp, default_locale: str, max_body_bytes: int, max_upload_bytes: int
    ) -> None:
        self.app = app
        self.default_locale = default_locale
        self.max_body_bytes = max_body_bytes
        self.max_upload_bytes = max_upload_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        set_locale(
            negotiate(
                request.cookies.get(LANG_COOKIE),
                None,
                request.headers.get("accept-language"),
                self.default_locale,
            )
        )

        declared = request.headers.get("content-length", "")
        limit = body_limit(scope, self.max_body_bytes, self.max_upload_bytes)
        if declared.isdigit() and int(declared) > limit:
            # Refused before reading a byte; Starlette's limit still guards chunked bodies.
            code, message = HTTP_MESSAGES[413]
            response = JSONResponse(error_body(code, gettext(message)), status_code=413)
            await response(scope, receive, send)
            return

        # Pages and API answers may carry a secret (a join link, an invitation, someone's
        # registration): none is kept by a browser or proxy cache unless its route says so.
        # Static files set their own.
        dynamic = not scope["path"].startswith("/static/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [*message.get("headers", []), *SECURITY_HEADERS]
                if dynamic and not any(name.lower() == b"cache-control" for name, _ in headers):
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


async def _page_error(request: Request, status: int, code: str, message: str) -> Response:
    if status == 401:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)
    return render(
        request,
        "error.html",
        {"status": status, "code": code, "message": message},
        status_code=status,
    )


async def _unusable_text(request: Request, character: str) -> Response:
    error = AppError(
        "invalid_text",
        N_("The text holds a character that cannot be used (%(character)s)."),
        character=character,
    )
    return await _on_app_error(request, error)


async def _on_app_error(request: Request, exc: Exception) -> Response:
    if wants_json(request):
        return await app_error_json(request, exc)
    assert isinstance(exc, AppError)
    return await _page_error(request, exc.status_code, exc.code, exc.text())


async def _on_http_error(request: Request, exc: Exception) -> Response:
    if wants_json(request):
        return await http_error_json(request, exc)
    assert isinstance(exc, StarletteHTTPException)
    code, message = HTTP_MESSAGES.get(exc.status_code, ("error", N_("The request failed.")))
    return await _page_error(request, exc.status_code, code, gettext(message))


async def _on_validation_error(request: Request, exc: Exception) -> Response:
    if wants_json(request):
        return await validation_error_json(request, exc)
    return await _page_error(request, 422, "invalid_input", gettext("Invalid input"))


class RedactedAccessLog(logging.Filter):
    """Keep join and invitation tokens out of access logs."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            path = args[2]
            for prefix in ("/join/", "/invite/"):
                if path.startswith(prefix):
                    record.args = (*args[:2], prefix + "[redacted]", *args[3:])
        return True


HubInstaller = Callable[[Hub], None]


def build_app(
    settings: Settings,
    routers: Sequence[APIRouter],
    hub_installers: Sequence[HubInstaller] = (),
) -> FastAPI:
    """A FastAPI app with our lifespan, middleware and error handling around `routers`."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = make_engine(settings)
        app.state.engine = engine
        sessionmaker = make_sessionmaker(engine)
        app.state.sessionmaker = sessionmaker
        app.state.login_throttle = LoginThrottle(settings)
        logging.getLogger("uvicorn.access").addFilter(RedactedAccessLog())
        node = secrets.token_hex(4)
        bus: Bus = RedisBus(settings.redis_url, node) if settings.redis_url else LocalBus()
        hub = Hub(settings, sessionmaker, bus, node)
        for install in hub_installers:
            install(hub)
        recorder = AttendanceRecorder(hub, sessionmaker)
        app.state.hub = hub
        await hub.start()
        await recorder.start()
        try:
            yield
        finally:
            await hub.stop()
            await recorder.stop()
            await engine.dispose()

    app = FastAPI(
        title="ketnoi",
        summary="Hybrid trade-promotion conferences and online product weeks",
        version="0.1.0",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.add_exception_handler(AppError, _on_app_error)
    app.add_exception_handler(StarletteHTTPException, _on_http_error)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    # Innermost, so an over-long chunked body becomes our JSON 413 through the error handlers.
    app.add_middleware(
        BodyLimitMiddleware,
        max_body_bytes=settings.max_body_bytes,
        max_upload_bytes=max(settings.max_upload_bytes, settings.max_body_bytes),
    )
    app.add_middleware(HubMiddleware)
    app.add_middleware(
        TextInputMiddleware, refuse=_unusable_text, max_body_bytes=settings.max_body_bytes
    )
    app.add_middleware(SameOriginMiddleware, public_base_url=settings.public_base_url)
    app.add_middleware(
        LocaleAndHeadersMiddleware,
        default_locale=settings.default_locale,
        max_body_bytes=settings.max_body_bytes,
        max_upload_bytes=max(settings.max_upload_bytes, settings.max_body_bytes),
    )
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=settings.trusted_hosts)
    app.mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static")
    # Pages name their icon; clients that ask the old place anyway are sent to it.
    app.add_route("/favicon.ico", _favicon, include_in_schema=False)
    for router in routers:
        app.include_router(router)
    return app


async def _favicon(request: Request) -> RedirectResponse:
    del request
    return RedirectResponse(
        "/static/favicon.svg", status_code=301, headers={"cache-control": "public, max-age=86400"}
    )
