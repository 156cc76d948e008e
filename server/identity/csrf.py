"""Cross-site request forgery: a same-origin check on every unsafe request, a token in every form."""

from __future__ import annotations

import hmac
import html
from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from server.errors import error_body
from server.i18n import gettext
from server.rules import derive_token, new_token

CSRF_COOKIE = "ketnoi_csrf"
CSRF_FIELD = "csrf_token"
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def form_token(secret_key: str, cookie_value: str) -> str:
    """The token a form carries: bound to the browser's CSRF cookie and our secret."""
    return derive_token(secret_key, "csrf", cookie_value)


def new_cookie_value() -> str:
    """A fresh CSRF cookie value."""
    return new_token()


def form_token_valid(secret_key: str, cookie_value: str | None, submitted: str | None) -> bool:
    """True when the submitted form token matches this browser's cookie."""
    if not cookie_value or not submitted:
        return False
    return hmac.compare_digest(form_token(secret_key, cookie_value), submitted)


class SameOriginMiddleware:
    """Refuse unsafe requests that a browser says come from another site."""

    def __init__(self, app: ASGIApp, public_base_url: str) -> None:
        self.app = app
        parts = urlsplit(public_base_url)
        self.public_origin = f"{parts.scheme}://{parts.netloc}".lower()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] in UNSAFE:
            headers = Headers(scope=scope)
            if not self._same_origin(scope, headers):
                message = gettext("Request refused: it did not come from this site.")
                response: Response
                if scope["path"].startswith("/api/"):
                    response = JSONResponse(error_body("cross_site", message), status_code=403)
                else:
                    page = f"<!doctype html><meta charset=utf-8><title>403</title><p>{html.escape(message)}</p>"
                    response = HTMLResponse(page, status_code=403)
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)

    def _same_origin(self, scope: Scope, headers: Headers) -> bool:
        site = headers.get("sec-fetch-site")
        if site is not None and site not in ("same-origin", "none"):
            return False
        origin = headers.get("origin")
        if origin is None:
            # Non-browser clients send no Origin; browsers send it on every POST.
            return True
        own = f"{scope.get('scheme', 'http')}://{headers.get('host', '')}".lower()
        return origin.lower() in (own, self.public_origin)
