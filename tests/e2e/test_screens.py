"""Every page fits a 360 px phone without scrolling sideways, in Vietnamese and in English, reads
on a 1920 px projector, and has no serious or critical axe-core violation."""

from __future__ import annotations

from pathlib import Path

import axe_playwright_python
import pytest
from playwright.sync_api import Browser, Page

from tests.e2e.conftest import DemoServer
from tests.e2e.pages import SLUG, open_rooms, sign_in, sign_in_organiser

pytestmark = pytest.mark.e2e

MEMBER_PAGES = ["/", "/login", f"/e/{SLUG}", f"/e/{SLUG}/booths", f"/e/{SLUG}/register"]
ORGANISER_PAGES = [
    f"/e/{SLUG}/organiser/agenda",
    f"/e/{SLUG}/organiser/event",
    f"/e/{SLUG}/organiser/planner",
    "/organiser/events/new",
    f"/e/{SLUG}/organiser/live",
    f"/e/{SLUG}/organiser/points",
    f"/e/{SLUG}/organiser/registrations",
]
# axe-core as its Python package ships it (Mozilla Public License 2.0), injected by the test.
AXE = Path(axe_playwright_python.__file__).with_name("axe.min.js").read_text(encoding="utf-8")
AXE_RUN = """() => axe.run(document, { resultTypes: ["violations"] }).then((r) => r.violations
  .filter((v) => v.impact === "serious" || v.impact === "critical")
  .map((v) => v.id + " " + v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join(", ")))"""
# Elements wider than the screen, for the failure message.
WIDE = """(width) => Array.from(document.querySelectorAll('body *')).filter((el) => {
  const r = el.getBoundingClientRect(); return r.width > 0 && r.right > width + 1;
}).slice(0, 5).map((el) => el.tagName + '.' + el.className)"""


def too_wide(page: Page, url: str, path: str, width: int) -> list[str]:
    """What makes `path` wider than `width` (nothing when it fits); on the projector, what
    axe-core finds there too."""
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(url + path)
    page.wait_for_timeout(300)
    problems = axe_violations(page, path) if width > 1000 else []
    if page.evaluate("document.documentElement.scrollWidth") <= width:
        return problems
    found: list[str] = page.evaluate(WIDE, width)
    return problems + ([f"{path}: {what}" for what in found] or [f"{path}: scrolls sideways"])


def axe_violations(page: Page, path: str) -> list[str]:
    """Serious and critical accessibility violations on the page as it is now."""
    page.add_script_tag(content=AXE)
    found: list[str] = page.evaluate(AXE_RUN)
    return [f"{path}: {what}" for what in found]


def test_every_page_fits_a_phone_and_a_projector_in_both_languages(
    demo_server: DemoServer, browser: Browser
) -> None:
    url = demo_server.url
    organiser = sign_in_organiser(browser, url, bypass_csp=True)
    (room,) = open_rooms(browser, organiser, url, 1, bypass_csp=True)
    buyer = sign_in(browser, url, "buyer.japan@ketnoi.demo", bypass_csp=True)
    buyer.goto(f"{url}/e/{SLUG}/booths")
    booth_path = buyer.locator("main a[href*='/booths/']").first.get_attribute("href")
    assert booth_path is not None
    problems: list[str] = []
    for language in ("vi", "en"):
        for page in (organiser, room.page, buyer):
            page.context.add_cookies([{"name": "ketnoi_lang", "value": language, "url": url}])
        for width in (360, 1920):
            for path in [*MEMBER_PAGES, booth_path]:
                problems += too_wide(buyer, url, path, width)
            for path in ORGANISER_PAGES:
                problems += too_wide(organiser, url, path, width)
            problems += too_wide(room.page, url, f"/e/{SLUG}/point", width)
    assert problems == []
    for page in (organiser, room.page, buyer):
        page.context.close()
