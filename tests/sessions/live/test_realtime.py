"""Questions, the raise-hand queue, polls and the banner on the hub, as rooms and organisers see them."""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from server.events.models import Role
from server.settings import Settings
from sessions.live.models import FloorRequest, FloorStatus, PollVote, Question
from tests.factories import add_account
from tests.hubpeer import Peer, World, add_session, connect

ASKED = "Giá cà rốt Hải Dương giao tại cảng Yokohama là bao nhiêu một tấn? Có chứng nhận GlobalGAP không? 🥕"


def talk_of(world: World) -> str:
    """The channel of the world's talk."""
    return f"talk:{world.talk.id}"


def event_of(world: World) -> str:
    """The channel of the world's event."""
    return f"event:{world.event.id}"


def events(peer: Peer, type_: str) -> list[dict[str, Any]]:
    """The events of one type the peer received so far (after a sync), taken out of its list."""
    peer.sync()
    return peer.take(type_)


def when(stamp: str) -> datetime:
    """A time as the hub sends it, ISO 8601 in UTC with a Z; fails on any other shape."""
    return datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


# -- questions -------------------------------------------------------------------------------


def test_a_question_reaches_everyone_on_the_talk_with_its_text_intact(
    hub_client: TestClient, world: World, hub_db: Session
) -> None:
    talk = talk_of(world)
    with (
        connect(hub_client, world.tokyo) as tokyo,
        connect(hub_client, world.hanoi) as hanoi,
        connect(hub_client, world.organiser) as organiser,
    ):
        for peer in (tokyo, hanoi, organiser):
            peer.ok("subscribe", channel=talk)
        asked = tokyo.ok("qa.ask", talk=world.talk.id, body=f"  {ASKED}\n")["question"]
        assert asked["body"] == ASKED
        assert asked["talk"] == world.talk.id
        assert asked["votes"] == 0
        assert asked["status"] == "open"
        assert asked["voted"] is False
        assert asked["author"] == {
            "key": f"p:{world.tokyo_point.id}",
            "kind": "point",
            "id": world.tokyo_point.id,
            "name": "Thương vụ Việt Nam tại Nhật Bản",
        }
        when(asked["at"])
        shown = {k: v for k, v in asked.items() if k != "voted"}
        for peer in (tokyo, hanoi, organiser):
            received = events(peer, "qa.question")
            assert received == [
                {"type": "qa.question", "channel": talk, "talk": world.talk.id, "question": shown}
            ]
        listed = hanoi.ok("qa.list", talk=world.talk.id)["questions"]
        assert [q["body"] for q in listed] == [ASKED]
    stored = hub_db.exec(select(Question)).one()
    assert stored.body == ASKED


def test_a_member_upvotes_a_question_once(
    hub_client: TestClient, world: World, hub_db: Session
) -> None:
    talk = talk_of(world)
    with (
        connect(hub_client, world.tokyo) as tokyo,
        connect(hub_client, world.hanoi) as hanoi,
        connect(hub_client, world.counsellor) as counsellor,
    ):
        tokyo.ok("subscribe", channel=talk)
        question = tokyo.ok("qa.ask", talk=world.talk.id, body="Hạn giao hàng?")["question"]
        voted = hanoi.ok("qa.vote", question=question["id"])["question"]
        assert (voted["votes"], voted["voted"]) == (1, True)
        again = hanoi.request("qa.vote", question=question["id"])
        assert again["code"] == "already_voted"
        assert again["message"]
        assert counsellor.ok("qa.vote", question=question["id"])["question"]["votes"] == 2
        # The asker sees the count go up once per member, never for the refused vote.
        seen = [e["question"]["votes"] for e in events(tokyo, "qa.question")]
        assert seen == [0, 1, 2]
        by_hanoi = hanoi.ok("qa.list", talk=world.talk.id)["questions"]
        assert [(q["votes"], q["voted"]) for q in by_hanoi] == [(2, True)]
        by_tokyo = tokyo.ok("qa.list", talk=world.talk.id)["questions"]
        assert [(q["votes"], q["voted"]) for q in by_tokyo] == [(2, False)]
    assert hub_db.exec(select(Question)).one().votes == 2


def test_questions_are_listed_by_votes_then_age(hub_client: TestClient, world: World) -> None:
    with (
        connect(hub_client, world.tokyo) as tokyo,
        connect(hub_client, world.hanoi) as hanoi,
        connect(hub_client, world.counsellor) as counsellor,
    ):
        ids = [
            tokyo.ok("qa.ask", talk=world.talk.id, body=f"Câu hỏi số {n}")["question"]["id"]
            for n in (1, 2, 3, 4)
        ]
        first, second, third, fourth = ids
        for voter in (tokyo, hanoi):
            voter.ok("qa.vote", question=third)
        tokyo.ok("qa.vote", question=fourth)
        hanoi.ok("qa.vote", question=second)
        listed = counsellor.ok("qa.list", talk=world.talk.id)["questions"]
        # Two votes first; of the two with one vote the older; the unvoted last.
        assert [q["id"] for q in listed] == [third, second, fourth, first]
        assert [q["votes"] for q in listed] == [2, 1, 1, 0]


def test_organisers_mark_questions_and_hidden_ones_leave_the_rooms_list(
    hub_client: TestClient, world: World, hub_db: Session
) -> None:
    talk = talk_of(world)
    with (
        connect(hub_client, world.tokyo) as tokyo,
        connect(hub_client, world.counsellor) as counsellor,
        connect(hub_client, world.organiser) as organiser,
    ):
        tokyo.ok("subscribe", channel=talk)
        answered = tokyo.ok("qa.ask", talk=world.talk.id, body="Có hỗ trợ vận chuyển lạnh?")
        rude = tokyo.ok("qa.ask", talk=world.talk.id, body="Câu hỏi lạc đề")
        answered_id, rude_id = answered["question"]["id"], rude["question"]["id"]
        for outsider in (tokyo, counsellor):
            refused = outsider.request("qa.mark", question=rude_id, status="hidden")
            assert refused["code"] == "organisers_only"
        events(tokyo, "qa.question")

        marked = organiser.ok("qa.mark", question=answered_id, status="answered")
        assert marked["question"]["status"] == "answered"
        organiser.ok("qa.mark", question=rude_id, status="hidden")
        changes = [
            (e["question"]["id"], e["question"]["status"]) for e in events(tokyo, "qa.question")
        ]
        assert changes == [(answered_id, "answered"), (rude_id, "hidden")]

        by_room = tokyo.ok("qa.list", talk=world.talk.id)["questions"]
        assert [(q["id"], q["status"]) for q in by_room] == [(answered_id, "answered")]
        by_counsellor = counsellor.ok("qa.list", talk=world.talk.id)["questions"]
        assert [q["id"] for q in by_counsellor] == [answered_id]
        by_organiser = organiser.ok("qa.list", talk=world.talk.id)["questions"]
        assert {(q["id"], q["status"]) for q in by_organiser} == {
            (answered_id, "answered"),
            (rude_id, "hidden"),
        }
    stored = {q.id: q.status for q in hub_db.exec(select(Question)).all()}
    assert stored == {answered_id: "answered", rude_id: "hidden"}


def test_a_point_of_another_event_cannot_ask_vote_or_list(
    hub_client: TestClient, world: World, hub_db: Session
) -> None:
    talk = talk_of(world)
    with (
        connect(hub_client, world.tokyo) as tokyo,
        connect(hub_client, world.other_point) as other,
    ):
        tokyo.ok("subscribe", channel=talk)
        question = tokyo.ok("qa.ask", talk=world.talk.id, body="Giá FOB?")["question"]
        events(tokyo, "qa.question")
        asked = other.request("qa.ask", talk=world.talk.id, body="Tôi ở sự kiện khác")
        assert asked["code"] == "channel_forbidden"
        assert other.request("qa.vote", question=question["id"])["code"] == "channel_forbidden"
        assert other.request("qa.list", talk=world.talk.id)["code"] == "channel_forbidden"
        assert events(tokyo, "qa.question") == []
        assert tokyo.ok("qa.list", talk=world.talk.id)["questions"][0]["votes"] == 0
    assert [q.body for q in hub_db.exec(select(Question)).all()] == ["Giá FOB?"]


def test_question_text_may_not_be_empty_nor_longer_than_the_limit(
    hub_client: TestClient, world: World, hub_settings: Settings, hub_db: Session
) -> None:
    limit = hub_settings.chat_max_length
    with connect(hub_client, world.hanoi) as hanoi:
        longest = hanoi.ok("qa.ask", talk=world.talk.id, body="ệ" * limit)
        assert longest["question"]["body"] == "ệ" * limit
        too_long = hanoi.request("qa.ask", talk=world.talk.id, body="ệ" * (limit + 1))
        assert too_long["code"] == "text_too_long"
        assert str(limit) in too_long["message"]
        for blank in ("", "  \n\t "):
            assert hanoi.request("qa.ask", talk=world.talk.id, body=blank)["code"] == "text_empty"
        # Typed with combining marks (as some keyboards send it), the same text fits the same
        # limit and is kept composed.
        decomposed = unicodedata.normalize("NFD", "ệ" * limit)
        assert len(decomposed) == 3 * limit
        kept = hanoi.ok("qa.ask", talk=world.talk.id, body=decomposed)["question"]["body"]
        assert kept == "ệ" * limit
        assert len(hanoi.ok("qa.list", talk=world.talk.id)["questions"]) == 2
    assert len(hub_db.exec(select(Question)).all()) == 2


# -- the raise-hand queue --------------------------------------------------------------------


def last_state(peer: Peer, channel: str) -> dict[str, Any]:
    """The newest `floor.state` the peer received on a channel (there must be one)."""
    states = [e for e in events(peer, "floor.state") if e["channel"] == channel]
    assert states, f"no floor.state on {channel}"
    return states[-1]


def who(entries: list[dict[str, Any]]) -> list[int]:
    """The points of a floor list (speakers or queue), in order."""
    return [e["point"] for e in entries]


def test_points_queue_in_the_order_they_raise_their_hands(
    hub_client: TestClient, world: World
) -> None:
    talk = talk_of(world)
    tokyo_id, hanoi_id = world.tokyo_point.id, world.hanoi_point.id
    with (
        connect(hub_client, world.organiser) as organiser,
        connect(hub_client, world.tokyo) as tokyo,
        connect(hub_client, world.hanoi) as hanoi,
    ):
        organiser.ok("subscribe", channel=talk)
        first = tokyo.ok("floor.raise", talk=world.talk.id)["request"]
        hanoi.ok("floor.raise", talk=world.talk.id)
        # Raising again (a double click, a second PC) keeps the first place.
        assert tokyo.ok("floor.raise", talk=world.talk.id)["request"] == first

        state = last_state(organiser, talk)
        assert state["talk"] == world.talk.id
        assert state["speakers"] == []
        assert who(state["queue"]) == [tokyo_id, hanoi_id]
        assert [q["name"] for q in state["queue"]] == [
            "Thương vụ Việt Nam tại Nhật Bản",
            "Sở Công Thương Hải Dương",
        ]
        assert state["queue"][0]["request"] == first
        tokyo_raised, hanoi_raised = (when(q["raised_at"]) for q in state["queue"])
        assert tokyo_raised <= hanoi_raised
        answered = organiser.ok("floor.state", talk=world.talk.id)["state"]
        assert answered == {k: v for k, v in state.items() if k not in ("type", "channel")}


def test_the_floor_goes_to_one_point_at_a_time_and_that_point_hears_it(
    hub_client: TestClient, world: World, hub_db: Session
) -> None:
    talk = talk_of(world)
    tokyo_id, hanoi_id = world.tokyo_point.id, world.hanoi_point.id
    own = f"point:{tokyo_id}"
    with (
        connect(hub_client, world.organiser) as organiser,
        connect(hub_client, world.tokyo) as tokyo,
        connect(hub_client, world.hanoi) as hanoi,
    ):
        organiser.ok("subscribe", channel=talk)
        # The room follows only its own channel: that is where it learns it has the floor.
        tokyo.ok("subscribe", channel=own)
        tokyo_request = tokyo.ok("floor.raise", talk=world.talk.id)["request"]
        hanoi_request = hanoi.ok("floor.raise", talk=world.talk.id)["request"]

        granted = organiser.ok("floor.grant", request=tokyo_request)["state"]
        assert who(granted["speakers"]) == [tokyo_id]
        assert granted["speakers"][0]["request"] == tokyo_request
        assert when(granted["speakers"][0]["since"]) >= when(granted["queue"][0]["raised_at"])
        assert who(granted["queue"]) == [hanoi_id]
        heard = last_state(tokyo, own)
        assert who(heard["speakers"]) == [tokyo_id]
        assert who(last_state(organiser, talk)["speakers"]) == [tokyo_id]

        busy = organiser.request("floor.grant", request=hanoi_request)
        assert busy["code"] == "floor_busy"
        still = organiser.ok("floor.state", talk=world.talk.id)["state"]
        assert (who(still["speakers"]), who(still["queue"])) == ([tokyo_id], [hanoi_id])

        revoked = organiser.ok("floor.revoke", request=tokyo_request)["state"]
        assert revoked["speakers"] == []
        assert who(revoked["queue"]) == [hanoi_id]
        assert last_state(tokyo, own)["speakers"] == []

        assert who(organiser.ok("floor.grant", request=hanoi_request)["state"]["speakers"]) == [
            hanoi_id
        ]
    stored = {r.point_id: r.status for r in hub_db.exec(select(FloorRequest)).all()}
    assert stored == {tokyo_id: FloorStatus.revoked, hanoi_id: FloorStatus.granted}


def test_skipping_or_lowering_takes_a_point_out_of_the_queue(
    hub_client: TestClient, world: World
) -> None:
    talk = talk_of(world)
    tokyo_id = world.tokyo_point.id
    with (
        connect(hub_client, world.organiser) as organiser,
        connect(hub_client, world.tokyo) as tokyo,
        connect(hub_client, world.hanoi) as hanoi,
    ):
        organiser.ok("subscribe", channel=talk)
        skipped = tokyo.ok("floor.raise", talk=world.talk.id)["request"]
        hanoi.ok("floor.raise", talk=world.talk.id)

        organiser.ok("floor.skip", request=skipped)
        assert who(last_state(organiser, talk)["queue"]) == [world.hanoi_point.id]
        hanoi.ok("floor.lower", talk=world.talk.id)
        assert last_state(organiser, talk)["queue"] == []

        # A skipped room may ask again, and waits anew.
        again = tokyo.ok("floor.raise", talk=world.talk.id)["request"]
        assert again != skipped
        assert who(last_state(organiser, talk)["queue"]) == [tokyo_id]
        assert organiser.request("floor.grant", request=skipped)["code"] == "floor_not_waiting"


def test_two_pcs_of_one_room_raising_at_the_same_instant_hold_one_place(
    hub_client: TestClient, world: World
) -> None:
    # A room may run several PCs on one join link; both may send the raise at once.
    with (
        connect(hub_client, world.tokyo) as first_pc,
        connect(hub_client, world.tokyo) as second_pc,
        connect(hub_client, world.organiser) as organiser,
    ):
        for round_ in range(3):
            first_pc.send("floor.raise", "first", talk=world.talk.id)
            second_pc.send("floor.raise", "second", talk=world.talk.id)
            first, second = first_pc.answer("first"), second_pc.answer("second")
            assert (first["type"], second["type"]) == ("ok", "ok")
            queue = organiser.ok("floor.state", talk=world.talk.id)["state"]["queue"]
            assert who(queue) == [world.tokyo_point.id], f"round {round_}: {queue}"
            assert first["request"] == second["request"]
            first_pc.ok("floor.lower", talk=world.talk.id)
            assert organiser.ok("floor.state", talk=world.talk.id)["state"]["queue"] == []


def test_two_organisers_granting_at_the_same_instant_give_the_floor_to_one_room(
    hub_client: TestClient, world: World, hub_db: Session
) -> None:
    # Two organisers at the desk each grant a different waiting room in the same moment.
    colleague = add_account(hub_db, role=Role.organiser, event=world.event)
    with (
        connect(hub_client, world.organiser) as organiser,
        connect(hub_client, add_session(hub_db, account_id=colleague.id)) as other_organiser,
        connect(hub_client, world.tokyo) as tokyo,
        connect(hub_client, world.hanoi) as hanoi,
    ):
        for round_ in range(3):
            tokyo_request = tokyo.ok("floor.raise", talk=world.talk.id)["request"]
            hanoi_request = hanoi.ok("floor.raise", talk=world.talk.id)["request"]
            organiser.send("floor.grant", "mine", request=tokyo_request)
            other_organiser.send("floor.grant", "theirs", request=hanoi_request)
            answers = [organiser.answer("mine"), other_organiser.answer("theirs")]
            outcomes = sorted(a.get("code", a["type"]) for a in answers)
            state = organiser.ok("floor.state", talk=world.talk.id)["state"]
            assert len(state["speakers"]) == 1, f"round {round_}: {state['speakers']}"
            assert outcomes == ["floor_busy", "ok"]
            for room in (tokyo, hanoi):
                room.ok("floor.lower", talk=world.talk.id)


def test_only_organisers_decide_and_only_points_raise(hub_client: TestClient, world: World) -> None:
    with (
        connect(hub_client, world.organiser) as organiser,
        connect(hub_client, world.counsellor) as counsellor,
        connect(hub_client, world.tokyo) as tokyo,
        connect(hub_client, world.hanoi) as hanoi,
        connect(hub_client, world.other_point) as other,
    ):
        raised = tokyo.ok("floor.raise", talk=world.talk.id)["request"]
        for outsider in (hanoi, tokyo, counsellor):
            for decision in ("floor.grant", "floor.skip"):
                assert outsider.request(decision, request=raised)["code"] == "organisers_only"
        for account in (counsellor, organiser):
            assert account.request("floor.raise", talk=world.talk.id)["code"] == "points_only"
        assert other.request("floor.raise", talk=world.talk.id)["code"] == "channel_forbidden"
        state = organiser.ok("floor.state", talk=world.talk.id)["state"]
        assert state["speakers"] == []
        assert who(state["queue"]) == [world.tokyo_point.id]


# -- polls -----------------------------------------------------------------------------------


def last_poll(peer: Peer, poll_id: int) -> dict[str, Any]:
    """The newest `poll.state` of one poll the peer received (there must be one)."""
    states = [e for e in events(peer, "poll.state") if e["poll"]["id"] == poll_id]
    assert states, f"no poll.state for poll {poll_id}"
    return states[-1]


def test_votes_reach_everyone_on_the_event_with_live_counts(
    hub_client: TestClient, world: World, hub_db: Session
) -> None:
    event = event_of(world)
    with (
        connect(hub_client, world.organiser) as organiser,
        connect(hub_client, world.tokyo) as tokyo,
        connect(hub_client, world.hanoi) as hanoi,
    ):
        for peer in (organiser, tokyo, hanoi):
            peer.ok("subscribe", channel=event)
        poll = organiser.ok(
            "poll.create",
            event=world.event.id,
            question="Quý vị quan tâm loại cà rốt nào?",
            options=["Cà rốt baby", "Cà rốt loại 1 (200-300 g)"],
            multiple=False,
        )["poll"]
        assert poll["options"] == ["Cà rốt baby", "Cà rốt loại 1 (200-300 g)"]
        assert (poll["open"], poll["multiple"], poll["counts"], poll["voters"]) == (
            True,
            False,
            [0, 0],
            0,
        )
        opened = last_poll(hanoi, poll["id"])
        assert (opened["channel"], opened["event"]) == (event, world.event.id)
        assert opened["poll"]["question"] == "Quý vị quan tâm loại cà rốt nào?"

        mine = tokyo.ok("poll.vote", poll=poll["id"], choices=[0])["poll"]
        assert (mine["counts"], mine["voters"], mine["mine"]) == ([1, 0], 1, [0])
        hanoi.ok("poll.vote", poll=poll["id"], choices=[1])
        for peer in (organiser, tokyo, hanoi):
            state = last_poll(peer, poll["id"])["poll"]
            assert (state["counts"], state["voters"]) == ([1, 1], 2)
            # Live counts are public; who chose what is not.
            assert "mine" not in state

        # Changing one's mind replaces the vote: the room still counts once.
        changed = tokyo.ok("poll.vote", poll=poll["id"], choices=[1])["poll"]
        assert (changed["counts"], changed["voters"], changed["mine"]) == ([0, 2], 2, [1])
        state = last_poll(organiser, poll["id"])["poll"]
        assert (state["counts"], state["voters"]) == ([0, 2], 2)
    ballots = hub_db.exec(select(PollVote).where(PollVote.poll_id == poll["id"])).all()
    assert sorted((b.voter_key, b.choices) for b in ballots) == sorted(
        [(f"p:{world.tokyo_point.id}", [1]), (f"p:{world.hanoi_point.id}", [1])]
    )


def test_a_multiple_choice_poll_counts_every_choice(hub_client: TestClient, world: World) -> None:
    with (
        connect(hub_client, world.organiser) as organiser,
        connect(hub_client, world.tokyo) as tokyo,
        connect(hub_client, world.counsellor) as counsellor,
    ):
        organiser.ok("subscribe", channel=event_of(world))
        poll = organiser.ok(
            "poll.create",
            event=world.event.id,
            question="Quý vị cần chứng nhận nào?",
            options=["VietGAP", "GlobalGAP", "Hữu cơ"],
            multiple=True,
        )["poll"]
        assert poll["multiple"] is True
        tokyo.ok("poll.vote", poll=poll["id"], choices=[0, 2])
        counsellor.ok("poll.vote", poll=poll["id"], choices=[2])
        state = last_poll(organiser, poll["id"])["poll"]
        assert (state["counts"], state["voters"]) == ([1, 0, 2], 2)
        tokyo.ok("poll.vote", poll=poll["id"], choices=[1])
        state = last_poll(organiser, poll["id"])["poll"]
        assert (state["counts"], state["voters"]) == ([0, 1, 1], 2)


def test_ballots_outside_the_poll_are_refused_and_change_nothing(
    hub_client: TestClient, world: World
) -> None:
    with (
        connect(hub_client, world.organiser) as organiser,
        connect(hub_client, world.tokyo) as tokyo,
    ):
        organiser.ok("subscribe", channel=event_of(world))
        single = organiser.ok(
            "poll.create", event=world.event.id, question="Có hay không?", options=["Có", "Không"]
        )["poll"]
        several = organiser.ok(
            "poll.create",
            event=world.event.id,
            question="Mùa nào?",
            options=["Xuân", "Hè", "Thu", "Đông"],
            multiple=True,
        )["poll"]
        events(organiser, "poll.state")
        cases = [
            (single, [0, 1], "poll_single_choice"),
            (single, [2], "poll_bad_choice"),
            (single, [-1], "poll_bad_choice"),
            (several, [0, 4], "poll_bad_choice"),
            (several, [1, 1], "poll_bad_choice"),
        ]
        for poll, choices, code in cases:
            refused = tokyo.request("poll.vote", poll=poll["id"], choices=choices)
            assert refused["code"] == code, choices
            assert refused["message"]
        assert events(organiser, "poll.state") == []
        listed = {p["id"]: p for p in tokyo.ok("poll.list", event=world.event.id)["polls"]}
        assert (listed[single["id"]]["counts"], listed[single["id"]]["voters"]) == ([0, 0], 0)
        assert listed[several["id"]]["counts"] == [0, 0, 0, 0]


def test_a_closed_poll_keeps_its_results_and_takes_no_more_votes(
    hub_client: TestClient, world: World
) -> None:
    with (
        connect(hub_client, world.organiser) as organiser,
        connect(hub_client, world.tokyo) as tokyo,
        connect(hub_client, world.hanoi) as hanoi,
    ):
        tokyo.ok("subscribe", channel=event_of(world))
        poll = organiser.ok(
            "poll.create", event=world.event.id, question="Tiếp tục?", options=["Có", "Không"]
        )["poll"]
        tokyo.ok("poll.vote", poll=poll["id"], choices=[0])
        closed = organiser.ok("poll.close", poll=poll["id"])["poll"]
        assert (closed["open"], closed["counts"]) == (False, [1, 0])
        assert last_poll(tokyo, poll["id"])["poll"]["open"] is False
        for peer in (tokyo, hanoi):
            assert peer.request("poll.vote", poll=poll["id"], choices=[1])["code"] == "poll_closed"
        assert events(tokyo, "poll.state") == []
        listed = hanoi.ok("poll.list", event=world.event.id)["polls"]
        assert [(p["open"], p["counts"], p["voters"]) for p in listed] == [(False, [1, 0], 1)]


def test_a_vote_racing_the_close_never_reopens_the_poll_nor_lands_after_it(
    hub_client: TestClient, world: World
) -> None:
    event = event_of(world)
    with (
        connect(hub_client, world.organiser) as organiser,
        connect(hub_client, world.tokyo) as tokyo,
        connect(hub_client, world.hanoi) as hanoi,
    ):
        for peer in (organiser, tokyo, hanoi):
            peer.ok("subscribe", channel=event)
        for round_ in range(10):
            poll = organiser.ok(
                "poll.create", event=world.event.id, question="Chốt?", options=["Có", "Không"]
            )["poll"]
            # The organiser closes as a room's vote is on its way.
            organiser.send("poll.close", "close", poll=poll["id"])
            tokyo.send("poll.vote", "vote", poll=poll["id"], choices=[0])
            closed, voted = organiser.answer("close"), tokyo.answer("vote")
            assert closed["type"] == "ok"
            counted = [1, 0] if voted["type"] == "ok" else [0, 0]
            if voted["type"] != "ok":
                assert voted["code"] == "poll_closed"
            shown = last_poll(hanoi, poll["id"])["poll"]
            assert shown["open"] is False, f"round {round_}: the screens show the poll open again"
            # A vote that was accepted is in the results the organiser closed on.
            assert closed["poll"]["counts"] == counted, f"round {round_}: {voted}"
            assert shown["counts"] == counted


def test_only_organisers_open_and_close_polls(hub_client: TestClient, world: World) -> None:
    with (
        connect(hub_client, world.organiser) as organiser,
        connect(hub_client, world.counsellor) as counsellor,
        connect(hub_client, world.tokyo) as tokyo,
        connect(hub_client, world.stranger) as stranger,
    ):
        tokyo.ok("subscribe", channel=event_of(world))
        fields: dict[str, Any] = {
            "event": world.event.id,
            "question": "Câu hỏi của ai?",
            "options": ["A", "B"],
        }
        assert counsellor.request("poll.create", **fields)["code"] == "organisers_only"
        assert tokyo.request("poll.create", **fields)["code"] == "organisers_only"
        assert stranger.request("poll.create", **fields)["code"] == "channel_forbidden"
        assert events(tokyo, "poll.state") == []
        assert tokyo.ok("poll.list", event=world.event.id)["polls"] == []

        poll = organiser.ok("poll.create", **fields)["poll"]
        for outsider in (counsellor, tokyo):
            assert outsider.request("poll.close", poll=poll["id"])["code"] == "organisers_only"
        assert stranger.request("poll.close", poll=poll["id"])["code"] == "channel_forbidden"
        assert stranger.request("poll.vote", poll=poll["id"], choices=[0])["code"] == (
            "channel_forbidden"
        )
        assert tokyo.ok("poll.vote", poll=poll["id"], choices=[0])["poll"]["open"] is True


def test_a_poll_offers_two_to_the_configured_number_of_options(
    hub_client: TestClient, world: World, hub_settings: Settings
) -> None:
    most = hub_settings.poll_max_options
    with connect(hub_client, world.organiser) as organiser:

        def create(count: int) -> dict[str, Any]:
            options = [f"Phương án {n}" for n in range(1, count + 1)]
            return organiser.request(
                "poll.create", event=world.event.id, question="Chọn một", options=options
            )

        assert create(most)["poll"]["counts"] == [0] * most
        too_many = create(most + 1)
        assert too_many["code"] == "poll_too_many_options"
        assert str(most) in too_many["message"]
        assert create(1)["code"] == "invalid_message"
        assert len(organiser.ok("poll.list", event=world.event.id)["polls"]) == 1


def test_the_poll_list_tells_each_member_its_own_choices(
    hub_client: TestClient, world: World
) -> None:
    with (
        connect(hub_client, world.organiser) as organiser,
        connect(hub_client, world.tokyo) as tokyo,
        connect(hub_client, world.hanoi) as hanoi,
    ):
        first = organiser.ok(
            "poll.create", event=world.event.id, question="Một?", options=["A", "B", "C"]
        )["poll"]
        second = organiser.ok(
            "poll.create",
            event=world.event.id,
            question="Hai?",
            options=["X", "Y"],
            multiple=True,
        )["poll"]
        tokyo.ok("poll.vote", poll=first["id"], choices=[2])
        tokyo.ok("poll.vote", poll=second["id"], choices=[0, 1])
        hanoi.ok("poll.vote", poll=first["id"], choices=[0])

        def listed(peer: Peer) -> dict[int, tuple[list[int], list[int]]]:
            polls = peer.ok("poll.list", event=world.event.id)["polls"]
            return {p["id"]: (p["mine"], p["counts"]) for p in polls}

        assert listed(tokyo) == {first["id"]: ([2], [1, 0, 1]), second["id"]: ([0, 1], [1, 1])}
        assert listed(hanoi) == {first["id"]: ([0], [1, 0, 1]), second["id"]: ([], [1, 1])}
        assert listed(organiser) == {first["id"]: ([], [1, 0, 1]), second["id"]: ([], [1, 1])}


# -- announcements ---------------------------------------------------------------------------


def test_the_banner_reaches_every_page_of_the_event_and_pages_that_open_later(
    hub_client: TestClient, world: World
) -> None:
    event = event_of(world)
    banner = "Phiên chiều bắt đầu lúc 13:30 (giờ Hà Nội) — mời các điểm cầu kiểm tra micrô."
    with (
        connect(hub_client, world.organiser) as organiser,
        connect(hub_client, world.tokyo) as tokyo,
        connect(hub_client, world.counsellor) as counsellor,
        connect(hub_client, world.stranger) as stranger,
    ):
        assert tokyo.ok("subscribe", channel=event)["announcement"] is None
        counsellor.ok("subscribe", channel=event)
        stranger.ok("subscribe", channel=f"event:{world.other_talk.event_id}")

        sent = organiser.ok("announce.send", event=world.event.id, body=banner)["announcement"]
        assert sent["body"] == banner
        for peer in (tokyo, counsellor):
            received = events(peer, "announce")
            assert [(e["channel"], e["event"]) for e in received] == [(event, world.event.id)]
            assert received[0]["announcement"] == sent
        assert events(stranger, "announce") == []

        with connect(hub_client, world.hanoi) as later:
            assert later.ok("subscribe", channel=event)["announcement"] == sent

        newer = organiser.ok("announce.send", event=world.event.id, body="Nghỉ giải lao 15 phút")
        with connect(hub_client, world.hanoi) as later:
            shown = later.ok("subscribe", channel=event)["announcement"]
            assert shown == newer["announcement"]
            assert shown["body"] == "Nghỉ giải lao 15 phút"

        assert organiser.ok("announce.clear", event=world.event.id)["announcement"] is None
        received = events(tokyo, "announce")
        assert [e["announcement"] for e in received] == [newer["announcement"], None]
        with connect(hub_client, world.hanoi) as later:
            assert later.ok("subscribe", channel=event)["announcement"] is None


def test_only_organisers_put_up_or_take_down_the_banner(
    hub_client: TestClient, world: World
) -> None:
    event = event_of(world)
    with (
        connect(hub_client, world.organiser) as organiser,
        connect(hub_client, world.counsellor) as counsellor,
        connect(hub_client, world.tokyo) as tokyo,
        connect(hub_client, world.stranger) as stranger,
    ):
        tokyo.ok("subscribe", channel=event)
        for outsider in (counsellor, tokyo):
            sent = outsider.request("announce.send", event=world.event.id, body="Thông báo giả")
            assert sent["code"] == "organisers_only"
        assert stranger.request("announce.send", event=world.event.id, body="x")["code"] == (
            "channel_forbidden"
        )
        assert organiser.request("announce.send", event=world.event.id, body=" ")["code"] == (
            "text_empty"
        )
        assert events(tokyo, "announce") == []

        organiser.ok("announce.send", event=world.event.id, body="Thông báo thật")
        for outsider in (counsellor, tokyo):
            cleared = outsider.request("announce.clear", event=world.event.id)
            assert cleared["code"] == "organisers_only"
        with connect(hub_client, world.hanoi) as later:
            shown = later.ok("subscribe", channel=event)["announcement"]
            assert shown["body"] == "Thông báo thật"
