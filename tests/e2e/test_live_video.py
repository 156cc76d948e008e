"""Live video in Chromium: the desk's camera reaches a point; the point takes the floor and is seen."""

from __future__ import annotations

from functools import partial
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from tests.e2e.conftest import DemoServer
from tests.e2e.pages import SLUG, connected, open_rooms, sign_in, sign_in_organiser, until

pytestmark = pytest.mark.e2e

# Before the page's scripts run: every RTCPeerConnection the page makes is kept for the test.
# A Proxy, so `instanceof`, the prototype and static methods stay the browser's own.
PEERS = """(() => {
  const Native = window.RTCPeerConnection;
  if (typeof Native !== "function") { return; }
  const made = [];
  Object.defineProperty(window, "__testPeers", { value: made });
  window.RTCPeerConnection = new Proxy(Native, {
    construct(target, args, newTarget) {
      const pc = Reflect.construct(target, args, newTarget);
      made.push(pc);
      return pc;
    }
  });
})();"""

# Frames decoded so far per received video track of the page's watching connection (the
# newest open one that receives video): "0" is the hall, "1" the speaker who has the floor.
FRAMES = """() => {
  const watching = (window.__testPeers || []).filter((pc) => pc.signalingState !== "closed" &&
    pc.getTransceivers().some((t) => t.direction === "recvonly" && t.receiver.track.kind === "video"));
  const pc = watching[watching.length - 1];
  if (!pc) { return {}; }
  return pc.getStats().then((report) => {
    const out = {};
    report.forEach((s) => {
      if (s.type === "inbound-rtp" && s.kind === "video") { out[s.mid] = s.framesDecoded || 0; }
    });
    return out;
  });
}"""

# Indexes of the page's open connections that send: a room's, its camera on the floor.
SENDING = """() => (window.__testPeers || []).flatMap((pc, at) => pc.signalingState !== "closed" &&
  pc.getTransceivers().some((t) => t.direction === "sendonly") ? [at] : [])"""

# Whether all of these connections were closed.
CLOSED = """(indexes) => indexes.every((at) => {
  const pc = window.__testPeers[at];
  return pc.connectionState === "closed" && pc.signalingState === "closed";
})"""


def frames(page: Page, mid: str) -> int:
    """Frames the page has decoded on one of its received video tracks."""
    decoded: dict[str, Any] = page.evaluate(FRAMES)
    return int(decoded.get(mid, 0))


def grows(page: Page, mid: str, by: int = 20, seconds: float = 20) -> None:
    """The track keeps decoding frames: at least `by` more within `seconds`."""
    start = frames(page, mid)
    until(page, lambda: frames(page, mid) >= start + by, f"track {mid} decodes frames", seconds)


def test_the_desk_goes_live_a_point_watches_takes_the_floor_and_is_seen(
    demo_server: DemoServer, browser: Browser
) -> None:
    url = demo_server.url
    organiser = sign_in_organiser(browser, url)
    (room,) = open_rooms(browser, organiser, url, 1)
    organiser.add_init_script(PEERS)
    room.page.add_init_script(PEERS)
    room.page.reload()
    organiser.goto(f"{url}/e/{SLUG}/organiser/live")
    for page in (organiser, room.page):
        until(page, partial(connected, page), "the page is connected")

    # An earlier journey may have left someone with the floor: the desk ends it first.
    listed = organiser.locator(".floor-speakers li")
    until(organiser, lambda: listed.count() > 0, "the floor widget shows who speaks")
    speakers = organiser.locator(".floor-speakers .floor-speaker button")
    while speakers.count():
        speakers.first.click()
        organiser.wait_for_timeout(300)
    until(organiser, lambda: speakers.count() == 0, "nobody has the floor")

    # The desk puts its (fake) camera on the air; the point's console plays it.
    organiser.click(".desk-hall")
    until(
        organiser,
        lambda: "camera" in organiser.locator(".desk-state").inner_text().lower(),
        "the desk says it is live",
    )
    grows(room.page, "0")
    until(
        room.page,
        lambda: room.page.locator(".video-stage").get_attribute("data-state") == "playing",
        "the point's console shows the hall playing",
    )
    assert room.page.locator(".video-floor").is_hidden()

    # The point raises its hand; the organiser gives it the floor.
    room.page.click(".hand-button")
    queue = organiser.locator(".floor-queue .floor-request")
    until(organiser, lambda: queue.count() == 1, "the hand reaches the organiser's queue")
    queue.first.get_by_role("button", name="Cho phát biểu").click()

    # The room's camera goes to everyone: the organiser's preview shows the floor speaker.
    until(room.page, lambda: room.page.locator(".video-self").is_visible(), "self view shows")
    until(organiser, lambda: organiser.locator(".video-floor").is_visible(), "floor video shows")
    grows(organiser, "1")
    floor: list[int] = room.page.evaluate(SENDING)
    assert floor, "the room sends its camera"

    # The organiser ends it: the room's camera stops and the floor picture goes away.
    organiser.locator(".floor-speakers .floor-speaker button").first.click()
    until(room.page, lambda: room.page.locator(".video-self").is_hidden(), "self view ends")
    until(organiser, lambda: organiser.locator(".video-floor").is_hidden(), "floor video ends")
    until(
        room.page,
        lambda: room.page.evaluate(CLOSED, floor),
        "the room's floor connection is closed",
    )
    grows(room.page, "0", by=10)
    organiser.click(".desk-stop")
    room.context.close()
    organiser.context.close()


def test_an_interpreter_goes_live_from_the_event_page_and_points_can_choose_the_language(
    demo_server: DemoServer, browser: Browser
) -> None:
    url = demo_server.url
    organiser = sign_in_organiser(browser, url)
    (room,) = open_rooms(browser, organiser, url, 1)
    organiser.context.close()
    interpreter = sign_in(browser, url, "interpreter.en@ketnoi.demo")
    interpreter.goto(f"{url}/e/{SLUG}")
    for page in (interpreter, room.page):
        until(page, partial(connected, page), "the page is connected")
    # No hall feed from here: only the interpretation.
    assert interpreter.locator(".desk-hall").count() == 0
    choices = room.page.locator(".video-language option[value=en]")
    assert choices.count() == 0

    interpreter.fill(".desk-language", "en")
    interpreter.click(".desk-interpret")
    until(
        interpreter,
        lambda: "EN" in interpreter.locator(".desk-state").inner_text(),
        "the box says it interprets into English",
    )
    until(room.page, lambda: choices.count() == 1, "the point can listen in English")
    interpreter.click(".desk-stop")
    until(room.page, lambda: choices.count() == 0, "English is gone when the interpreter stops")
    room.context.close()
    interpreter.context.close()
