"""Accounts, event roles and invitations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from email_validator import EmailNotValidError, validate_email
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.db import utcnow
from server.errors import AppError, Conflict, NotFound
from server.events.models import Membership, Role
from server.i18n import N_, gettext
from server.identity.auth import hash_password, revoke_account_sessions
from server.identity.models import Account, Invitation
from server.mail import mail_configured, send_mail
from server.rules import (
    check_password_policy,
    email_key,
    is_timezone,
    new_token,
    normalise_text,
    token_hash,
)
from server.settings import Settings

PASSWORD_MESSAGES = {
    "too_short": N_("The password must have at least %(min)s characters."),
    "too_long": N_("The password must have at most %(max)s characters."),
    "too_simple": N_("The password is too simple."),
}


def check_email(email: str) -> str:
    """The NFC form of a syntactically valid address; AppError otherwise."""
    value = normalise_text(email)
    if not value or len(value) > 320:
        raise AppError("invalid_email", "Please give a valid email address.")
    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError as exc:
        raise AppError("invalid_email", "Please give a valid email address.") from exc
    return value


def check_password(settings: Settings, password: str) -> None:
    """Refuse a password that breaks the policy, saying why."""
    problem = check_password_policy(
        password, min_length=settings.password_min_length, max_length=settings.password_max_length
    )
    if problem:
        raise AppError(
            f"password_{problem}",
            PASSWORD_MESSAGES[problem],
            min=settings.password_min_length,
            max=settings.password_max_length,
        )


def check_name(settings: Settings, name: str) -> str:
    """A display name: NFC, not empty, not too long."""
    value = normalise_text(name)
    if not value:
        raise AppError("name_required", "Please give a name.")
    if len(value) > settings.name_max_length:
        raise AppError(
            "name_too_long",
            "The name must have at most %(max)s characters.",
            max=settings.name_max_length,
        )
    return value


async def find_account(db: AsyncSession, email: str) -> Account | None:
    """The account with this email, in any case or Unicode form."""
    return (await db.exec(select(Account).where(Account.email_key == email_key(email)))).first()


async def create_account(
    db: AsyncSession,
    settings: Settings,
    *,
    email: str,
    display_name: str,
    password: str | None = None,
    locale: str = "vi",
    timezone: str = "Asia/Ho_Chi_Minh",
    organisation_id: int | None = None,
) -> Account:
    """A new account; 409 when the email is taken in any case or Unicode form."""
    clean_email = check_email(email)
    name = check_name(settings, display_name)
    if locale not in ("vi", "en"):
        raise AppError("invalid_locale", "Unknown language.")
    if not is_timezone(timezone):
        raise AppError("invalid_timezone", "Unknown time zone: %(zone)s", zone=timezone)
    if password is not None:
        check_password(settings, password)
    if await find_account(db, clean_email) is not None:
        raise Conflict("email_taken", "An account with this email already exists.")
    account = Account(
        email=clean_email,
        email_key=email_key(clean_email),
        display_name=name,
        password_hash=await hash_password(password) if password is not None else None,
        locale=locale,
        timezone=timezone,
        organisation_id=organisation_id,
    )
    db.add(account)
    await db.flush()
    return account


async def set_password(
    db: AsyncSession, settings: Settings, account: Account, password: str
) -> None:
    """Set a new password and end the account's other sessions."""
    check_password(settings, password)
    account.password_hash = await hash_password(password)
    db.add(account)
    if account.id is not None:
        await revoke_account_sessions(db, account.id)
    await db.flush()


async def grant_role(db: AsyncSession, account_id: int, event_id: int, role: Role) -> Membership:
    """Give the account this role in the event (replacing another role there)."""
    row = (
        await db.exec(
            select(Membership).where(
                Membership.account_id == account_id, Membership.event_id == event_id
            )
        )
    ).first()
    if row is None:
        row = Membership(account_id=account_id, event_id=event_id, role=role)
    row.role = role
    db.add(row)
    await db.flush()
    return row


@dataclass(frozen=True)
class IssuedInvitation:
    """A new invitation: the link to pass on and whether it was mailed."""

    url: str
    mailed: bool


async def invite(
    db: AsyncSession,
    settings: Settings,
    *,
    account: Account,
    event_id: int,
    event_title: str,
    role: Role,
    next_path: str,
    created_by_id: int | None,
) -> IssuedInvitation:
    """Give the role and issue a set-password link; mail it when SMTP is configured."""
    assert account.id is not None
    # A set-password link controls the whole account: an organiser may not get one for a
    # person whose account already belongs to another event.
    elsewhere = await db.exec(
        select(Membership.id).where(
            Membership.account_id == account.id, Membership.event_id != event_id
        )
    )
    if elsewhere.first() is not None:
        raise Conflict(
            "invited_elsewhere",
            "This person already has an account for another event. Ask them to sign in (or finish that invitation) first.",
        )
    await grant_role(db, account.id, event_id, role)
    token = new_token()
    invitation = Invitation(
        token_hash=token_hash(token),
        account_id=account.id,
        event_id=event_id,
        role=role,
        next_path=next_path,
        created_by_id=created_by_id,
        expires_at=utcnow() + timedelta(days=settings.invitation_days),
    )
    db.add(invitation)
    await db.flush()
    url = f"{settings.public_base_url}/invite/{token}"
    mailed = False
    if mail_configured(settings):
        subject = gettext("Invitation to %(event)s", event=event_title)
        body = gettext(
            "Hello %(name)s,\n\nYou are invited to %(event)s on ketnoi.\n"
            "Open this link to set your password (valid for %(days)s days):\n%(url)s\n",
            name=account.display_name,
            event=event_title,
            days=settings.invitation_days,
            url=url,
        )
        mailed = await send_mail(settings, account.email, subject, body)
        if mailed:
            invitation.mailed_at = utcnow()
            db.add(invitation)
    return IssuedInvitation(url=url, mailed=mailed)


async def open_invitation(db: AsyncSession, token: str) -> tuple[Invitation, Account]:
    """A usable invitation and its account, or 404 (unknown, used or expired alike)."""
    row = (
        await db.exec(select(Invitation).where(Invitation.token_hash == token_hash(token)))
    ).first()
    if row is None or row.used_at is not None or row.expires_at <= utcnow():
        raise NotFound(
            "invitation_invalid",
            "This invitation link is not valid any more. Ask the organisers for a new one.",
        )
    account = await db.get(Account, row.account_id)
    if account is None or not account.is_active:
        raise NotFound(
            "invitation_invalid",
            "This invitation link is not valid any more. Ask the organisers for a new one.",
        )
    return row, account


async def accept_invitation(
    db: AsyncSession, settings: Settings, token: str, password: str
) -> tuple[Invitation, Account]:
    """Set the invited account's password; the link works once."""
    invitation, account = await open_invitation(db, token)
    await set_password(db, settings, account, password)
    invitation.used_at = utcnow()
    db.add(invitation)
    await db.flush()
    return invitation, account
