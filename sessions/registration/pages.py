"""Pages: an event's public sign-up form, and the organisers' registrations and invitations."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from server.deps import AppSettings, CsrfForm, DbSession, MaybePrincipal, RowId, form_str
from server.errors import AppError
from server.events.access import require_role
from server.events.models import Event, Role
from server.events.service import get_event
from server.i18n import LOCALE_NAMES, N_, get_locale, gettext
from server.identity.auth import Principal
from server.identity.models import Account
from server.identity.service import IssuedInvitation
from server.mail import mail_configured
from server.rules import format_datetime, normalise_text, pick
from server.settings import Settings
from server.templating import render
from sessions.registration.models import Registration, RegistrationStatus
from sessions.registration.rules import filename_part
from sessions.registration.service import (
    ASKABLE_ROLES,
    INVITABLE_ROLES,
    SignupThrottle,
    approve,
    check_open,
    country_choices,
    country_name,
    get_registration,
    invite_directly,
    list_registrations,
    register,
    registrations_csv,
    reject,
)

router = APIRouter(include_in_schema=False)

ROLE_LABELS = {
    Role.counsellor: N_("Trade counsellor or attendance point abroad"),
    Role.producer: N_("Producer (firm or cooperative)"),
    Role.buyer: N_("Buyer or visitor"),
    Role.organiser: N_("Organiser"),
    Role.interpreter: N_("Interpreter"),
}
STATUS_LABELS = {
    RegistrationStatus.pending: N_("waiting for a decision"),
    RegistrationStatus.approved: N_("approved"),
    RegistrationStatus.rejected: N_("rejected"),
}
CHECKED = frozenset({"yes", "on", "true", "1"})


def _event_view(event: Event) -> dict[str, str]:
    locale = get_locale()
    return {
        "slug": event.slug,
        "title": pick(locale, event.title_vi, event.title_en),
        "venue": event.venue,
        "starts": format_datetime(event.starts_at, event.timezone, get_locale()),
        "ends": format_datetime(event.ends_at, event.timezone, get_locale()),
    }


def _choices(options: list[tuple[str, str]], chosen: str) -> list[dict[str, Any]]:
    return [
        {"value": value, "label": label, "selected": value == chosen} for value, label in options
    ]


def _role_choices(chosen: str, roles: tuple[Role, ...] = ASKABLE_ROLES) -> list[dict[str, Any]]:
    return _choices([(role.value, gettext(ROLE_LABELS[role])) for role in roles], chosen)


def _locale_choices(chosen: str) -> list[dict[str, Any]]:
    return _choices(list(LOCALE_NAMES.items()), chosen)


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _signup_throttle(request: Request) -> SignupThrottle:
    # One per app, made on first use (no await in between, so two requests cannot both make one).
    throttle: SignupThrottle | None = getattr(request.app.state, "signup_throttle", None)
    if throttle is None:
        throttle = SignupThrottle(request.app.state.settings)
        request.app.state.signup_throttle = throttle
    return throttle


def _form_context(
    event: Event, values: dict[str, str], *, consent: bool, error: str | None, closed: str | None
) -> dict[str, Any]:
    locale = get_locale()
    return {
        "event": _event_view(event),
        "values": values,
        "countries": _choices(country_choices(locale), values["country"]),
        "roles": _role_choices(values["role"]),
        "locales": _locale_choices(values["locale"]),
        "consent_checked": consent,
        "error": error,
        "closed": closed,
    }


@router.get("/e/{slug}/register")
async def register_page(
    request: Request, slug: str, db: DbSession, _principal: MaybePrincipal
) -> Response:
    """The public sign-up form."""
    event = await get_event(db, slug)
    closed = None
    try:
        check_open(event)
    except AppError as exc:
        if exc.status_code == 404:
            raise
        closed = exc.text()
    values = {
        "full_name": "",
        "email": "",
        "organisation_name": "",
        "country": "VN",
        "role": Role.producer.value,
        "locale": get_locale(),
    }
    return render(
        request,
        "register.html",
        _form_context(event, values, consent=False, error=None, closed=closed),
    )


@router.post("/e/{slug}/register")
async def register_submit(
    request: Request,
    slug: str,
    form: CsrfForm,
    db: DbSession,
    settings: AppSettings,
    _principal: MaybePrincipal,
) -> Response:
    """Store a sign-up and thank the person; on a refusal, the form again with what was typed."""
    event = await get_event(db, slug)
    fields = ("full_name", "email", "organisation_name", "country", "role", "locale")
    # Cut to a sane length before anything is echoed back into the page.
    values = {name: form_str(form, name)[:1000] for name in fields}
    consent = form_str(form, "consent") in CHECKED
    try:
        row = await register(
            db,
            settings,
            event,
            full_name=values["full_name"],
            email=values["email"],
            organisation_name=values["organisation_name"],
            country=values["country"],
            role=values["role"],
            locale=values["locale"],
            consent=consent,
            client=_client(request),
            throttle=_signup_throttle(request),
        )
    except AppError as exc:
        if exc.status_code == 404:
            raise
        closed = exc.text() if exc.code == "registration_closed" else None
        context = _form_context(event, values, consent=consent, error=exc.text(), closed=closed)
        return render(request, "register.html", context, status_code=exc.status_code)
    context = {
        "event": _event_view(event),
        "thanks": gettext(
            "Thank you, %(name)s. Your registration is received.", name=row.full_name
        ),
        "next_steps": gettext(
            "The organisers will review it. When it is approved, an invitation to set your password is sent to %(email)s.",
            email=row.email,
        ),
    }
    return render(request, "register_done.html", context)


def _registration_rows(rows: list[Registration], zone: str) -> list[dict[str, Any]]:
    locale = get_locale()
    return [
        {
            "id": r.id,
            "full_name": r.full_name,
            "email": r.email,
            "organisation": r.organisation_name,
            "country": country_name(r.country, locale),
            "country_code": r.country,
            "role": gettext(ROLE_LABELS[r.role_requested]),
            "language": LOCALE_NAMES.get(r.locale, r.locale),
            "status": str(r.status),
            "status_label": gettext(STATUS_LABELS[r.status]),
            "registered": format_datetime(r.created_at, zone, get_locale()),
            "decided": format_datetime(r.decided_at, zone, get_locale()) if r.decided_at else "",
            "pending": r.status == RegistrationStatus.pending,
        }
        for r in rows
    ]


def _notice(
    settings: Settings, issued: IssuedInvitation | None, name: str, email: str
) -> dict[str, Any]:
    """What the organiser is told after an approval or an invitation."""
    if issued is None:
        text = gettext(
            "%(name)s (%(email)s) already has an account: the role is given, and they sign in with their own password.",
            name=name,
            email=email,
        )
        return {"text": text, "url": None}
    if issued.mailed:
        return {
            "text": gettext("The invitation was mailed to %(email)s.", email=email),
            "url": None,
        }
    if mail_configured(settings):
        text = gettext(
            "The mail to %(email)s could not be sent. Pass this invitation link on to %(name)s yourself; it works once, for %(days)s days:",
            email=email,
            name=name,
            days=settings.invitation_days,
        )
    else:
        text = gettext(
            "Pass this invitation link on to %(name)s (%(email)s); it works once, for %(days)s days:",
            name=name,
            email=email,
            days=settings.invitation_days,
        )
    return {"text": text, "url": issued.url}


async def _organiser_event(
    db: DbSession, principal: Principal | None, slug: str
) -> tuple[Event, Account]:
    event = await get_event(db, slug)
    assert event.id is not None
    await require_role(db, principal, event.id, Role.organiser)
    assert principal is not None
    assert principal.account is not None
    return event, principal.account


async def _registrations_page(
    request: Request,
    db: DbSession,
    event: Event,
    *,
    notice: dict[str, Any] | None = None,
    error: str | None = None,
    invite_values: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    assert event.id is not None
    rows = _registration_rows(await list_registrations(db, event.id), event.timezone)
    counts = {
        status: sum(1 for r in rows if r["status"] == status) for status in RegistrationStatus
    }
    values = invite_values or {
        "email": "",
        "display_name": "",
        "role": Role.counsellor.value,
        "locale": "vi",
    }
    context = {
        "event": _event_view(event),
        "registrations": rows,
        "summary": gettext(
            "%(n)s registrations: %(p)s waiting, %(a)s approved, %(r)s rejected",
            n=len(rows),
            p=counts[RegistrationStatus.pending],
            a=counts[RegistrationStatus.approved],
            r=counts[RegistrationStatus.rejected],
        ),
        "times_in": gettext("Times in %(zone)s", zone=event.timezone),
        "notice": notice,
        "error": error,
        "invite": values,
        "invite_roles": _role_choices(values["role"], INVITABLE_ROLES),
        "invite_locales": _locale_choices(values["locale"]),
        "csv_url": f"/e/{event.slug}/organiser/registrations.csv",
    }
    response = render(request, "organiser_registrations.html", context, status_code=status_code)
    return response


@router.get("/e/{slug}/organiser/registrations")
async def organiser_registrations(
    request: Request, slug: str, db: DbSession, principal: MaybePrincipal
) -> Response:
    """Every sign-up with its status, the decisions, direct invitations (organisers)."""
    event, _organiser = await _organiser_event(db, principal, slug)
    return await _registrations_page(request, db, event)


@router.post("/e/{slug}/organiser/registrations/{registration_id}/approve")
async def organiser_approve(
    request: Request,
    slug: str,
    registration_id: RowId,
    _form: CsrfForm,
    db: DbSession,
    settings: AppSettings,
    principal: MaybePrincipal,
) -> Response:
    """Approve a sign-up; the invitation link is shown in this response only, never in a URL."""
    event, organiser = await _organiser_event(db, principal, slug)
    try:
        issued = await approve(db, settings, event, registration_id, organiser)
    except AppError as exc:
        if exc.status_code == 404:
            raise
        return await _registrations_page(
            request, db, event, error=exc.text(), status_code=exc.status_code
        )
    row = await get_registration(db, event, registration_id)
    notice = _notice(settings, issued, row.full_name, row.email)
    return await _registrations_page(request, db, event, notice=notice)


@router.post("/e/{slug}/organiser/registrations/{registration_id}/reject")
async def organiser_reject(
    request: Request,
    slug: str,
    registration_id: RowId,
    _form: CsrfForm,
    db: DbSession,
    principal: MaybePrincipal,
) -> Response:
    """Turn a sign-up down."""
    event, organiser = await _organiser_event(db, principal, slug)
    try:
        await reject(db, event, registration_id, organiser)
    except AppError as exc:
        if exc.status_code == 404:
            raise
        return await _registrations_page(
            request, db, event, error=exc.text(), status_code=exc.status_code
        )
    return RedirectResponse(
        f"/e/{event.slug}/organiser/registrations#registration-{registration_id}", status_code=303
    )


@router.post("/e/{slug}/organiser/invitations")
async def organiser_invite(
    request: Request,
    slug: str,
    form: CsrfForm,
    db: DbSession,
    settings: AppSettings,
    principal: MaybePrincipal,
) -> Response:
    """Invite a counsellor, producer or buyer who did not sign up."""
    event, organiser = await _organiser_event(db, principal, slug)
    values = {
        name: form_str(form, name)[:1000] for name in ("email", "display_name", "role", "locale")
    }
    try:
        issued = await invite_directly(
            db,
            settings,
            event,
            email=values["email"],
            display_name=values["display_name"],
            role=values["role"],
            locale=values["locale"] or settings.default_locale,
            organiser=organiser,
        )
    except AppError as exc:
        return await _registrations_page(
            request, db, event, error=exc.text(), invite_values=values, status_code=exc.status_code
        )
    notice = _notice(
        settings, issued, normalise_text(values["display_name"]), normalise_text(values["email"])
    )
    return await _registrations_page(request, db, event, notice=notice)


@router.get("/e/{slug}/organiser/registrations.csv")
async def organiser_registrations_csv(
    slug: str, db: DbSession, principal: MaybePrincipal
) -> Response:
    """The sign-ups as CSV (organisers); a BOM so spreadsheets read the UTF-8 as UTF-8."""
    event, _organiser = await _organiser_event(db, principal, slug)
    assert event.id is not None
    rows = await list_registrations(db, event.id)
    body = "\ufeff" + registrations_csv(rows, event.timezone)
    filename = f"registrations-{filename_part(event.slug)}.csv"
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    return Response(body.encode("utf-8"), media_type="text/csv; charset=utf-8", headers=headers)
