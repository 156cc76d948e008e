"""Pure rules of live media: what an offer must be, and recordings' file names."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from server.media.rules import (
    check_offer,
    loopback_only,
    parse_recording_file,
    recording_copy,
    recording_name,
)

OFFER = "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\n"


@pytest.mark.parametrize(
    ("sdp", "kind", "problem"),
    [
        (OFFER, "answer", "type must be offer"),
        ("hello", "offer", "not a session description"),
        ("v=0\r\ns=-\r\n", "offer", "the description has no audio or video"),
        (OFFER + "a=x\r\n" * 100, "offer", "the description is longer than 200 bytes"),
    ],
)
def test_what_cannot_be_an_offer_is_refused_with_the_reason(
    sdp: str, kind: str, problem: str
) -> None:
    assert check_offer(sdp, kind, 200) == problem


def test_an_offer_within_the_limit_passes() -> None:
    assert check_offer(OFFER, "offer", 200) is None


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
