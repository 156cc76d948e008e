"""Presence bookkeeping: who is in which channel, across tabs and server processes (no I/O)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Member:
    """A person or room as the hub names it: `a:<account id>` or `p:<point id>`."""

    key: str
    kind: str
    id: int
    name: str

    def as_dict(self) -> dict[str, Any]:
        """The member as sent to clients."""
        return {"key": self.key, "kind": self.kind, "id": self.id, "name": self.name}

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Member:
        """A member from its client form (as other processes send it)."""
        return cls(
            key=str(raw["key"]), kind=str(raw["kind"]), id=int(raw["id"]), name=str(raw["name"])
        )


Changes = dict[str, tuple[list[Member], list[Member]]]


class PresenceBook:
    """Connection counts per channel, member and node; a member is present while any count is.

    Changes are collected and taken in batches, so a member who leaves and comes back between
    two batches (a reload) is reported to nobody.
    """

    def __init__(self) -> None:
        # channel -> member key -> node -> open connections
        self._counts: dict[str, dict[str, dict[str, int]]] = {}
        self._members: dict[str, Member] = {}
        # channel -> member key -> present before the first change of this batch
        self._pending: dict[str, dict[str, bool]] = {}

    def add(self, node: str, channel: str, member: Member) -> bool:
        """Count one more connection; True when it is the member's first on this node."""
        self._members[member.key] = member
        by_member = self._counts.setdefault(channel, {})
        by_node = by_member.setdefault(member.key, {})
        if not by_node:
            self._note(channel, member.key, False)
        first_here = node not in by_node
        by_node[node] = by_node.get(node, 0) + 1
        return first_here

    def remove(self, node: str, channel: str, key: str) -> bool:
        """Count one connection less; True when it was the member's last on this node."""
        by_member = self._counts.get(channel)
        by_node = by_member.get(key) if by_member is not None else None
        if by_member is None or by_node is None or node not in by_node:
            return False
        left_count = by_node[node] - 1
        if left_count > 0:
            by_node[node] = left_count
            return False
        del by_node[node]
        if not by_node:
            del by_member[key]
            if not by_member:
                del self._counts[channel]
            self._note(channel, key, True)
        return True

    def replace_node(self, node: str, channels: dict[str, list[Member]]) -> None:
        """Set everything another node reports (its snapshot), replacing what it reported before."""
        self.drop_node(node)
        for channel, members in channels.items():
            for member in members:
                self.add(node, channel, member)

    def drop_node(self, node: str) -> None:
        """Forget a node (it stopped, or went silent)."""
        for channel in list(self._counts):
            for key in list(self._counts.get(channel, {})):
                by_node = self._counts[channel][key]
                if node in by_node:
                    by_node[node] = 1
                    self.remove(node, channel, key)

    def members(self, channel: str) -> list[Member]:
        """Who is present in a channel, by name."""
        keys = self._counts.get(channel, {})
        return sorted((self._members[k] for k in keys), key=lambda m: (m.name, m.key))

    def is_present(self, channel: str, key: str) -> bool:
        """True while the member has a connection in the channel on any node."""
        return key in self._counts.get(channel, {})

    def node_snapshot(self, node: str) -> dict[str, list[Member]]:
        """What one node contributes, for its heartbeat."""
        snapshot: dict[str, list[Member]] = {}
        for channel, by_member in self._counts.items():
            here = [self._members[k] for k, by_node in by_member.items() if node in by_node]
            if here:
                snapshot[channel] = here
        return snapshot

    def take_changes(self) -> Changes:
        """Joins and leaves since the last call, per channel; comings and goings cancel out."""
        changes: Changes = {}
        pending, self._pending = self._pending, {}
        for channel, before in pending.items():
            joined: list[Member] = []
            left: list[Member] = []
            for key, was_present in before.items():
                now_present = self.is_present(channel, key)
                if now_present and not was_present:
                    joined.append(self._members[key])
                elif was_present and not now_present:
                    left.append(self._members[key])
            if joined or left:
                changes[channel] = (joined, left)
        return changes

    def _note(self, channel: str, key: str, was_present: bool) -> None:
        self._pending.setdefault(channel, {}).setdefault(key, was_present)
