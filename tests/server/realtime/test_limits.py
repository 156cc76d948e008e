"""The hub's limits in a real server process: frame size at the protocol, sockets per member."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

from websockets.asyncio.client import connect as ws_connect
from websockets.exceptions import ConnectionClosed

from server.identity.auth import SESSION_COOKIE
from tests.hubpeer import World
from tests.hubprocess import PROCESS_SECRET, Client, HubServer

TOO_BIG = 4 * 1024 * 1024


def rss_mib(pid: int) -> float:
    """The process's resident memory, in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def test_frames_over_the_limit_are_refused_unread_and_the_server_does_not_grow(
    data_dir: Path, people: World, servers: list[HubServer]
) -> None:
    server = HubServer(data_dir, PROCESS_SECRET, hub_max_sockets_per_member="40")
    servers.append(server.start())
    assert server.process is not None
    pid = server.process.pid

    async def oversized() -> int | None:
        async with ws_connect(
            server.ws_url,
            origin=server.url,  # type: ignore[arg-type]
            additional_headers={"cookie": f"{SESSION_COOKIE}={people.tokyo}"},
            compression=None,
            max_size=None,
        ) as ws:
            assert '"hello"' in str(await ws.recv())
            with contextlib.suppress(ConnectionClosed):
                await ws.send("x" * TOO_BIG)
                await asyncio.wait_for(ws.recv(), 10)
            with contextlib.suppress(ConnectionClosed, TimeoutError):
                await asyncio.wait_for(ws.wait_closed(), 10)
            return ws.close_code

    async def scenario() -> list[int | None]:
        # Warm the server up once, so what it allocates for its first socket is not counted.
        first = await Client.open(server, people.tokyo)
        await first.close()
        return await asyncio.gather(*(oversized() for _ in range(20)))

    before = rss_mib(pid)
    codes = asyncio.run(scenario())
    after = rss_mib(pid)
    # 1009: "message too big", said by the protocol before the frame is buffered.
    assert codes == [1009] * 20
    # Twenty 4 MiB frames read whole would be 80 MiB.
    assert after - before < 8, (before, after)


def test_one_member_may_hold_only_so_many_sockets(
    data_dir: Path, people: World, servers: list[HubServer]
) -> None:
    server = HubServer(data_dir, PROCESS_SECRET, hub_max_sockets_per_member="2")
    servers.append(server.start())

    async def scenario() -> None:
        tabs = [await Client.open(server, people.tokyo) for _ in range(2)]
        other = await Client.open(server, people.hanoi)
        async with ws_connect(
            server.ws_url,
            origin=server.url,  # type: ignore[arg-type]
            additional_headers={"cookie": f"{SESSION_COOKIE}={people.tokyo}"},
            compression=None,
        ) as third:
            with contextlib.suppress(ConnectionClosed):
                await asyncio.wait_for(third.recv(), 5)
            assert third.close_code == 4429
        # The member's open sockets and everybody else's go on.
        for client in [*tabs, other]:
            assert (await client.request("ping"))["type"] == "pong"
        await tabs[0].close()
        again = await Client.open(server, people.tokyo)
        assert (await again.request("ping"))["type"] == "pong"
        for client in [again, tabs[1], other]:
            await client.close()

    asyncio.run(scenario())
