"""Pure rules of live talks: what a recording's file name says."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from server.media.rules import recording_copy, recording_name
from sessions.live.rules import (
    FLOOR,
    HALL,
    RecordingName,
    parse_recording_name,
    recording_tag,
)

START = datetime(2026, 11, 24, 1, 2, 3, tzinfo=UTC)


@pytest.mark.parametrize(
    ("slot", "label", "copy", "name", "read"),
    [
        ("hall", "a:3", 1, "20261124T010203Z-hall.mkv", RecordingName(START, HALL)),
        (
            "floor",
            "p:12",
            1,
            "20261124T010203Z-floor-p12.mkv",
            RecordingName(START, FLOOR, point_id=12),
        ),
        (
            "lang:en",
            "a:9",
            2,
            "20261124T010203Z-lang-en-2.mkv",
            RecordingName(START, "lang:en", language="en"),
        ),
    ],
)
def test_a_recordings_name_tells_when_it_began_and_whose_feed_it_holds(
    slot: str, label: str, copy: int, name: str, read: RecordingName
) -> None:
    tag = recording_tag(slot, label)
    assert tag is not None
    assert recording_name("20261124T010203Z", tag, copy) == name
    assert parse_recording_name(name) == read


def test_booth_calls_and_odd_labels_are_not_recorded() -> None:
    assert recording_tag("call:a4", "a:4") is None
    assert recording_tag("floor", "a:4") is None
    assert recording_tag("floor", "p:") is None


@pytest.mark.parametrize(
    "name",
    [
        "secret_key",
        "../20261124T010203Z-hall.mkv",
        "20261124T010203Z-hall.mkv.part",
        "20261124T010203Z-floor-pX.mkv",
        "20261124T010203Z-lang-english.mkv",
        "20261124T010203Z-hall-1.mkv",
        "20261324T010203Z-hall.mkv",
        "20261124T010203Z-hall.mkv\n",
    ],
)
def test_other_names_are_not_recordings(name: str) -> None:
    assert parse_recording_name(name) is None


def test_a_recordings_other_copies_keep_its_moment_and_feed() -> None:
    assert recording_copy("20261124T010203Z-hall.mkv", 2) == "20261124T010203Z-hall-2.mkv"
    assert recording_copy("20261124T010203Z-lang-en-2.mkv", 3) == "20261124T010203Z-lang-en-3.mkv"
    assert recording_copy("20261124T010203Z-floor-p12-5.mkv", 1) == "20261124T010203Z-floor-p12.mkv"
    with pytest.raises(ValueError, match="not a recording"):
        recording_copy("notes.mkv", 2)
