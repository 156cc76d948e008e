"""The `ketnoi` command: serve, demo, database upgrade, organiser accounts."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import typer
import uvicorn
from pydantic import ValidationError
from sqlmodel import select

from server.db import make_engine, make_sessionmaker
from server.errors import AppError
from server.events.models import Role
from server.identity.service import create_account, find_account, grant_role
from server.migrate import upgrade
from server.settings import Settings
from server.supervise import Supervisor, child_env, relay_commands

app = typer.Typer(
    help="ketnoi: hybrid trade-promotion conferences and online product weeks.",
    no_args_is_help=True,
)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
app.add_typer(db_app, name="db")
live_app = typer.Typer(help="Live media.", no_args_is_help=True)
app.add_typer(live_app, name="live")

DataDir = Annotated[
    Path | None, typer.Option("--data-dir", help="Folder for the database, secret key and uploads.")
]
Host = Annotated[str | None, typer.Option(help="Address to listen on.")]
Port = Annotated[int | None, typer.Option(help="Port to listen on.")]


def _settings(
    data_dir: Path | None = None, host: str | None = None, port: int | None = None
) -> Settings:
    overrides: dict[str, Any] = {}
    if data_dir is not None:
        overrides["data_dir"] = data_dir
    if host is not None:
        overrides["host"] = host
    if port is not None:
        overrides["port"] = port
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        # Only the messages: the input would include the secret key.
        for error in exc.errors(include_input=False, include_url=False):
            where = ".".join(str(part) for part in error["loc"])
            typer.echo(f"Settings refused: {where} {error['msg']}".replace("  ", " "), err=True)
        raise typer.Exit(2) from exc


def _serve(settings: Settings, feed_talk_id: int | None = None) -> None:
    from server.main import create_app

    # The media relay runs in processes of its own, restarted if they die.
    children = Supervisor(relay_commands(settings, feed_talk_id), child_env(settings))
    children.start()
    # uvicorn re-raises SIGTERM after its graceful shutdown, with this handler back in place:
    # it unwinds through `finally`, so the children stop too.
    signal.signal(signal.SIGTERM, _exit_quietly)
    try:
        uvicorn.run(
            create_app(settings),
            host=settings.host,
            port=settings.port,
            # Compression doubled the CPU per delivered message; chat frames are small.
            ws_per_message_deflate=False,
            proxy_headers=True,
            log_level="info",
        )
    finally:
        children.stop()


def _exit_quietly(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)


@app.command()
def serve(data_dir: DataDir = None, host: Host = None, port: Port = None) -> None:
    """Upgrade the database, then serve the web app."""
    settings = _settings(data_dir, host, port)
    upgrade(settings)
    _serve(settings)


@live_app.command("play")
def live_play(
    source: Annotated[str, typer.Argument(help="A file or stream URL, or `pattern`.")],
    talk: Annotated[int, typer.Option(help="The talk to publish into.")],
    language: Annotated[
        str | None, typer.Option(help="Publish as this interpretation (en, ja...).")
    ] = None,
    loop: Annotated[bool, typer.Option(help="Start a file again when it ends.")] = False,
    data_dir: DataDir = None,
) -> None:
    """Publish a file, a stream or a test pattern as a talk's hall feed (or interpretation)."""
    settings = _settings(data_dir)
    argv = [sys.executable, "-m", "sessions.relay", "play", source, "--talk", str(talk)]
    if language:
        argv += ["--language", language]
    if loop:
        argv.append("--loop")
    # The player lives beside the relay (the only code that speaks WebRTC).
    raise typer.Exit(subprocess.call(argv, env=child_env(settings)))  # noqa: S603 - our own interpreter and module


@db_app.command("upgrade")
def db_upgrade(data_dir: DataDir = None, revision: str = "head") -> None:
    """Apply the schema migrations."""
    settings = _settings(data_dir)
    upgrade(settings, revision)
    typer.echo(f"Database at revision {revision}.")


@app.command()
def demo(
    data_dir: Annotated[Path, typer.Option("--data-dir")] = Path("data/demo"),
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    port: Annotated[int, typer.Option()] = 8000,
    serve_after: Annotated[
        bool, typer.Option("--serve/--no-serve", help="Serve after seeding.")
    ] = True,
) -> None:
    """Create or refresh the demo database from the seeds, then serve it."""
    from server.demo.data import DEMO_PASSWORD, ORGANISER_EMAIL
    from server.demo.seed import DemoRefused, refresh_demo

    settings = _settings(data_dir, host, port)
    today = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date()
    try:
        summary = asyncio.run(refresh_demo(settings, today))
    except DemoRefused as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from exc
    typer.echo(f"ketnoi demo: {settings.public_base_url}")
    typer.echo(
        f"  {summary.events} events, {summary.points} attendance points ({summary.international_points} abroad), "
        + ", ".join(f"{n} {what}" for what, n in summary.counts.items())
    )
    typer.echo(f"  organiser login: {ORGANISER_EMAIL} / {DEMO_PASSWORD}")
    typer.echo("  join links of three attendance points:")
    for url in summary.sample_join_urls:
        typer.echo(f"    {url}")
    if summary.live_talk_id is not None:
        typer.echo(f"  talk {summary.live_talk_id} is live with a generated hall feed")
    sys.stdout.flush()
    if serve_after:
        _serve(settings, feed_talk_id=summary.live_talk_id)


@app.command("create-organiser")
def create_organiser(
    email: Annotated[str, typer.Option(help="Sign-in email.")],
    name: Annotated[str, typer.Option(help="Display name.")],
    event: Annotated[
        list[str] | None, typer.Option(help="Event slug (repeatable); default: every event.")
    ] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
    data_dir: DataDir = None,
) -> None:
    """Create an organiser account (or give an existing one the organiser role)."""
    settings = _settings(data_dir)
    upgrade(settings)
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        slugs = asyncio.run(_create_organiser(settings, email, name, password, event or []))
    except AppError as exc:
        typer.echo(f"Refused: {exc.text()}", err=True)
        raise typer.Exit(2) from exc
    typer.echo(f"Organiser {email} of: {', '.join(slugs) if slugs else '(no events yet)'}")


async def _create_organiser(
    settings: Settings, email: str, name: str, password: str, slugs: list[str]
) -> list[str]:
    from server.events.models import Event

    engine = make_engine(settings)
    try:
        async with make_sessionmaker(engine)() as db:
            events = list((await db.exec(select(Event))).all())
            chosen = [e for e in events if not slugs or e.slug in slugs]
            missing = set(slugs) - {e.slug for e in chosen}
            if missing:
                raise AppError(
                    "event_not_found", "No such event: %(slug)s", slug=", ".join(sorted(missing))
                )
            account = await find_account(db, email)
            if account is None:
                account = await create_account(
                    db, settings, email=email, display_name=name, password=password
                )
            assert account.id is not None
            for e in chosen:
                assert e.id is not None
                await grant_role(db, account.id, e.id, Role.organiser)
            await db.commit()
            return [e.slug for e in chosen]
    finally:
        await engine.dispose()
