"""The organisers' live desk."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from server.db import utcnow
from server.deps import (
    AppSettings,
    DbSession,
    MaybePrincipal,
)
from server.errors import NotFound
from server.events.access import require_role
from server.events.models import Role
from server.events.service import get_event
from server.templating import render
from sessions.agenda.models import Talk
from sessions.agenda.rules import pick_current_talk
from sessions.agenda.service import list_talks
from sessions.live.feeds import list_recordings
from sessions.points.service import (
    list_points,
)
from sessions.views import event_view, live_config, talk_option

router = APIRouter(include_in_schema=False)


def _chosen_talk(talks: list[Talk], talk_id: int | None) -> Talk | None:
    if talk_id is None:
        return pick_current_talk(talks, utcnow())
    for talk in talks:
        if talk.id == talk_id:
            return talk
    raise NotFound("talk_not_found", "No such talk in this event.")


@router.get("/e/{slug}/organiser/live")
async def organiser_live(
    request: Request,
    slug: str,
    db: DbSession,
    settings: AppSettings,
    principal: MaybePrincipal,
    talk: int | None = None,
) -> Response:
    """The organisers' live desk: floor queue, questions, chat, announcements, polls, points."""
    event = await get_event(db, slug)
    assert event.id is not None
    await require_role(db, principal, event.id, Role.organiser)
    assert principal is not None
    talks = await list_talks(db, event.id)
    current = _chosen_talk(talks, talk)
    points = await list_points(db, event.id)
    context = {
        "event": event_view(event),
        "talks": [{**talk_option(t, event.timezone), "selected": t is current} for t in talks],
        "talk": talk_option(current, event.timezone) if current else None,
        "points": [{"id": p.id, "name": p.name, "place": f"{p.city}, {p.country}"} for p in points],
        "point_count": len(points),
        "recordings": (
            [
                r.model_dump()
                for r in list_recordings(
                    settings,
                    current.id,
                    event.timezone,
                    {p.id: p.name for p in points if p.id is not None},
                )
            ]
            if current and current.id
            else []
        ),
        "live": live_config(
            settings,
            event,
            principal,
            moderates=True,
            zone=event.timezone,
            talk=current,
            talks=talks,
        ),
    }
    return render(request, "organiser_live.html", context)
