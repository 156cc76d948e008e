"""The one gate every text a request brings passes before any route or database sees it:
path, query string, and JSON or form body. A NUL, another control character (tab, newline
and carriage return aside) or a lone surrogate is refused with a 400 that says so.

Hub frames are checked the same way by the hub (`server.realtime.hub`), since a websocket
carries its text after the handshake.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from urllib.parse import parse_qsl, unquote

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.rules import unusable_character, unusable_in

Refuse = Callable[[Request, str], Awaitable[Response]]
FORM = "application/x-www-form-urlencoded"


def unusable_in_target(scope: Scope) -> str | None:
    """An unusable character in the path or the query string, or None."""
    # Percent escapes read as UTF-8; bytes that are not UTF-8 become lone surrogates, which are
    # refused as well. (A raw path that is not ASCII was decoded by the server already.)
    raw = scope.get("raw_path") or b""
    path = scope["path"]
    if raw and raw.isascii():
        path = unquote(raw.decode("ascii"), errors="surrogateescape")
    found = unusable_character(path)
    if found:
        return found
    # Bytes that are not UTF-8 become lone surrogates here, which are refused as well.
    query = scope.get("query_string", b"").decode("utf-8", errors="surrogateescape")
    for key, value in parse_qsl(query, keep_blank_values=True, errors="surrogateescape"):
        found = unusable_character(key) or unusable_character(value)
        if found:
            return found
    return None


def unusable_in_body(content_type: str, body: bytes) -> str | None:
    """An unusable character in a JSON or form body, or None (other bodies are the routes')."""
    kind = content_type.split(";", 1)[0].strip().lower()
    if kind == "application/json":
        try:
            value = json.loads(body)
        except ValueError:
            return None  # not JSON: the route answers that
        return unusable_in(value)
    if kind == FORM:
        text = body.decode("utf-8", errors="surrogateescape")
        for key, value in parse_qsl(text, keep_blank_values=True, errors="surrogateescape"):
            found = unusable_character(key) or unusable_character(value)
            if found:
                return found
    return None


class TextInputMiddleware:
    """Refuse a request whose text holds a character no text may hold (see the module)."""

    def __init__(self, app: ASGIApp, refuse: Refuse, max_body_bytes: int) -> None:
        self.app = app
        self.refuse = refuse
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        found = unusable_in_target(scope)
        if (
            found is None
            and scope["type"] == "http"
            and scope["method"] in ("POST", "PUT", "PATCH")
        ):
            request = Request(scope)
            content_type = request.headers.get("content-type", "")
            if content_type.split(";", 1)[0].strip().lower() in ("application/json", FORM):
                body, messages = await self._read(receive)
                if body is not None:
                    found = unusable_in_body(content_type, body)
                receive = self._replay(messages, receive)
        if found is None:
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
            return
        response = await self.refuse(Request(scope), found)
        await response(scope, receive, send)

    async def _read(self, receive: Receive) -> tuple[bytes | None, list[Message]]:
        """The body (None past the size limit, which the app then refuses) and the messages
        read, to hand on unchanged."""
        messages: list[Message] = []
        size = 0
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                return None, messages
            size += len(message.get("body", b""))
            if size > self.max_body_bytes:
                return None, messages
            if not message.get("more_body", False):
                return b"".join(m.get("body", b"") for m in messages), messages

    @staticmethod
    def _replay(messages: list[Message], receive: Receive) -> Receive:
        pending = list(messages)

        async def replay() -> Message:
            if pending:
                return pending.pop(0)
            return await receive()

        return replay
