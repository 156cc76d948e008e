"""Outgoing mail over SMTP (invitations); sent off the event loop."""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage

import anyio.to_thread

from server.settings import Settings

log = logging.getLogger(__name__)


def mail_configured(settings: Settings) -> bool:
    """True when an SMTP host is set."""
    return bool(settings.smtp_host)


def _send(settings: Settings, message: EmailMessage) -> None:
    with smtplib.SMTP(
        settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout_seconds
    ) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_username:
            smtp.login(settings.smtp_username, settings.smtp_password.get_secret_value())
        smtp.send_message(message)


async def send_mail(settings: Settings, to: str, subject: str, body: str) -> bool:
    """Send a plain-text UTF-8 mail; False (and a log line without secrets) when it fails."""
    message = EmailMessage()
    message["From"] = settings.smtp_from
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body, charset="utf-8")
    try:
        await anyio.to_thread.run_sync(_send, settings, message)
    except (OSError, smtplib.SMTPException) as exc:
        log.warning("mail to a recipient failed: %s", type(exc).__name__)
        return False
    return True
