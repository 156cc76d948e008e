"""The realtime hub in-process: handshake, protocol errors, permissions, durable chat, presence."""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select
from starlette.websockets import WebSocketDisconnect

from server.chat.models import ChatMessage
from server.realtime.models import PresenceInterval
from server.settings import Settings
from tests.hubpeer import Peer, World, connect


def refused(client: TestClient, token: str | None, **kwargs: str) -> bool:
    try:
        with connect(client, token, **kwargs):
            return False
    except WebSocketDisconnect:
        return True


def test_handshake_needs_same_origin_a_session_and_a_known_version(
    hub_client: TestClient, world: World
) -> None:
    assert refused(hub_client, world.tokyo, origin="https://evil.example")
    assert refused(hub_client, None)
    assert refused(hub_client, "not-a-session")
    assert refused(hub_client, world.tokyo, version="9")
    with connect(hub_client, world.tokyo) as peer:
        assert peer.hello["type"] == "hello"
        assert peer.hello["protocol"] == 1
        assert peer.hello["me"] == {
            "key": f"p:{world.tokyo_point.id}",
            "kind": "point",
            "id": world.tokyo_point.id,
            "name": "Thương vụ Việt Nam tại Nhật Bản",
        }


def test_bad_frames_get_codes_and_the_socket_stays_usable(
    hub_client: TestClient, world: World, hub_settings: Settings
) -> None:
    with connect(hub_client, world.tokyo) as peer:
        cases = [
            ("{not json", "invalid_json"),
            ("[1, 2]", "invalid_message"),
            ('{"type": "no.such", "id": 1}', "unknown_type"),
            (
                '{"type": "subscribe", "id": 2, "channel": "talk:1", "colour": "red"}',
                "invalid_message",
            ),
            ("x" * (hub_settings.hub_max_frame_bytes + 1), "frame_too_large"),
        ]
        for text, code in cases[:4]:
            peer.ws.send_text(text)
            frame = peer.ws.receive_json()
            assert (frame["type"], frame["code"]) == ("error", code), text
            assert frame["message"]
            assert peer.request("ping")["type"] == "pong"
        peer.ws.send_text(cases[4][0])
        assert peer.ws.receive_json()["code"] == "frame_too_large"
        assert peer.request("ping")["type"] == "pong"
        # The fifth bad frame was the last one allowed this minute; the next one closes.
        peer.ws.send_text("{")
        assert peer.ws.receive_json()["code"] == "invalid_json"
        with pytest.raises(WebSocketDisconnect) as closed:
            peer.ws.receive_json()
        assert closed.value.code == 1008


def test_error_messages_follow_the_users_language(hub_client: TestClient, world: World) -> None:
    with connect(hub_client, world.tokyo) as peer:
        answer = peer.request("subscribe", channel="talk:999999")
        assert answer["code"] == "unknown_channel" or answer["code"] == "channel_forbidden"
        # Points have no account: the site default (Vietnamese) applies.
        assert answer["message"] != "You may not follow this channel."


def test_subscribe_checks_role_and_resource(hub_client: TestClient, world: World) -> None:
    talk, event = f"talk:{world.talk.id}", f"event:{world.event.id}"
    with connect(hub_client, world.stranger) as stranger:
        assert stranger.request("subscribe", channel=talk)["code"] == "channel_forbidden"
        assert stranger.request("subscribe", channel=event)["code"] == "channel_forbidden"
        assert stranger.request("subscribe", channel="nope:1")["code"] == "unknown_channel"
        assert stranger.request("subscribe", channel=f"talk:{world.other_talk.id}")["type"] == "ok"
    with connect(hub_client, world.other_point) as other:
        assert other.request("subscribe", channel=talk)["code"] == "channel_forbidden"
    with connect(hub_client, world.tokyo) as tokyo:
        assert tokyo.request("subscribe", channel=talk)["type"] == "ok"
        own = f"point:{world.tokyo_point.id}"
        assert tokyo.request("subscribe", channel=own)["type"] == "ok"
        assert (
            tokyo.request("subscribe", channel=f"point:{world.hanoi_point.id}")["code"]
            == "channel_forbidden"
        )
        assert (
            tokyo.request("subscribe", channel=f"account:{world.counsellor_id}")["code"]
            == "channel_forbidden"
        )
    with connect(hub_client, world.organiser) as organiser:
        assert (
            organiser.request("subscribe", channel=f"point:{world.hanoi_point.id}")["type"] == "ok"
        )
    with connect(hub_client, world.counsellor) as counsellor:
        assert (
            counsellor.request("subscribe", channel=f"account:{world.counsellor_id}")["type"]
            == "ok"
        )


def test_chat_is_stored_numbered_delivered_and_idempotent(
    hub_client: TestClient, world: World, hub_db: Session
) -> None:
    talk = f"talk:{world.talk.id}"
    text = "Xin chào từ Tokyo: cà rốt Hải Dương đạt chuẩn GlobalGAP 🥕"
    with connect(hub_client, world.tokyo) as tokyo, connect(hub_client, world.hanoi) as hanoi:
        tokyo.ok("subscribe", channel=talk)
        hanoi.ok("subscribe", channel=talk)
        first = tokyo.ok("chat.send", channel=talk, client_id="c-1", body=f"  {text}  ")
        assert first["seq"] == 1
        assert first["duplicate"] is False
        again = tokyo.ok("chat.send", channel=talk, client_id="c-1", body=text)
        assert again["seq"] == 1
        assert again["duplicate"] is True
        second = hanoi.ok("chat.send", channel=talk, client_id="c-1", body="Đã nhận")
        assert second["seq"] == 2

        received = [e for e in hanoi.sync() if e["type"] == "chat.message"]
        assert [m["seq"] for m in received] == [1, 2]
        assert received[0]["body"] == text
        assert received[0]["author"]["name"] == "Thương vụ Việt Nam tại Nhật Bản"
    stored = hub_db.exec(select(ChatMessage).order_by(col(ChatMessage.seq))).all()
    assert [(m.seq, m.body) for m in stored] == [(1, text), (2, "Đã nhận")]


def test_the_longest_message_passes_and_one_more_character_fails(
    hub_client: TestClient, world: World, hub_settings: Settings
) -> None:
    talk = f"talk:{world.talk.id}"
    limit = hub_settings.chat_max_length
    with connect(hub_client, world.counsellor) as peer:
        assert peer.ok("chat.send", channel=talk, client_id="a", body="ệ" * limit)["seq"] == 1
        too_long = peer.request("chat.send", channel=talk, client_id="b", body="ệ" * (limit + 1))
        assert too_long["code"] == "chat_too_long"
        assert str(limit) in too_long["message"]
        assert (
            peer.request("chat.send", channel=talk, client_id="c", body="   ")["code"]
            == "chat_empty"
        )
        assert peer.ok("chat.history", channel=talk)["last_seq"] == 1


def test_chat_rate_limit_per_sender(
    hub_client: TestClient, world: World, hub_settings: Settings
) -> None:
    talk = f"talk:{world.talk.id}"
    with connect(hub_client, world.hanoi) as peer:
        for n in range(hub_settings.chat_messages_per_minute):
            peer.ok("chat.send", channel=talk, client_id=f"m{n}", body=f"tin {n}")
        over = peer.request("chat.send", channel=talk, client_id="over", body="một tin nữa")
        assert over["code"] == "chat_rate_limited"
        assert (
            peer.ok("chat.history", channel=talk)["last_seq"]
            == hub_settings.chat_messages_per_minute
        )


def test_resume_after_a_dropped_socket_misses_nothing_and_repeats_nothing(
    hub_client: TestClient, world: World
) -> None:
    talk = f"talk:{world.talk.id}"
    with connect(hub_client, world.hanoi) as sender:
        sender.ok("subscribe", channel=talk)
        with connect(hub_client, world.tokyo) as tokyo:
            sub = tokyo.ok("subscribe", channel=talk)
            epoch = sub["epoch"]
            for n in (1, 2):
                sender.ok("chat.send", channel=talk, client_id=f"m{n}", body=f"tin {n}")
            seen = [e["seq"] for e in tokyo.sync() if e["type"] == "chat.message"]
            assert seen == [1, 2]
        for n in (3, 4, 5):
            sender.ok("chat.send", channel=talk, client_id=f"m{n}", body=f"tin {n}")
        with connect(hub_client, world.tokyo) as tokyo:
            answer = tokyo.ok("subscribe", channel=talk, since=2, epoch=epoch)
            assert answer["reset"] is False
            assert answer["last_seq"] == 5
            sender.ok("chat.send", channel=talk, client_id="m6", body="tin 6")
            seqs = [e["seq"] for e in tokyo.sync() if e["type"] == "chat.message"]
            assert seqs == [3, 4, 5, 6]

        with connect(hub_client, world.tokyo) as tokyo:
            stale = tokyo.ok("subscribe", channel=talk, since=2, epoch="another-epoch")
            assert stale["reset"] is True
            assert not [e for e in tokyo.sync() if e["type"] == "chat.message"]


def test_history_pages_backwards(hub_client: TestClient, world: World) -> None:
    talk = f"talk:{world.talk.id}"
    with connect(hub_client, world.counsellor) as peer:
        for n in range(1, 8):
            peer.ok("chat.send", channel=talk, client_id=f"h{n}", body=f"tin {n}")
        newest = peer.ok("chat.history", channel=talk, limit=3)
        assert [m["seq"] for m in newest["messages"]] == [5, 6, 7]
        assert newest["more"] is True
        older = peer.ok("chat.history", channel=talk, before=5, limit=3)
        assert [m["seq"] for m in older["messages"]] == [2, 3, 4]
        oldest = peer.ok("chat.history", channel=talk, before=2, limit=3)
        assert [m["seq"] for m in oldest["messages"]] == [1]
        assert oldest["more"] is False


def test_organisers_hide_messages_and_mute_members(hub_client: TestClient, world: World) -> None:
    talk = f"talk:{world.talk.id}"
    tokyo_key = f"p:{world.tokyo_point.id}"
    with connect(hub_client, world.tokyo) as tokyo, connect(hub_client, world.organiser) as org:
        tokyo.ok("subscribe", channel=talk)
        org.ok("subscribe", channel=talk)
        tokyo.ok("chat.send", channel=talk, client_id="x", body="<script>alert(1)</script>")
        assert tokyo.request("chat.hide", channel=talk, seq=1)["code"] == "not_moderator"
        org.ok("chat.hide", channel=talk, seq=1)
        hidden = [e for e in tokyo.sync() if e["type"] == "chat.hidden"]
        assert hidden == [{"type": "chat.hidden", "channel": talk, "seqs": [1]}]
        page = tokyo.ok("chat.history", channel=talk)["messages"]
        assert page == [{"seq": 1, "hidden": True}]

        org.ok("chat.mute", channel=talk, member=tokyo_key)
        muted = tokyo.request("chat.send", channel=talk, client_id="y", body="còn đó không?")
        assert muted["code"] == "muted"
        org.ok("chat.unmute", channel=talk, member=tokyo_key)
        assert tokyo.ok("chat.send", channel=talk, client_id="y", body="còn đó không?")["seq"] == 2


def test_a_revoked_session_is_closed_within_seconds(
    hub_client: TestClient, world: World, hub_db: Session
) -> None:
    from server.db import utcnow
    from server.identity.models import AuthSession
    from server.rules import token_hash

    with connect(hub_client, world.tokyo) as peer:
        row = hub_db.exec(
            select(AuthSession).where(AuthSession.token_hash == token_hash(world.tokyo))
        ).one()
        row.revoked_at = utcnow()
        hub_db.add(row)
        hub_db.commit()
        started = time.monotonic()
        assert closed_with(peer, within=10) == 4401
        assert time.monotonic() - started < 10


def test_presence_counts_a_member_once_across_tabs(
    hub_client: TestClient, world: World, hub_db: Session
) -> None:
    event = f"event:{world.event.id}"
    tokyo_key = f"p:{world.tokyo_point.id}"
    with connect(hub_client, world.organiser) as org:
        org.ok("subscribe", channel=event)
        with connect(hub_client, world.tokyo) as tab1, connect(hub_client, world.tokyo) as tab2:
            tab1.ok("subscribe", channel=event)
            answer = tab2.ok("subscribe", channel=event)
            keys = [m["key"] for m in answer["presence"]]
            assert keys.count(tokyo_key) == 1
            joined = wait_for_presence(org, tokyo_key, "joined")
            assert joined == 1
        assert wait_for_presence(org, tokyo_key, "left") == 1
        listed = org.ok("presence.list", channel=event)["presence"]
        assert tokyo_key not in [m["key"] for m in listed]
    # One stretch for the two tabs, closed when the last one went (stored in the background).
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline:
        intervals = hub_db.exec(
            select(PresenceInterval).where(PresenceInterval.member_key == tokyo_key)
        ).all()
        if intervals and intervals[0].left_at is not None:
            break
        hub_db.expire_all()
        time.sleep(0.1)
    assert len(intervals) == 1
    assert intervals[0].left_at is not None
    assert intervals[0].left_at >= intervals[0].joined_at


def wait_for_presence(peer: Peer, key: str, what: str) -> int:
    """How many `presence` events named `key` under `what`, waiting up to 3 s for the first."""
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline:
        peer.sync()
        found = sum(
            1 for e in peer.events if e["type"] == "presence" and key in [m["key"] for m in e[what]]
        )
        if found:
            peer.take("presence")
            return found
        time.sleep(0.1)
    return 0


def closed_with(peer: Peer, within: float) -> int:
    """Ping until the server closes the socket; the close code (0 if it stayed open)."""
    deadline = time.monotonic() + within
    try:
        while time.monotonic() < deadline:
            peer.request("ping")
            time.sleep(0.05)
    except WebSocketDisconnect as closed:
        return closed.code
    return 0
