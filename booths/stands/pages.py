"""Booth pages: an event's booths, and a booth with its products and its video call."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from booths.catalogue.models import Product
from booths.catalogue.service import list_products
from booths.stands.access import authorise_booth
from booths.stands.models import Booth
from booths.stands.service import get_booth, list_booths
from server.deps import AppSettings, DbSession, MaybePrincipal, RowId
from server.errors import AppError, Forbidden, NotFound
from server.events.access import can_see_event_people
from server.events.models import Event
from server.events.service import get_event
from server.i18n import N_, get_locale
from server.identity.auth import Principal
from server.rules import pick
from server.settings import Settings
from server.templating import live_labels, render

router = APIRouter(tags=["booths"])


def _booth_view(booth: Booth) -> dict[str, Any]:
    return {
        "id": booth.id,
        "name": pick(get_locale(), booth.name_vi, booth.name_en),
        "description": pick(get_locale(), booth.description_vi, booth.description_en),
    }


def _product_view(product: Product) -> dict[str, Any]:
    return {
        "name": pick(get_locale(), product.name_vi, product.name_en),
        "category": product.category,
        "certifications": product.certifications,
        "stars": "★" * (product.ocop_stars or 0),
    }


async def _member_of_event(db: DbSession, principal: Principal | None, event_id: RowId) -> None:
    if principal is None:
        raise AppError("sign_in_required", N_("Please sign in."), status_code=401)
    if not await can_see_event_people(db, principal, event_id):
        raise Forbidden("forbidden", N_("You do not have permission to do this."))


def _call_config(settings: Settings, principal: Principal, booth: Booth) -> dict[str, Any]:
    """What the live scripts read: the hub's labels and the booth whose call this page joins."""
    return {
        "event": booth.event_id,
        "point": principal.point_id,
        "booth": booth.id,
        "call_max": settings.booth_call_max_people,
        # One tile per other person the call may hold.
        "others": list(range(settings.booth_call_max_people - 1)),
        "labels": live_labels(),
    }


@router.get("/e/{slug}/booths")
async def booths_page(
    request: Request, slug: str, db: DbSession, principal: MaybePrincipal
) -> Response:
    """An event's booths, for its members and attendance points."""
    event = await get_event(db, slug)
    assert event.id is not None
    assert event.id is not None
    await _member_of_event(db, principal, event.id)
    booths = await list_booths(db, event.id)
    return render(
        request,
        "booths.html",
        {"event_slug": event.slug, "booths": [_booth_view(b) for b in booths]},
    )


@router.get("/e/{slug}/booths/{booth_id}")
async def booth_page(
    request: Request,
    slug: str,
    booth_id: RowId,
    db: DbSession,
    settings: AppSettings,
    principal: MaybePrincipal,
) -> Response:
    """A booth: its products, and a video call of up to `booth_call_max_people` people."""
    event = await get_event(db, slug)
    assert event.id is not None
    await _member_of_event(db, principal, event.id)
    booth = await get_booth(db, booth_id)
    if booth.event_id != event.id:
        raise NotFound("booth_not_found", N_("No such booth."))
    assert principal is not None
    access = await authorise_booth(db, principal, str(booth_id))
    products = await list_products(db, booth_id)
    context = {
        "booth": _booth_view(booth),
        "event_slug": event.slug,
        "products": [_product_view(p) for p in products],
        "staff": bool(access and access.can_moderate),
        "live": _call_config(settings, principal, booth),
    }
    return render(request, "booth.html", context)


# The booth pages' first addresses, before every page lived under its event's slug: they ask
# what the new pages ask before they say where the page went.
@router.get("/events/{event_id}/booths")
async def old_booths_page(event_id: RowId, db: DbSession, principal: MaybePrincipal) -> Response:
    """Moved to `/e/{slug}/booths`."""
    event = await db.get(Event, event_id)
    if event is None:
        raise NotFound("event_not_found", N_("No such event."))
    assert event.id is not None
    await _member_of_event(db, principal, event.id)
    return RedirectResponse(f"/e/{event.slug}/booths", status_code=308)


@router.get("/booths/{booth_id}")
async def old_booth_page(booth_id: RowId, db: DbSession, principal: MaybePrincipal) -> Response:
    """Moved to `/e/{slug}/booths/{booth_id}`."""
    booth = await get_booth(db, booth_id)
    await _member_of_event(db, principal, booth.event_id)
    event = await db.get(Event, booth.event_id)
    assert event is not None
    return RedirectResponse(f"/e/{event.slug}/booths/{booth_id}", status_code=308)
