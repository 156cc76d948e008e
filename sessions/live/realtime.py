"""The sessions domain on the hub: event, talk and point channels; Q&A, floor, polls, banner."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints

from server.chat.service import clean_body, is_muted
from server.errors import AppError, Forbidden
from server.events.channels import EVENT, event_channel, point_channel
from server.i18n import N_
from server.realtime.call import Call
from server.realtime.channels import Access
from server.realtime.hub import Hub
from server.realtime.messages import HubRequest, Subscribe
from server.rules import MAX_ROW_ID
from sessions.live import service as live
from sessions.live.access import authorise_talk
from sessions.live.channels import TALK, talk_channel
from sessions.live.models import FloorStatus, QuestionStatus
from sessions.live.rules import check_poll_choices

Text = Annotated[str, StringConstraints(max_length=100_000)]


class TalkRequest(HubRequest):
    """A request about one talk."""

    talk: int = Field(ge=1, le=MAX_ROW_ID)


class QaAsk(TalkRequest):
    """Ask a question."""

    body: Text


class QuestionRequest(HubRequest):
    """A request about one question."""

    question: int = Field(ge=1, le=MAX_ROW_ID)


class QaMark(QuestionRequest):
    """Mark a question (organisers)."""

    status: Literal["open", "answered", "hidden"]


class FloorDecision(HubRequest):
    """Grant, revoke or skip a raised hand (organisers)."""

    request: int = Field(ge=1, le=MAX_ROW_ID)


class EventRequest(HubRequest):
    """A request about one event."""

    event: int = Field(ge=1, le=MAX_ROW_ID)


class PollCreate(EventRequest):
    """Open a poll (organisers)."""

    question: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
    options: list[
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    ] = Field(min_length=2, max_length=50)
    multiple: bool = False


class PollRequest(HubRequest):
    """A request about one poll."""

    poll: int = Field(ge=1, le=MAX_ROW_ID)


class PollVoteRequest(PollRequest):
    """Vote (again) in a poll."""

    choices: list[int] = Field(max_length=50)


class AnnounceSend(EventRequest):
    """Show a banner to everyone connected to the event (organisers)."""

    body: Text


def _body(call: Call, raw: str) -> str:
    body = clean_body(raw)
    if not body:
        raise AppError("text_empty", N_("The text is empty."))
    limit = call.settings.chat_max_length
    if len(body) > limit:
        raise AppError(
            "text_too_long", N_("The text is longer than %(limit)s characters."), limit=limit
        )
    return body


async def _talk_access(call: Call, talk_id: int) -> Access:
    return await call.access(talk_channel(talk_id))


async def _organiser(call: Call, channel: str) -> Access:
    access = await call.access(channel)
    if not access.can_moderate:
        raise Forbidden("organisers_only", N_("Only the event's organisers may do this."))
    return access


def _account_id(call: Call) -> int | None:
    account = call.principal.account
    return account.id if account else None


# -- questions -------------------------------------------------------------------------------


async def qa_ask(call: Call, request: QaAsk) -> dict[str, Any]:
    """Ask; everyone on the talk sees it."""
    access = await _talk_access(call, request.talk)
    if not access.can_post:
        raise Forbidden("forbidden", N_("You do not have permission to do this."))
    body = _body(call, request.body)
    if access.mute_scope and await is_muted(call.db, access.mute_scope, call.member.key):
        raise Forbidden("muted", N_("A moderator has muted you here."))
    question = await live.ask_question(call.db, request.talk, call.member, body)
    view = live.question_view(question)
    call.publish(
        talk_channel(request.talk), "qa.question", {"talk": request.talk, "question": view}
    )
    return {"question": {**view, "voted": False}}


async def qa_vote(call: Call, request: QuestionRequest) -> dict[str, Any]:
    """Upvote once."""
    question = await live.get_question(call.db, request.question)
    await _talk_access(call, question.talk_id)
    question = await live.vote_question(call.db, question, call.member.key)
    view = live.question_view(question)
    call.publish(
        talk_channel(question.talk_id), "qa.question", {"talk": question.talk_id, "question": view}
    )
    return {"question": {**view, "voted": True}}


async def qa_list(call: Call, request: TalkRequest) -> dict[str, Any]:
    """The talk's questions by votes."""
    access = await _talk_access(call, request.talk)
    questions = await live.list_questions(
        call.db, request.talk, call.member.key, include_hidden=access.can_moderate
    )
    return {"talk": request.talk, "questions": questions}


async def qa_mark(call: Call, request: QaMark) -> dict[str, Any]:
    """Answered, hidden or open again (organisers)."""
    question = await live.get_question(call.db, request.question)
    await _organiser(call, talk_channel(question.talk_id))
    question = await live.mark_question(call.db, question, QuestionStatus(request.status))
    view = live.question_view(question)
    call.publish(
        talk_channel(question.talk_id), "qa.question", {"talk": question.talk_id, "question": view}
    )
    return {"question": view}


# -- the raise-hand queue --------------------------------------------------------------------


async def _publish_floor(call: Call, talk_id: int, point_ids: list[int]) -> dict[str, Any]:
    state = await live.floor_state(call.db, talk_id)
    call.publish(talk_channel(talk_id), "floor.state", state)
    for point_id in point_ids:
        call.publish(point_channel(point_id), "floor.state", state)
    return state


def _point_of(call: Call, access: Access) -> int:
    principal = call.principal
    if principal.point_id is None or principal.point_event_id != access.event_id:
        raise Forbidden("points_only", N_("Only attendance points raise a hand."))
    return principal.point_id


async def floor_raise(call: Call, request: TalkRequest) -> dict[str, Any]:
    """A point joins the queue."""
    point_id = _point_of(call, await _talk_access(call, request.talk))
    raised = await live.raise_hand(call.db, request.talk, point_id)
    state = await _publish_floor(call, request.talk, [])
    return {"request": raised.id, "state": state}


async def floor_lower(call: Call, request: TalkRequest) -> dict[str, Any]:
    """A point leaves the queue, or gives the floor back."""
    point_id = _point_of(call, await _talk_access(call, request.talk))
    lowered = await live.lower_hand(call.db, request.talk, point_id)
    state = await _publish_floor(call, request.talk, [point_id] if lowered else [])
    return {"state": state}


async def floor_state(call: Call, request: TalkRequest) -> dict[str, Any]:
    """Who speaks and who waits."""
    await _talk_access(call, request.talk)
    return {"state": await live.floor_state(call.db, request.talk)}


def _decide(decision: FloorStatus) -> Any:
    async def handler(call: Call, request: FloorDecision) -> dict[str, Any]:
        raised = await live.get_floor_request(call.db, request.request)
        await _organiser(call, talk_channel(raised.talk_id))
        await live.decide_floor(
            call.db, raised, decision, _account_id(call), call.settings.floor_max_speakers
        )
        state = await _publish_floor(call, raised.talk_id, [raised.point_id])
        return {"state": state}

    return handler


# -- polls -----------------------------------------------------------------------------------


async def poll_create(call: Call, request: PollCreate) -> dict[str, Any]:
    """Open a poll; everyone on the event sees it."""
    await _organiser(call, event_channel(request.event))
    question = clean_body(request.question)
    options = [clean_body(option) for option in request.options]
    if not question or not all(options):
        raise AppError("poll_empty", N_("A poll needs a question and options that show text."))
    if len(request.options) > call.settings.poll_max_options:
        raise AppError(
            "poll_too_many_options",
            N_("A poll has at most %(limit)s options."),
            limit=call.settings.poll_max_options,
        )
    poll = await live.create_poll(
        call.db,
        request.event,
        question,
        options,
        request.multiple,
        _account_id(call),
    )
    view = await live.poll_view(call.db, poll)
    call.publish(event_channel(request.event), "poll.state", {"event": request.event, "poll": view})
    return {"poll": view}


async def poll_vote(call: Call, request: PollVoteRequest) -> dict[str, Any]:
    """Vote, or change one's vote while the poll is open."""
    poll = await live.get_poll(call.db, request.poll)
    await call.access(event_channel(poll.event_id))
    problem = check_poll_choices(request.choices, len(poll.options), poll.multiple)
    if problem is not None:
        raise AppError(problem, N_("Choose one of the poll's options (several only when allowed)."))
    await live.vote_poll(call.db, poll, call.member.key, request.choices)
    view = await live.poll_view(call.db, poll)
    call.publish(event_channel(poll.event_id), "poll.state", {"event": poll.event_id, "poll": view})
    return {"poll": {**view, "mine": request.choices}}


async def poll_close(call: Call, request: PollRequest) -> dict[str, Any]:
    """Stop a poll; results stay."""
    poll = await live.get_poll(call.db, request.poll)
    await _organiser(call, event_channel(poll.event_id))
    poll = await live.close_poll(call.db, poll)
    view = await live.poll_view(call.db, poll)
    call.publish(event_channel(poll.event_id), "poll.state", {"event": poll.event_id, "poll": view})
    return {"poll": view}


async def poll_list(call: Call, request: EventRequest) -> dict[str, Any]:
    """The event's polls with counts and the caller's choices."""
    await call.access(event_channel(request.event))
    polls = await live.list_polls(call.db, request.event)
    return {
        "event": request.event,
        "polls": [await live.poll_view(call.db, p, call.member.key) for p in polls],
    }


# -- announcements ---------------------------------------------------------------------------


async def announce_send(call: Call, request: AnnounceSend) -> dict[str, Any]:
    """Put up the banner."""
    await _organiser(call, event_channel(request.event))
    body = _body(call, request.body)
    announcement = await live.announce(call.db, request.event, body, _account_id(call))
    view = live.announcement_view(announcement)
    call.publish(
        event_channel(request.event), "announce", {"event": request.event, "announcement": view}
    )
    return {"announcement": view}


async def announce_clear(call: Call, request: EventRequest) -> dict[str, Any]:
    """Take the banner down."""
    await _organiser(call, event_channel(request.event))
    await live.clear_announcements(call.db, request.event)
    call.publish(
        event_channel(request.event), "announce", {"event": request.event, "announcement": None}
    )
    return {"announcement": None}


async def on_subscribe(call: Call, channel: str, request: Subscribe) -> dict[str, Any]:
    """A page that connects to an event shows its current banner at once."""
    del request
    kind, _, ident = channel.partition(":")
    if kind != EVENT:
        return {}
    current = await live.current_announcement(call.db, int(ident))
    return {"announcement": live.announcement_view(current)}


def install(hub: Hub) -> None:
    """Register the sessions domain's channels and requests."""
    hub.register_channel(TALK, authorise_talk, chat=True, live=True)
    hub.on_subscribe(on_subscribe)
    hub.register("qa.ask", QaAsk, qa_ask)
    hub.register("qa.vote", QuestionRequest, qa_vote)
    hub.register("qa.list", TalkRequest, qa_list)
    hub.register("qa.mark", QaMark, qa_mark)
    hub.register("floor.raise", TalkRequest, floor_raise)
    hub.register("floor.lower", TalkRequest, floor_lower)
    hub.register("floor.state", TalkRequest, floor_state)
    hub.register("floor.grant", FloorDecision, _decide(FloorStatus.granted))
    hub.register("floor.revoke", FloorDecision, _decide(FloorStatus.revoked))
    hub.register("floor.skip", FloorDecision, _decide(FloorStatus.skipped))
    hub.register("poll.create", PollCreate, poll_create)
    hub.register("poll.vote", PollVoteRequest, poll_vote)
    hub.register("poll.close", PollRequest, poll_close)
    hub.register("poll.list", EventRequest, poll_list)
    hub.register("announce.send", AnnounceSend, announce_send)
    hub.register("announce.clear", EventRequest, announce_clear)
