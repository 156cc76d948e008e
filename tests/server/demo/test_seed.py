"""The demo: what an organiser sees after `refresh_demo`, and that it never touches real events."""

from __future__ import annotations

import asyncio
import itertools
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pydantic import SecretStr
from sqlmodel import col, select

from booths.catalogue.models import Product
from booths.stands.models import Booth
from server.db import make_engine, make_sessionmaker
from server.demo.data import DEMO_PASSWORD, ORGANISER_EMAIL
from server.demo.seed import DemoRefused, DemoState, DemoSummary, refresh_demo
from server.events.models import AttendancePoint, Event, EventKind, Membership, Role
from server.identity.auth import verify_password
from server.identity.models import Account
from server.rules import is_timezone, token_hash
from server.settings import Settings
from sessions.agenda.models import Talk

SECRET = "demo-tests-secret-0123456789-abcdefghijklmnopqrs"
TODAY = date(2026, 5, 16)
VN = ZoneInfo("Asia/Ho_Chi_Minh")
CONFERENCE = "hai-duong-ca-rot-2026"
PRODUCT_WEEK = "tuan-hang-cao-bang-2026"


@dataclass
class Snapshot:
    """Every demo row, read back through a fresh engine."""

    events: list[Event]
    points: list[AttendancePoint]
    talks: list[Talk]
    booths: list[Booth]
    products: list[Product]
    accounts: list[Account]
    memberships: list[Membership]

    def event(self, slug: str) -> Event:
        return next(e for e in self.events if e.slug == slug)

    def points_of(self, slug: str) -> list[AttendancePoint]:
        event_id = self.event(slug).id
        return [p for p in self.points if p.event_id == event_id]


def make_settings(data_dir: Path) -> Settings:
    return Settings(data_dir=data_dir, secret_key=SecretStr(SECRET))


def read_back(settings: Settings) -> Snapshot:
    async def load() -> Snapshot:
        engine = make_engine(settings)
        try:
            async with make_sessionmaker(engine)() as db:
                return Snapshot(
                    events=list((await db.exec(select(Event).order_by(col(Event.id)))).all()),
                    points=list(
                        (
                            await db.exec(select(AttendancePoint).order_by(col(AttendancePoint.id)))
                        ).all()
                    ),
                    talks=list((await db.exec(select(Talk).order_by(col(Talk.id)))).all()),
                    booths=list((await db.exec(select(Booth).order_by(col(Booth.id)))).all()),
                    products=list((await db.exec(select(Product).order_by(col(Product.id)))).all()),
                    accounts=list((await db.exec(select(Account).order_by(col(Account.id)))).all()),
                    memberships=list(
                        (await db.exec(select(Membership).order_by(col(Membership.id)))).all()
                    ),
                )
        finally:
            await engine.dispose()

    return asyncio.run(load())


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, DemoSummary, Snapshot]:
    """One demo database shared by the read-only tests of this module."""
    settings = make_settings(tmp_path_factory.mktemp("demo"))
    summary, _ = asyncio.run(refresh_demo(settings, TODAY))
    return settings, summary, read_back(settings)


def test_two_published_events_on_the_current_days(
    seeded: tuple[Settings, DemoSummary, Snapshot],
) -> None:
    _, summary, snap = seeded
    assert summary.events == 2
    assert [e.slug for e in snap.events] == [CONFERENCE, PRODUCT_WEEK]
    assert all(e.published for e in snap.events)

    conference = snap.event(CONFERENCE)
    assert conference.kind == EventKind.conference
    assert conference.timezone == "Asia/Ho_Chi_Minh"
    assert conference.starts_at.tzinfo is not None
    assert conference.starts_at.astimezone(VN).date() == TODAY
    assert conference.ends_at.astimezone(VN).date() == TODAY
    assert "Hải Dương" in conference.venue
    assert "1.400 ha" in conference.summary_vi
    assert "70,000" in conference.summary_en
    assert "234" in conference.summary_vi

    week = snap.event(PRODUCT_WEEK)
    assert week.kind == EventKind.product_week
    assert week.starts_at.astimezone(VN).date() == TODAY
    assert week.ends_at.astimezone(VN).date() == TODAY + timedelta(days=6)


def test_conference_has_150_points_36_of_them_abroad(
    seeded: tuple[Settings, DemoSummary, Snapshot],
) -> None:
    _, summary, snap = seeded
    points = snap.points_of(CONFERENCE)
    abroad = [p for p in points if p.country != "VN"]
    home = [p for p in points if p.country == "VN"]

    assert len(points) == 150
    assert len(abroad) == 36
    assert summary.international_points == 36
    assert summary.points == len(snap.points)
    assert all(is_timezone(p.timezone) for p in points)
    assert all(p.timezone != "Asia/Ho_Chi_Minh" for p in abroad)
    assert all(p.timezone == "Asia/Ho_Chi_Minh" for p in home)
    assert all(len(p.country) == 2 and p.country.isupper() for p in points)
    assert len({p.city for p in abroad}) == 36
    assert all(p.contact_name.startswith("Tham tán thương mại ") for p in abroad)
    assert all(p.expected_seats > 0 for p in points)
    tokyo = next(p for p in abroad if p.city == "Tokyo")
    assert (tokyo.country, tokyo.timezone) == ("JP", "Asia/Tokyo")
    for event in snap.events:
        names = [p.name for p in snap.points_of(event.slug)]
        assert len(names) == len(set(names)), "two points of one event share a name"


def test_join_links_open_the_right_points(seeded: tuple[Settings, DemoSummary, Snapshot]) -> None:
    settings, summary, snap = seeded
    by_hash = {p.join_token_hash: p for p in snap.points}
    assert len(by_hash) == len(snap.points)
    assert all(p.join_nonce and not p.revoked for p in snap.points)

    def point_of(url: str) -> AttendancePoint:
        assert url.startswith(settings.public_base_url + "/join/")
        return by_hash[token_hash(url.rsplit("/", 1)[1])]

    abroad = point_of(summary.abroad_join_url)
    assert abroad.city == "Tokyo"
    homes = [point_of(url) for url in summary.home_join_urls]
    assert all(p.country == "VN" for p in homes)
    assert len({abroad.id, *(p.id for p in homes)}) == 3
    conference_id = snap.event(CONFERENCE).id
    assert all(p.event_id == conference_id for p in [abroad, *homes])


def test_agenda_is_ordered_within_the_days_without_overlaps(
    seeded: tuple[Settings, DemoSummary, Snapshot],
) -> None:
    _, summary, snap = seeded
    assert summary.talks == len(snap.talks)
    for event in snap.events:
        talks = sorted((t for t in snap.talks if t.event_id == event.id), key=lambda t: t.starts_at)
        assert talks, event.slug
        assert [t.id for t in talks] == sorted(t.id for t in talks if t.id is not None)
        for talk in talks:
            assert event.starts_at <= talk.starts_at < talk.ends_at <= event.ends_at
            assert talk.starts_at.astimezone(VN).date() == talk.ends_at.astimezone(VN).date()
            assert all((talk.title_vi, talk.title_en, talk.speakers[0]["name"], talk.stage))
        by_stage: dict[str, list[Talk]] = defaultdict(list)
        for talk in talks:
            by_stage[talk.stage].append(talk)
        for stage, items in by_stage.items():
            for before, after in itertools.pairwise(items):
                assert before.ends_at <= after.starts_at, f"{stage}: {before.title_en} overlaps"

    conference = [t for t in snap.talks if t.event_id == snap.event(CONFERENCE).id]
    assert 8 <= len(conference) <= 14
    assert {t.stage for t in conference} == {"Hội trường chính"}
    assert all(t.starts_at.astimezone(VN).date() == TODAY for t in conference)
    titles = " ".join(t.title_vi for t in conference)
    for topic in (
        "Khai mạc",
        "cà rốt",
        "Nhật Bản",
        "Hàn Quốc",
        "EU",
        "Trung Đông",
        "B2B",
        "ký kết",
    ):
        assert topic in titles


def test_vietnamese_text_is_stored_nfc_and_intact(
    seeded: tuple[Settings, DemoSummary, Snapshot],
) -> None:
    _, _, snap = seeded
    texts = [
        *(s for e in snap.events for s in (e.title_vi, e.venue, e.summary_vi, e.summary_en)),
        *(s for p in snap.points for s in (p.name, p.city, p.contact_name)),
        *(s for t in snap.talks for s in (t.title_vi, t.speakers[0]["name"], t.stage)),
        *(s for b in snap.booths for s in (b.name_vi, b.description_vi)),
        *(s for p in snap.products for s in (p.name_vi, p.description_vi)),
        *(a.display_name for a in snap.accounts),
    ]
    assert all(unicodedata.is_normalized("NFC", s) for s in texts)
    point = next(p for p in snap.points if p.name == "UBND xã Đức Chính, huyện Cẩm Giàng")
    assert point.city.encode() == "Cẩm Giàng".encode()
    assert any(p.name == "Sở Công Thương tỉnh Lạng Sơn" for p in snap.points)
    assert snap.event(CONFERENCE).title_vi == (
        "Hội nghị kết nối tiêu thụ cà rốt và nông sản tỉnh Hải Dương "
        "với hệ thống Thương vụ Việt Nam ở nước ngoài"
    )
    assert "Gạo nếp hương Bảo Lạc" in {p.name_vi for p in snap.products}


def test_catalogue_covers_the_three_seeds(seeded: tuple[Settings, DemoSummary, Snapshot]) -> None:
    _, summary, snap = seeded
    assert summary.products == len(snap.products) >= 30
    assert summary.booths == len(snap.booths) >= 8
    stars = [p.ocop_stars for p in snap.products if p.ocop_stars is not None]
    assert len(stars) >= 10
    assert all(3 <= s <= 5 for s in stars)
    assert all("OCOP" in p.certifications.split(",") for p in snap.products if p.ocop_stars)
    assert any("GlobalGAP" in p.certifications.split(",") for p in snap.products)

    def names_at(slug: str) -> str:
        event_id = snap.event(slug).id
        booth_ids = {b.id for b in snap.booths if b.event_id == event_id}
        return " ".join(p.name_vi for p in snap.products if p.booth_id in booth_ids)

    conference, week = names_at(CONFERENCE), names_at(PRODUCT_WEEK)
    for name in ("Cà rốt", "Na Chi Lăng", "hồi"):
        assert name in conference
    for name in ("Thạch đen", "Miến dong", "nếp hương Bảo Lạc", "Giảo Cổ Lam", "Kolia", "Phúc Sen"):
        assert name in week
    booth_orgs = {b.id: b.organisation_id for b in snap.booths}
    assert all(p.producer_id == booth_orgs[p.booth_id] for p in snap.products)


def test_organiser_signs_in_and_runs_both_events(
    seeded: tuple[Settings, DemoSummary, Snapshot],
) -> None:
    _, summary, snap = seeded
    assert summary.accounts == len(snap.accounts)
    assert all(a.email.endswith("@ketnoi.demo") for a in snap.accounts)
    organiser = next(a for a in snap.accounts if a.email_key == ORGANISER_EMAIL)
    assert organiser.display_name == "Ban tổ chức Sở Công Thương Hải Dương"
    assert asyncio.run(verify_password(organiser.password_hash, DEMO_PASSWORD))
    assert not asyncio.run(verify_password(organiser.password_hash, "wrong-password"))

    roles = {m.event_id: m.role for m in snap.memberships if m.account_id == organiser.id}
    assert roles == {e.id: Role.organiser for e in snap.events}
    conference_roles = {m.role for m in snap.memberships if m.event_id == snap.event(CONFERENCE).id}
    assert conference_roles == set(Role)
    week_roles = {m.role for m in snap.memberships if m.event_id == snap.event(PRODUCT_WEEK).id}
    assert Role.producer in week_roles


def test_refresh_twice_gives_the_same_demo(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)

    first, state = asyncio.run(refresh_demo(settings, TODAY))
    assert state == DemoState.seeded
    before = read_back(settings)
    second, state = asyncio.run(refresh_demo(settings, TODAY, reset=True))
    assert state == DemoState.refreshed
    after = read_back(settings)

    assert first == second
    for rows_before, rows_after in (
        (before.events, after.events),
        (before.points, after.points),
        (before.talks, after.talks),
        (before.booths, after.booths),
        (before.products, after.products),
        (before.accounts, after.accounts),
        (before.memberships, after.memberships),
    ):
        assert len(rows_before) == len(rows_after)
    assert [(p.id, p.name, p.join_token_hash) for p in before.points] == [
        (p.id, p.name, p.join_token_hash) for p in after.points
    ]
    assert [(t.title_vi, t.starts_at) for t in before.talks] == [
        (t.title_vi, t.starts_at) for t in after.talks
    ]


def test_refresh_refuses_a_database_with_a_real_event(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    asyncio.run(refresh_demo(settings, TODAY))
    starts = datetime(2026, 9, 1, 1, 0, tzinfo=UTC)

    async def add_real_event() -> None:
        engine = make_engine(settings)
        try:
            async with make_sessionmaker(engine)() as db:
                db.add(
                    Event(
                        slug="hoi-cho-thuc",
                        title_vi="Hội chợ thật",
                        title_en="A real fair",
                        kind=EventKind.conference,
                        starts_at=starts,
                        ends_at=starts + timedelta(hours=8),
                        timezone="Asia/Ho_Chi_Minh",
                    )
                )
                await db.commit()
        finally:
            await engine.dispose()

    asyncio.run(add_real_event())

    with pytest.raises(DemoRefused, match="hoi-cho-thuc"):
        asyncio.run(refresh_demo(settings, TODAY + timedelta(days=1)))

    after = read_back(settings)
    assert {e.slug for e in after.events} == {CONFERENCE, PRODUCT_WEEK, "hoi-cho-thuc"}
    real = after.event("hoi-cho-thuc")
    assert (real.title_vi, real.starts_at) == ("Hội chợ thật", starts)
    assert after.event(CONFERENCE).starts_at.astimezone(VN).date() == TODAY
    assert len(after.points_of(CONFERENCE)) == 150


def test_starting_the_demo_again_keeps_what_people_did_until_another_day_or_a_reset(
    tmp_path: Path,
) -> None:
    settings = make_settings(tmp_path)
    first, _ = asyncio.run(refresh_demo(settings, TODAY))

    async def add_account_row() -> None:
        engine = make_engine(settings)
        try:
            async with make_sessionmaker(engine)() as db:
                db.add(
                    Account(email="moi@example.vn", email_key="moi@example.vn", display_name="Mới")
                )
                await db.commit()
        finally:
            await engine.dispose()

    def emails() -> set[str]:
        return {a.email for a in read_back(settings).accounts}

    asyncio.run(add_account_row())
    again, state = asyncio.run(refresh_demo(settings, TODAY))
    assert state == DemoState.kept
    assert again == first
    assert "moi@example.vn" in emails()
    # Another day: the agenda is today's again, so the demo is seeded afresh.
    _, state = asyncio.run(refresh_demo(settings, TODAY + timedelta(days=1)))
    assert state == DemoState.refreshed
    assert "moi@example.vn" not in emails()
    asyncio.run(add_account_row())
    _, state = asyncio.run(refresh_demo(settings, TODAY + timedelta(days=1), reset=True))
    assert state == DemoState.refreshed
    assert "moi@example.vn" not in emails()
