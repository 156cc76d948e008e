"""`ketnoi live ...`: a talk's feeds from the command line."""

from __future__ import annotations

import subprocess
from typing import Annotated

import typer

from server.supervise import child_env, play_command
from server.terminal import DataDir, settings_from
from sessions.live.channels import talk_channel
from sessions.live.rules import HALL, LANGUAGE_PREFIX, LANGUAGE_RE, talk_feed

app = typer.Typer(help="Live media.", no_args_is_help=True)


@app.command("play")
def play(
    source: Annotated[str, typer.Argument(help="A file or stream URL, or `pattern`.")],
    talk: Annotated[int, typer.Option(help="The talk to publish into.")],
    language: Annotated[
        str | None, typer.Option(help="Publish as this interpretation (en, ja...).")
    ] = None,
    loop: Annotated[bool, typer.Option(help="Start a file again when it ends.")] = False,
    data_dir: DataDir = None,
) -> None:
    """Publish a file, a stream or a test pattern as a talk's hall feed (or interpretation)."""
    if language is not None and not LANGUAGE_RE.match(language):
        raise typer.BadParameter("a two- or three-letter code", param_hint="--language")
    settings = settings_from(data_dir)
    slot = LANGUAGE_PREFIX + language if language else HALL
    feed = talk_feed(
        talk_channel(talk),
        talk,
        slot,
        "",
        max_publishers=settings.relay_max_room_publishers,
        recorded=settings.relay_record_talks,
    )
    # The player lives beside the relay (the only code that speaks WebRTC).
    argv = play_command(feed, source, loop=loop)
    raise typer.Exit(subprocess.call(argv, env=child_env(settings)))  # noqa: S603 - our own interpreter and module
