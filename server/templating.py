"""Jinja2 pages in the request's language, with the CSRF token and the language switch."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.responses import Response

import web
from server.i18n import LOCALE_NAMES, get_locale, gettext, translations
from server.identity.csrf import CSRF_COOKIE, form_token, new_cookie_value

TEMPLATE_DIR = Path(web.__file__).parent / "templates"
STATIC_DIR = Path(web.__file__).parent / "static"


def template_folders() -> list[Path]:
    """One folder per part (`core/`, then each domain's): names are unique across them, so a
    page is named without its folder."""
    return sorted(
        (p for p in TEMPLATE_DIR.iterdir() if p.is_dir()), key=lambda p: (p.name != "core", p.name)
    )


_env = Environment(
    loader=FileSystemLoader(template_folders()),
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


LabelSet = Callable[[], dict[str, str]]
# The domains' labels for the live widgets, by domain: registered once at start-up.
_label_sets: dict[str, LabelSet] = {}


def register_labels(name: str, labels: LabelSet) -> None:
    """Add a domain's widget labels (a function, so they come in the reader's language)."""
    _label_sets[name] = labels


def live_labels() -> dict[str, str]:
    """What the live widgets write on the page, in the reader's language (JS has no gettext)."""
    labels = {
        "connecting": gettext("Connecting…"),
        "connected": gettext("Live"),
        "reconnecting": gettext("Connection lost, reconnecting…"),
        "signed_out": gettext("Signed out. Open your join link or sign in again."),
        "not_connected": gettext("Not connected. Try again in a moment."),
        "sending": gettext("sending…"),
        "characters": gettext("%(count)s / %(max)s characters"),
        "no_messages": gettext("No messages yet."),
        "hide": gettext("Hide"),
        "mute": gettext("Mute"),
        "unmute": gettext("Unmute"),
        "muted_member": gettext("%(name)s is muted."),
        "unmuted_member": gettext("%(name)s may write again."),
        "you": gettext("you"),
        "video_waiting": gettext("Waiting for the hall’s video…"),
        "video_live": gettext("Live"),
        "video_reconnecting": gettext("Video connection lost, reconnecting…"),
        "video_unavailable": gettext(
            "Live video is not available right now. Please retry in a moment."
        ),
        "sound_on": gettext("Turn sound on"),
        "sound_off": gettext("Turn sound off"),
        "camera_failed": gettext("The camera or microphone could not start: %(reason)s"),
        "online": gettext("online"),
        "offline": gettext("offline"),
    }
    for more in _label_sets.values():
        labels.update(more())
    return labels
