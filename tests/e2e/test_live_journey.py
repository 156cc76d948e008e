"""Two attendance points and the organiser live: chat, a raised hand, a banner, a room that drops."""

from __future__ import annotations

from functools import partial

import pytest
from playwright.sync_api import Browser, Page

from tests.e2e.conftest import DemoServer
from tests.e2e.pages import SLUG, connected, open_rooms, sign_in, sign_in_organiser, until

pytestmark = pytest.mark.e2e


def tile_state(page: Page, point_id: str) -> str:
    """What the organiser's grid shows for a point: its state and its label."""
    tile = page.locator(f'[data-live="points"] [data-point="{point_id}"]')
    return f"{tile.get_attribute('data-state')}:{tile.locator('.point-state').inner_text()}"


def shows_chat(page: Page, expected: list[str]) -> bool:
    """The page shows exactly these messages, in this order, each once."""
    return chat_bodies(page) == expected


def tile_shows(page: Page, point_id: str, state: str) -> bool:
    """The organiser's grid shows this state for the point."""
    return tile_state(page, point_id) == state


def banner_says(page: Page, text: str) -> bool:
    """The announcement banner at the top of the page shows this text."""
    return page.locator("#live-banner .banner-text").inner_text() == text


def chat_bodies(page: Page) -> list[str]:
    """The chat messages a page shows, oldest first."""
    return page.locator(".chat-log .chat-msg:not(.pending) .chat-body").all_inner_texts()


def test_points_chat_raise_hands_and_drop_off_live(
    demo_server: DemoServer, browser: Browser
) -> None:
    url = demo_server.url
    organiser = sign_in_organiser(browser, url)
    room_a, room_b = open_rooms(browser, organiser, url, 2)
    organiser.goto(f"{url}/e/{SLUG}/organiser/live")
    for page in (organiser, room_a.page, room_b.page):
        until(page, partial(connected, page), "the page is connected")
        assert page.locator("#live-status").inner_text() == "Trực tiếp"

    # Both rooms are marked online on the organiser's grid, as they come.
    for room in (room_a, room_b):
        until(
            organiser,
            partial(tile_shows, organiser, room.point_id, "online:trực tuyến"),
            f"{room.name} online on the grid",
        )

    # Chat between the two rooms, Vietnamese intact both ways.
    hello = "Xin chào từ điểm cầu: cà rốt Hải Dương đạt chuẩn VietGAP, giá ổn định — được không?"
    room_a.page.fill("#chat-body", hello)
    room_a.page.press("#chat-body", "Enter")
    until(room_b.page, lambda: hello in chat_bodies(room_b.page), "the greeting arrives")
    reply = "Đồng ý! Chúng tôi cần 20 tấn mỗi tuần, giao từ tháng Mười Hai."
    room_b.page.fill("#chat-body", reply)
    room_b.page.click(".chat-form button[type=submit]")
    until(room_a.page, lambda: chat_bodies(room_a.page)[-2:] == [hello, reply], "the reply arrives")
    until(
        organiser, lambda: chat_bodies(organiser)[-2:] == [hello, reply], "the organiser sees both"
    )
    authors = room_a.page.locator(".chat-log .chat-msg .chat-author").all_inner_texts()
    assert authors[-1] == room_b.name

    # A buyer watching on the event page has the talk's chat and questions too, on a phone.
    buyer = sign_in(browser, url, "buyer.japan@ketnoi.demo")
    buyer.set_viewport_size({"width": 360, "height": 780})
    buyer.goto(f"{url}/e/{SLUG}")
    until(buyer, partial(connected, buyer), "the buyer's event page is connected")
    until(buyer, lambda: chat_bodies(buyer)[-2:] == [hello, reply], "the buyer sees the chat")
    offer = "Giá FOB Hải Phòng cho 20 tấn? — Sato, Tokyo"
    buyer.fill("#chat-body", offer)
    buyer.press("#chat-body", "Enter")
    until(room_a.page, lambda: chat_bodies(room_a.page)[-1] == offer, "the buyer's message arrives")
    question = "Mã số vùng trồng đã được Nhật Bản chấp nhận chưa?"
    buyer.fill("#qa-body", question)
    buyer.click(".qa-form button[type=submit]")
    asked = room_a.page.locator(".qa-list .qa-body")
    until(room_a.page, lambda: question in asked.all_inner_texts(), "the question reaches the room")
    assert buyer.evaluate("document.documentElement.scrollWidth") <= 360
    buyer.context.close()

    # The second room raises a hand: it waits first in the organiser's queue, then gets the floor.
    room_b.page.click(".hand-button")
    until(
        room_b.page,
        lambda: "số 1" in room_b.page.locator(".hand-state").inner_text(),
        "the room sees its place in the queue",
    )
    queue = organiser.locator(".floor-queue .floor-request")
    until(organiser, lambda: queue.count() == 1, "the hand reaches the organiser's queue")
    assert room_b.name in queue.first.inner_text()
    queue.first.get_by_role("button", name="Cho phát biểu").click()
    until(
        room_b.page,
        lambda: room_b.page.locator(".hand-state").inner_text() == "Bạn đang được phát biểu.",
        "the room is told it has the floor",
    )
    until(
        organiser,
        lambda: room_b.name in organiser.locator(".floor-speakers").inner_text(),
        "the organiser sees who speaks",
    )

    # An announcement reaches every room at once.
    notice = "Nghỉ giải lao 10 phút; phiên giao thương bắt đầu lúc 10:30 (UTC+07:00)."
    organiser.fill("#announce-body", notice)
    organiser.click(".announce-form button[type=submit]")
    for room in (room_a, room_b):
        until(room.page, partial(banner_says, room.page, notice), "the banner shows")

    # Room A loses its network. What it writes meanwhile waits; what it misses is kept for it.
    room_a.context.set_offline(True)
    unsent = "Tin nhắn viết lúc mất mạng: sẽ đến đúng một lần."
    room_a.page.fill("#chat-body", unsent)
    room_a.page.press("#chat-body", "Enter")
    assert room_a.page.locator(".chat-msg.pending .chat-body").inner_text() == unsent
    missed = "Điểm cầu A có nghe rõ không? Xin trả lời."
    room_b.page.fill("#chat-body", missed)
    room_b.page.press("#chat-body", "Enter")
    # The server cuts the silent socket and the organiser's grid says offline.
    until(
        organiser,
        partial(tile_shows, organiser, room_a.point_id, "offline:ngoại tuyến"),
        "the dropped room shows offline",
        timeout=30.0,
    )
    assert tile_state(organiser, room_b.point_id) == "online:trực tuyến"
    assert "1/150" in organiser.locator(".points-count").inner_text().replace(" ", "")
    assert unsent not in chat_bodies(room_b.page)

    # Back online, the room reconnects by itself: it gets what it missed, its message goes out,
    # and nobody sees anything twice.
    room_a.context.set_offline(False)
    everything = [hello, reply, offer, missed, unsent]
    for page in (room_a.page, room_b.page, organiser):
        until(
            page,
            partial(shows_chat, page, everything),
            "every message once, in order",
            timeout=20.0,
        )
    until(
        organiser,
        partial(tile_shows, organiser, room_a.point_id, "online:trực tuyến"),
        "the room is back online",
    )
    assert room_a.page.locator(".chat-msg.pending").count() == 0

    for room in (room_a, room_b):
        room.context.close()
    organiser.context.close()
