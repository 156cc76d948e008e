"""What the relay refuses, with the HTTP status its loopback API answers."""

from __future__ import annotations


class RelayError(Exception):
    """A request the relay refuses; the text says why."""

    status = 400


class SlotTaken(RelayError):
    """Someone publishes there already, and the newcomer did not ask to replace them."""

    status = 409


class NotFound(RelayError):
    """No such connection here (or not the caller's)."""

    status = 404
