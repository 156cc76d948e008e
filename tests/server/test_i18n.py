"""Every message a user can see exists in Vietnamese, with the same placeholders."""

from __future__ import annotations

import re
import subprocess
from contextvars import copy_context
from pathlib import Path

from babel.messages.pofile import read_po

from server.i18n import language_name, set_locale

ROOT = Path(__file__).resolve().parents[2]
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def test_vietnamese_catalogue_covers_every_message(tmp_path: Path) -> None:
    pot = tmp_path / "messages.pot"
    subprocess.run(["bash", str(ROOT / "scripts" / "extract-messages.sh"), str(pot)], check=True)
    with pot.open("rb") as fh:
        wanted = {m.id for m in read_po(fh) if m.id}
    with (ROOT / "web/locale/vi/LC_MESSAGES/messages.po").open("rb") as fh:
        catalogue = read_po(fh)
    translated = {m.id: m.string for m in catalogue if m.id and m.string and not m.fuzzy}
    missing = sorted(str(m) for m in wanted if m not in translated)
    assert not missing, (
        f"{len(missing)} messages lack a Vietnamese translation (run `make messages`): {missing[:10]}"
    )
    for msgid, text in translated.items():
        if isinstance(msgid, str) and isinstance(text, str):
            assert set(PLACEHOLDER.findall(msgid)) == set(PLACEHOLDER.findall(text)), msgid


def test_languages_are_named_in_the_readers_language_with_their_code() -> None:
    def named(locale: str, code: str) -> str:
        set_locale(locale)
        return language_name(code)

    # In a copied context, so the locale set here does not stay for other tests.
    assert copy_context().run(named, "vi", "en") == "Tiếng Anh (en)"
    assert copy_context().run(named, "en", "ja") == "Japanese (ja)"
    assert copy_context().run(named, "en", "qqq") == "qqq"
