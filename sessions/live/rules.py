"""Poll counting and ballot checks."""

from __future__ import annotations


def poll_counts(option_count: int, ballots: list[list[int]]) -> list[int]:
    """Votes per option; choices outside the options are ignored."""
    counts = [0] * option_count
    for choices in ballots:
        for index in set(choices):
            if 0 <= index < option_count:
                counts[index] += 1
    return counts


def check_poll_choices(choices: list[int], option_count: int, multiple: bool) -> str | None:
    """Why a ballot is invalid (a code), or None when it is fine."""
    if not choices:
        return "poll_no_choice"
    if len(set(choices)) != len(choices) or any(not 0 <= c < option_count for c in choices):
        return "poll_bad_choice"
    if not multiple and len(choices) != 1:
        return "poll_single_choice"
    return None
