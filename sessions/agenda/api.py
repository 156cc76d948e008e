"""JSON API: events and their agenda; organisers create and edit both."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Response
from pydantic import BaseModel

from server.deps import AppSettings, DbSession, MaybePrincipal, RowId
from server.errors import FieldError
from server.events.models import Event
from server.events.service import list_published_events
from server.i18n import N_, get_locale
from server.rules import in_zone, is_timezone, pick, zone_label
from sessions.agenda.access import (
    may_create_events,
    organised_event,
    organised_talk,
    readable_event,
)
from sessions.agenda.documents import remove_files
from sessions.agenda.editions import create_event, update_event
from sessions.agenda.models import EventCreate, EventFields, Talk, TalkCreate, TalkFields
from sessions.agenda.rules import clock_text, speaker_line
from sessions.agenda.service import create_talk, delete_talk, update_talk
from sessions.agenda.service import list_talks as service_list_talks

router = APIRouter(prefix="/api", tags=["events"])


class EventOut(BaseModel):
    """An event, its times in its own zone with their offset."""

    id: int
    slug: str
    title: str
    title_vi: str
    title_en: str
    summary_vi: str
    summary_en: str
    kind: str
    start: datetime
    end: datetime
    timezone: str
    venue: str
    venue_en: str
    work_day_start: str
    work_day_end: str
    published: bool


class SpeakerOut(BaseModel):
    """A speaker: an account of the event or a guest."""

    name: str
    organisation: str = ""
    country: str = ""
    account_id: int | None = None


class TalkOut(BaseModel):
    """An agenda item, its times in the requested zone with their offset."""

    id: int
    title: str
    title_vi: str
    title_en: str
    stage: str
    stage_vi: str
    stage_en: str
    kind: str
    country: str
    abstract_vi: str
    abstract_en: str
    speaker: str
    speakers: list[SpeakerOut]
    start: datetime
    end: datetime
    timezone: str
    zone_label: str
    status: str
    sequence: int


def event_out(e: Event) -> EventOut:
    """An event as the API shows it."""
    return EventOut(
        id=e.id or 0,
        slug=e.slug,
        title=pick(get_locale(), e.title_vi, e.title_en),
        title_vi=e.title_vi,
        title_en=e.title_en,
        summary_vi=e.summary_vi,
        summary_en=e.summary_en,
        kind=e.kind,
        start=in_zone(e.starts_at, e.timezone),
        end=in_zone(e.ends_at, e.timezone),
        timezone=e.timezone,
        venue=e.venue,
        venue_en=e.venue_en,
        work_day_start=clock_text(e.work_day_start),
        work_day_end=clock_text(e.work_day_end),
        published=e.published,
    )


def talk_out(t: Talk, zone: str) -> TalkOut:
    """A talk as the API shows it, times in `zone`."""
    locale = get_locale()
    return TalkOut(
        id=t.id or 0,
        title=pick(locale, t.title_vi, t.title_en),
        title_vi=t.title_vi,
        title_en=t.title_en,
        stage=pick(locale, t.stage, t.stage_en),
        stage_vi=t.stage,
        stage_en=t.stage_en,
        kind=t.kind,
        country=t.country,
        abstract_vi=t.abstract_vi,
        abstract_en=t.abstract_en,
        speaker=speaker_line(t.speakers),
        speakers=[SpeakerOut(**s) for s in t.speakers],
        start=in_zone(t.starts_at, zone),
        end=in_zone(t.ends_at, zone),
        timezone=zone,
        zone_label=zone_label(t.starts_at, zone, locale),
        status=t.status,
        sequence=t.sequence,
    )


def _zone(tz: str | None, event: Event) -> str:
    zone = tz or event.timezone
    if not is_timezone(zone):
        raise FieldError("invalid_timezone", N_("Unknown time zone: %(zone)s"), "tz", zone=zone)
    return zone


Zone = Annotated[str | None, Query(max_length=64, description="IANA zone for the times")]
TALK_EXAMPLE: dict[str, Any] = {
    "title_vi": "Thị trường Nhật Bản: quy định an toàn thực phẩm",
    "title_en": "Japan: food safety rules",
    "stage": "Hội trường chính",
    "stage_en": "Main hall",
    "kind": "briefing",
    "country": "JP",
    "speakers": [{"name": "Đỗ Quang Huy", "organisation": "Thương vụ Việt Nam tại Nhật Bản"}],
    "start": "2026-12-02T09:10",
    "end": "2026-12-02T09:35",
}


@router.get("/events")
async def list_events(db: DbSession) -> list[EventOut]:
    """Published events (public)."""
    return [event_out(e) for e in await list_published_events(db)]


@router.post("/events", status_code=201)
async def post_event(
    db: DbSession,
    principal: MaybePrincipal,
    fields: Annotated[
        EventCreate,
        Body(
            examples=[
                {
                    "slug": "hoi-nghi-ca-rot-2026",
                    "title_vi": "Hội nghị kết nối giao thương cà rốt Hải Dương",
                    "title_en": "Hải Dương carrot trade-connection conference",
                    "kind": "conference",
                    "timezone": "Asia/Ho_Chi_Minh",
                    "start": "2026-12-02T08:00",
                    "end": "2026-12-02T17:00",
                    "venue": "Trung tâm Hội nghị tỉnh Hải Dương",
                }
            ]
        ),
    ],
) -> EventOut:
    """Create an event (accounts that organise another event); the caller becomes its organiser."""
    account_id = await may_create_events(db, principal)
    return event_out(await create_event(db, fields, account_id))


@router.get("/events/{slug}")
async def get_one_event(slug: str, db: DbSession, principal: MaybePrincipal) -> EventOut:
    """One event (published, or any of the caller's as organiser)."""
    return event_out(await readable_event(db, principal, slug))


@router.patch("/events/{slug}")
async def patch_event(
    slug: str, fields: EventFields, db: DbSession, principal: MaybePrincipal
) -> EventOut:
    """Edit an event (its organisers); times in the event's zone or with an offset."""
    event = await organised_event(db, principal, slug)
    return event_out(await update_event(db, event, fields))


@router.get("/events/{slug}/talks")
async def list_talks(
    slug: str, db: DbSession, principal: MaybePrincipal, tz: Zone = None
) -> list[TalkOut]:
    """The agenda, times in `tz` (default: the event's zone) with their offset."""
    event = await readable_event(db, principal, slug)
    zone = _zone(tz, event)
    assert event.id is not None
    return [talk_out(t, zone) for t in await service_list_talks(db, event.id)]


@router.post("/events/{slug}/talks", status_code=201)
async def post_talk(
    slug: str,
    db: DbSession,
    principal: MaybePrincipal,
    fields: Annotated[TalkCreate, Body(examples=[TALK_EXAMPLE])],
) -> TalkOut:
    """Add a talk (organisers); `start`/`end` in the event's zone or with an offset."""
    event = await organised_event(db, principal, slug)
    return talk_out(await create_talk(db, event, fields), event.timezone)


@router.patch("/talks/{talk_id}")
async def patch_talk(
    talk_id: RowId,
    db: DbSession,
    principal: MaybePrincipal,
    fields: Annotated[
        TalkFields, Body(examples=[{"start": "2026-12-02T15:00", "end": "2026-12-02T15:25"}])
    ],
) -> TalkOut:
    """Edit or move a talk (organisers); a move raises its calendar SEQUENCE."""
    event, talk = await organised_talk(db, principal, talk_id)
    return talk_out(await update_talk(db, event, talk, fields), event.timezone)


@router.delete("/talks/{talk_id}", status_code=204)
async def remove_talk(
    talk_id: RowId, db: DbSession, settings: AppSettings, principal: MaybePrincipal
) -> Response:
    """Delete a talk (organisers)."""
    _event, talk = await organised_talk(db, principal, talk_id)
    remove_files(settings, await delete_talk(db, talk))
    return Response(status_code=204)
