"""The hub in real server processes: restart, slow consumers, Redis fan-out between two processes."""

from __future__ import annotations

import asyncio
import json
import socket
from pathlib import Path

from websockets.asyncio.client import connect as ws_connect

from server.identity.auth import SESSION_COOKIE
from tests.hubpeer import World
from tests.hubprocess import PROCESS_SECRET, Client, HubServer
from tests.services import RedisServer


def contiguous(seqs: list[int]) -> int:
    """The highest number up to which every message was received."""
    have, top = set(seqs), 0
    while top + 1 in have:
        top += 1
    return top


def test_nothing_acknowledged_is_lost_or_repeated_across_a_restart(
    data_dir: Path, people: World, servers: list[HubServer]
) -> None:
    server = HubServer(data_dir, PROCESS_SECRET)
    servers.append(server.start())
    talk = f"talk:{people.talk.id}"

    async def before() -> tuple[Client, str, dict[int, int]]:
        reader = await Client.open(server, people.tokyo)
        epoch = (await reader.ok("subscribe", channel=talk))["epoch"]
        sender = await Client.open(server, people.hanoi)
        acked = {}
        for n in range(1, 11):
            answer = await sender.ok(
                "chat.send", channel=talk, client_id=f"m{n}", body=f"tin nhắn {n}"
            )
            acked[n] = answer["seq"]
        await reader.collect(0.5)
        await sender.close()
        return reader, epoch, acked

    async def restart_seen_by(reader: Client) -> int | None:
        await asyncio.to_thread(server.stop)
        await reader.collect(3)
        await asyncio.to_thread(server.start)
        return reader.closed_code

    async def after(reader: Client, epoch: str, acked: dict[int, int]) -> Client:
        sender = await Client.open(server, people.hanoi)
        # The last one again, as a client that never saw its answer would: same message.
        again = await sender.ok("chat.send", channel=talk, client_id="m10", body="tin nhắn 10")
        assert again["duplicate"] is True
        assert again["seq"] == acked[10]
        for n in range(11, 21):
            answer = await sender.ok(
                "chat.send", channel=talk, client_id=f"m{n}", body=f"tin nhắn {n}"
            )
            acked[n] = answer["seq"]
        await sender.close()
        resumed = await Client.open(server, people.tokyo)
        since = contiguous(reader.chat_seqs(talk))
        answer = await resumed.ok("subscribe", channel=talk, since=since, epoch=epoch)
        assert answer["reset"] is False
        await resumed.collect(1)
        return resumed

    async def scenario() -> None:
        reader, epoch, acked = await before()
        assert reader.chat_seqs(talk) == list(range(1, 11))
        assert await restart_seen_by(reader) == 1012
        resumed = await after(reader, epoch, acked)
        everything = reader.chat_seqs(talk) + resumed.chat_seqs(talk)
        assert everything == sorted(acked.values()) == list(range(1, 21))
        bodies = [e["body"] for e in reader.events + resumed.events if e["type"] == "chat.message"]
        assert bodies == [f"tin nhắn {n}" for n in range(1, 21)]
        await resumed.close()
        await reader.close()

    asyncio.run(scenario())


def test_a_client_that_stops_reading_is_cut_off_and_the_others_get_everything(
    data_dir: Path, people: World, servers: list[HubServer]
) -> None:
    server = HubServer(
        data_dir,
        PROCESS_SECRET,
        hub_send_budget_bytes="65536",
        chat_messages_per_minute="100000",
        hub_requests_per_minute="100000",
    )
    servers.append(server.start())
    talk = f"talk:{people.talk.id}"
    # Enough to fill the kernel's socket buffers (they grow to megabytes on loopback).
    body = "🥕" * 1990
    count = 700

    async def stuck_client() -> Client:
        # A small receive buffer, and the client library stops reading after one frame.
        raw = socket.socket()
        raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        raw.connect(("127.0.0.1", server.port))
        ws = await ws_connect(
            server.ws_url,
            sock=raw,
            origin=server.url,  # type: ignore[arg-type]
            additional_headers={"cookie": f"{SESSION_COOKIE}={people.hanoi}"},
            compression=None,
            max_queue=1,
        )
        client = Client(ws)
        await client.next_frame(5)
        await client.ok("subscribe", channel=talk)
        return client

    async def scenario() -> None:
        watcher = await Client.open(server, people.organiser)
        epoch = (await watcher.ok("subscribe", channel=talk))["epoch"]
        stuck = await stuck_client()
        sender = await Client.open(server, people.tokyo)
        # The watcher reads all along, as a browser does.
        watching = asyncio.create_task(
            watcher.collect(120, until=lambda: len(watcher.chat_seqs(talk)) >= count)
        )
        for n in range(1, count + 1):
            request = {"type": "chat.send", "id": n, "channel": talk, "client_id": f"s{n}"}
            frame = {**request, "body": f"{n} {body}"}
            await sender.ws.send(json.dumps(frame, ensure_ascii=False))
        answers = []
        for _ in range(count):
            answers.append(await sender.next_frame(60))
            assert answers[-1]["type"] == "ok", answers[-1]
        assert [a["type"] for a in answers] == ["ok"] * count
        await watching
        await watcher.collect(2)
        assert watcher.chat_seqs(talk) == list(range(1, count + 1))
        hanoi = f"p:{people.hanoi_point.id}"
        left = [
            e
            for e in watcher.events
            if e["type"] == "presence" and hanoi in [m["key"] for m in e["left"]]
        ]
        assert left, "the stuck client was not cut off"
        # The stuck client got part of it, then its connection ended; it catches up by resume.
        await stuck.collect(5)
        got = stuck.chat_seqs(talk)
        assert len(got) < count
        assert stuck.closed_code is not None
        resumed = await Client.open(server, people.hanoi)
        answer = await resumed.ok("subscribe", channel=talk, since=contiguous(got), epoch=epoch)
        assert answer["reset"] is False
        await resumed.collect(2)
        assert sorted(set(got) | set(resumed.chat_seqs(talk))) == list(range(1, count + 1))
        assert not set(resumed.chat_seqs(talk)) & set(range(1, contiguous(got) + 1))
        for client in (watcher, stuck, sender, resumed):
            await client.close()

    asyncio.run(scenario())


def test_two_processes_share_channels_and_presence_through_redis(
    data_dir: Path, people: World, servers: list[HubServer], redis_server: RedisServer
) -> None:
    first = HubServer(data_dir, PROCESS_SECRET, redis_url=redis_server.url)
    second = HubServer(data_dir, PROCESS_SECRET, redis_url=redis_server.url)
    servers.extend([first.start(), second.start()])
    talk, event = f"talk:{people.talk.id}", f"event:{people.event.id}"
    tokyo = f"p:{people.tokyo_point.id}"

    async def presence_of(client: Client, channel: str) -> set[str]:
        listed = (await client.ok("presence.list", channel=channel))["presence"]
        return {m["key"] for m in listed}

    async def scenario() -> None:
        organiser = await Client.open(second, people.organiser)
        await organiser.ok("subscribe", channel=talk)
        await organiser.ok("subscribe", channel=event)
        room = await Client.open(first, people.tokyo)
        await room.ok("subscribe", channel=talk)
        await room.ok("subscribe", channel=event)

        for _ in range(50):
            if tokyo in await presence_of(organiser, event):
                break
            await asyncio.sleep(0.1)
        assert tokyo in await presence_of(organiser, event)

        await room.ok("chat.send", channel=talk, client_id="x1", body="Chào từ Tokyo")
        await organiser.ok("announce.send", event=people.event.id, body="Nghỉ giải lao 15 phút")
        await organiser.collect(1)
        await room.collect(1)
        assert [e["body"] for e in organiser.events if e["type"] == "chat.message"] == [
            "Chào từ Tokyo"
        ]
        banners = [e for e in room.events if e["type"] == "announce"]
        assert banners[-1]["announcement"]["body"] == "Nghỉ giải lao 15 phút"

        await room.close()
        for _ in range(50):
            if tokyo not in await presence_of(organiser, event):
                break
            await asyncio.sleep(0.1)
        assert tokyo not in await presence_of(organiser, event)
        await organiser.close()

    asyncio.run(scenario())
