"""`python -m server.media.relay serve|play`: what `ketnoi serve` and `ketnoi live` start."""

from __future__ import annotations

import argparse
import asyncio
import logging

from pydantic import ValidationError

from server.media.protocol import Feed
from server.media.relay.app import run
from server.media.relay.lifetime import die_with_parent
from server.media.relay.play import play_until_stopped
from server.settings import get_settings


def main() -> None:
    """Serve the relay, or publish a source as a feed (given as the JSON of a `Feed`)."""
    parser = argparse.ArgumentParser(description="ketnoi media relay")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("serve", help="the relay on loopback")
    player = commands.add_parser("play", help="publish a file, stream or `pattern` as a feed")
    player.add_argument("source")
    player.add_argument("--feed", required=True, help="the feed, as JSON (room, policy, slot)")
    player.add_argument("--loop", action="store_true")
    player.add_argument("--standby", action="store_true", help="only while nobody else publishes")
    args = parser.parse_args()
    feed = None
    if args.command == "play":
        try:
            feed = Feed.model_validate_json(args.feed)
        except ValidationError as exc:
            parser.error(f"--feed: {exc.errors()[0]['msg']}")
    die_with_parent()
    settings = get_settings()
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    # aioice narrates every candidate pair at INFO.
    logging.getLogger("aioice").setLevel(logging.WARNING)
    if feed is None:
        run(settings)
        return
    asyncio.run(
        play_until_stopped(settings, feed, args.source, loop=args.loop, standby=args.standby)
    )


if __name__ == "__main__":
    main()
