"""The loopback protocol between the web process and the relay: one model per call and
answer, shared by both sides (`extra="forbid"`, so a field misspelt on one side is a 400)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from server.media.rules import FOLDER_PATTERN, SLOT_PATTERN, TAG_PATTERN

Slot = Annotated[str, Field(pattern=SLOT_PATTERN, max_length=40)]


class Message(BaseModel):
    """Every call and answer: unknown fields are refused."""

    model_config = ConfigDict(extra="forbid")


class RoomPolicy(Message):
    """What a room allows, as the domain that owns it decides: how many may publish at once,
    and the folder its recordings go to (none: nothing is recorded)."""

    max_publishers: int = Field(ge=1, le=64)
    recordings: str | None = Field(default=None, pattern=FOLDER_PATTERN)


class Offer(Message):
    """A peer's offer with every ICE candidate in it (no trickle)."""

    room: str = Field(min_length=3, max_length=80)
    sdp: str
    type: str


class Feed(Message):
    """What a publisher is, apart from its offer: its room and the room's policy, its slot and
    label. `record_as` tags the recording of this feed (when the room is recorded); without
    `video` the offer's video goes nowhere (an interpreter is heard, not seen)."""

    room: str = Field(min_length=3, max_length=80)
    policy: RoomPolicy
    slot: Slot
    label: str = Field(default="", max_length=200)
    video: bool = True
    record_as: str | None = Field(default=None, pattern=TAG_PATTERN)


class PublishCall(Feed):
    """A publisher's offer for a slot (every ICE candidate in it). The slot's earlier
    publisher is replaced, or, without `replace`, kept (a standby feed waits for the slot to be
    free)."""

    sdp: str
    type: str
    replace: bool = True


class WatchCall(Offer):
    """A viewer's offer. Its video and audio transceivers, in order, follow the lists of
    slots given per kind (the first of a list that has a source). In a call (`others_than`,
    the viewer's own slot) each pair of tracks shows one of the other publishers instead, in
    the order they joined."""

    video: list[list[Slot]] = Field(default_factory=list, max_length=8)
    audio: list[list[Slot]] = Field(default_factory=list, max_length=8)
    others_than: Slot | None = None
    # Whose connection this is (the caller's session): later calls about it must say so.
    owner: str = Field(default="", max_length=64)


class AudioCall(Message):
    """Which slots a watching connection's first audio track follows, best first. The
    connection must be in `room` and belong to `owner`, or it is not found."""

    room: str = Field(min_length=3, max_length=80)
    owner: str = Field(default="", max_length=64)
    id: str = Field(min_length=1, max_length=64)
    slots: list[Slot] = Field(min_length=1, max_length=4)


class StopCall(Message):
    """Close a slot's publisher (the floor revoked, a caller leaving)."""

    room: str = Field(min_length=3, max_length=80)
    slot: Slot


class Answer(Message):
    """The relay's answer and the id of the peer connection."""

    id: str
    sdp: str
    type: str


class Stopped(Message):
    """Whether the slot had a publisher."""

    stopped: bool


class Done(Message):
    """A call that answers nothing but success."""


class RoomStatus(Message):
    """What is live in a room: its slots, who publishes each, its viewers and counters."""

    slots: list[str]
    publishers: dict[str, str]
    viewers: int = 0
    keyframe_requests: int = 0
    frames: dict[str, int] = Field(default_factory=dict)


class Status(Message):
    """Every room of the relay and its count of peer connections."""

    peers: int
    rooms: dict[str, RoomStatus]


class Refusal(Message):
    """Why the relay refused a call."""

    error: str


PATHS = {
    PublishCall: "/publish",
    WatchCall: "/watch",
    AudioCall: "/audio",
    StopCall: "/stop",
}
