"""What the demo's seeders share: the core's rows by key, and what each seeder added."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date

from sqlmodel.ext.asyncio.session import AsyncSession

from server.media.protocol import Feed
from server.settings import Settings


@dataclass(frozen=True, slots=True)
class DemoRun:
    """What a domain's demo seeder gets: the database, the day, and the core's rows by key."""

    db: AsyncSession
    settings: Settings
    today: date
    organisations: dict[str, int]
    events: dict[str, int]


@dataclass(frozen=True, slots=True)
class Seeded:
    """What a domain's demo seeder added: counts by what they are, and a feed to put live
    (the demo plays a generated picture and tone as it)."""

    counts: dict[str, int]
    live_feed: Feed | None = None


DemoSeeder = Callable[[DemoRun], Awaitable[Seeded]]


def lookup(ids: dict[str, int], key: str) -> int:
    """The id of a row the demo data names by key."""
    if key not in ids:
        raise KeyError(f"the demo data refers to an unknown organisation: {key}")
    return ids[key]


def row_id(value: int | None) -> int:
    """A flushed row's id."""
    if value is None:
        raise RuntimeError("row has no id after flush")
    return value
