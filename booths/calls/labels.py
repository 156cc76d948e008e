"""What a booth's video call writes on the page."""

from __future__ import annotations

from server.i18n import gettext


def call_labels() -> dict[str, str]:
    """The labels, in the reader's language."""
    return {
        "call_join": gettext("Join the video call"),
        "call_leave": gettext("Leave the call"),
        "call_empty": gettext("Nobody else is in the call yet."),
        "call_in": gettext("You are in the call."),
        "call_full": gettext("This call already has as many people as it may."),
    }
