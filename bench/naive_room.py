"""The naive chat room the hub is measured against: `for ws in room: await ws.send_text(...)`.

Run: .venv/bin/python -m bench.naive_room --port 8001
It speaks the subset of the hub's protocol the chat benchmark uses (hello, subscribe, chat.send,
ping) with no database, no sessions and no limits, and serialises each event once per receiver
and awaits each socket in turn, as straightforward websocket code does.
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

import uvicorn
from fastapi import FastAPI, WebSocket, WebSocketDisconnect

app = FastAPI()
rooms: defaultdict[str, set[WebSocket]] = defaultdict(set)
last_seq: defaultdict[str, int] = defaultdict(int)
AUTHOR = {"key": "p:1", "kind": "point", "id": 1, "name": "Thương vụ Việt Nam tại Nhật Bản"}


@app.get("/healthz")
async def healthz() -> dict[str, bool]:
    """Ready to serve."""
    return {"ok": True}


@app.websocket("/ws")
async def room(ws: WebSocket) -> None:
    """One client: subscribe to channels, post chat, answer pings."""
    await ws.accept()
    await ws.send_text(json.dumps({"type": "hello", "protocol": 1, "ping_seconds": 5}))
    joined: set[str] = set()
    try:
        while True:
            frame: dict[str, Any] = json.loads(await ws.receive_text())
            kind = frame.get("type")
            if kind == "subscribe":
                channel = str(frame["channel"])
                rooms[channel].add(ws)
                joined.add(channel)
                await ws.send_text(
                    json.dumps({"type": "ok", "id": frame["id"], "channel": channel})
                )
            elif kind == "chat.send":
                channel = str(frame["channel"])
                last_seq[channel] += 1
                seq = last_seq[channel]
                await ws.send_text(json.dumps({"type": "ok", "id": frame["id"], "seq": seq}))
                event = {
                    "type": "chat.message",
                    "channel": channel,
                    "seq": seq,
                    "id": seq,
                    "client_id": frame["client_id"],
                    "author": AUTHOR,
                    "body": frame["body"],
                    "at": datetime.now(UTC).isoformat(timespec="seconds"),
                }
                for other in list(rooms[channel]):
                    try:
                        await other.send_text(json.dumps(event))
                    except (WebSocketDisconnect, RuntimeError):
                        rooms[channel].discard(other)
            elif kind == "ping":
                await ws.send_text(json.dumps({"type": "pong", "id": frame.get("id")}))
    except (WebSocketDisconnect, RuntimeError):
        # Gone, or closed under us (starlette raises RuntimeError subclasses then).
        pass
    finally:
        for channel in joined:
            rooms[channel].discard(ws)


def main() -> None:
    """Serve the naive room on loopback, without compression (as the hub)."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=args.port,
        ws_per_message_deflate=False,
        log_level="warning",
    )


if __name__ == "__main__":
    main()
