"""Attendance points as organisers make them: add, edit, delete, import from CSV, export."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from babel.numbers import format_decimal
from sqlalchemy import delete
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.datastructures import UploadFile

from server.chat.models import ChatMessage
from server.errors import AppError, Conflict, FieldError
from server.events.models import AttendancePoint, Event
from server.events.rules import join_token_hash, new_join_nonce
from server.i18n import N_, get_locale, gettext
from server.identity.models import AuthSession
from server.realtime.models import PresenceInterval
from server.settings import Settings
from sessions.live.models import FloorRequest
from sessions.points.models import PointCreate, PointFields
from sessions.points.rules import (
    COLUMNS,
    PointRow,
    PointRuleError,
    RowError,
    clean_country,
    clean_email,
    clean_seats,
    clean_text,
    clean_zone,
    name_key,
    parse_points_csv,
    point_cells,
)
from sessions.registration.rules import csv_text
from sessions.registration.service import country_choices

RULE_MESSAGES = {
    "field_required": N_("Please fill in this field."),
    "too_long": N_("This is too long: at most %(max)s characters."),
    "unusable_character": N_("The text holds a character that cannot be used (%(character)s)."),
    "invalid_country": N_("Unknown country code: %(value)s"),
    "invalid_timezone": N_("Unknown time zone: %(zone)s"),
    "invalid_seats": N_("Expected seats must be a whole number from 0 to %(max)s."),
    "invalid_email": N_("This is not an email address: %(value)s"),
    "duplicate_name": N_("The same name is already on row %(other)s of the file."),
    "name_taken": N_("The event already has a point of this name, with other details."),
    "not_utf8": N_("The file is not UTF-8 text: save it as “CSV UTF-8” and try again."),
    "missing_columns": N_("The first row must name the columns; it lacks: %(columns)s"),
    "too_many_rows": N_("The file has more than %(max)s rows; split it into smaller files."),
    "unreadable_csv": N_("The file could not be read as CSV (%(reason)s)."),
}
# A point's fields as they sit in the table (the import's `organisation` is `host`).
TEXT_FIELDS = ("name", "city", "host", "contact_name", "contact_phone")
NOTE_FIELDS = ("room_notes", "equipment_notes")
REQUIRED_FIELDS = ("name", "city")


REFUSED = N_("Nothing was imported: correct the rows listed and import the file again.")
# What a form upload may carry besides the file (boundaries, headers, the CSRF token).
FORM_OVERHEAD = 64 * 1024


def size_text(settings: Settings) -> str:
    """The import's size limit in megabytes, as the reader writes numbers ('2', '1,5')."""
    return format_decimal(settings.points_import_max_bytes / 1_000_000, locale=get_locale())


def too_large(settings: Settings) -> AppError:
    """The refusal of a file over the import's limit."""
    return AppError(
        "import_too_large",
        N_("The file is too large: an import may be at most %(size)s MB."),
        status_code=413,
        size=size_text(settings),
    )


async def read_csv_upload(settings: Settings, upload: object) -> bytes:
    """An uploaded CSV file's bytes; 413 past the import's limit (read one byte past it)."""
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise FieldError("file_missing", N_("Choose a CSV file to import."), "file")
    data = await upload.read(settings.points_import_max_bytes + 1)
    if len(data) > settings.points_import_max_bytes:
        raise too_large(settings)
    return data


@cache
def known_countries() -> frozenset[str]:
    """The ISO 3166-1 alpha-2 codes a point may be in."""
    return frozenset(code for code, _name in country_choices("en"))


def rule_message(code: str, params: dict[str, object]) -> str:
    """A rule's refusal in the reader's language."""
    message = RULE_MESSAGES.get(code, N_("The request could not be understood."))
    return gettext(message, **params)


def row_problems(errors: Sequence[RowError]) -> list[dict[str, Any]]:
    """An import's refused rows as the API and the page list them (row 0: the whole file)."""
    return [
        {
            "row": e.row,
            "column": e.column,
            "code": e.message_code,
            "message": rule_message(e.message_code, e.params),
        }
        for e in errors
    ]


def _field_error(exc: PointRuleError) -> FieldError:
    message = RULE_MESSAGES.get(exc.code, N_("The request could not be understood."))
    return FieldError(exc.code, message, exc.column, **exc.params)


def _apply(point: AttendancePoint, fields: PointFields) -> None:
    given = fields.model_dump(exclude_unset=True, exclude_none=True)
    try:
        for name, value in given.items():
            if name == "country":
                point.country = clean_country(value, known_countries())
            elif name == "timezone":
                point.timezone = clean_zone(value)
            elif name == "contact_email":
                point.contact_email = clean_email(value)
            elif name == "expected_seats":
                point.expected_seats = clean_seats(int(value))
            else:
                setattr(point, name, clean_text(name, value, required=name in REQUIRED_FIELDS))
    except PointRuleError as exc:
        raise _field_error(exc) from exc


async def _points_by_key(db: AsyncSession, event_id: int) -> dict[str, AttendancePoint]:
    rows = await db.exec(select(AttendancePoint).where(AttendancePoint.event_id == event_id))
    return {name_key(p.name): p for p in rows.all()}


async def _check_name(db: AsyncSession, point: AttendancePoint) -> None:
    taken = (await _points_by_key(db, point.event_id)).get(name_key(point.name))
    if taken is not None and taken.id != point.id:
        raise Conflict(
            "point_name_taken",
            N_("The event already has a point named %(name)s."),
            name=taken.name,
        )


def _issue_link(settings: Settings, point: AttendancePoint) -> None:
    nonce = new_join_nonce()
    point.join_nonce = nonce
    point.join_token_hash = join_token_hash(settings.secret_key.get_secret_value(), nonce)
    point.revoked = False


async def create_point(
    db: AsyncSession, settings: Settings, event: Event, fields: PointCreate
) -> AttendancePoint:
    """A new point of the event, with its own join link."""
    assert event.id is not None
    point = AttendancePoint(event_id=event.id, name="", country="", city="", timezone="")
    _apply(point, fields)
    await _check_name(db, point)
    _issue_link(settings, point)
    db.add(point)
    await db.flush()
    return point


async def update_point(
    db: AsyncSession, point: AttendancePoint, fields: PointFields
) -> AttendancePoint:
    """Edit a point; nothing changes when a field is refused."""
    edited = point.model_copy()
    _apply(edited, fields)
    await _check_name(db, edited)
    for name in (*TEXT_FIELDS, *NOTE_FIELDS, "country", "timezone", "contact_email"):
        setattr(point, name, getattr(edited, name))
    point.expected_seats = edited.expected_seats
    db.add(point)
    await db.flush()
    return point


async def _has_activity(db: AsyncSession, point_id: int) -> bool:
    floor = select(FloorRequest.id).where(FloorRequest.point_id == point_id).limit(1)
    present = select(PresenceInterval.id).where(PresenceInterval.point_id == point_id).limit(1)
    chat = select(ChatMessage.id).where(ChatMessage.author_point_id == point_id).limit(1)
    for query in (floor, present, chat):
        if (await db.exec(query)).first() is not None:
            return True
    return False


async def delete_point(db: AsyncSession, point: AttendancePoint) -> None:
    """Delete a point that has taken no part yet (no raised hand, attendance or chat); its
    sign-ins go with it. A point with a history is kept: revoke its link instead."""
    assert point.id is not None
    if await _has_activity(db, point.id):
        raise Conflict(
            "point_has_activity",
            N_(
                "This point has already taken part (attendance, raised hands or chat), so it "
                "cannot be deleted; revoke its join link instead."
            ),
        )
    await db.exec(delete(AuthSession).where(col(AuthSession.point_id) == point.id))
    await db.delete(point)
    await db.flush()


@dataclass(frozen=True)
class ImportOutcome:
    """What an import did: points added and rows already there, or why nothing was."""

    imported: int = 0
    unchanged: int = 0
    errors: tuple[RowError, ...] = ()


def _row_values(row: PointRow) -> list[str]:
    return point_cells(row)


def _stored_values(point: AttendancePoint) -> list[str]:
    return point_cells(stored_row(point))


def stored_row(point: AttendancePoint) -> PointRow:
    """A stored point as an import row (what the export writes)."""
    return PointRow(
        row=0,
        name=point.name,
        country=point.country,
        city=point.city,
        timezone=point.timezone,
        host=point.host,
        contact_name=point.contact_name,
        contact_email=point.contact_email,
        contact_phone=point.contact_phone,
        expected_seats=point.expected_seats,
    )


async def import_points(
    db: AsyncSession, settings: Settings, event: Event, data: bytes
) -> ImportOutcome:
    """Add the points of a CSV file, each with a join link: all of them or, when any row is
    refused, none. A row naming a point the event has with the same details is left as it is,
    so importing a file again changes nothing."""
    assert event.id is not None
    rows, errors = parse_points_csv(
        data, max_rows=settings.points_import_max_rows, known_countries=set(known_countries())
    )
    existing = await _points_by_key(db, event.id)
    fresh: list[PointRow] = []
    unchanged = 0
    problems = list(errors)
    for row in rows:
        stored = existing.get(name_key(row.name))
        if stored is None:
            fresh.append(row)
        elif _stored_values(stored) == _row_values(row):
            unchanged += 1
        else:
            problems.append(RowError(row.row, "name", "name_taken", {}))
    if problems:
        return ImportOutcome(errors=tuple(sorted(problems, key=lambda e: e.row)))
    for row in fresh:
        point = AttendancePoint(
            event_id=event.id,
            name=row.name,
            country=row.country,
            city=row.city,
            timezone=row.timezone,
            host=row.host,
            contact_name=row.contact_name,
            contact_email=row.contact_email,
            contact_phone=row.contact_phone,
            expected_seats=row.expected_seats,
        )
        _issue_link(settings, point)
        db.add(point)
    await db.flush()
    return ImportOutcome(imported=len(fresh), unchanged=unchanged)


TEMPLATE_ROW = PointRow(
    row=0,
    name="Thương vụ Việt Nam tại Nhật Bản",
    country="JP",
    city="Tokyo",
    timezone="Asia/Tokyo",
    host="Bộ Công Thương",
    contact_name="Đỗ Quang Huy",
    contact_email="jp@moit.gov.vn",
    contact_phone="+81 3 3466 3311",
    expected_seats=40,
)


def points_csv(points: Sequence[AttendancePoint]) -> str:
    """The points as the import reads them (the same columns), cells guarded against formula
    injection; with a BOM so spreadsheets read the UTF-8 as UTF-8."""
    return "\ufeff" + csv_text([list(COLUMNS), *(_stored_values(p) for p in points)])


def template_csv() -> str:
    """The header row and one example row, for organisers to fill in."""
    return "\ufeff" + csv_text([list(COLUMNS), point_cells(TEMPLATE_ROW)])
