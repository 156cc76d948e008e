"""Pages: the organisers' points list, join links and a point's console."""

from __future__ import annotations

from typing import Any, TypeVar

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, ValidationError
from starlette.datastructures import FormData
from starlette.responses import Response

from server.db import utcnow
from server.deps import (
    AppSettings,
    CsrfForm,
    CurrentHub,
    CurrentPrincipal,
    DbSession,
    MaybePrincipal,
    RowId,
    form_str,
)
from server.errors import AppError, FieldError, Forbidden
from server.events.access import require_role
from server.events.models import AttendancePoint, Event, Role
from server.events.rules import is_international
from server.events.service import get_event, get_point
from server.i18n import N_, get_locale, gettext
from server.identity.auth import Principal
from server.identity.cookies import hand_over
from server.realtime.hub import Hub
from server.rules import zone_label
from server.settings import Settings
from server.templating import render
from sessions.agenda.access import organised_event
from sessions.agenda.rules import pick_current_talk
from sessions.agenda.service import documents_by_talk, list_talks
from sessions.points import editing
from sessions.points.access import organised_point
from sessions.points.models import PointCreate, PointFields
from sessions.points.rules import COLUMNS, MAX_SEATS, zone_names
from sessions.points.service import (
    join_with_token,
    list_points,
    online_point_ids,
    point_join_url,
    point_zones,
    revoke_join_link,
    rotate_join_link,
)
from sessions.registration.service import country_choices
from sessions.views import (
    agenda_days,
    event_view,
    live_config,
    reading_zone,
    talk_option,
    zone_switch,
)

router = APIRouter(include_in_schema=False)
M = TypeVar("M", bound=BaseModel)
POINT_TEXT = (
    "name",
    "country",
    "city",
    "timezone",
    "host",
    "contact_name",
    "contact_email",
    "contact_phone",
    "room_notes",
    "equipment_notes",
)


def _point_rows(
    settings: Settings, points: list[AttendancePoint], online: set[int]
) -> list[dict[str, Any]]:
    return [
        {
            "id": p.id,
            "name": p.name,
            "place": f"{p.city}, {p.country}",
            "zone": p.timezone,
            "abroad": is_international(p.country),
            "contact": p.contact_name,
            "seats": p.expected_seats,
            "online": p.id in online,
            "revoked": p.revoked,
            "join_url": point_join_url(settings, p),
            "values": point_values(p),
        }
        for p in points
    ]


def point_values(point: AttendancePoint) -> dict[str, Any]:
    """A point as its edit form holds it."""
    values: dict[str, Any] = {name: getattr(point, name) for name in POINT_TEXT}
    values["expected_seats"] = str(point.expected_seats)
    return values


def form_values(form: FormData) -> dict[str, Any]:
    """A point form's fields (cut to a sane length before they are echoed)."""
    values: dict[str, Any] = {name: form_str(form, name)[:6000] for name in POINT_TEXT}
    values["expected_seats"] = form_str(form, "expected_seats").strip()[:10] or "0"
    return values


def parse(model: type[M], values: dict[str, Any]) -> M:
    """A form's values as the API's model takes them, the first refused field in words."""
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        raise FieldError(
            "invalid_input",
            N_("Invalid input: %(name)s: %(reason)s"),
            where,
            name=where,
            reason=first.get("msg", ""),
        ) from exc


def blank_point() -> dict[str, Any]:
    """The add form, empty."""
    return {**dict.fromkeys(POINT_TEXT, ""), "expected_seats": "0"}


async def points_page(
    request: Request,
    db: DbSession,
    settings: Settings,
    hub: Hub,
    event: Event,
    principal: Principal,
    *,
    error: AppError | None = None,
    failed: int | None = None,
    values: dict[str, Any] | None = None,
    import_errors: list[dict[str, Any]] | None = None,
    notice: str | None = None,
) -> Response:
    """The organisers' points page, with what a refused form sent and why."""
    assert event.id is not None
    points = await list_points(db, event.id)
    online = online_point_ids(hub, event.id, points)
    rows = _point_rows(settings, points, online)
    if failed is not None and values is not None:
        for row in rows:
            if row["id"] == failed:
                row["values"] = values
    locale = get_locale()
    context = {
        "event": event_view(event),
        "points": rows,
        "point_count": len(rows),
        "online_count": len(online),
        "international_count": sum(1 for r in rows if r["abroad"]),
        "live": live_config(settings, event, principal, moderates=True, zone=event.timezone),
        "new": values if failed is None and values is not None else blank_point(),
        "countries": [{"value": c, "label": n} for c, n in country_choices(locale)],
        "zones": zone_names(),
        "columns": ", ".join(COLUMNS),
        "max_seats": MAX_SEATS,
        "max_rows": settings.points_import_max_rows,
        "max_mb": editing.size_text(settings),
        "error": error.text() if error else None,
        "error_field": getattr(error, "field", None),
        "failed": failed,
        "import_errors": import_errors,
        "notice": notice,
    }
    status = error.status_code if error else 200
    return render(request, "organiser_points.html", context, status_code=status)


@router.get("/e/{slug}/organiser/points")
async def organiser_points(
    request: Request,
    slug: str,
    db: DbSession,
    settings: AppSettings,
    principal: MaybePrincipal,
    hub: CurrentHub,
) -> Response:
    """Every attendance point with its status and join link (organisers)."""
    event = await get_event(db, slug)
    assert event.id is not None
    await require_role(db, principal, event.id, Role.organiser)
    assert principal is not None
    imported = request.query_params.get("imported", "")
    unchanged = request.query_params.get("unchanged", "")
    notice = None
    if imported.isdigit() and unchanged.isdigit() and len(imported + unchanged) < 12:
        notice = gettext(
            "Imported %(imported)s new points; %(unchanged)s were already there unchanged.",
            imported=int(imported),
            unchanged=int(unchanged),
        )
    return await points_page(request, db, settings, hub, event, principal, notice=notice)


async def _organiser(
    db: DbSession, principal: Principal | None, slug: str
) -> tuple[Event, Principal]:
    event = await organised_event(db, principal, slug)
    assert principal is not None
    return event, principal


@router.post("/e/{slug}/organiser/points")
async def organiser_add_point(
    request: Request,
    slug: str,
    form: CsrfForm,
    db: DbSession,
    settings: AppSettings,
    principal: MaybePrincipal,
    hub: CurrentHub,
) -> Response:
    """Add a point from the page's form."""
    event, me = await _organiser(db, principal, slug)
    values = form_values(form)
    try:
        point = await editing.create_point(db, settings, event, parse(PointCreate, values))
    except AppError as exc:
        return await points_page(request, db, settings, hub, event, me, error=exc, values=values)
    return RedirectResponse(f"/e/{event.slug}/organiser/points#point-{point.id}", status_code=303)


@router.post("/e/{slug}/organiser/points/import")
async def organiser_import_points(
    request: Request,
    slug: str,
    form: CsrfForm,
    db: DbSession,
    settings: AppSettings,
    principal: MaybePrincipal,
    hub: CurrentHub,
) -> Response:
    """Import points from an uploaded CSV file: back with the count, or the refused rows."""
    event, me = await _organiser(db, principal, slug)
    try:
        data = await editing.read_csv_upload(settings, form.get("file"))
        outcome = await editing.import_points(db, settings, event, data)
    except AppError as exc:
        return await points_page(request, db, settings, hub, event, me, error=exc)
    if outcome.errors:
        refused = AppError("import_refused", editing.REFUSED, status_code=422)
        problems = editing.row_problems(outcome.errors)
        return await points_page(
            request, db, settings, hub, event, me, error=refused, import_errors=problems
        )
    target = f"/e/{event.slug}/organiser/points?imported={outcome.imported}"
    return RedirectResponse(f"{target}&unchanged={outcome.unchanged}#import", status_code=303)


@router.post("/e/{slug}/organiser/points/{point_id}")
async def organiser_edit_point(
    request: Request,
    slug: str,
    point_id: RowId,
    form: CsrfForm,
    db: DbSession,
    settings: AppSettings,
    principal: MaybePrincipal,
    hub: CurrentHub,
) -> Response:
    """Save one point's edit form."""
    event = await get_event(db, slug)
    point = await organised_point(db, principal, point_id, event)
    assert principal is not None
    values = form_values(form)
    try:
        await editing.update_point(db, point, parse(PointFields, values))
    except AppError as exc:
        return await points_page(
            request, db, settings, hub, event, principal, error=exc, failed=point_id, values=values
        )
    return RedirectResponse(f"/e/{event.slug}/organiser/points#point-{point_id}", status_code=303)


@router.post("/e/{slug}/organiser/points/{point_id}/delete")
async def organiser_delete_point(
    request: Request,
    slug: str,
    point_id: RowId,
    _form: CsrfForm,
    db: DbSession,
    settings: AppSettings,
    principal: MaybePrincipal,
    hub: CurrentHub,
) -> Response:
    """Delete a point from the page; one that has taken part is kept, and the page says why."""
    event = await get_event(db, slug)
    point = await organised_point(db, principal, point_id, event)
    assert principal is not None
    try:
        await editing.delete_point(db, point)
    except AppError as exc:
        return await points_page(
            request, db, settings, hub, event, principal, error=exc, failed=point_id
        )
    return RedirectResponse(f"/e/{event.slug}/organiser/points", status_code=303)


@router.post("/e/{slug}/organiser/points/{point_id}/rotate")
async def organiser_rotate(
    slug: str,
    point_id: RowId,
    _form: CsrfForm,
    db: DbSession,
    settings: AppSettings,
    principal: MaybePrincipal,
) -> Response:
    """New join link for a point, from the organiser page."""
    event = await get_event(db, slug)
    point = await organised_point(db, principal, point_id, event)
    await rotate_join_link(db, settings, point)
    return RedirectResponse(f"/e/{event.slug}/organiser/points#point-{point_id}", status_code=303)


@router.post("/e/{slug}/organiser/points/{point_id}/revoke")
async def organiser_revoke(
    slug: str, point_id: RowId, _form: CsrfForm, db: DbSession, principal: MaybePrincipal
) -> Response:
    """Stop a point's join link, from the organiser page."""
    event = await get_event(db, slug)
    point = await organised_point(db, principal, point_id, event)
    await revoke_join_link(db, point)
    return RedirectResponse(f"/e/{event.slug}/organiser/points#point-{point_id}", status_code=303)


@router.get("/join/{token}")
async def join_link(token: str, request: Request, db: DbSession, settings: AppSettings) -> Response:
    """Opening a point's link signs this PC in as that point (ending any earlier session)."""
    signed = await join_with_token(db, settings, token)
    response = RedirectResponse(f"/e/{signed.event.slug}/point", status_code=303)
    await hand_over(db, settings, request, response, signed.token, signed.expires_at)
    return response


@router.get("/e/{slug}/point")
async def point_console(
    request: Request, slug: str, db: DbSession, settings: AppSettings, principal: CurrentPrincipal
) -> Response:
    """The attendance point's console: its agenda, chat, questions, raised hand and polls."""
    event = await get_event(db, slug)
    if principal.point_id is None or principal.point_event_id != event.id:
        raise Forbidden(
            "points_only", "This page is for the event's attendance points; open your join link."
        )
    point = await get_point(db, principal.point_id)
    assert event.id is not None
    talks = await list_talks(db, event.id)
    current = pick_current_talk(talks, utcnow())
    zone, _choice = reading_zone(request, event.timezone, point.timezone)
    locale = get_locale()
    context = {
        "event": event_view(event),
        "point": {
            "name": point.name,
            "place": f"{point.city}, {point.country}",
            "zone": point.timezone,
        },
        "talk": talk_option(current, zone) if current else None,
        "live": live_config(
            settings,
            event,
            principal,
            moderates=False,
            zone=zone,
            talk=current,
            talks=talks,
        ),
        "agenda": agenda_days(
            talks,
            zone,
            event.timezone,
            await documents_by_talk(db, [t.id for t in talks if t.id is not None]),
        ),
        "agenda_zone": zone_label(event.starts_at, zone, locale),
        "other_zone": zone_label(event.starts_at, event.timezone, locale)
        if zone != event.timezone
        else "",
        "zones": zone_switch(request, event, point.timezone, await point_zones(db, event.id)),
    }
    return render(request, "point.html", context)
