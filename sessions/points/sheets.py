"""Join sheets: a point's join link as a QR code, and the A4 sheet organisers print for the room."""

from __future__ import annotations

from io import BytesIO
from typing import Any

import segno
from babel import Locale
from fastapi import APIRouter, Request
from markupsafe import Markup
from starlette.responses import Response

from server.deps import AppSettings, DbSession, MaybePrincipal, RowId
from server.errors import Conflict
from server.events.access import require_role
from server.events.models import AttendancePoint, Event, Role
from server.events.service import get_event
from server.i18n import N_, get_locale, gettext
from server.identity.auth import Principal
from server.rules import zone_label
from server.settings import Settings
from server.templating import render
from sessions.agenda.models import Talk
from sessions.agenda.service import list_talks
from sessions.points.access import organised_point
from sessions.points.service import list_points, point_join_url
from sessions.views import agenda_days, event_view

router = APIRouter(include_in_schema=False)

# Module size in pixels for the PNG: a 33-module code comes out at 264 px, about 22 mm at
# 300 dpi, which a phone reads from paper.
PNG_SCALE = 8
SVG_SCALE = 8
# The four-module quiet zone the QR standard asks for; scanners fail without it.
BORDER = 4


def _current_url(settings: Settings, point: AttendancePoint) -> str:
    """The point's join link as it is now (a rotated link replaces it at once), or 409."""
    url = point_join_url(settings, point)
    if url is None:
        raise Conflict(
            "join_link_revoked",
            N_("This point’s join link is revoked; issue a new link first."),
        )
    return url


def _qr(url: str) -> segno.QRCode:
    return segno.make_qr(url, error="m")


def _qr_labels(point: AttendancePoint) -> dict[str, str]:
    # segno escapes title and desc as XML text, so a point's name cannot inject markup.
    return {
        "title": gettext("Join link of %(point)s", point=point.name),
        "desc": gettext("QR code that opens the attendance point’s join link."),
    }


@router.get("/api/points/{point_id}/qr.svg")
async def point_qr_svg(
    point_id: RowId, db: DbSession, settings: AppSettings, principal: MaybePrincipal
) -> Response:
    """The point's current join link as an SVG QR code (organisers of its event)."""
    point = await organised_point(db, principal, point_id)
    out = BytesIO()
    _qr(_current_url(settings, point)).save(
        out, kind="svg", scale=SVG_SCALE, border=BORDER, light="#fff", **_qr_labels(point)
    )
    # No Cache-Control here: the app's default no-store keeps the secret link out of caches.
    return Response(out.getvalue(), media_type="image/svg+xml")


@router.get("/api/points/{point_id}/qr.png")
async def point_qr_png(
    point_id: RowId, db: DbSession, settings: AppSettings, principal: MaybePrincipal
) -> Response:
    """The point's current join link as a PNG QR code (organisers of its event)."""
    point = await organised_point(db, principal, point_id)
    out = BytesIO()
    _qr(_current_url(settings, point)).save(
        out, kind="png", scale=PNG_SCALE, border=BORDER, light="#fff"
    )
    return Response(out.getvalue(), media_type="image/png")


def _place(point: AttendancePoint, locale: str) -> str:
    country = Locale.parse(locale).territories.get(point.country, point.country)
    return f"{point.city}, {country}"


def _sheet(
    settings: Settings, event: Event, point: AttendancePoint, talks: list[Talk]
) -> dict[str, Any]:
    """What one printed sheet shows: the point, its link and code, its agenda in its zone."""
    locale = get_locale()
    url = point_join_url(settings, point)
    qr = None
    if url is not None:
        # segno's markup holds only the code's path and the escaped title and description.
        qr = Markup(  # noqa: S704 (segno's own output; the only text in it is escaped)
            _qr(url).svg_inline(
                scale=SVG_SCALE,
                border=BORDER,
                light="#fff",
                omitsize=True,
                svgclass="sheet-qr-code",
                **_qr_labels(point),
            )
        )
    return {
        "id": point.id,
        "name": point.name,
        "place": _place(point, locale),
        "zone_label": zone_label(event.starts_at, point.timezone, locale),
        "event_zone_label": zone_label(event.starts_at, event.timezone, locale),
        "other_zone": point.timezone != event.timezone,
        "join_url": url,
        "qr": qr,
        "agenda": agenda_days(talks, point.timezone, event.timezone),
    }


def _contact(principal: Principal | None) -> dict[str, str]:
    account = principal.account if principal else None
    return {
        "name": account.display_name if account else "",
        "email": account.email if account else "",
    }


def _render_sheets(
    request: Request,
    event: Event,
    sheets: list[dict[str, Any]],
    principal: Principal | None,
    title: str,
) -> Response:
    view = event_view(event)
    context = {
        "event": view,
        "sheets": sheets,
        "title": title,
        "contact": _contact(principal),
    }
    return render(request, "organiser_sheet.html", context)


@router.get("/e/{slug}/organiser/points/{point_id}/sheet")
async def point_sheet(
    request: Request,
    slug: str,
    point_id: RowId,
    db: DbSession,
    settings: AppSettings,
    principal: MaybePrincipal,
) -> Response:
    """A printable A4 join sheet for one point (organisers)."""
    event = await get_event(db, slug)
    point = await organised_point(db, principal, point_id, event)
    assert event.id is not None
    talks = await list_talks(db, event.id)
    sheet = _sheet(settings, event, point, talks)
    title = gettext("Join sheet: %(point)s", point=point.name)
    return _render_sheets(request, event, [sheet], principal, title)


@router.get("/e/{slug}/organiser/points/sheets")
async def point_sheets(
    request: Request, slug: str, db: DbSession, settings: AppSettings, principal: MaybePrincipal
) -> Response:
    """Every point's join sheet in one print view, one A4 page each (organisers)."""
    event = await get_event(db, slug)
    assert event.id is not None
    await require_role(db, principal, event.id, Role.organiser)
    talks = await list_talks(db, event.id)
    points = await list_points(db, event.id)
    sheets = [_sheet(settings, event, p, talks) for p in points]
    return _render_sheets(request, event, sheets, principal, gettext("Join sheets"))
