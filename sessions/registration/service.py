"""Public sign-ups for an event, the organisers' decisions, invitations and the CSV export."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import cache

from babel import Locale
from limits import RateLimitItemPerHour
from limits.aio.storage import MemoryStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string
from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.db import utcnow
from server.errors import AppError, Conflict, NotFound, TooMany
from server.events.access import role_in_event
from server.events.models import Event, Role
from server.i18n import LOCALES, get_locale, set_locale
from server.identity.models import Account
from server.identity.service import (
    IssuedInvitation,
    check_email,
    check_name,
    create_account,
    find_account,
    grant_role,
    invite,
)
from server.rules import email_key, normalise_text, pick
from server.settings import Settings
from sessions.registration.models import Registration, RegistrationStatus
from sessions.registration.rules import country_code, csv_text, csv_time, sort_key

# Roles a person may ask for or be invited to; organisers are made by organisers elsewhere.
ASKABLE_ROLES = (Role.counsellor, Role.producer, Role.buyer)
# Organisers may also invite interpreters; nobody signs up as one.
INVITABLE_ROLES = (*ASKABLE_ROLES, Role.interpreter)
# The column widths of the registration table.
FULL_NAME_MAX = 200
ORGANISATION_MAX = 300
# Babel's territories that are not countries (regions, test codes, "unknown").
NOT_COUNTRIES = frozenset({"EU", "EZ", "UN", "ZZ", "QO", "XA", "XB"})
OPEN_STATUSES = (RegistrationStatus.pending, RegistrationStatus.approved)


class SignupThrottle:
    """Counts sign-ups per client address in a moving one-hour window."""

    def __init__(self, settings: Settings) -> None:
        storage: Storage = MemoryStorage()
        if settings.redis_url:
            # Shared by every server process, so the limit holds across them.
            shared = storage_from_string(f"async+{settings.redis_url}")
            if not isinstance(shared, Storage):
                raise RuntimeError("the Redis URL gave no asyncio rate-limit storage")
            storage = shared
        self._limiter = MovingWindowRateLimiter(storage)
        self._item = RateLimitItemPerHour(settings.signups_per_hour_per_ip)

    async def take(self, client: str) -> bool:
        """Count one sign-up; False (and nothing counted) once the hour's allowance is used."""
        return await self._limiter.hit(self._item, "signup", client)


@cache
def _countries(locale: str) -> dict[str, str]:
    names = Locale.parse(locale).territories
    return {
        code: str(name)
        for code, name in names.items()
        if country_code(code) == code and code not in NOT_COUNTRIES
    }


def country_choices(locale: str) -> list[tuple[str, str]]:
    """(code, name) of every country, named and sorted for the reader."""
    return sorted(
        _countries(locale if locale in LOCALES else "vi").items(),
        key=lambda item: sort_key(item[1]),
    )


def country_name(code: str, locale: str) -> str:
    """A country's name in the reader's language; the code when unknown."""
    return _countries(locale if locale in LOCALES else "vi").get(code, code)


def _saved(row_id: int | None) -> int:
    """The id of a row that was flushed; a missing one is a bug, not bad input."""
    if row_id is None:
        raise RuntimeError("row has no id: was it flushed?")
    return row_id


def check_open(event: Event) -> int:
    """The event's id when it takes sign-ups; 404 unpublished, 410 over."""
    if not event.published or event.id is None:
        raise NotFound("event_not_found", "No such event.")
    if event.ends_at <= utcnow():
        raise AppError(
            "registration_closed", "This event is over; registration is closed.", status_code=410
        )
    return event.id


def check_country(value: str) -> str:
    """An ISO 3166-1 alpha-2 code, upper-cased."""
    code = country_code(value)
    if code is None or code not in _countries("en"):
        raise AppError("invalid_country", "Please choose a country from the list.")
    return code


def check_role(value: str, allowed: tuple[Role, ...] = ASKABLE_ROLES) -> Role:
    """A role a person may ask for (counsellor, producer or buyer), or another of `allowed`."""
    if value not in allowed:
        if Role.interpreter in allowed:
            raise AppError(
                "invalid_role", "Please choose counsellor, producer, buyer or interpreter."
            )
        raise AppError("invalid_role", "Please choose counsellor, producer or buyer.")
    return Role(value)


def check_locale(value: str) -> str:
    """Vietnamese or English."""
    if value not in LOCALES:
        raise AppError("invalid_locale", "Unknown language.")
    return value


def check_person_name(settings: Settings, value: str) -> str:
    """A full name that also fits its column."""
    name = check_name(settings, value)
    if len(name) > FULL_NAME_MAX:
        raise AppError(
            "name_too_long", "The name must have at most %(max)s characters.", max=FULL_NAME_MAX
        )
    return name


def check_organisation_name(value: str) -> str:
    """An organisation's name: NFC, not empty, not too long."""
    name = normalise_text(value)
    if not name:
        raise AppError("organisation_required", "Please give the name of your organisation.")
    if len(name) > ORGANISATION_MAX:
        raise AppError(
            "organisation_too_long",
            "The organisation name must have at most %(max)s characters.",
            max=ORGANISATION_MAX,
        )
    return name


async def register(
    db: AsyncSession,
    settings: Settings,
    event: Event,
    *,
    full_name: str,
    email: str,
    organisation_name: str,
    country: str,
    role: str,
    locale: str,
    consent: bool,
    client: str,
    throttle: SignupThrottle | None = None,
) -> Registration:
    """Store a pending sign-up after checking every field; nothing is stored on a refusal."""
    event_id = check_open(event)
    name = check_person_name(settings, full_name)
    clean_email = check_email(email)
    organisation = check_organisation_name(organisation_name)
    code = check_country(country)
    wanted = check_role(role)
    language = check_locale(locale)
    if not consent:
        raise AppError("consent_required", "Please agree to the use of your data for this event.")
    key = email_key(clean_email)
    taken = await db.exec(
        select(Registration.id).where(
            Registration.event_id == event_id,
            Registration.email_key == key,
            col(Registration.status).in_(OPEN_STATUSES),
        )
    )
    if taken.first() is not None:
        raise Conflict(
            "already_registered", "This email address is already registered for this event."
        )
    # Counted last, so refused forms do not use up a venue's shared address.
    if throttle is not None and not await throttle.take(client):
        raise TooMany(
            "signups_throttled", "Too many sign-ups from this network. Please try again later."
        )
    registration = Registration(
        event_id=event_id,
        full_name=name,
        email=clean_email,
        email_key=key,
        organisation_name=organisation,
        country=code,
        role_requested=wanted,
        locale=language,
        consent_at=utcnow(),
    )
    db.add(registration)
    await db.flush()
    return registration


async def list_registrations(db: AsyncSession, event_id: int) -> list[Registration]:
    """An event's sign-ups, newest first."""
    rows = await db.exec(
        select(Registration)
        .where(Registration.event_id == event_id)
        .order_by(col(Registration.created_at).desc(), col(Registration.id).desc())
    )
    return list(rows.all())


async def get_registration(db: AsyncSession, event: Event, registration_id: int) -> Registration:
    """One sign-up of this event, or 404 (another event's ids are not revealed)."""
    row = await db.get(Registration, registration_id)
    if row is None or row.event_id != event.id:
        raise NotFound("registration_not_found", "No such registration.")
    return row


async def _decide(
    db: AsyncSession,
    row: Registration,
    status: RegistrationStatus,
    organiser: Account,
    account_id: int | None = None,
) -> None:
    # A conditional update: of two organisers deciding at once, exactly one wins.
    result = await db.exec(
        update(Registration)
        .where(
            col(Registration.id) == row.id, col(Registration.status) == RegistrationStatus.pending
        )
        .values(
            status=status, decided_by_id=organiser.id, decided_at=utcnow(), account_id=account_id
        )
    )
    if result.rowcount != 1:
        raise Conflict("already_decided", "This registration has already been decided.")
    await db.refresh(row)


@contextmanager
def _speaking(locale: str) -> Iterator[None]:
    """Write mails in the recipient's language, not the organiser's."""
    before = get_locale()
    set_locale(locale)
    try:
        yield
    finally:
        set_locale(before)


async def _admissible(db: AsyncSession, event: Event, email: str) -> Account | None:
    """The account to give a role to (None: make one); refuses before anything is written."""
    account = await find_account(db, email)
    if account is None:
        return None
    if not account.is_active:
        raise Conflict("account_disabled", "The account with this email address is disabled.")
    if await role_in_event(db, _saved(account.id), _saved(event.id)) == Role.organiser:
        # grant_role replaces a role: never demote an organiser through a sign-up.
        raise Conflict("already_organiser", "This person is an organiser of this event already.")
    return account


async def _admit(
    db: AsyncSession,
    settings: Settings,
    event: Event,
    account: Account | None,
    *,
    email: str,
    display_name: str,
    role: Role,
    locale: str,
    organiser: Account,
) -> tuple[Account, IssuedInvitation | None]:
    """Give the role (making the account when missing); invite when the account has no password."""
    event_id = _saved(event.id)
    if account is None:
        account = await create_account(
            db, settings, email=email, display_name=display_name, locale=locale
        )
    if account.password_hash is not None:
        # Someone already uses this account: a set-password link would hand it to whoever holds
        # the link (the organiser, or a stranger who signed up with that address).
        await grant_role(db, _saved(account.id), event_id, role)
        return account, None
    with _speaking(account.locale):
        issued = await invite(
            db,
            settings,
            account=account,
            event_id=event_id,
            event_title=pick(account.locale, event.title_vi, event.title_en),
            role=role,
            next_path=f"/e/{event.slug}",
            created_by_id=organiser.id,
        )
    return account, issued


async def approve(
    db: AsyncSession, settings: Settings, event: Event, registration_id: int, organiser: Account
) -> IssuedInvitation | None:
    """Accept a pending sign-up: the account gets the role asked for and, if new, an invitation."""
    row = await get_registration(db, event, registration_id)
    if row.status != RegistrationStatus.pending:
        raise Conflict("already_decided", "This registration has already been decided.")
    # Every refusal comes before the first write, so a refused approval changes nothing.
    account = await _admissible(db, event, row.email)
    if account is None:
        check_email(row.email)
        check_person_name(settings, row.full_name)
    await _decide(db, row, RegistrationStatus.approved, organiser)
    account, issued = await _admit(
        db,
        settings,
        event,
        account,
        email=row.email,
        display_name=row.full_name,
        role=row.role_requested,
        locale=row.locale,
        organiser=organiser,
    )
    row.account_id = account.id
    db.add(row)
    await db.flush()
    return issued


async def reject(
    db: AsyncSession, event: Event, registration_id: int, organiser: Account
) -> Registration:
    """Turn a pending sign-up down; no account is made."""
    row = await get_registration(db, event, registration_id)
    if row.status != RegistrationStatus.pending:
        raise Conflict("already_decided", "This registration has already been decided.")
    await _decide(db, row, RegistrationStatus.rejected, organiser)
    return row


async def invite_directly(
    db: AsyncSession,
    settings: Settings,
    event: Event,
    *,
    email: str,
    display_name: str,
    role: str,
    organiser: Account,
    locale: str = "vi",
) -> IssuedInvitation | None:
    """Invite a counsellor, producer, buyer or interpreter without a sign-up; None when they
    have an account."""
    clean_email = check_email(email)
    name = check_person_name(settings, display_name)
    wanted = check_role(role, INVITABLE_ROLES)
    language = check_locale(locale)
    account = await _admissible(db, event, clean_email)
    _account, issued = await _admit(
        db,
        settings,
        event,
        account,
        email=clean_email,
        display_name=name,
        role=wanted,
        locale=language,
        organiser=organiser,
    )
    return issued


def registrations_csv(registrations: Sequence[Registration], zone: str) -> str:
    """The sign-ups as CSV, times as 'YYYY-MM-DD HH:MM' in `zone` (named in the header)."""
    header = [
        "id",
        "full_name",
        "email",
        "organisation",
        "country",
        "role",
        "language",
        "status",
        f"registered_at ({zone})",
        f"decided_at ({zone})",
    ]
    rows = [
        [
            str(r.id),
            r.full_name,
            r.email,
            r.organisation_name,
            r.country,
            str(r.role_requested),
            r.locale,
            str(r.status),
            csv_time(r.created_at, zone),
            csv_time(r.decided_at, zone),
        ]
        for r in registrations
    ]
    return csv_text([header, *rows])
