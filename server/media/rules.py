"""Pure rules of live media: offers, loopback tokens, TURN credentials, keyframes, recordings'
file names."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import UTC, datetime

from server.rules import derive_token

TOKEN_HEADER = "x-ketnoi-relay"  # noqa: S105 - a header name
# A room's slot: a kind and, after one colon, its name (`hall`, `lang:en`, `call:a12`).
SLOT_PATTERN = r"^[a-z][a-z0-9]{0,15}(:[a-z0-9]{1,16})?$"
# A recording's tag, and the folder its room's recordings go to.
TAG_PATTERN = r"^[a-z][a-z0-9]{0,15}(-[a-z][a-z0-9]{0,15}){0,3}$"
FOLDER_PATTERN = r"^[a-z0-9][a-z0-9-]{0,63}$"
MOMENT_FORMAT = "%Y%m%dT%H%M%SZ"
RECORDING_NAME = re.compile(
    r"^(?P<start>\d{8}T\d{6}Z)-(?P<tag>[a-z][a-z0-9]*(?:-[a-z][a-z0-9]*)*)"
    r"(?:-(?P<copy>[2-9]|[1-9]\d{1,2}))?\.mkv$"
)


def relay_token(secret_key: str) -> str:
    """What the web process shows the relay process on loopback."""
    return derive_token(secret_key, "media-relay", "loopback")


def turn_credentials(secret: str, ttl_seconds: int, user: str, now: float) -> tuple[str, str]:
    """coturn's REST scheme: `expiry:user` signed with the shared secret (HMAC-SHA1, base64)."""
    username = f"{int(now) + ttl_seconds}:{user}"
    digest = hmac.new(secret.encode(), username.encode(), hashlib.sha1).digest()
    return username, base64.b64encode(digest).decode()


@dataclass(frozen=True, slots=True)
class OfferLimits:
    """How large an offer may be: in all, per media section, and in media sections."""

    total_bytes: int
    section_bytes: int
    sections: int


def check_offer(sdp: str, kind: str, limits: OfferLimits) -> str | None:
    """Why an offer is refused before any peer connection is opened, or None."""
    if kind != "offer":
        return "type must be offer"
    if len(sdp.encode()) > limits.total_bytes:
        return f"the description is longer than {limits.total_bytes} bytes"
    if not sdp.startswith("v=0"):
        return "not a session description"
    # The session part, then one part per media section ("m=" starts a line).
    parts = sdp.split("\nm=")
    media = parts[1:]
    if not any(part.startswith(("audio ", "video ")) for part in media):
        return "the description has no audio or video"
    if len(media) > limits.sections:
        return f"the description has more than {limits.sections} media sections"
    longest = max(len(part.encode()) for part in parts)
    if longest > limits.section_bytes:
        return f"a media section is longer than {limits.section_bytes} bytes"
    return None


def loopback_only(sdp: str) -> str:
    """The description without ICE candidates outside loopback (for a relay on loopback)."""
    kept = []
    for line in sdp.split("\r\n"):
        if line.startswith("a=candidate:"):
            parts = line.split()
            address = parts[4] if len(parts) > 4 else ""
            if not (address.startswith("127.") or address == "::1"):
                continue
        kept.append(line)
    return "\r\n".join(kept)


def is_keyframe(codec: str, data: bytes) -> bool:
    """Whether a reassembled frame can start a picture."""
    if not data:
        return False
    if codec == "VP8":
        # The frame tag's lowest bit is 0 on a key frame (RFC 6386 9.1).
        return data[0] & 1 == 0
    if codec == "H264":
        # Annex B: an IDR slice (type 5) or a sequence parameter set (7) starts one.
        index = data.find(b"\x00\x00\x01")
        while index != -1 and index + 3 < len(data):
            if data[index + 3] & 0x1F in (5, 7):
                return True
            index = data.find(b"\x00\x00\x01", index + 3)
        return False
    return True


def vp8_size(data: bytes) -> tuple[int, int] | None:
    """A VP8 keyframe's picture size (RFC 6386 9.1), or None."""
    if len(data) < 10 or data[0] & 1 or data[3:6] != b"\x9d\x01\x2a":
        return None
    width = int.from_bytes(data[6:8], "little") & 0x3FFF
    height = int.from_bytes(data[8:10], "little") & 0x3FFF
    return (width, height) if width and height else None


def recording_name(moment: str, tag: str, copy: int = 1) -> str:
    """A recording's file name: when it began (UTC), whose it is, and a copy number after 1."""
    return f"{moment}-{tag}{f'-{copy}' if copy > 1 else ''}.mkv"


def recording_copy(name: str, copy: int) -> str:
    """Another copy's name for a recording's file name (`name` must be one)."""
    match = RECORDING_NAME.fullmatch(name)
    if match is None:
        raise ValueError(f"not a recording's name: {name!r}")
    stem = name[: match.start("copy") - 1] if match["copy"] else name[: -len(".mkv")]
    return f"{stem}-{copy}.mkv" if copy > 1 else f"{stem}.mkv"


def parse_recording_file(name: str) -> tuple[datetime, str] | None:
    """When a recording's file began and its tag, or None for any other name."""
    match = RECORDING_NAME.fullmatch(name)
    if match is None:
        return None
    try:
        started = datetime.strptime(match["start"], MOMENT_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        return None
    return started, match["tag"]
