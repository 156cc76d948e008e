"""The relay's processes end with the process that started them."""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import signal
import threading
import time

log = logging.getLogger("ketnoi.relay")
PR_SET_PDEATHSIG = 1


def die_with_parent(poll_seconds: float = 1.0) -> None:
    """On Linux, end (SIGTERM: a graceful stop) when the process that started this one ends,
    however it ends.

    The kernel's parent-death signal comes first; a thread watching the parent backs it up,
    since that SIGTERM was seen lost now and then in a busy player, which then published on
    with nobody to stop it.
    """
    parent = os.getppid()
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl.argtypes = [ctypes.c_int, ctypes.c_ulong]
        libc.prctl.restype = ctypes.c_int
        if libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGTERM)) != 0:
            log.warning("cannot ask to end with the parent: %s", os.strerror(ctypes.get_errno()))
    if parent == 1 or os.getppid() != parent:
        # The parent was gone before the request took effect.
        raise SystemExit(0)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(poll_seconds)
        log.warning("the process that started this one is gone; stopping")
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()
