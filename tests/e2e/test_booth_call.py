"""A booth's video call in Chromium: three people see and hear each other; a fourth comes and
goes. Browsers' offers list every codec they have, so this is the size a real call sends."""

from __future__ import annotations

from functools import partial
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from tests.e2e.conftest import DemoServer
from tests.e2e.pages import SLUG, connected, sign_in, until
from tests.e2e.test_live_video import FRAMES, PEERS

pytestmark = pytest.mark.e2e

# Whether every connection the page made was closed.
ALL_CLOSED = """() => (window.__testPeers || []).every((pc) => pc.connectionState === "closed")"""


def decoded(page: Page) -> dict[str, int]:
    """Frames decoded per received video track of the page's call."""
    found: dict[str, Any] = page.evaluate(FRAMES)
    return {mid: int(count) for mid, count in found.items()}


def sees(page: Page, people: int, seconds: float = 40) -> None:
    """The page decodes `people` of the others' pictures, each still moving."""
    start = decoded(page)

    def moving() -> bool:
        now = decoded(page)
        return sum(now.get(mid, 0) >= start.get(mid, 0) + 15 for mid in now) >= people

    until(page, moving, f"the call shows {people} others, moving", seconds)


def tiles(page: Page) -> int:
    """The other people's pictures the page shows."""
    return page.locator(".call-other:visible").count()


def shows(page: Page, count: int) -> bool:
    """The page shows `count` other people's pictures."""
    return tiles(page) == count


def in_call(page: Page) -> bool:
    """The page has joined the call (it offers to leave)."""
    return page.locator(".call-leave").is_visible()


def test_three_people_see_each_other_in_a_booths_call_and_a_fourth_comes_and_goes(
    demo_server: DemoServer, browser: Browser
) -> None:
    url = demo_server.url
    people = [
        sign_in(browser, url, f"buyer.{who}@ketnoi.demo")
        for who in ("japan", "korea", "uae", "hcm")
    ]
    first = people[0]
    first.goto(f"{url}/e/{SLUG}/booths")
    first.locator("main a[href*='/booths/']").first.click()
    booth = first.url
    for page in people:
        page.add_init_script(PEERS)
        page.goto(booth)
        until(page, partial(connected, page), "the booth page is connected")
        assert page.locator(".call-join").is_visible()

    three, fourth = people[:3], people[3]
    for page in three:
        page.click(".call-join")
        until(page, partial(in_call, page), "joined")
        assert page.locator(".live-call .form-error").inner_text().strip() == ""
    for page in three:
        sees(page, 2)
        until(page, partial(shows, page, 2), "two others are shown", 20)

    # A fourth joins: everyone sees three; then leaves, and the others see two again.
    fourth.click(".call-join")
    until(fourth, partial(in_call, fourth), "the fourth joined")
    sees(fourth, 3)
    for page in three:
        until(page, partial(shows, page, 3), "three others are shown", 20)
    fourth.click(".call-leave")
    until(fourth, lambda: fourth.evaluate(ALL_CLOSED), "the fourth's connections are closed")
    assert fourth.locator(".call-join").is_visible()
    for page in three:
        until(page, partial(shows, page, 2), "two others are shown again", 20)
        sees(page, 2)
    for page in people:
        page.context.close()
