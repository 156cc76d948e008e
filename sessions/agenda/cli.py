"""`ketnoi create-event`: a platform operator makes an event from the command line."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer
from pydantic import ValidationError

from server.db import make_engine, make_sessionmaker
from server.errors import AppError
from server.identity.service import find_account
from server.migrate import upgrade
from server.settings import Settings
from server.terminal import DataDir, settings_from
from sessions.agenda.editions import create_event as create
from sessions.agenda.models import EventCreate


def create_event(
    slug: Annotated[str, typer.Option(help="The event's address: /e/SLUG.")],
    title_vi: Annotated[str, typer.Option(help="Title in Vietnamese.")],
    start: Annotated[str, typer.Option(help="Start, local in --timezone: 2026-12-02T08:00.")],
    end: Annotated[str, typer.Option(help="End, local in --timezone.")],
    timezone: Annotated[str, typer.Option(help="IANA zone of the event.")] = "Asia/Ho_Chi_Minh",
    title_en: Annotated[str, typer.Option(help="Title in English.")] = "",
    kind: Annotated[str, typer.Option(help="conference or product_week.")] = "conference",
    venue: Annotated[str, typer.Option(help="Where it is held.")] = "",
    organiser: Annotated[
        str | None, typer.Option(help="Email of an existing account to make its organiser.")
    ] = None,
    published: Annotated[bool, typer.Option(help="Publish it at once.")] = False,
    data_dir: DataDir = None,
) -> None:
    """Create an event (its times are local in its zone)."""
    settings = settings_from(data_dir)
    upgrade(settings)
    try:
        fields = EventCreate.model_validate(
            {
                "slug": slug,
                "title_vi": title_vi,
                "title_en": title_en,
                "kind": kind,
                "timezone": timezone,
                "start": start,
                "end": end,
                "venue": venue,
                "published": published,
            }
        )
    except ValidationError as exc:
        for error in exc.errors(include_url=False):
            where = ".".join(str(p) for p in error["loc"])
            typer.echo(f"Refused: {where}: {error['msg']}", err=True)
        raise typer.Exit(2) from exc
    try:
        url = asyncio.run(_create(settings, fields, organiser))
    except AppError as exc:
        typer.echo(f"Refused: {exc.text()}", err=True)
        raise typer.Exit(2) from exc
    typer.echo(f"Event {slug} created: {url}")


async def _create(settings: Settings, fields: EventCreate, organiser: str | None) -> str:
    engine = make_engine(settings)
    try:
        async with make_sessionmaker(engine)() as db:
            account_id = None
            if organiser is not None:
                account = await find_account(db, organiser)
                if account is None or account.id is None:
                    raise AppError(
                        "account_not_found", "No account has this email: %(email)s", email=organiser
                    )
                account_id = account.id
            event = await create(db, fields, account_id)
            await db.commit()
            return f"{settings.public_base_url.rstrip('/')}/e/{event.slug}"
    finally:
        await engine.dispose()
