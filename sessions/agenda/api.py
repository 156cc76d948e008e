"""JSON API: published events and their agenda."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from server.deps import DbSession
from server.errors import AppError, NotFound
from server.events.service import get_event, list_published_events
from server.i18n import get_locale
from server.rules import in_zone, is_timezone, pick
from sessions.agenda.service import list_talks as service_list_talks

router = APIRouter(prefix="/api", tags=["events"])


class EventOut(BaseModel):
    """A published event."""

    id: int
    slug: str
    title: str
    title_vi: str
    title_en: str
    kind: str
    start: datetime
    end: datetime
    timezone: str
    venue: str


class TalkOut(BaseModel):
    """An agenda item, its times in the requested zone with their offset."""

    id: int
    title: str
    title_vi: str
    title_en: str
    stage: str
    speaker: str
    start: datetime
    end: datetime
    timezone: str
    status: str


@router.get("/events")
async def list_events(db: DbSession) -> list[EventOut]:
    """Published events (public)."""
    locale = get_locale()
    return [
        EventOut(
            id=e.id or 0,
            slug=e.slug,
            title=pick(locale, e.title_vi, e.title_en),
            title_vi=e.title_vi,
            title_en=e.title_en,
            kind=e.kind,
            start=in_zone(e.starts_at, e.timezone),
            end=in_zone(e.ends_at, e.timezone),
            timezone=e.timezone,
            venue=e.venue,
        )
        for e in await list_published_events(db)
    ]


@router.get("/events/{slug}/talks")
async def list_talks(
    slug: str,
    db: DbSession,
    tz: Annotated[str | None, Query(max_length=64, description="IANA zone for the times")] = None,
) -> list[TalkOut]:
    """The agenda, times in `tz` (default: the event's zone) with their offset."""
    event = await get_event(db, slug)
    if not event.published:
        raise NotFound("event_not_found", "No such event.")
    zone = tz or event.timezone
    if not is_timezone(zone):
        raise AppError(
            "invalid_timezone", "Unknown time zone: %(zone)s", status_code=422, zone=zone
        )
    locale = get_locale()
    assert event.id is not None
    return [
        TalkOut(
            id=t.id or 0,
            title=pick(locale, t.title_vi, t.title_en),
            title_vi=t.title_vi,
            title_en=t.title_en,
            stage=t.stage,
            speaker=t.speaker,
            start=in_zone(t.starts_at, zone),
            end=in_zone(t.ends_at, zone),
            timezone=zone,
            status=t.status,
        )
        for t in await service_list_talks(db, event.id)
    ]
