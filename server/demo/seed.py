"""Seed and refresh the demo: two events from the seed articles, ready to show on any day."""

from __future__ import annotations

import enum
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

import anyio.to_thread
from sqlalchemy import delete
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.db import make_engine, make_sessionmaker
from server.demo import data as demo_data
from server.demo.data import (
    ACCOUNTS,
    DEMO_PASSWORD,
    EVENTS,
    ORGANISATIONS,
    SAMPLE_ABROAD_POINT,
    SAMPLE_HOME_POINTS,
    event_window,
)
from server.demo.run import DemoRun, DemoSeeder, lookup, row_id
from server.events.models import AttendancePoint, Event, EventKind, Membership
from server.events.rules import is_international, join_token, join_token_hash, join_url
from server.identity.auth import hash_password
from server.identity.models import Account, Organisation
from server.main import DEMO_SEEDERS, metadata
from server.media.protocol import Feed
from server.migrate import upgrade
from server.rules import email_key, normalise_text
from server.settings import Settings

DEMO_SLUGS = frozenset(seed.slug for seed in EVENTS)


class DemoRefused(RuntimeError):
    """The database holds real events: the demo will not touch it."""


class DemoState(enum.Enum):
    """What starting the demo did to its database."""

    seeded = "seeded"  # it was empty
    kept = "kept"  # it held this demo for today, left as people left it
    refreshed = "refreshed"  # it held another day's or release's demo, or a reset was asked


@dataclass(frozen=True, slots=True)
class DemoSummary:
    """What the demo created, and join links to try it with."""

    events: int
    points: int
    international_points: int
    accounts: int
    abroad_join_url: str
    home_join_urls: tuple[str, str]
    # What each domain's seeder added, by what it is ("talks": 58, "booths": 10).
    counts: Mapping[str, int] = field(default_factory=dict)
    # What the demo's generated feed publishes as (the conference's current talk's hall).
    live_feed: Feed | None = None

    def __getattr__(self, name: str) -> int:
        """A domain's count by name (`summary.talks`)."""
        try:
            return self.counts[name]
        except KeyError:
            raise AttributeError(name) from None

    @property
    def sample_join_urls(self) -> tuple[str, str, str]:
        """The abroad link first, then the two at home."""
        return (self.abroad_join_url, *self.home_join_urls)


def demo_nonce(position: int) -> str:
    """The join nonce of the demo's `position`-th point: fixed, so links survive a refresh."""
    return hashlib.sha256(f"demo-point-{position}".encode()).hexdigest()[:32]


async def seed_demo(
    db: AsyncSession, settings: Settings, today: date, seeders: Sequence[DemoSeeder]
) -> DemoSummary:
    """Add every demo row (flushed, not committed); the conference takes place on `today`."""
    secret = settings.secret_key.get_secret_value()
    text = normalise_text

    organisations: dict[str, Organisation] = {}
    for org in ORGANISATIONS:
        organisations[org.key] = Organisation(
            name=text(org.name), kind=org.kind, country=org.country, province=org.province
        )
        db.add(organisations[org.key])
    await db.flush()
    org_ids = {key: row_id(row.id) for key, row in organisations.items()}

    events: dict[str, Event] = {}
    for seed in EVENTS:
        starts_at, ends_at = event_window(seed, today)
        events[seed.slug] = Event(
            slug=seed.slug,
            title_vi=text(seed.title_vi),
            title_en=text(seed.title_en),
            kind=EventKind(seed.kind),
            starts_at=starts_at,
            ends_at=ends_at,
            timezone=seed.timezone,
            venue=text(seed.venue),
            venue_en=text(seed.venue_en),
            summary_vi=text(seed.summary_vi),
            summary_en=text(seed.summary_en),
            published=True,
        )
        db.add(events[seed.slug])
    await db.flush()
    event_ids = {slug: row_id(row.id) for slug, row in events.items()}

    tokens: dict[tuple[str, str], str] = {}
    points = international = 0
    for seed in EVENTS:
        for point in seed.points:
            nonce = demo_nonce(points)
            points += 1
            international += is_international(point.country)
            name = text(point.name)
            tokens[(seed.slug, name)] = join_token(secret, nonce)
            db.add(
                AttendancePoint(
                    event_id=event_ids[seed.slug],
                    name=name,
                    organisation_id=(
                        lookup(org_ids, point.organisation) if point.organisation else None
                    ),
                    country=point.country,
                    city=text(point.city),
                    timezone=point.timezone,
                    contact_name=text(point.contact_name),
                    expected_seats=point.expected_seats,
                    join_token_hash=join_token_hash(secret, nonce),
                    join_nonce=nonce,
                )
            )
    await db.flush()

    # argon2 is slow on purpose: one hash serves every demo account, which share the password.
    password_hash = await hash_password(DEMO_PASSWORD)
    for person in ACCOUNTS:
        account = Account(
            email=person.email,
            email_key=email_key(person.email),
            display_name=text(person.display_name),
            locale=person.locale,
            timezone=person.timezone,
            password_hash=password_hash,
            organisation_id=(lookup(org_ids, person.organisation) if person.organisation else None),
        )
        db.add(account)
        await db.flush()
        for slug in person.events:
            db.add(
                Membership(
                    account_id=row_id(account.id), event_id=event_ids[slug], role=person.role
                )
            )
    await db.flush()

    run = DemoRun(db=db, settings=settings, today=today, organisations=org_ids, events=event_ids)
    counts: dict[str, int] = {}
    live_feed = None
    for seeder in seeders:
        seeded = await seeder(run)
        counts.update(seeded.counts)
        live_feed = seeded.live_feed or live_feed
    await db.flush()

    base = settings.public_base_url
    conference = EVENTS[0].slug
    return DemoSummary(
        events=len(EVENTS),
        points=points,
        international_points=international,
        accounts=len(ACCOUNTS),
        abroad_join_url=join_url(base, tokens[(conference, SAMPLE_ABROAD_POINT)]),
        home_join_urls=(
            join_url(base, tokens[(conference, SAMPLE_HOME_POINTS[0])]),
            join_url(base, tokens[(conference, SAMPLE_HOME_POINTS[1])]),
        ),
        counts=counts,
        live_feed=live_feed,
    )


# What the data folder remembers of the demo it holds: which demo data, for which day.
MARKER = "demo-seed.json"


def demo_version() -> str:
    """A fingerprint of the demo's data: another release's demo is seeded afresh."""
    return hashlib.sha256(Path(demo_data.__file__).read_bytes()).hexdigest()[:16]


def _summary_json(summary: DemoSummary) -> dict[str, Any]:
    return {
        **{k: getattr(summary, k) for k in ("events", "points", "international_points")},
        "accounts": summary.accounts,
        "abroad_join_url": summary.abroad_join_url,
        "home_join_urls": list(summary.home_join_urls),
        "counts": dict(summary.counts),
        "live_feed": summary.live_feed.model_dump(mode="json") if summary.live_feed else None,
    }


def _summary_from(raw: dict[str, Any]) -> DemoSummary:
    feed = raw.get("live_feed")
    return DemoSummary(
        events=int(raw["events"]),
        points=int(raw["points"]),
        international_points=int(raw["international_points"]),
        accounts=int(raw["accounts"]),
        abroad_join_url=str(raw["abroad_join_url"]),
        home_join_urls=(str(raw["home_join_urls"][0]), str(raw["home_join_urls"][1])),
        counts={str(k): int(v) for k, v in raw["counts"].items()},
        live_feed=Feed.model_validate(feed) if feed else None,
    )


def _kept_summary(settings: Settings, today: date) -> DemoSummary | None:
    """The summary of the demo the data folder holds, when it is this demo for this day."""
    try:
        raw = json.loads((settings.data_dir / MARKER).read_text(encoding="utf-8"))
        if raw.get("version") != demo_version() or raw.get("day") != today.isoformat():
            return None
        return _summary_from(raw["summary"])
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        return None


async def _current_links(db: AsyncSession, settings: Settings, kept: DemoSummary) -> DemoSummary:
    """The kept summary with the sample points' links as they are now (an organiser may have
    rotated one since)."""
    secret, base = settings.secret_key.get_secret_value(), settings.public_base_url
    rows = await db.exec(
        select(AttendancePoint.name, AttendancePoint.join_nonce)
        .join(Event, col(Event.id) == col(AttendancePoint.event_id))
        .where(Event.slug == EVENTS[0].slug)
    )
    nonces = dict(rows.all())

    def link(name: str, old: str) -> str:
        nonce = nonces.get(name)
        return join_url(base, join_token(secret, nonce)) if nonce else old

    home = SAMPLE_HOME_POINTS
    return replace(
        kept,
        abroad_join_url=link(SAMPLE_ABROAD_POINT, kept.abroad_join_url),
        home_join_urls=(
            link(home[0], kept.home_join_urls[0]),
            link(home[1], kept.home_join_urls[1]),
        ),
    )


async def refresh_demo(
    settings: Settings, today: date, *, reset: bool = False
) -> tuple[DemoSummary, DemoState]:
    """Migrate, then keep the demo the database holds (what people did in it included) when
    it is this demo for `today`; else, or with `reset`, wipe it and seed it afresh. Refuses a
    database with real events."""
    await anyio.to_thread.run_sync(upgrade, settings)
    engine = make_engine(settings)
    try:
        async with make_sessionmaker(engine)() as db:
            slugs = list((await db.exec(select(Event.slug).order_by(col(Event.slug)))).all())
            foreign = [slug for slug in slugs if slug not in DEMO_SLUGS]
            if foreign:
                raise DemoRefused(
                    f"the database holds {len(foreign)} event(s) that are not the demo "
                    f"({', '.join(foreign[:5])}); the demo only runs on a database of its own"
                )
            kept = None if reset else _kept_summary(settings, today)
            if kept is not None and set(slugs) == set(DEMO_SLUGS):
                return await _current_links(db, settings, kept), DemoState.kept
            state = DemoState.seeded if not slugs else DemoState.refreshed
            # Only demo events exist, so every row belongs to the demo; children go first.
            for table in reversed(metadata.sorted_tables):
                await db.exec(delete(table))
            summary = await seed_demo(db, settings, today, DEMO_SEEDERS)
            await db.commit()
    finally:
        await engine.dispose()
    marker = {
        "version": demo_version(),
        "day": today.isoformat(),
        "summary": _summary_json(summary),
    }
    (settings.data_dir / MARKER).write_text(json.dumps(marker, ensure_ascii=False), "utf-8")
    return summary, state
