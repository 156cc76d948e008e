"""An organiser opens the demo in Chromium, signs in and sees every attendance point."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser

from tests.e2e.conftest import DemoServer

pytestmark = pytest.mark.e2e


def test_organiser_signs_in_and_sees_150_points(demo_server: DemoServer, browser: Browser) -> None:
    context = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(demo_server.url + "/")
    page.get_by_role("link", name="Hội nghị kết nối tiêu thụ cà rốt", exact=False).first.click()
    assert "Hải Dương" in page.content()

    page.goto(demo_server.url + "/login")
    page.fill("input[name=email]", "organiser@ketnoi.demo")
    page.fill("input[name=password]", "ketnoi-demo")
    page.click("form.form button[type=submit]")
    page.wait_for_url(demo_server.url + "/")

    page.goto(demo_server.url + "/e/hai-duong-ca-rot-2026/organiser/points")
    rows = page.locator("table.points tbody tr.point")
    assert rows.count() == 150
    assert page.locator("table.points tbody tr.abroad").count() == 36
    assert page.locator("text=Asia/Tokyo").count() >= 1
    join_urls = page.locator("input.join-url")
    assert join_urls.count() == 150
    first = join_urls.first.input_value()
    assert first.startswith(demo_server.url + "/join/")

    # The link works in another browser: that room's PC is signed in as the point.
    room = browser.new_context(locale="vi-VN").new_page()
    room.goto(first)
    assert room.url.endswith("/e/hai-duong-ca-rot-2026/point")
    assert room.locator("h1").inner_text().strip() != ""
    room.context.close()

    # A phone-sized screen shows the same list.
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    assert page.locator("table.points tbody tr.point").count() == 150
    context.close()
