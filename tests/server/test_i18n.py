"""Every message a user can see exists in Vietnamese, with the same placeholders."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from babel.messages.pofile import read_po

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
