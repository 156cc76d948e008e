"""Jinja2 pages in the request's language, with the CSRF token and the language switch."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.responses import Response

import web
from server.csrf import CSRF_COOKIE, form_token, new_cookie_value
from server.i18n import LOCALE_NAMES, get_locale, translations

TEMPLATE_DIR = Path(web.__file__).parent / "templates"
STATIC_DIR = Path(web.__file__).parent / "static"

_env = Environment(
    loader=FileSystemLoader(TEMPLATE_DIR),
    autoescape=select_autoescape(default=True),
    extensions=["jinja2.ext.i18n"],
    undefined=StrictUndefined,
)
_env.install_gettext_callables(  # type: ignore[attr-defined]
    gettext=lambda s: translations(get_locale()).gettext(s),
    ngettext=lambda s, p, n: translations(get_locale()).ngettext(s, p, n),
    newstyle=True,
)
templates = Jinja2Templates(env=_env)


def render(
    request: Request, name: str, context: dict[str, Any] | None = None, status_code: int = 200
) -> Response:
    """Render a page with what every page needs; sets the CSRF cookie on first visit."""
    settings = request.app.state.settings
    secret = settings.secret_key.get_secret_value()
    cookie = request.cookies.get(CSRF_COOKIE)
    fresh = None
    if not cookie or len(cookie) > 100:
        cookie = fresh = new_cookie_value()
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    principal = getattr(request.state, "principal", None)
    base = {
        "locale": get_locale(),
        "csrf_token": form_token(secret, cookie),
        "principal": principal,
        "signed_in_name": getattr(request.state, "signed_in_name", None),
        "languages": [
            {"code": code, "name": label, "url": f"/lang/{code}?next={quote(here, safe='')}"}
            for code, label in LOCALE_NAMES.items()
        ],
    }
    response = templates.TemplateResponse(
        request, name, {**base, **(context or {})}, status_code=status_code
    )
    if fresh:
        response.set_cookie(
            CSRF_COOKIE,
            fresh,
            httponly=True,
            samesite="lax",
            secure=settings.https,
            max_age=60 * 60 * 24 * 30,
        )
    return response
