"""Vietnamese and English: the request's locale, gettext and locale negotiation."""

from __future__ import annotations

from contextvars import ContextVar
from functools import cache
from io import BytesIO
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

import web

LOCALES = ("vi", "en")
LOCALE_NAMES = {"vi": "Tiếng Việt", "en": "English"}
LOCALE_DIR = Path(web.__file__).parent / "locale"
LANG_COOKIE = "ketnoi_lang"
# The zone a browser reads times in: "event" (the event's), "mine" (the account's or the
# point's own) or an IANA name; remembered per browser.
TZ_COOKIE = "ketnoi_tz"
ZONE_CHOICES = ("event", "mine")

_current: ContextVar[str] = ContextVar("ketnoi_locale", default="vi")


@cache
def translations(locale: str) -> NullTranslations:
    """The compiled catalogue for a locale; English is the source language."""
    if locale == "en":
        return NullTranslations()
    loaded = Translations.load(str(LOCALE_DIR), [locale], domain="messages")
    if isinstance(loaded, Translations):
        return loaded
    # Installed without the build step: compile the .po in memory rather than show English.
    po = LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"
    if not po.exists():
        raise RuntimeError(f"no '{locale}' catalogue in {LOCALE_DIR}")
    buffer = BytesIO()
    with po.open("rb") as fh:
        write_mo(buffer, read_po(fh, locale=locale))
    buffer.seek(0)
    return Translations(buffer, domain="messages")


def set_locale(locale: str) -> None:
    """Use `locale` for the rest of this request or task."""
    _current.set(locale if locale in LOCALES else LOCALES[0])


def get_locale() -> str:
    """The locale of the current request."""
    return _current.get()


def gettext(message: str, **params: object) -> str:
    """`message` in the current locale, with %(name)s parameters filled."""
    text = translations(get_locale()).gettext(message)
    return text % params if params else text


def ngettext(singular: str, plural: str, n: int, **params: object) -> str:
    """Plural-aware gettext; `n` is available as %(num)s."""
    text = translations(get_locale()).ngettext(singular, plural, n)
    return text % {"num": n, **params}


_ = gettext


def language_name(code: str) -> str:
    """A language's name in the current locale with its code ("Tiếng Anh (en)"), or the code
    alone when the language is unknown."""
    try:
        name = Locale.parse(code).get_display_name(get_locale())
    except (UnknownLocaleError, ValueError):
        return code
    return f"{name} ({code})" if name else code


def N_(message: str) -> str:
    """Mark a message for extraction; it is translated where it is shown."""
    return message


def negotiate(
    cookie: str | None, account_locale: str | None, accept_language: str | None, default: str
) -> str:
    """Choose a locale: explicit switch, then the account's, then the browser's, then the default."""
    for candidate in (cookie, account_locale):
        if candidate in LOCALES:
            return candidate
    for part in (accept_language or "").split(","):
        tag = part.split(";")[0].strip().lower()[:2]
        if tag in LOCALES:
            return tag
    return default
