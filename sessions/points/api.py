"""JSON API: attendance points, their join links and joining with one."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Body, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from server.deps import AppSettings, CurrentHub, DbSession, MaybePrincipal, RowId
from server.errors import AppError, Forbidden, error_body
from server.events.access import can_see_event_people, require_role, role_in_event
from server.events.models import AttendancePoint, Role
from server.events.service import get_event
from server.i18n import N_, gettext
from server.identity.cookies import hand_over
from server.settings import Settings
from sessions.points import editing, service
from sessions.points.access import organised_point
from sessions.points.models import PointCreate, PointFields
from sessions.registration.rules import filename_part

router = APIRouter(prefix="/api", tags=["events"])


class PointOut(BaseModel):
    """An attendance point; `join_url` only for organisers."""

    id: int
    name: str
    country: str
    city: str
    timezone: str
    online: bool
    host: str
    expected_seats: int
    # The room's contacts, notes and join link are for organisers only.
    contact_name: str | None = None
    contact_email: str | None = None
    contact_phone: str | None = None
    room_notes: str | None = None
    equipment_notes: str | None = None
    join_url: str | None = None


class JoinIn(BaseModel):
    """A join token from a point's link."""

    model_config = ConfigDict(extra="forbid")

    token: Annotated[str, Field(min_length=1, max_length=200)]


class JoinOut(BaseModel):
    """The point a PC is now signed in as."""

    point_id: int
    name: str
    event_slug: str
    expires_at: datetime


class JoinLinkOut(BaseModel):
    """A point's new join link."""

    point_id: int
    join_url: str


@router.get("/events/{slug}/points")
async def list_points(
    slug: str, db: DbSession, settings: AppSettings, principal: MaybePrincipal, hub: CurrentHub
) -> list[PointOut]:
    """The event's points, for its members and points; organisers also get each join link."""
    event = await get_event(db, slug)
    assert event.id is not None
    if principal is None:
        raise AppError("sign_in_required", "Please sign in.", status_code=401)
    if not await can_see_event_people(db, principal, event.id):
        raise Forbidden("forbidden", "You do not have permission to do this.")
    account_id = principal.account.id if principal.account else None
    is_organiser = (
        account_id is not None and await role_in_event(db, account_id, event.id) == Role.organiser
    )
    points = await service.list_points(db, event.id)
    online = service.online_point_ids(hub, event.id, points)
    return [point_out(settings, p, online=p.id in online, organiser=is_organiser) for p in points]


def point_out(settings: Settings, p: AttendancePoint, *, online: bool, organiser: bool) -> PointOut:
    """A point as the API shows it to a member, or to an organiser with all its details."""
    private = {
        "contact_name": p.contact_name,
        "contact_email": p.contact_email,
        "contact_phone": p.contact_phone,
        "room_notes": p.room_notes,
        "equipment_notes": p.equipment_notes,
        "join_url": service.point_join_url(settings, p),
    }
    return PointOut(
        id=p.id or 0,
        name=p.name,
        country=p.country,
        city=p.city,
        timezone=p.timezone,
        online=online,
        host=p.host,
        expected_seats=p.expected_seats,
        **(private if organiser else {}),
    )


POINT_EXAMPLE = {
    "name": "Thương vụ Việt Nam tại Nhật Bản",
    "country": "JP",
    "city": "Tokyo",
    "timezone": "Asia/Tokyo",
    "host": "Bộ Công Thương",
    "contact_name": "Đỗ Quang Huy",
    "contact_email": "jp@moit.gov.vn",
    "contact_phone": "+81 3 3466 3311",
    "expected_seats": 40,
    "room_notes": "Phòng họp tầng 3",
    "equipment_notes": "Máy chiếu, 2 micro",
}


@router.post("/events/{slug}/points", status_code=201)
async def post_point(
    slug: str,
    db: DbSession,
    settings: AppSettings,
    principal: MaybePrincipal,
    fields: Annotated[PointCreate, Body(examples=[POINT_EXAMPLE])],
) -> PointOut:
    """Add an attendance point with its own join link (organisers)."""
    event = await get_event(db, slug)
    assert event.id is not None
    await require_role(db, principal, event.id, Role.organiser)
    point = await editing.create_point(db, settings, event, fields)
    return point_out(settings, point, online=False, organiser=True)


@router.patch("/points/{point_id}")
async def patch_point(
    point_id: RowId,
    fields: PointFields,
    db: DbSession,
    settings: AppSettings,
    principal: MaybePrincipal,
    hub: CurrentHub,
) -> PointOut:
    """Edit a point (organisers of its event); its join link stays as it is."""
    point = await organised_point(db, principal, point_id)
    point = await editing.update_point(db, point, fields)
    online = service.online_point_ids(hub, point.event_id, [point])
    return point_out(settings, point, online=point_id in online, organiser=True)


@router.delete("/points/{point_id}", status_code=204)
async def remove_point(point_id: RowId, db: DbSession, principal: MaybePrincipal) -> Response:
    """Delete a point that has taken no part yet (organisers); 409 once it has."""
    point = await organised_point(db, principal, point_id)
    await editing.delete_point(db, point)
    return Response(status_code=204)


async def csv_body(request: Request, settings: Settings) -> bytes:
    """The CSV file of an import: the body itself (text/csv) or a form's `file`, refused
    (413) past the limit before it is parsed, and never read much further than it."""
    limit = settings.points_import_max_bytes
    kind = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    declared = request.headers.get("content-length", "")
    if kind == "multipart/form-data":
        if declared.isdigit() and int(declared) > limit + editing.FORM_OVERHEAD:
            raise editing.too_large(settings)
        form = await request.form(max_files=1, max_fields=10)
        try:
            return await editing.read_csv_upload(settings, form.get("file"))
        finally:
            await form.close()
    if kind != "text/csv":
        raise AppError(
            "unsupported_media_type",
            N_("Send the file as text/csv, or upload it as a form's “file”."),
            status_code=415,
        )
    if declared.isdigit() and int(declared) > limit:
        raise editing.too_large(settings)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise editing.too_large(settings)
        chunks.append(chunk)
    return b"".join(chunks)


def csv_response(body: str, filename: str) -> Response:
    """A CSV file to download."""
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    return Response(body.encode("utf-8"), media_type="text/csv; charset=utf-8", headers=headers)


class ImportOut(BaseModel):
    """What an import did."""

    imported: int
    unchanged: int


@router.post("/events/{slug}/points/import", response_model=ImportOut)
async def import_points(
    slug: str, request: Request, db: DbSession, settings: AppSettings, principal: MaybePrincipal
) -> Response:
    """Add points from a CSV file (organisers): all its rows or, when any is refused, none;
    422 lists each refused row and column."""
    event = await get_event(db, slug)
    assert event.id is not None
    await require_role(db, principal, event.id, Role.organiser)
    outcome = await editing.import_points(db, settings, event, await csv_body(request, settings))
    if outcome.errors:
        body = error_body("import_refused", gettext(editing.REFUSED))
        body["errors"] = editing.row_problems(outcome.errors)
        return JSONResponse(body, status_code=422)
    return JSONResponse({"imported": outcome.imported, "unchanged": outcome.unchanged})


@router.get("/events/{slug}/points.csv")
async def export_points(slug: str, db: DbSession, principal: MaybePrincipal) -> Response:
    """The event's points as CSV in the import's columns (organisers)."""
    event = await get_event(db, slug)
    assert event.id is not None
    await require_role(db, principal, event.id, Role.organiser)
    body = editing.points_csv(await service.list_points(db, event.id))
    return csv_response(body, f"points-{filename_part(event.slug)}.csv")


@router.get("/points/import-template.csv")
async def import_template() -> Response:
    """A CSV file to fill in: the import's header row and one example (public)."""
    return csv_response(editing.template_csv(), "points-template.csv")


@router.post("/points/join")
async def join_point(
    body: JoinIn, request: Request, db: DbSession, settings: AppSettings
) -> JSONResponse:
    """Sign this PC in as the attendance point whose link it holds (ending any earlier
    session)."""
    signed = await service.join_with_token(db, settings, body.token)
    out = JoinOut(
        point_id=signed.point.id or 0,
        name=signed.point.name,
        event_slug=signed.event.slug,
        expires_at=signed.expires_at,
    )
    response = JSONResponse(out.model_dump(mode="json"))
    await hand_over(db, settings, request, response, signed.token, signed.expires_at)
    return response


@router.post("/points/{point_id}/join-link")
async def rotate_join_link(
    point_id: RowId, db: DbSession, settings: AppSettings, principal: MaybePrincipal
) -> JoinLinkOut:
    """Issue a new join link (organisers of the point's event); the old one stops at once."""
    point = await organised_point(db, principal, point_id)
    url = await service.rotate_join_link(db, settings, point)
    return JoinLinkOut(point_id=point_id, join_url=url)


@router.post("/points/{point_id}/revoke")
async def revoke_join_link(
    point_id: RowId, db: DbSession, principal: MaybePrincipal
) -> dict[str, str]:
    """Stop the point's join link and sign its PCs out (organisers)."""
    point = await organised_point(db, principal, point_id)
    await service.revoke_join_link(db, point)
    return {"status": "revoked"}
