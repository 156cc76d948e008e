"""Talk times in a zone: reading them, checking them, grouping them, and which talk is on now."""

from __future__ import annotations

import io
import unicodedata
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Generic, Protocol, TypeVar
from zoneinfo import ZoneInfo

from server.rules import format_datetime, format_time, is_timezone, zone_info, zone_label

# Longer than any time this module accepts ("2026-12-02T09:00:00.000000+09:00" is 32).
_MAX_TIME_LENGTH = 40
# d: an ASCII digit, T: "T" or a space, anything else: itself.
_LOCAL_SHAPE = "dddd-dd-ddTdd:dd:dd.dddddd"
_LOCAL_LENGTHS = frozenset({16, 19, 21, 22, 23, 24, 25, 26})
_OFFSET_SHAPE = "+dd:dd"


class AgendaRuleError(ValueError):
    """A talk's times or fields break a rule: a stable code, the field it concerns, and values for the message."""

    def __init__(self, code: str, field: str, **params: str) -> None:
        super().__init__(code, field, params)
        self.code = code
        self.field = field
        self.params: dict[str, str] = params

    def __str__(self) -> str:
        return f"{self.code} ({self.field})"


def talk_times(
    starts_at: datetime, ends_at: datetime, zone: str, locale: str = "vi"
) -> dict[str, str]:
    """Display strings for a talk in a zone, always with the zone's label."""
    return {
        "start": format_time(starts_at, zone),
        "end": format_time(ends_at, zone),
        "zone": zone_label(starts_at, zone, locale),
        "start_full": format_datetime(starts_at, zone, locale),
    }


def _fits(text: str, shape: str) -> bool:
    for char, want in zip(text, shape, strict=False):
        if want == "d":
            if not (char.isascii() and char.isdigit()):
                return False
        elif want == "T":
            if char not in "T ":
                return False
        elif want == "+":
            if char not in "+-":
                return False
        elif char != want:
            return False
    return True


def _split_offset(text: str) -> tuple[str, str] | None:
    """The local part and the offset ("" when none) of a well-shaped time; None otherwise."""
    body, offset = text, ""
    if text.endswith("Z"):
        body, offset = text[:-1], "+00:00"
    elif len(text) > len(_OFFSET_SHAPE) and text[-6] in "+-":
        body, offset = text[:-6], text[-6:]
        if not _fits(offset, _OFFSET_SHAPE):
            return None
    if len(body) not in _LOCAL_LENGTHS or not _fits(body, _LOCAL_SHAPE):
        return None
    return body, offset


def _survives(moment: datetime, zone: ZoneInfo) -> bool:
    """True when the wall time comes back unchanged through UTC (false inside a DST gap)."""
    back = moment.astimezone(UTC).astimezone(zone)
    return back.replace(tzinfo=None) == moment.replace(tzinfo=None)


def parse_moment(
    text: str, zone: str, *, fold: int | None = None, field: str = "start"
) -> datetime:
    """An aware UTC moment from a local time in `zone` ("2026-12-02T09:00") or an ISO time with an offset or Z."""
    if not is_timezone(zone):
        raise AgendaRuleError("invalid_timezone", "timezone", zone=zone)
    if len(text) > _MAX_TIME_LENGTH or fold not in (None, 0, 1):
        raise AgendaRuleError("time_invalid", field, value=text)
    parts = _split_offset(text.strip())
    if parts is None:
        raise AgendaRuleError("time_invalid", field, value=text)
    body, offset = parts
    try:
        # Without an offset this is a naive wall time on purpose: the zone is attached below.
        moment = datetime.fromisoformat(body.replace(" ", "T") + offset)
        if offset:
            return moment.astimezone(UTC)
        tz = zone_info(zone)
        first = moment.replace(tzinfo=tz, fold=0)
        second = moment.replace(tzinfo=tz, fold=1)
        if not (_survives(first, tz) or _survives(second, tz)):
            raise AgendaRuleError("time_nonexistent", field, value=text, zone=zone)
        if first.utcoffset() != second.utcoffset():
            if fold is None:
                raise AgendaRuleError(
                    "time_ambiguous",
                    field,
                    value=text,
                    zone=zone,
                    earlier=first.isoformat(),
                    later=second.isoformat(),
                )
            return (second if fold else first).astimezone(UTC)
        return first.astimezone(UTC)
    except AgendaRuleError:
        raise
    except (ValueError, OverflowError) as error:
        # Out-of-range fields (month 13, offset +25:00) and moments past year 1 or 9999.
        raise AgendaRuleError("time_invalid", field, value=text) from error


@dataclass(frozen=True)
class Slot:
    """A talk already on the agenda, as the overlap check needs it."""

    id: int
    stage: str
    title: str
    starts_at: datetime
    ends_at: datetime


def _iso_utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def _stage_key(stage: str) -> str:
    return stage.strip().casefold()


def check_talk_times(
    starts_at: datetime,
    ends_at: datetime,
    *,
    stage: str,
    event_starts_at: datetime,
    event_ends_at: datetime,
    others: Sequence[Slot],
    talk_id: int | None = None,
) -> None:
    """Refuse times that end before they start, fall outside the event, or overlap another talk on the same stage."""
    if ends_at <= starts_at:
        raise AgendaRuleError("talk_ends_before_start", "end")
    bounds = {"event_start": _iso_utc(event_starts_at), "event_end": _iso_utc(event_ends_at)}
    if starts_at < event_starts_at:
        raise AgendaRuleError("talk_outside_event", "start", **bounds)
    if ends_at > event_ends_at:
        raise AgendaRuleError("talk_outside_event", "end", **bounds)
    here = _stage_key(stage)
    # Half-open intervals: a talk may start the very moment the previous one ends.
    clashes = [
        slot
        for slot in others
        if (talk_id is None or slot.id != talk_id)
        and _stage_key(slot.stage) == here
        and slot.starts_at < ends_at
        and starts_at < slot.ends_at
    ]
    if clashes:
        first = min(clashes, key=lambda slot: (slot.starts_at, slot.id))
        raise AgendaRuleError(
            "talk_overlaps",
            "start",
            other=first.title,
            other_id=str(first.id),
            other_start=_iso_utc(first.starts_at),
            other_end=_iso_utc(first.ends_at),
        )


T = TypeVar("T")


@dataclass(frozen=True)
class DayGroup(Generic[T]):
    """The talks that start on one local day."""

    day: date
    items: list[T]


def group_by_day(talks: Sequence[T], zone: str, key: Callable[[T], datetime]) -> list[DayGroup[T]]:
    """Talks grouped by the local date of their start in `zone`, days in order, talks in order of start."""
    if not is_timezone(zone):
        raise AgendaRuleError("invalid_timezone", "timezone", zone=zone)
    tz = zone_info(zone)
    days: dict[date, list[T]] = {}
    for talk in sorted(talks, key=key):
        days.setdefault(key(talk).astimezone(tz).date(), []).append(talk)
    return [DayGroup(day, items) for day, items in sorted(days.items())]


def starts_in(starts_at: datetime, now: datetime) -> tuple[int, int] | None:
    """Hours and minutes until a start (rounded down to the minute); None once it has started."""
    if starts_at <= now:
        return None
    hours, minutes = divmod((starts_at - now) // timedelta(minutes=1), 60)
    return hours, minutes


class Scheduled(Protocol):
    """What choosing the current talk needs to know of a talk."""

    @property
    def status(self) -> str: ...

    @property
    def starts_at(self) -> datetime: ...

    @property
    def ends_at(self) -> datetime: ...


TalkT = TypeVar("TalkT", bound=Scheduled)


def pick_current_talk(talks: Sequence[TalkT], now: datetime) -> TalkT | None:
    """The live talk, else the one running now, else the next; None when all are past or off."""
    for talk in talks:
        if talk.status == "live":
            return talk
    usable = [t for t in talks if t.status not in ("cancelled", "ended")]
    for talk in usable:
        if talk.starts_at <= now < talk.ends_at:
            return talk
    upcoming = [t for t in usable if t.starts_at > now]
    if upcoming:
        return min(upcoming, key=lambda t: t.starts_at)
    return None


def speaker_line(speakers: Sequence[Mapping[str, object]]) -> str:
    """The speakers as one line: 'Name (Organisation), Name'."""
    parts = []
    for speaker in speakers:
        name = str(speaker.get("name") or "")
        organisation = str(speaker.get("organisation") or "")
        parts.append(f"{name} ({organisation})" if organisation else name)
    return ", ".join(p for p in parts if p)


PDF = ("application/pdf", "pdf")
PPTX = ("application/vnd.openxmlformats-officedocument.presentationml.presentation", "pptx")
ODP = ("application/vnd.oasis.opendocument.presentation", "odp")


def document_kind(data: bytes) -> tuple[str, str] | None:
    """What a talk's document is by its content (a PDF or a slide deck: PPTX, ODP), as its
    media type and file extension; None for anything else, whatever its name says."""
    if data.startswith(b"%PDF-"):
        return PDF
    if not data.startswith(b"PK\x03\x04"):
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            if names and names[0] == "mimetype":
                declared = archive.read("mimetype").strip().decode("ascii", errors="replace")
                return ODP if declared == ODP[0] else None
            if "[Content_Types].xml" in names and any(n.startswith("ppt/") for n in names):
                return PPTX
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        return None
    return None


def document_name(filename: str, extension: str) -> str:
    """The name a document is offered for download under: what was uploaded, without folders
    or control characters, with the extension its content has."""
    name = unicodedata.normalize("NFC", filename.replace("\\", "/").rsplit("/", 1)[-1])
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip(" .")
    stem = name.rsplit(".", 1)[0] if "." in name else name
    return f"{(stem or 'document')[:150]}.{extension}"


def clock_minutes(value: str) -> int:
    """Minutes after local midnight of an 'HH:MM' wall time (24:00 is the day's end)."""
    hours, minutes = value.split(":")
    return int(hours) * 60 + int(minutes)


def clock_text(minutes: int) -> str:
    """'HH:MM' of minutes after midnight."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"
