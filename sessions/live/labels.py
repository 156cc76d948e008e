"""What the live widgets of the programme write: questions, the floor, polls, the desk."""

from __future__ import annotations

from server.i18n import gettext


def live_labels() -> dict[str, str]:
    """The labels, in the reader's language."""
    return {
        "no_questions": gettext("No questions yet. Ask the first one."),
        "vote_one": gettext("%(n)s vote"),
        "vote_many": gettext("%(n)s votes"),
        "upvote": gettext("Upvote"),
        "voted": gettext("Voted"),
        "answered": gettext("Answered"),
        "hidden": gettext("Hidden"),
        "mark_answered": gettext("Mark answered"),
        "reopen": gettext("Reopen"),
        "floor_speaker": gettext("Speaking now"),
        "desk_idle": gettext("This browser is not publishing."),
        "desk_live": gettext("This camera is the hall feed, live for every point."),
        "desk_interpreting": gettext("You are interpreting into %(language)s."),
        "language_code": gettext("Type a language code of two or three letters (en, ja, zh)."),
        "raise_hand": gettext("Raise hand"),
        "lower_hand": gettext("Lower hand"),
        "give_back": gettext("Give the floor back"),
        "hand_hint": gettext("Raise your hand to ask for the floor."),
        "queue_position": gettext("Your hand is raised: number %(n)s in the queue."),
        "have_floor": gettext("You have the floor."),
        "grant": gettext("Give the floor"),
        "revoke": gettext("End"),
        "skip": gettext("Skip"),
        "waiting": gettext("waiting %(time)s"),
        "speaking": gettext("speaking %(time)s"),
        "queue_empty": gettext("Nobody is waiting."),
        "no_speaker": gettext("Nobody has the floor."),
        "no_polls": gettext("No polls yet."),
        "vote": gettext("Vote"),
        "change_vote": gettext("Change my vote"),
        "close_poll": gettext("Close the poll"),
        "poll_open": gettext("Open"),
        "poll_closed": gettext("Closed"),
        "single_choice": gettext("One choice"),
        "multiple_choice": gettext("Several choices"),
        "voters_one": gettext("%(n)s has voted"),
        "voters_many": gettext("%(n)s have voted"),
        "points_online": gettext("%(online)s of %(total)s points online"),
    }
