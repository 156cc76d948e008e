"""Sign-up exports and the values a sign-up form takes."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import datetime

from server.rules import in_zone

# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: str) -> str:
    """A cell a spreadsheet shows as text: a leading = + - @ tab or CR gets a single quote."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def csv_text(rows: Iterable[Sequence[str]]) -> str:
    """RFC 4180 CSV of text cells, each one guarded against formula injection."""
    out = io.StringIO()
    writer = csv.writer(out)
    for row in rows:
        writer.writerow([csv_safe(cell) for cell in row])
    return out.getvalue()


def csv_time(moment: datetime | None, zone: str) -> str:
    """'YYYY-MM-DD HH:MM' wall time in the zone, '' for no time (the zone is in the header)."""
    return in_zone(moment, zone).strftime("%Y-%m-%d %H:%M") if moment is not None else ""


def country_code(value: str) -> str | None:
    """Two ASCII letters, upper-cased; None for anything else."""
    code = value.strip()
    if len(code) == 2 and code.isascii() and code.isalpha():
        return code.upper()
    return None


def sort_key(text: str) -> str:
    """An accent-blind key so 'Việt Nam' sorts among the V's, not after 'Zimbabwe'."""
    bare = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in bare if not unicodedata.combining(ch)).casefold()


def filename_part(value: str) -> str:
    """Only letters, digits, dot, dash and underscore: safe inside a quoted filename."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", value) or "event"
