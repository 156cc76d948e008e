"""The `ketnoi` command: serve, demo, database upgrade, organiser accounts."""

from __future__ import annotations

import asyncio
import signal
import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import typer
import uvicorn
from sqlmodel import select

from server.db import make_engine, make_sessionmaker
from server.errors import AppError
from server.events.models import Role
from server.identity.service import create_account, find_account, grant_role
from server.media.protocol import Feed
from server.migrate import upgrade
from server.settings import Settings
from server.supervise import Supervisor, child_env, relay_commands
from server.terminal import DataDir, Host, Port
from server.terminal import settings_from as _settings

app = typer.Typer(
    help="ketnoi: hybrid trade-promotion conferences and online product weeks.",
    no_args_is_help=True,
)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
app.add_typer(db_app, name="db")


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """How the web process serves: its address, websocket limits, which proxies it believes."""
    return {
        "host": settings.host,
        "port": settings.port,
        # Compression doubled the CPU per delivered message; chat frames are small.
        "ws_per_message_deflate": False,
        # A frame over the hub's limit is refused by the protocol (close 1009) before it is
        # buffered, not read whole and then refused.
        "ws_max_size": settings.hub_max_frame_bytes,
        # X-Forwarded-For only from the proxies named: nobody else picks the address that
        # throttles count against.
        "proxy_headers": bool(settings.trusted_proxies),
        "forwarded_allow_ips": list(settings.trusted_proxies),
        "log_level": "info",
    }


def _serve(settings: Settings, feed: Feed | None = None) -> None:
    from server.main import create_app

    # The media relay runs in processes of its own, restarted if they die.
    children = Supervisor(relay_commands(settings, feed), child_env(settings))
    children.start()
    # uvicorn re-raises SIGTERM after its graceful shutdown, with this handler back in place:
    # it unwinds through `finally`, so the children stop too.
    signal.signal(signal.SIGTERM, _exit_quietly)
    try:
        uvicorn.run(create_app(settings), **uvicorn_options(settings))
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
    reset: Annotated[
        bool, typer.Option("--reset", help="Start over: wipe what was done in the demo.")
    ] = False,
) -> None:
    """Seed the demo database when it is empty or holds another day's demo (or with --reset);
    else keep it as people left it. Then serve it."""
    from server.demo.data import DEMO_PASSWORD, ORGANISER_EMAIL
    from server.demo.seed import DemoRefused, DemoState, refresh_demo

    settings = _settings(data_dir, host, port)
    today = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date()
    try:
        summary, state = asyncio.run(refresh_demo(settings, today, reset=reset))
    except DemoRefused as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from exc
    typer.echo(f"ketnoi demo: {settings.public_base_url}")
    typer.echo(
        {
            DemoState.seeded: "  a new demo was seeded",
            DemoState.refreshed: "  the demo was seeded afresh for today (what was done in it is gone)",
            DemoState.kept: "  the demo is kept as it was left (start over with `ketnoi demo --reset`)",
        }[state]
    )
    typer.echo(
        f"  {summary.events} events, {summary.points} attendance points ({summary.international_points} abroad), "
        + ", ".join(f"{n} {what}" for what, n in summary.counts.items())
    )
    typer.echo(f"  organiser login: {ORGANISER_EMAIL} / {DEMO_PASSWORD}")
    typer.echo("  join links of three attendance points:")
    for url in summary.sample_join_urls:
        typer.echo(f"    {url}")
    if summary.live_feed is not None:
        feed = summary.live_feed
        typer.echo(f"  {feed.room} is live with a generated feed in its {feed.slot} slot")
    sys.stdout.flush()
    if serve_after:
        _serve(settings, feed=summary.live_feed)


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


def _add_domain_commands() -> None:
    # The domains' command groups (`ketnoi live ...`) and commands (`ketnoi create-event`),
    # from the composition root.
    from server.main import COMMANDS, TOP_COMMANDS

    for name, group in COMMANDS:
        app.add_typer(group, name=name)
    for name, command in TOP_COMMANDS:
        app.command(name)(command)


_add_domain_commands()
