"""The values an attendance point takes, and reading points from a CSV file. No I/O."""

from __future__ import annotations

import csv
import io
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from zoneinfo import available_timezones

from server.rules import is_blank, is_timezone, normalise_text, unusable_character
from sessions.registration.rules import FORMULA_STARTS

# The import's columns, in the order the export and the template write them. `organisation` is
# the point's host organisation.
COLUMNS = (
    "name",
    "country",
    "city",
    "timezone",
    "organisation",
    "contact_name",
    "contact_email",
    "contact_phone",
    "expected_seats",
)
REQUIRED = ("name", "country", "city", "timezone")
# The widths of the attendance_point columns each field is stored in.
MAX_LENGTHS = {
    "name": 300,
    "city": 120,
    "organisation": 300,
    "host": 300,
    "contact_name": 200,
    "contact_email": 320,
    "contact_phone": 40,
    "room_notes": 2000,
    "equipment_notes": 2000,
}
MAX_SEATS = 10_000


class PointRuleError(ValueError):
    """A value a point may not take: a stable code, the field it concerns, its parameters."""

    def __init__(self, code: str, column: str, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.column = column
        self.params = params


@dataclass(frozen=True)
class PointRow:
    """One good row of an import, its texts normalised."""

    row: int
    name: str
    country: str
    city: str
    timezone: str
    host: str = ""
    contact_name: str = ""
    contact_email: str = ""
    contact_phone: str = ""
    expected_seats: int = 0


@dataclass(frozen=True)
class RowError:
    """Why a row (its number in the file, the header being 1) or the file (row 0) is refused."""

    row: int
    column: str
    message_code: str
    params: dict[str, object] = field(default_factory=dict)


def name_key(name: str) -> str:
    """The spelling that decides whether two points have the same name: NFC, case-folded."""
    return normalise_text(name).casefold()


@cache
def zone_names() -> tuple[str, ...]:
    """The IANA zones a point may be in, as a form offers them (Area/City names only)."""
    return tuple(
        sorted(
            z
            for z in available_timezones()
            if "/" in z and not z.startswith(("Etc/", "SystemV/", "posix/", "right/"))
        )
    )


def unquote_formula(value: str) -> str:
    """A cell as it was before an export guarded it: "'+81 3 1234" back to "+81 3 1234"."""
    if value.startswith("'") and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value


def clean_text(column: str, value: str, *, required: bool = False) -> str:
    """A text field NFC and trimmed; refused when it holds a control character, is blank but
    required, or is longer than its column."""
    found = unusable_character(value)
    if found:
        raise PointRuleError("unusable_character", column, character=found)
    text = normalise_text(value)
    if required and is_blank(text):
        raise PointRuleError("field_required", column)
    limit = MAX_LENGTHS.get(column)
    if limit is not None and len(text) > limit:
        raise PointRuleError("too_long", column, max=limit)
    return text


def clean_email(value: str, column: str = "contact_email") -> str:
    """A contact email, or '' for none; it needs a name, an @ and a domain, without spaces."""
    text = clean_text(column, value)
    if not text:
        return ""
    local, at, domain = text.rpartition("@")
    if not at or not local or "." not in domain or any(ch.isspace() for ch in text):
        raise PointRuleError("invalid_email", column, value=text)
    return text


def clean_country(value: str, known_countries: set[str] | frozenset[str]) -> str:
    """An ISO 3166-1 alpha-2 code, upper-cased, that names a known country."""
    code = normalise_text(value).upper()
    if not code:
        raise PointRuleError("field_required", "country")
    if code not in known_countries:
        raise PointRuleError("invalid_country", "country", value=code[:10])
    return code


def clean_zone(value: str) -> str:
    """An IANA zone name such as Asia/Kathmandu."""
    zone = normalise_text(value)
    if not zone:
        raise PointRuleError("field_required", "timezone")
    if not is_timezone(zone):
        raise PointRuleError("invalid_timezone", "timezone", zone=zone[:64])
    return zone


def clean_seats(value: str | int) -> int:
    """Expected seats: a whole number from 0 to MAX_SEATS ('' is 0)."""
    if isinstance(value, int):
        seats = value
    else:
        text = normalise_text(value)
        if not text:
            return 0
        if not (text.isascii() and text.isdigit()) or len(text) > 6:
            raise PointRuleError("invalid_seats", "expected_seats", max=MAX_SEATS)
        seats = int(text)
    if not 0 <= seats <= MAX_SEATS:
        raise PointRuleError("invalid_seats", "expected_seats", max=MAX_SEATS)
    return seats


def _row(
    number: int, cells: dict[str, str], known_countries: set[str]
) -> tuple[PointRow | None, list[RowError]]:
    values: dict[str, str] = {}
    errors: list[RowError] = []
    # Every column checked, so one pass over the file tells everything wrong with it.
    for column in COLUMNS:
        raw = cells.get(column, "")
        try:
            found = unusable_character(raw)
            if found:
                raise PointRuleError("unusable_character", column, character=found)
            raw = unquote_formula(normalise_text(raw))
            if column == "country":
                values[column] = clean_country(raw, known_countries)
            elif column == "timezone":
                values[column] = clean_zone(raw)
            elif column == "expected_seats":
                values[column] = str(clean_seats(raw))
            elif column == "contact_email":
                values[column] = clean_email(raw)
            else:
                values[column] = clean_text(column, raw, required=column in REQUIRED)
        except PointRuleError as exc:
            errors.append(RowError(number, exc.column, exc.code, exc.params))
    if errors:
        return None, errors
    return (
        PointRow(
            row=number,
            name=values["name"],
            country=values["country"],
            city=values["city"],
            timezone=values["timezone"],
            host=values["organisation"],
            contact_name=values["contact_name"],
            contact_email=values["contact_email"],
            contact_phone=values["contact_phone"],
            expected_seats=int(values["expected_seats"]),
        ),
        [],
    )


def _header(cells: list[str]) -> dict[str, int]:
    where: dict[str, int] = {}
    for index, cell in enumerate(cells):
        where.setdefault(unicodedata.normalize("NFC", cell).strip().lower(), index)
    return where


def parse_points_csv(
    data: bytes, *, max_rows: int, known_countries: set[str]
) -> tuple[list[PointRow], list[RowError]]:
    """The points of a CSV file (UTF-8, a BOM allowed; a header row naming at least name,
    country, city and timezone; other columns ignored) and every error in it. Rows are
    numbered as a spreadsheet shows them: the header is row 1."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [], [RowError(0, "", "not_utf8")]
    rows: list[PointRow] = []
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        where = _header(header or [])
        missing = [c for c in REQUIRED if c not in where]
        if missing:
            return [], [RowError(1, "", "missing_columns", {"columns": ", ".join(missing)})]
        count = 0
        for number, cells in enumerate(reader, start=2):
            if all(not c.strip() for c in cells):
                continue
            count += 1
            if count > max_rows:
                return [], [RowError(number, "", "too_many_rows", {"max": max_rows})]
            named = {c: cells[i] for c, i in where.items() if c in COLUMNS and i < len(cells)}
            row, problems = _row(number, named, known_countries)
            errors.extend(problems)
            if row is None:
                continue
            key = name_key(row.name)
            if key in seen:
                errors.append(RowError(number, "name", "duplicate_name", {"other": seen[key]}))
                continue
            seen[key] = number
            rows.append(row)
    except csv.Error as exc:
        # A malformed quote or an enormous field: where the reader stopped is all it knows.
        errors.append(RowError(reader.line_num, "", "unreadable_csv", {"reason": str(exc)}))
    return rows, errors


def point_cells(row: PointRow) -> list[str]:
    """A point's cells in the order of COLUMNS (the export writes these)."""
    return [
        row.name,
        row.country,
        row.city,
        row.timezone,
        row.host,
        row.contact_name,
        row.contact_email,
        row.contact_phone,
        str(row.expected_seats),
    ]
