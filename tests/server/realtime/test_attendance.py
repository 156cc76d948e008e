"""The attendance recorder: stays stored, and a stop that never hangs."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import cast

from sqlmodel import Session, select

from server.db import make_engine, make_sessionmaker
from server.realtime.attendance import AttendanceRecorder
from server.realtime.hub import Hub
from server.realtime.models import PresenceInterval
from server.realtime.presence import Member
from server.settings import Settings
from tests.hubpeer import World


@dataclass
class PresenceSource:
    """What the attendance recorder needs of a hub: a node name and its presence hooks."""

    node: str = "test-node"
    hooks: list[Callable[[str, Member, bool], None]] = field(default_factory=list)

    def on_presence(self, hook: Callable[[str, Member, bool], None]) -> None:
        """Register a hook, as `Hub.on_presence` does."""
        self.hooks.append(hook)

    def change(self, channel: str, member: Member, joined: bool) -> None:
        """A member joins or leaves a channel of this process."""
        for hook in self.hooks:
            hook(channel, member, joined)


def test_the_server_stops_even_when_a_room_left_in_the_same_instant(
    hub_settings: Settings, world: World, hub_db: Session
) -> None:
    # At shutdown the hub closes every socket (rooms leave, waking the attendance recorder)
    # and the recorder is stopped right after: its stop must not wait for ever.
    room = Member(
        key=f"p:{world.tokyo_point.id}",
        kind="point",
        id=world.tokyo_point.id or 0,
        name=world.tokyo_point.name,
    )
    channel = f"event:{world.event.id}"

    async def stops_at_once(yields: int) -> bool:
        hub = PresenceSource()
        recorder = AttendanceRecorder(cast(Hub, hub), sessionmaker)
        await recorder.start()
        hub.change(channel, room, True)
        await asyncio.sleep(0.1)
        hub.change(channel, room, False)
        for _ in range(yields):
            await asyncio.sleep(0)
        stopping = asyncio.create_task(recorder.stop())
        done, _ = await asyncio.wait({stopping}, timeout=1)
        if not done:
            # Unstick it so this test ends: cancelling the stop cancels the recorder's task.
            stopping.cancel()
            await asyncio.wait({stopping}, timeout=2)
        return bool(done)

    async def scenario() -> list[int]:
        stuck = [yields for yields in range(4) if not await stops_at_once(yields)]
        await engine.dispose()
        return stuck

    engine = make_engine(hub_settings)
    sessionmaker = make_sessionmaker(engine)
    assert asyncio.run(scenario()) == [], "the recorder did not stop (after that many yields)"
    # Each stay was stored and closed.
    stays = hub_db.exec(select(PresenceInterval)).all()
    assert len(stays) == 4
    assert all(s.left_at is not None for s in stays)
