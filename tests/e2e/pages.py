"""Pages a person uses in the browser journeys: signing in, opening rooms, waiting on a page."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from playwright.sync_api import Browser, BrowserContext, Page

SLUG = "hai-duong-ca-rot-2026"


@dataclass
class Room:
    """An attendance point's PC: its browser context, page, point id and name."""

    context: BrowserContext
    page: Page
    point_id: str
    name: str


def until(page: Page, check: Callable[[], object], what: str, timeout: float = 10.0) -> None:
    """Poll `check` (letting the page run) until it is truthy; fail naming `what`."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"after {timeout:.0f} s still not: {what}")
        page.wait_for_timeout(150)


def connected(page: Page) -> bool:
    """The page's live status says it is connected to the hub."""
    return page.locator("#live-status").get_attribute("data-state") == "open"


def sign_in_organiser(browser: Browser, url: str, *, bypass_csp: bool = False) -> Page:
    """The demo organiser, signed in, in Vietnamese, on a laptop-sized screen."""
    return sign_in(browser, url, "organiser@ketnoi.demo", bypass_csp=bypass_csp)


def sign_in(browser: Browser, url: str, email: str, *, bypass_csp: bool = False) -> Page:
    """A demo account, signed in, in Vietnamese, on a laptop-sized screen (`bypass_csp` lets a
    check inject its own script, as axe-core needs)."""
    page = browser.new_context(
        locale="vi-VN", viewport={"width": 1280, "height": 900}, bypass_csp=bypass_csp
    ).new_page()
    page.goto(url + "/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", "ketnoi-demo")
    page.click("form.form button[type=submit]")
    page.wait_for_url(url + "/")
    return page


def open_rooms(
    browser: Browser, organiser: Page, url: str, count: int, *, bypass_csp: bool = False
) -> list[Room]:
    """Open the first `count` points' join links, each in a browser of its own (a phone)."""
    organiser.goto(f"{url}/e/{SLUG}/organiser/points")
    rows = organiser.locator("table.points tbody tr.point")
    rooms = []
    for index in range(count):
        row = rows.nth(index)
        link = row.locator("input.join-url").input_value()
        context = browser.new_context(
            locale="vi-VN", viewport={"width": 390, "height": 844}, bypass_csp=bypass_csp
        )
        page = context.new_page()
        page.goto(link)
        assert page.url.endswith(f"/e/{SLUG}/point")
        point_id = row.get_attribute("data-point")
        assert point_id is not None
        rooms.append(Room(context, page, point_id, row.locator("strong").first.inner_text()))
    return rooms
