"""Pure rules of live media: what an offer must be, and recordings' file names."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import SecretStr

from server.media.rules import (
    OfferLimits,
    check_offer,
    loopback_only,
    parse_recording_file,
    recording_copy,
    recording_name,
)
from server.settings import Settings

OFFER = "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\n"
SMALL = OfferLimits(total_bytes=400, section_bytes=100, sections=2)
# Offers Debian's Chromium made (every codec it has listed in each media section): a publisher,
# a talk's viewer, and viewers of booth calls of four and of eight people.
OFFERS = Path(__file__).with_name("offers")


@pytest.mark.parametrize(
    ("sdp", "kind", "problem"),
    [
        (OFFER, "answer", "type must be offer"),
        ("hello", "offer", "not a session description"),
        ("v=0\r\ns=-\r\n", "offer", "the description has no audio or video"),
        (OFFER + "a=x\r\n" * 100, "offer", "the description is longer than 400 bytes"),
        (OFFER + "a=x\r\n" * 20, "offer", "a media section is longer than 100 bytes"),
        (
            OFFER + "m=audio 9 X 1\r\n" * 2,
            "offer",
            "the description has more than 2 media sections",
        ),
    ],
)
def test_what_cannot_be_an_offer_is_refused_with_the_reason(
    sdp: str, kind: str, problem: str
) -> None:
    assert check_offer(sdp, kind, SMALL) == problem


def test_an_offer_within_the_limit_passes() -> None:
    assert check_offer(OFFER, "offer", SMALL) is None


@pytest.mark.parametrize(
    "name", ["publish", "watch-2v2a", "watch-3v3a", "watch-7v7a"], ids=lambda name: name
)
def test_every_offer_chromium_makes_for_our_rooms_passes_the_default_limits(name: str) -> None:
    settings = Settings(secret_key=SecretStr("r" * 40))
    limits = OfferLimits(
        settings.relay_max_sdp_bytes,
        settings.relay_max_sdp_section_bytes,
        settings.relay_max_sdp_sections,
    )
    sdp = (OFFERS / f"chromium-{name}.sdp").read_text(encoding="utf-8")
    assert sdp.count("\nm=video ") >= 1
    assert check_offer(sdp, "offer", limits) is None
    # The default limits leave room: twice the browser's longest section still passes.
    longest = max(len(part) for part in sdp.split("\nm="))
    assert 2 * longest < settings.relay_max_sdp_section_bytes


def test_a_booth_call_of_the_most_people_allowed_fits_the_default_limits() -> None:
    settings = Settings(secret_key=SecretStr("r" * 40))
    most = Settings.model_fields["booth_call_max_people"].metadata
    # A viewer of the largest call sees everyone else: a video and an audio section each.
    largest = max(m.le for m in most if hasattr(m, "le"))
    assert 2 * (largest - 1) <= settings.relay_max_sdp_sections


def test_a_loopback_relay_keeps_only_loopback_candidates() -> None:
    sdp = "\r\n".join(
        [
            "v=0",
            "a=candidate:1 1 udp 2130706431 127.0.0.1 50000 typ host",
            "a=candidate:2 1 udp 2130706431 10.0.0.5 50001 typ host",
            "a=candidate:3 1 udp 2130706431 ::1 50002 typ host",
            "a=end-of-candidates",
        ]
    )
    assert loopback_only(sdp).split("\r\n") == [
        "v=0",
        "a=candidate:1 1 udp 2130706431 127.0.0.1 50000 typ host",
        "a=candidate:3 1 udp 2130706431 ::1 50002 typ host",
        "a=end-of-candidates",
    ]


def test_any_rooms_recording_names_read_back_with_their_tag_and_copies() -> None:
    name = recording_name("20261124T010203Z", "stage-b", 3)
    assert name == "20261124T010203Z-stage-b-3.mkv"
    assert parse_recording_file(name) == (datetime(2026, 11, 24, 1, 2, 3, tzinfo=UTC), "stage-b")
    assert recording_copy(name, 1) == "20261124T010203Z-stage-b.mkv"


@pytest.mark.parametrize(
    "name",
    [
        "20261124T010203Z.mkv",
        "20261124T010203Z-Hall.mkv",
        "20261124T010203Z-hall-1.mkv",
        "20261124T010203Z--hall.mkv",
        "20261124T250203Z-hall.mkv",
        "x/20261124T010203Z-hall.mkv",
    ],
)
def test_other_names_are_no_recordings_file(name: str) -> None:
    assert parse_recording_file(name) is None
