"""Join sheets: the QR codes of a point's join link and the printed A4 sheets."""

from __future__ import annotations

import re
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from playwright.sync_api import Route, sync_playwright
from sqlmodel import Session

from server.events.models import AttendancePoint, Event, Role
from server.identity.auth import SESSION_COOKIE
from server.main import create_app
from server.settings import Settings
from sessions.points import sheets
from sessions.points.service import point_join_url
from tests.factories import add_account, add_event, add_point, add_talk
from tests.hubpeer import add_session

ROOT = Path(__file__).resolve().parents[3]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"]
OPENING = datetime(2026, 12, 2, 1, 0, tzinfo=UTC)  # 08:00 in Hà Nội


@pytest.fixture
def app(settings: Settings) -> FastAPI:
    """The app with the sheets' routes (until the composition root registers them)."""
    built = create_app(settings)
    if not any(getattr(r, "path", "") == "/api/points/{point_id}/qr.svg" for r in built.routes):
        built.include_router(sheets.router)
    return built


def conference(db: Session) -> Event:
    return add_event(db, starts_at=OPENING, ends_at=OPENING + timedelta(hours=9), venue="Hải Dương")


def sign_in(client: TestClient, db: Session, event: Event, role: Role, lang: str = "en") -> None:
    account = add_account(db, role=role, event=event, display_name="Trần Thị Mai")
    client.cookies.set(SESSION_COOKIE, add_session(db, account_id=account.id))
    client.cookies.set("ketnoi_lang", lang)


def secret(settings: Settings) -> str:
    return settings.secret_key.get_secret_value()


def current_url(db: Session, settings: Settings, point: AttendancePoint) -> str:
    db.expire_all()
    stored = db.get(AttendancePoint, point.id)
    assert stored is not None
    url = point_join_url(settings, stored)
    assert url is not None
    return url


def decode(png: bytes, tmp_path: Path, name: str = "qr.png") -> str:
    """What a scanner reads from the image (Debian's zbarimg)."""
    path = tmp_path / name
    path.write_bytes(png)
    done = subprocess.run(
        ["/usr/bin/zbarimg", "-q", "--raw", str(path)],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    return done.stdout.strip()


def the_routes(event: Event, point: AttendancePoint) -> list[str]:
    return [
        f"/api/points/{point.id}/qr.svg",
        f"/api/points/{point.id}/qr.png",
        f"/e/{event.slug}/organiser/points/{point.id}/sheet",
        f"/e/{event.slug}/organiser/points/sheets",
    ]


def test_the_png_code_scans_to_the_points_join_link(
    client: TestClient, db: Session, settings: Settings, tmp_path: Path
) -> None:
    event = conference(db)
    point, token = add_point(db, event, secret(settings))
    sign_in(client, db, event, Role.organiser)
    response = client.get(f"/api/points/{point.id}/qr.png")
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/png"
    assert response.headers["cache-control"] == "no-store"
    assert decode(response.content, tmp_path) == f"{settings.public_base_url}/join/{token}"


def test_after_a_new_link_the_code_and_sheet_show_the_new_one_only(
    client: TestClient, db: Session, settings: Settings, tmp_path: Path
) -> None:
    event = conference(db)
    point, old_token = add_point(db, event, secret(settings))
    sign_in(client, db, event, Role.organiser)
    sheet_page = f"/e/{event.slug}/organiser/points/{point.id}/sheet"
    assert old_token in client.get(sheet_page).text

    rotated = client.post(f"/api/points/{point.id}/join-link")
    assert rotated.status_code == 200
    new_url = rotated.json()["join_url"]
    assert old_token not in new_url
    png = client.get(f"/api/points/{point.id}/qr.png").content
    assert decode(png, tmp_path) == new_url
    sheet = client.get(sheet_page)
    assert new_url in sheet.text
    assert old_token not in sheet.text
    assert old_token not in client.get(f"/e/{event.slug}/organiser/points/sheets").text


def test_signed_out_callers_get_401_from_the_codes_and_go_to_login_from_the_sheets(
    client: TestClient, db: Session, settings: Settings
) -> None:
    event = conference(db)
    point, _token = add_point(db, event, secret(settings))
    svg, png, sheet, all_sheets = the_routes(event, point)
    assert client.get(svg).status_code == 401
    assert client.get(png).status_code == 401
    for page in (sheet, all_sheets):
        response = client.get(page, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/login?next=")


@pytest.mark.parametrize("role", [Role.producer, Role.counsellor])
def test_members_who_do_not_organise_are_refused_everything(
    client: TestClient, db: Session, settings: Settings, role: Role
) -> None:
    event = conference(db)
    point, token = add_point(db, event, secret(settings))
    sign_in(client, db, event, role)
    for path in the_routes(event, point):
        response = client.get(path)
        assert response.status_code == 403, path
        assert token not in response.text


def test_the_point_itself_may_not_print_its_own_sheet(
    client: TestClient, db: Session, settings: Settings
) -> None:
    event = conference(db)
    point, token = add_point(db, event, secret(settings))
    client.cookies.set(SESSION_COOKIE, add_session(db, point_id=point.id, event_id=event.id))
    for path in the_routes(event, point):
        response = client.get(path)
        assert response.status_code == 403, path
        assert token not in response.text


def test_an_organiser_of_another_event_finds_no_such_point(
    client: TestClient, db: Session, settings: Settings
) -> None:
    event = conference(db)
    point, token = add_point(db, event, secret(settings))
    sign_in(client, db, add_event(db), Role.organiser)
    svg, png, sheet, all_sheets = the_routes(event, point)
    for path in (svg, png, sheet):
        response = client.get(path)
        assert response.status_code == 404, path
        assert token not in response.text
    # The event's own list is refused as any non-organiser is (the event itself is public).
    assert client.get(all_sheets).status_code == 403


def test_a_point_of_another_event_has_no_sheet_under_this_one(
    client: TestClient, db: Session, settings: Settings
) -> None:
    event = conference(db)
    other = add_event(db)
    stranger, _token = add_point(db, other, secret(settings))
    sign_in(client, db, event, Role.organiser)
    assert client.get(f"/e/{event.slug}/organiser/points/{stranger.id}/sheet").status_code == 404


def test_the_sheet_shows_the_talks_in_the_rooms_local_time_in_english(
    client: TestClient, db: Session, settings: Settings
) -> None:
    event = conference(db)
    point, token = add_point(
        db, event, secret(settings), name="Thương vụ Việt Nam tại Nhật Bản", city="Tokyo"
    )
    add_talk(
        db,
        event,
        title_vi="Thị trường Nhật Bản",
        title_en="The Japanese market",
        starts_at=OPENING + timedelta(minutes=30),
        ends_at=OPENING + timedelta(minutes=60),
    )
    sign_in(client, db, event, Role.organiser)
    page = client.get(f"/e/{event.slug}/organiser/points/{point.id}/sheet")
    assert page.status_code == 200
    assert page.template.name == "organiser_sheet.html"  # type: ignore[attr-defined]
    (sheet,) = page.context["sheets"]  # type: ignore[attr-defined]
    assert sheet["zone_label"] == "GMT+9, Tokyo"
    text = page.text
    assert "Thương vụ Việt Nam tại Nhật Bản" in text
    assert "Tokyo, Japan" in text
    assert "Agenda in the room’s local time (GMT+9, Tokyo)" in text
    assert "10:30–11:00" in text  # 08:30 in Hà Nội
    assert "08:30–09:00" in text  # beside it, the event's time
    assert "The Japanese market" in text
    assert f"{settings.public_base_url}/join/{token}" in text
    assert '<svg viewBox="0 0 ' in text
    assert "<title>Join link of Thương vụ Việt Nam tại Nhật Bản</title>" in text
    assert "Contact the organisers" in text
    assert "Trần Thị Mai" in text
    assert "Venue: Hải Dương" in text
    assert page.headers["cache-control"] == "no-store"


def test_the_sheet_speaks_vietnamese(client: TestClient, db: Session, settings: Settings) -> None:
    event = conference(db)
    point, _token = add_point(db, event, secret(settings), name="Điểm cầu Ōsaka – Kansai")
    add_talk(db, event, starts_at=OPENING + timedelta(minutes=30))
    sign_in(client, db, event, Role.organiser, lang="vi")
    text = client.get(f"/e/{event.slug}/organiser/points/{point.id}/sheet").text
    assert "Điểm cầu Ōsaka – Kansai" in text
    assert "Liên hệ Ban tổ chức" in text
    assert "Nhật Bản" in text
    assert "GMT+9" in text
    assert "10:30" in text
    assert "Khai mạc hội nghị" in text
    assert "Contact the organisers" not in text


def test_markup_in_a_points_name_is_shown_as_text(
    client: TestClient, db: Session, settings: Settings
) -> None:
    event = conference(db)
    name = "<script>alert(1)</script> Điểm cầu"
    point, _token = add_point(db, event, secret(settings), name=name)
    sign_in(client, db, event, Role.organiser)
    for path in (
        f"/e/{event.slug}/organiser/points/{point.id}/sheet",
        f"/e/{event.slug}/organiser/points/sheets",
        f"/api/points/{point.id}/qr.svg",
    ):
        response = client.get(path)
        assert response.status_code == 200
        assert "<script>alert" not in response.text, path
        assert "&lt;script&gt;alert(1)&lt;/script&gt; Điểm cầu" in response.text, path


def test_a_revoked_point_has_no_code_and_its_sheet_says_so(
    client: TestClient, db: Session, settings: Settings
) -> None:
    event = conference(db)
    point, token = add_point(db, event, secret(settings))
    sign_in(client, db, event, Role.organiser)
    assert client.post(f"/api/points/{point.id}/revoke").status_code == 200
    for path in (f"/api/points/{point.id}/qr.svg", f"/api/points/{point.id}/qr.png"):
        response = client.get(path)
        assert response.status_code == 409
        assert response.json()["error"]["code"] == "join_link_revoked"
        assert "revoked" in response.json()["error"]["message"]
    sheet = client.get(f"/e/{event.slug}/organiser/points/{point.id}/sheet")
    assert sheet.status_code == 200
    assert "This point’s join link is revoked." in sheet.text
    assert "<svg" not in sheet.text
    assert token not in sheet.text


def test_the_stylesheet_prints_one_sheet_per_a4_page() -> None:
    css = (ROOT / "web/static/ketnoi.css").read_text()
    sheets_css = css[css.index("/* Join sheets */") :]
    printing = sheets_css[sheets_css.index("@media print") :]
    assert "@page { size: A4; margin: 15mm; }" in printing
    assert re.search(r"\.join-sheet \{[^}]*break-after: page", printing)
    assert re.search(r"header\.top, footer\.foot, nav[^{]*\{ display: none", printing)


def test_chromium_scans_the_svg_and_prints_every_point_on_its_own_page(
    client: TestClient,
    db: Session,
    settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    event = conference(db)
    # Four short sheets (no agenda) would fit on two pages without the page breaks.
    points = [add_point(db, event, secret(settings))[0] for _ in range(4)]
    sign_in(client, db, event, Role.organiser)
    # Chromium's requests go to the app in-process, with the organiser's cookie.
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("TMPDIR", str(tmp_path))

    def serve(route: Route) -> None:
        answer = client.get(route.request.url.removeprefix("http://testserver"))
        route.fulfill(
            status=answer.status_code,
            headers=dict(answer.headers),
            body=answer.content,
        )

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            page = browser.new_page(viewport={"width": 400, "height": 400})
            page.route("http://testserver/**", serve)
            page.goto(f"http://testserver/api/points/{points[0].id}/qr.svg")
            shot = page.screenshot()
            page.goto(f"http://testserver/e/{event.slug}/organiser/points/sheets")
            page.emulate_media(media="print")
            assert page.locator("header.top").is_hidden()
            pdf = page.pdf(format="A4")
        finally:
            browser.close()

    assert decode(shot, tmp_path, "svg.png") == current_url(db, settings, points[0])
    pages = len(re.findall(rb"/Type\s*/Page\b", pdf))
    assert pages == len(points)
