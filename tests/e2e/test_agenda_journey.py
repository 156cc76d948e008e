"""The organiser builds the programme in the browser: a talk added in the event's zone, seen by
the room in Tokyo at its own time, flagged by the planner for the room in San Francisco (Los
Angeles time), then moved to the planner's best hour without a reload."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page

from tests.e2e.conftest import DemoServer
from tests.e2e.pages import SLUG, sign_in_organiser, until

pytestmark = pytest.mark.e2e

TOKYO = "Thương vụ Việt Nam tại Nhật Bản"
TITLE = "Thị trường Canada: quy định nhập khẩu rau củ tươi"
STAGE = "Phòng họp trực tuyến"


def open_room(browser: Browser, organiser: Page, url: str, name: str) -> Page:
    """The point's join link opened on a PC of its own."""
    organiser.goto(f"{url}/e/{SLUG}/organiser/points")
    row = organiser.locator("table.points tbody tr.point", has_text=name).first
    link = row.locator("input.join-url").input_value()
    page = browser.new_context(locale="vi-VN", viewport={"width": 390, "height": 844}).new_page()
    page.goto(link)
    assert page.url.endswith(f"/e/{SLUG}/point")
    return page


def planner_column(page: Page, talk_id: str) -> list[str]:
    """The planner grid's cells of one talk, row by row (zone by zone)."""
    headers = page.locator("table.planner-grid thead th[data-talk]")
    ids = [headers.nth(i).get_attribute("data-talk") for i in range(headers.count())]
    column = ids.index(talk_id)
    rows = page.locator("table.planner-grid tbody tr")
    return [rows.nth(i).locator("td").nth(column).inner_text() for i in range(rows.count())]


def agenda_time(page: Page, title: str) -> str:
    """The time the page's agenda shows for a talk (the reader's zone's column)."""
    row = page.locator("table.agenda tr", has_text=title).first
    return row.locator("td.time").first.inner_text()


def test_an_organiser_adds_a_talk_the_planner_flags_it_and_it_moves_to_the_best_hour(
    demo_server: DemoServer, browser: Browser
) -> None:
    url = demo_server.url
    organiser = sign_in_organiser(browser, url)
    tokyo = open_room(browser, organiser, url, TOKYO)
    organiser.goto(f"{url}/e/{SLUG}/organiser/agenda")
    add = organiser.locator("form[data-create]")
    day = add.locator("input[name=start]").input_value()[:10]
    assert "GMT+7, Hà Nội" in organiser.locator("main").inner_text()

    # 17:00 in Hà Nội: 19:00 in Tokyo, 02:00 in San Francisco.
    add.locator("input[name=title_vi]").fill(TITLE)
    add.locator("input[name=title_en]").fill("Canada: import rules for fresh vegetables")
    add.locator("select[name=kind]").select_option("briefing")
    add.locator("select[name=country]").select_option("CA")
    add.locator("input[name=stage]").fill(STAGE)
    add.locator("input[name=start]").fill(f"{day}T17:00")
    add.locator("input[name=end]").fill(f"{day}T17:30")
    add.locator("button[type=submit]").click()
    card = organiser.locator("article.talk-card", has_text=TITLE)
    card.wait_for()
    assert "17:00" in card.locator(".talk-when").inner_text()
    talk_id = (card.get_attribute("id") or "").removeprefix("talk-")
    assert talk_id.isdigit()

    # A clash on the same stage is refused in words, beside the form, and nothing moves.
    add.locator("input[name=title_vi]").fill("Trùng giờ")
    add.locator("input[name=stage]").fill(STAGE)
    add.locator("input[name=start]").fill(f"{day}T17:15")
    add.locator("input[name=end]").fill(f"{day}T17:45")
    add.locator("button[type=submit]").click()
    status = add.locator(".form-status")
    until(organiser, lambda: "Canada" in status.inner_text(), "the clash names the other talk")
    assert status.get_attribute("role") == "alert"

    tokyo.reload()
    assert agenda_time(tokyo, TITLE) == "19:00–19:30"
    assert "GMT+9, Tokyo" in tokyo.locator("main").inner_text()

    # The planner flags it for the room in San Francisco and proposes better hours.
    organiser.goto(f"{url}/e/{SLUG}/organiser/planner?date={day}&duration=30")
    zones = organiser.locator("table.planner-grid tbody tr")
    los_angeles = [zones.nth(i).get_attribute("data-zone") for i in range(zones.count())].index(
        "America/Los_Angeles"
    )
    before = planner_column(organiser, talk_id)
    assert before[los_angeles].startswith("02:00")
    assert "ngoài giờ" in before[los_angeles]
    plan = organiser.request.get(f"{url}/api/events/{SLUG}/planner?date={day}&duration=30").json()
    promised = set(plan["best"][0]["left_out"])
    off_before = {
        p["point_id"]
        for t in plan["talks"]
        if str(t["id"]) == talk_id
        for p in t["points"]
        if p["off_hours"]
    }
    best = organiser.locator("ol.planner-best li .planner-start").first.inner_text()
    assert re.fullmatch(r"[0-2][0-9]:[0-5][0-9]", best), best
    hour, minute = int(best[:2]), int(best[3:])
    end = f"{hour + (minute + 30) // 60:02d}:{(minute + 30) % 60:02d}"

    # The organiser moves it there from the editor: saved through the API, no reload.
    organiser.goto(f"{url}/e/{SLUG}/organiser/agenda#talk-{talk_id}")
    organiser.evaluate("window.stayedOnPage = true")
    form = organiser.locator(f"form[data-talk='{talk_id}']")
    form.locator("input[name=start]").fill(f"{day}T{best}")
    form.locator("input[name=end]").fill(f"{day}T{end}")
    form.locator("button[type=submit]").click()
    until(organiser, lambda: form.locator(".form-status").inner_text() == "Đã lưu.", "saved")
    assert organiser.evaluate("window.stayedOnPage === true")
    assert best in organiser.locator(f"#talk-{talk_id} .talk-when").inner_text()

    organiser.goto(f"{url}/e/{SLUG}/organiser/planner?date={day}&duration=30")
    # At the best hour exactly the rooms the planner named are out of their working day, and
    # no more than at 17:00.
    assert planner_column(organiser, talk_id) != before
    plan = organiser.request.get(f"{url}/api/events/{SLUG}/planner?date={day}&duration=30").json()
    off_after = {
        p["point_id"]
        for t in plan["talks"]
        if str(t["id"]) == talk_id
        for p in t["points"]
        if p["off_hours"]
    }
    assert off_after == promised
    assert len(off_after) <= len(off_before)
    tokyo.reload()
    tokyo_hour = f"{(hour + 2) % 24:02d}:{minute:02d}"
    assert agenda_time(tokyo, TITLE).startswith(tokyo_hour)

    # The calendar file has it at its new time, as a second version of the same entry.
    calendar = organiser.request.get(f"{url}/e/{SLUG}/agenda.ics")
    assert calendar.ok
    text = calendar.text()
    assert f"UID:talk-{talk_id}-{SLUG}@ketnoi" in text
    assert "SEQUENCE:1" in text
    for page in (organiser, tokyo):
        page.context.close()
