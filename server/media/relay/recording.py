"""Recording: a publisher's forwarded frames written to Matroska as they pass, no re-encoding;
files a dead relay left behind are finished by the next one."""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import time
from collections.abc import Callable, Collection
from fractions import Fraction
from pathlib import Path
from typing import Any

import av

from server.media.relay.errors import RelayError
from server.media.relay.forward import CLOCK_RATES, Frame
from server.media.rules import MOMENT_FORMAT, parse_recording_file, recording_copy, vp8_size

log = logging.getLogger("ketnoi.relay")
RECORDING_RETRY_SECONDS = 5.0


def recording_moment() -> str:
    """Now, as recordings' file names give it (UTC, to the second)."""
    return time.strftime(MOMENT_FORMAT, time.gmtime())


class Recording:
    """A publisher's frames written to Matroska as they are forwarded: no re-encoding.

    With video, the file starts at the first keyframe (its size goes in the file's header) and
    audio waits for it too, so both tracks start together; audio alone starts at once. The
    `.part` file is locked while it is written, so a relay started after a crash can tell an
    interrupted recording from one being written (`recover_recordings`).
    """

    def __init__(
        self,
        path: Path,
        codec: str,
        kinds: set[str],
        ask_keyframe: Callable[[], None] | None = None,
    ) -> None:
        self.path = path
        # How the file gets the keyframe it starts with (the publisher's source asks).
        self._ask_keyframe = ask_keyframe
        self._codec = codec
        self._video = "video" in kinds
        self._container: Any = None
        self._streams: dict[str, Any] = {}
        self._start: float | None = None
        self._lock: int | None = None
        # After a failed start (a full disk, say), when to try again.
        self._retry_at = 0.0
        self.frames = 0

    def write(self, kind: str, frame: Frame) -> None:
        """Mux one forwarded frame."""
        if self._container is None:
            if time.monotonic() < self._retry_at:
                return
            if self._video and (kind != "video" or not frame.keyframe):
                if kind == "video" and self._ask_keyframe is not None:
                    self._ask_keyframe()
                return
            self._open(frame.data if self._video else None)
            if self._container is None:
                return
        seconds = frame.timestamp / CLOCK_RATES[kind]
        if self._start is None:
            self._start = seconds
        packet = av.Packet(frame.data)
        packet.stream = self._streams[kind]
        packet.time_base = Fraction(1, 1000)
        packet.pts = packet.dts = max(0, round((seconds - self._start) * 1000))
        packet.is_keyframe = frame.keyframe
        try:
            self._container.mux(packet)
            self.frames += 1
        except av.FFmpegError as exc:
            log.warning("recording %s: frame dropped (%s)", self.path.name, exc)

    def _open(self, first: bytes | None) -> None:
        size = None
        if first is not None:
            size = vp8_size(first) if self._codec == "VP8" else (1280, 720)
            if size is None:
                return
        part = self.path.with_suffix(".part")
        container = None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # flock, not a lock file: the kernel lets go of it when this process dies. The
            # file is made here (and must be new) because FFmpeg opens it only at the first
            # packet (same inode, lock kept).
            self._lock = os.open(part, os.O_RDONLY | os.O_CREAT | os.O_EXCL, 0o644)
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            container = av.open(str(part), "w", format="matroska")
            streams: dict[str, Any] = {}
            if size is not None:
                video = container.add_stream(
                    "libvpx" if self._codec == "VP8" else "libx264", rate=30
                )
                video.width, video.height = size
                streams["video"] = video
            streams["audio"] = container.add_stream("libopus", rate=48_000)
        except (OSError, av.FFmpegError, ValueError) as exc:
            log.error("recording %s could not start (%s); trying again shortly", part.name, exc)
            self._retry_at = time.monotonic() + RECORDING_RETRY_SECONDS
            if container is not None:
                with contextlib.suppress(Exception):
                    container.close()
            if self._lock is not None:
                # Only a file this recording made is removed.
                part.unlink(missing_ok=True)
                os.close(self._lock)
                self._lock = None
            return
        self._streams = streams
        self._container = container

    def close(self) -> None:
        """Finish the file; a finished recording loses its `.part` suffix."""
        if self._container is None:
            return
        try:
            self._container.close()
            self.path.with_suffix(".part").rename(self.path)
        finally:
            self._container = None
            if self._lock is not None:
                os.close(self._lock)
                self._lock = None


def claim_recordings(data_dir: Path) -> int | None:
    """Lock the data folder's recordings for this relay's lifetime, or None when another
    relay holds them. Only the holder finishes interrupted recordings, so no relay ever
    takes a file from under another one that is starting to write it."""
    folder = data_dir / "recordings"
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder / ".relay.lock", os.O_RDONLY | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    return fd


def free_recording_path(path: Path, taken: Collection[Path] = ()) -> Path:
    """`path` (a recording's), or its first copy that no file, `.part` file or `taken` path
    holds: no recording is ever written over."""
    free, copy = path, 1
    while free in taken or free.exists() or free.with_suffix(".part").exists():
        copy += 1
        free = path.with_name(recording_copy(path.name, copy))
        if parse_recording_file(free.name) is None:
            raise RelayError(f"no copy number left for {path.name}")
    return free


def recover_recordings(data_dir: Path) -> list[Path]:
    """Finish the recordings a dead relay left as `.part` files: what reached the disk plays
    (Matroska needs no index to be read from the start). Empty ones are removed; files not
    named as recordings are left alone, with a warning."""
    recovered = []
    for part in sorted((data_dir / "recordings").glob("*/*.part")):
        try:
            fd = os.open(part, os.O_RDONLY)
        except FileNotFoundError:
            continue
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue  # a living relay is writing it
            held = os.fstat(fd)
            if held.st_ino != os.stat(part).st_ino:
                continue  # finished (and its name reused) since we opened it
            if held.st_size == 0:
                part.unlink()
                continue
            finished = part.with_suffix(".mkv")
            if parse_recording_file(finished.name) is None:
                log.warning("%s is not a recording's name; left as it is", part)
                continue
            if finished.exists():
                finished = free_recording_path(finished)
            part.rename(finished)
            recovered.append(finished)
        except FileNotFoundError:
            continue  # finished by its writer in the meantime
        except RelayError as exc:
            log.warning("%s left as it is: %s", part, exc)
        finally:
            os.close(fd)
    for path in recovered:
        log.warning("recording %s was interrupted; kept what was written", path.name)
    return recovered
