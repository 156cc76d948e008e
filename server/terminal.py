"""What every `ketnoi` command shares: the options that choose the data folder and address,
and settings read from them with a clear message when they are refused."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError

from server.settings import Settings

DataDir = Annotated[
    Path | None, typer.Option("--data-dir", help="Folder for the database, secret key and uploads.")
]
Host = Annotated[str | None, typer.Option(help="Address to listen on.")]
Port = Annotated[int | None, typer.Option(help="Port to listen on.")]


def settings_from(
    data_dir: Path | None = None, host: str | None = None, port: int | None = None
) -> Settings:
    """The settings, with what the command line gave in place of the environment's."""
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
