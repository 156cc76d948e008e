"""Live features of a talk and an event: questions, the raise-hand queue, polls, announcements."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, func, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.db import utcnow
from server.errors import AppError, Conflict, NotFound
from server.events.models import AttendancePoint
from server.i18n import N_
from server.realtime.framing import iso
from server.realtime.presence import Member
from sessions.agenda.models import Talk
from sessions.live.models import (
    Announcement,
    FloorRequest,
    FloorStatus,
    Poll,
    PollVote,
    Question,
    QuestionStatus,
    QuestionVote,
)
from sessions.live.rules import poll_counts

# -- questions -------------------------------------------------------------------------------


def question_view(question: Question, voted: bool | None = None) -> dict[str, Any]:
    """A question as clients get it."""
    kind, _, ident = question.author_key.partition(":")
    view: dict[str, Any] = {
        "id": question.id,
        "talk": question.talk_id,
        "body": question.body,
        "author": {
            "key": question.author_key,
            "kind": "account" if kind == "a" else "point",
            "id": int(ident),
            "name": question.author_name,
        },
        "votes": question.votes,
        "status": question.status,
        "at": iso(question.created_at),
    }
    if voted is not None:
        view["voted"] = voted
    return view


async def get_talk(db: AsyncSession, talk_id: int) -> Talk:
    """A talk, or 404."""
    talk = await db.get(Talk, talk_id)
    if talk is None:
        raise NotFound("talk_not_found", N_("No such talk."))
    return talk


async def get_question(db: AsyncSession, question_id: int) -> Question:
    """A question, or 404."""
    question = await db.get(Question, question_id)
    if question is None:
        raise NotFound("question_not_found", N_("No such question."))
    return question


async def ask_question(db: AsyncSession, talk_id: int, member: Member, body: str) -> Question:
    """Store a new question."""
    question = Question(talk_id=talk_id, author_key=member.key, author_name=member.name, body=body)
    db.add(question)
    await db.flush()
    return question


async def vote_question(db: AsyncSession, question: Question, voter_key: str) -> Question:
    """Count one member's upvote; a second one is refused."""
    if question.status != QuestionStatus.open:
        raise AppError("question_closed", N_("This question no longer takes votes."))
    try:
        async with db.begin_nested():
            db.add(QuestionVote(question_id=question.id or 0, voter_key=voter_key))
    except IntegrityError as exc:
        raise Conflict("already_voted", N_("You have already voted for this question.")) from exc
    await db.exec(
        update(Question)
        .where(col(Question.id) == question.id)
        .values(votes=col(Question.votes) + 1)
    )
    await db.refresh(question)
    return question


async def list_questions(
    db: AsyncSession, talk_id: int, voter_key: str, include_hidden: bool
) -> list[dict[str, Any]]:
    """A talk's questions by votes, then age; hidden ones only for moderators."""
    query = select(Question).where(Question.talk_id == talk_id)
    if not include_hidden:
        query = query.where(col(Question.status) != QuestionStatus.hidden)
    rows = list(
        (
            await db.exec(
                query.order_by(
                    col(Question.votes).desc(), col(Question.created_at), col(Question.id)
                )
            )
        ).all()
    )
    voted = set(
        (
            await db.exec(
                select(QuestionVote.question_id).where(
                    QuestionVote.voter_key == voter_key,
                    col(QuestionVote.question_id).in_([q.id for q in rows]),
                )
            )
        ).all()
    )
    return [question_view(q, q.id in voted) for q in rows]


async def mark_question(db: AsyncSession, question: Question, status: QuestionStatus) -> Question:
    """Mark a question open, answered or hidden."""
    question.status = status
    question.answered_at = utcnow() if status == QuestionStatus.answered else None
    db.add(question)
    await db.flush()
    return question


# -- the raise-hand queue --------------------------------------------------------------------

ACTIVE = (FloorStatus.waiting, FloorStatus.granted)


async def floor_state(db: AsyncSession, talk_id: int) -> dict[str, Any]:
    """Who speaks and who waits, in order."""
    rows = (
        await db.exec(
            select(FloorRequest, AttendancePoint.name)
            .join(AttendancePoint, col(AttendancePoint.id) == col(FloorRequest.point_id))
            .where(FloorRequest.talk_id == talk_id, col(FloorRequest.status).in_(ACTIVE))
            .order_by(col(FloorRequest.raised_at), col(FloorRequest.id))
        )
    ).all()
    speakers = sorted(
        (
            {
                "request": r.id,
                "point": r.point_id,
                "name": name,
                "since": iso(r.granted_at or r.raised_at),
            }
            for r, name in rows
            if r.status == FloorStatus.granted
        ),
        key=lambda s: str(s["since"]),
    )
    queue = [
        {"request": r.id, "point": r.point_id, "name": name, "raised_at": iso(r.raised_at)}
        for r, name in rows
        if r.status == FloorStatus.waiting
    ]
    return {"talk": talk_id, "speakers": speakers, "queue": queue}


async def active_request(db: AsyncSession, talk_id: int, point_id: int) -> FloorRequest | None:
    """The point's waiting or granted request in a talk."""
    rows = await db.exec(
        select(FloorRequest).where(
            FloorRequest.talk_id == talk_id,
            FloorRequest.point_id == point_id,
            col(FloorRequest.status).in_(ACTIVE),
        )
    )
    return rows.first()


async def raise_hand(db: AsyncSession, talk_id: int, point_id: int) -> FloorRequest:
    """Join the queue (raising twice keeps the first place)."""
    existing = await active_request(db, talk_id, point_id)
    if existing is not None:
        return existing
    try:
        async with db.begin_nested():
            request = FloorRequest(talk_id=talk_id, point_id=point_id)
            db.add(request)
    except IntegrityError:
        # Another PC of the same room raised in the same instant: theirs is the place.
        existing = await active_request(db, talk_id, point_id)
        if existing is None:
            raise
        return existing
    return request


async def lower_hand(db: AsyncSession, talk_id: int, point_id: int) -> FloorRequest | None:
    """Leave the queue, or give the floor back."""
    request = await active_request(db, talk_id, point_id)
    if request is None:
        return None
    request.status = FloorStatus.lowered
    request.ended_at = utcnow()
    db.add(request)
    await db.flush()
    return request


async def get_floor_request(db: AsyncSession, request_id: int) -> FloorRequest:
    """A raised hand, or 404."""
    request = await db.get(FloorRequest, request_id)
    if request is None:
        raise NotFound("floor_request_not_found", N_("No such raised hand."))
    return request


async def grant_floor(
    db: AsyncSession, request: FloorRequest, organiser_id: int | None, max_speakers: int
) -> None:
    """Give a waiting point the floor unless the talk's speakers are already all taken."""
    # Grants of one talk queue behind its row lock (PostgreSQL); SQLite has one writer anyway.
    await db.exec(select(Talk.id).where(Talk.id == request.talk_id).with_for_update())
    other = aliased(FloorRequest)
    speaking = (
        select(func.count())
        .select_from(other)
        .where(col(other.talk_id) == request.talk_id, col(other.status) == FloorStatus.granted)
        .scalar_subquery()
    )
    # One statement checks and grants, so two organisers granting at once cannot both win.
    result = await db.exec(
        update(FloorRequest)
        .where(
            col(FloorRequest.id) == request.id,
            col(FloorRequest.status) == FloorStatus.waiting,
            speaking < max_speakers,
        )
        .values(status=FloorStatus.granted, granted_at=utcnow(), decided_by_id=organiser_id)
    )
    await db.refresh(request)
    if result.rowcount == 0:
        if request.status != FloorStatus.waiting:
            raise Conflict("floor_not_waiting", N_("This point is not waiting for the floor."))
        raise Conflict(
            "floor_busy", N_("Someone has the floor: revoke it before granting another.")
        )


async def decide_floor(
    db: AsyncSession,
    request: FloorRequest,
    decision: FloorStatus,
    organiser_id: int | None,
    max_speakers: int,
) -> FloorRequest:
    """Grant, revoke or skip a raised hand."""
    now = utcnow()
    if decision == FloorStatus.granted:
        await grant_floor(db, request, organiser_id, max_speakers)
        return request
    if decision == FloorStatus.revoked:
        if request.status != FloorStatus.granted:
            raise Conflict("floor_not_granted", N_("This point does not have the floor."))
        request.ended_at = now
    else:
        if request.status != FloorStatus.waiting:
            raise Conflict("floor_not_waiting", N_("This point is not waiting for the floor."))
        request.ended_at = now
    request.status = decision
    request.decided_by_id = organiser_id
    db.add(request)
    await db.flush()
    return request


# -- polls -----------------------------------------------------------------------------------


async def get_poll(db: AsyncSession, poll_id: int) -> Poll:
    """A poll, or 404."""
    poll = await db.get(Poll, poll_id)
    if poll is None:
        raise NotFound("poll_not_found", N_("No such poll."))
    return poll


async def poll_view(db: AsyncSession, poll: Poll, voter_key: str | None = None) -> dict[str, Any]:
    """A poll with its live counts (and the voter's own choices when asked)."""
    votes = list((await db.exec(select(PollVote).where(PollVote.poll_id == poll.id))).all())
    view: dict[str, Any] = {
        "id": poll.id,
        "event": poll.event_id,
        "question": poll.question,
        "options": poll.options,
        "multiple": poll.multiple,
        "open": poll.is_open,
        "counts": poll_counts(len(poll.options), [v.choices for v in votes]),
        "voters": len(votes),
    }
    if voter_key is not None:
        view["mine"] = next((v.choices for v in votes if v.voter_key == voter_key), [])
    return view


async def create_poll(
    db: AsyncSession,
    event_id: int,
    question: str,
    options: list[str],
    multiple: bool,
    organiser_id: int | None,
) -> Poll:
    """Open a poll."""
    poll = Poll(
        event_id=event_id,
        question=question,
        options=options,
        multiple=multiple,
        created_by_id=organiser_id,
    )
    db.add(poll)
    await db.flush()
    return poll


async def vote_poll(db: AsyncSession, poll: Poll, voter_key: str, choices: list[int]) -> None:
    """Record (or replace) a member's choices."""
    # A no-op write on the poll row that only matches while it is open: it takes the row (in
    # PostgreSQL) or the database (SQLite) for this transaction, so a close cannot slip in
    # between this check and the vote.
    still_open = await db.exec(
        update(Poll)
        .where(col(Poll.id) == poll.id, col(Poll.is_open).is_(True))
        .values(is_open=True)
    )
    if still_open.rowcount == 0:
        raise AppError("poll_closed", N_("This poll is closed."))
    await db.exec(
        delete(PollVote).where(
            col(PollVote.poll_id) == poll.id, col(PollVote.voter_key) == voter_key
        )
    )
    db.add(PollVote(poll_id=poll.id or 0, voter_key=voter_key, choices=choices))
    await db.flush()


async def close_poll(db: AsyncSession, poll: Poll) -> Poll:
    """Stop taking votes."""
    poll.is_open = False
    poll.closed_at = utcnow()
    db.add(poll)
    await db.flush()
    return poll


async def list_polls(db: AsyncSession, event_id: int) -> list[Poll]:
    """An event's polls, newest first."""
    rows = await db.exec(
        select(Poll).where(Poll.event_id == event_id).order_by(col(Poll.created_at).desc())
    )
    return list(rows.all())


# -- announcements ---------------------------------------------------------------------------


def announcement_view(announcement: Announcement | None) -> dict[str, Any] | None:
    """The banner as clients get it."""
    if announcement is None:
        return None
    return {
        "id": announcement.id,
        "body": announcement.body,
        "at": iso(announcement.created_at),
    }


async def current_announcement(db: AsyncSession, event_id: int) -> Announcement | None:
    """The banner showing now."""
    rows = await db.exec(
        select(Announcement)
        .where(Announcement.event_id == event_id, col(Announcement.cleared_at).is_(None))
        .order_by(col(Announcement.created_at).desc(), col(Announcement.id).desc())
    )
    return rows.first()


async def clear_announcements(db: AsyncSession, event_id: int) -> None:
    """Take the banner down."""
    await db.exec(
        update(Announcement)
        .where(col(Announcement.event_id) == event_id, col(Announcement.cleared_at).is_(None))
        .values(cleared_at=utcnow())
    )


async def announce(
    db: AsyncSession, event_id: int, body: str, organiser_id: int | None
) -> Announcement:
    """Replace the banner."""
    await clear_announcements(db, event_id)
    announcement = Announcement(event_id=event_id, body=body, created_by_id=organiser_id)
    db.add(announcement)
    await db.flush()
    return announcement
