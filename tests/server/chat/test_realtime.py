"""Direct messages, booth chat moderated by its producers, and the end of sockets and servers."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from booths.stands.models import Booth
from server.chat.models import ChatMessage
from server.events.models import Role
from server.identity.models import OrganisationKind
from server.main import create_app
from server.settings import Settings
from tests.factories import add_account, add_organisation
from tests.hubpeer import World, add_session, connect

IDLE_SECONDS = 0.6


@dataclass
class Pair:
    """Two accounts of the world's event who may write to each other, signed in."""

    buyer_id: int
    buyer: str
    producer_id: int
    producer: str


@pytest.fixture
def pair(hub_db: Session, world: World) -> Pair:
    """A buyer and a producer of the world's event, each signed in."""
    buyer = add_account(hub_db, role=Role.buyer, event=world.event, display_name="Tanaka Hiroshi")
    producer = add_account(
        hub_db, role=Role.producer, event=world.event, display_name="Trần Thị Hoa"
    )
    assert buyer.id is not None
    assert producer.id is not None
    return Pair(
        buyer_id=buyer.id,
        buyer=add_session(hub_db, account_id=buyer.id),
        producer_id=producer.id,
        producer=add_session(hub_db, account_id=producer.id),
    )


# -- direct messages -------------------------------------------------------------------------


def test_dm_open_names_one_channel_for_the_two_accounts(hub_client: TestClient, pair: Pair) -> None:
    low, high = sorted((pair.buyer_id, pair.producer_id))
    with (
        connect(hub_client, pair.buyer) as buyer,
        connect(hub_client, pair.producer) as producer,
    ):
        opened = buyer.ok("dm.open", account=pair.producer_id)
        assert opened["channel"] == f"dm:{low}-{high}"
        assert producer.ok("dm.open", account=pair.buyer_id)["channel"] == f"dm:{low}-{high}"


def test_a_direct_message_notifies_the_other_account(
    hub_client: TestClient, pair: Pair, hub_db: Session
) -> None:
    own = f"account:{pair.producer_id}"
    with (
        connect(hub_client, pair.buyer) as buyer,
        connect(hub_client, pair.producer) as producer,
    ):
        producer.ok("subscribe", channel=own)
        dm = buyer.ok("dm.open", account=pair.producer_id)["channel"]
        epoch = buyer.ok("subscribe", channel=dm)["epoch"]
        text = "Chào chị Hoa, tôi muốn đặt 20 tấn cà rốt loại 1 giao tháng 12."
        assert buyer.ok("chat.send", channel=dm, client_id="d1", body=text)["seq"] == 1

        producer.sync()
        notes = producer.take("dm.notify")
        assert len(notes) == 1
        assert notes[0]["channel"] == own
        # The note names the conversation to open, and who wrote.
        assert notes[0]["dm"] == dm
        assert notes[0]["from"] == {
            "key": f"a:{pair.buyer_id}",
            "kind": "account",
            "id": pair.buyer_id,
            "name": "Tanaka Hiroshi",
        }
        # The sender is not notified of its own message.
        assert not [e for e in buyer.sync() if e["type"] == "dm.notify"]

        # Opening the conversation from the note shows the message that caused it.
        assert producer.ok("subscribe", channel=dm, since=0, epoch=epoch)["last_seq"] == 1
        replayed = [e for e in producer.sync() if e["type"] == "chat.message"]
        assert [(e["seq"], e["body"]) for e in replayed] == [(1, text)]
        producer.ok("chat.send", channel=dm, client_id="d2", body="Dạ, em gửi báo giá ngay ạ.")
        received = [e["body"] for e in buyer.sync() if e["type"] == "chat.message"]
        assert received == [text, "Dạ, em gửi báo giá ngay ạ."]
    stored = hub_db.exec(select(ChatMessage).where(ChatMessage.channel == dm)).all()
    assert sorted(m.seq for m in stored) == [1, 2]


def test_a_third_account_cannot_read_or_write_a_direct_conversation(
    hub_client: TestClient, world: World, pair: Pair
) -> None:
    with (
        connect(hub_client, pair.buyer) as buyer,
        connect(hub_client, world.counsellor) as counsellor,
        connect(hub_client, world.organiser) as organiser,
    ):
        dm = buyer.ok("dm.open", account=pair.producer_id)["channel"]
        buyer.ok("chat.send", channel=dm, client_id="d1", body="Riêng tư")
        for outsider in (counsellor, organiser):
            assert outsider.request("subscribe", channel=dm)["code"] == "channel_forbidden"
            assert outsider.request("chat.history", channel=dm)["code"] == "channel_forbidden"
            sent = outsider.request("chat.send", channel=dm, client_id="x", body="Xen vào")
            assert sent["code"] == "channel_forbidden"
        assert [m["body"] for m in buyer.ok("chat.history", channel=dm)["messages"]] == ["Riêng tư"]


def test_dm_open_is_for_accounts_that_share_an_event(
    hub_client: TestClient, world: World, pair: Pair
) -> None:
    with (
        connect(hub_client, world.stranger) as stranger,
        connect(hub_client, world.tokyo) as tokyo,
        connect(hub_client, pair.buyer) as buyer,
    ):
        assert stranger.request("dm.open", account=pair.buyer_id)["code"] == "account_not_found"
        assert tokyo.request("dm.open", account=pair.buyer_id)["code"] == "accounts_only"
        assert buyer.request("dm.open", account=pair.buyer_id)["code"] == "account_not_found"
        assert buyer.request("dm.open", account=10**9)["code"] == "account_not_found"
        # Nor can the stranger reach the conversation by its name.
        low, high = sorted((pair.buyer_id, pair.producer_id))
        assert stranger.request("subscribe", channel=f"dm:{low}-{high}")["code"] == (
            "channel_forbidden"
        )


# -- booth chat ------------------------------------------------------------------------------


def test_a_booths_producers_moderate_its_chat_and_buyers_only_post(
    hub_client: TestClient, world: World, hub_db: Session
) -> None:
    firm = add_organisation(hub_db, name="HTX Cà rốt Đức Chính", kind=OrganisationKind.cooperative)
    rival = add_organisation(hub_db, name="Công ty Rau quả Cẩm Giàng")
    booth = Booth(
        event_id=world.event.id or 0,
        organisation_id=firm.id or 0,
        name_vi="Gian hàng HTX Đức Chính",
        name_en="Duc Chinh Cooperative",
    )
    hub_db.add(booth)
    hub_db.commit()
    hub_db.refresh(booth)
    channel = f"booth:{booth.id}"

    def signed_in(role: Role, organisation_id: int | None = None) -> str:
        account = add_account(hub_db, role=role, event=world.event, organisation_id=organisation_id)
        return add_session(hub_db, account_id=account.id)

    with (
        connect(hub_client, signed_in(Role.producer, firm.id)) as staff,
        connect(hub_client, signed_in(Role.producer, rival.id)) as other_firm,
        connect(hub_client, signed_in(Role.buyer)) as buyer,
        connect(hub_client, world.tokyo) as tokyo,
        connect(hub_client, world.stranger) as stranger,
        connect(hub_client, world.other_point) as other_point,
    ):
        for peer in (staff, buyer, tokyo):
            peer.ok("subscribe", channel=channel)
        assert buyer.ok("chat.send", channel=channel, client_id="b1", body="Giá sỉ?")["seq"] == 1
        assert tokyo.ok("chat.send", channel=channel, client_id="t1", body="Quảng cáo")["seq"] == 2

        for outsider in (buyer, other_firm, tokyo):
            assert outsider.request("chat.hide", channel=channel, seq=2)["code"] == "not_moderator"
        staff.ok("chat.hide", channel=channel, seq=2)
        hidden = [e for e in buyer.sync() if e["type"] == "chat.hidden"]
        assert hidden == [{"type": "chat.hidden", "channel": channel, "seqs": [2]}]
        page = buyer.ok("chat.history", channel=channel)["messages"]
        assert [(m["seq"], m.get("body"), m.get("hidden")) for m in page] == [
            (1, "Giá sỉ?", None),
            (2, None, True),
        ]
        # The firm moderates its own booth, not the event's talks.
        staff.ok("chat.send", channel=f"talk:{world.talk.id}", client_id="s1", body="Xin chào")
        assert staff.request("chat.hide", channel=f"talk:{world.talk.id}", seq=1)["code"] == (
            "not_moderator"
        )

        for outsider in (stranger, other_point):
            assert outsider.request("subscribe", channel=channel)["code"] == "channel_forbidden"
            sent = outsider.request("chat.send", channel=channel, client_id="x", body="Chào")
            assert sent["code"] == "channel_forbidden"
    stored = hub_db.exec(select(ChatMessage).where(ChatMessage.channel == channel)).all()
    assert sorted((m.seq, m.hidden_at is not None) for m in stored) == [(1, False), (2, True)]


# -- idle sockets ----------------------------------------------------------------------------


@pytest.fixture
def idle_client(hub_settings: Settings) -> Iterator[TestClient]:
    """The app with a hub that cuts sockets silent for IDLE_SECONDS."""
    quick = hub_settings.model_copy(update={"hub_idle_timeout_seconds": IDLE_SECONDS})
    with TestClient(create_app(quick), base_url="http://testserver") as client:
        yield client


def test_a_silent_socket_is_closed_and_its_room_shown_offline(
    idle_client: TestClient, world: World
) -> None:
    event = f"event:{world.event.id}"
    tokyo_key = f"p:{world.tokyo_point.id}"

    with connect(idle_client, world.organiser) as organiser:
        assert organiser.hello["idle_timeout_seconds"] == IDLE_SECONDS
        organiser.ok("subscribe", channel=event)
        with connect(idle_client, world.tokyo) as tokyo:
            # Taken before the room's last frame, so the wait measured below is at least the limit.
            silent_since = time.monotonic()
            tokyo.ok("subscribe", channel=event)
            joined = organiser.wait_for(
                "presence", lambda e: tokyo_key in [m["key"] for m in e["joined"]]
            )
            assert joined is not None
            # The organiser keeps pinging (wait_for syncs); the room sends nothing more.
            left = organiser.wait_for(
                "presence", lambda e: tokyo_key in [m["key"] for m in e["left"]]
            )
            assert left is not None
            assert left["channel"] == event
            assert tokyo.close_code(within=2) == 4408
            assert time.monotonic() - silent_since >= IDLE_SECONDS
        listed = organiser.ok("presence.list", channel=event)["presence"]
        assert tokyo_key not in [m["key"] for m in listed]
        # A socket that speaks stays open.
        assert organiser.request("ping")["type"] == "pong"


# -- stopping the server ---------------------------------------------------------------------


def test_nobody_chats_where_the_channel_kind_carries_no_chat(
    hub_client: TestClient, world: World
) -> None:
    event = f"event:{world.event.id}"
    point = f"point:{world.tokyo_point.id}"
    with (
        connect(hub_client, world.organiser) as organiser,
        connect(hub_client, world.tokyo) as room,
    ):
        for peer, channel in ((organiser, event), (room, event), (room, point)):
            peer.ok("subscribe", channel=channel)
            sent = peer.request("chat.send", channel=channel, client_id="x1", body="Xin chào")
            assert (sent["type"], sent["code"]) == ("error", "chat_forbidden"), channel
        # Where the kind carries chat, the same people write.
        talk = f"talk:{world.talk.id}"
        assert organiser.ok("chat.send", channel=talk, client_id="t1", body="Xin chào")["seq"] == 1
