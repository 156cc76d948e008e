"""HUBDOC"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import replace
from typing import Any

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.requests import HTTPConnection
from starlette.types import Message, Receive, Scope, Send

from server.errors import AppError, Forbidden, NotFound, TooMany
from server.i18n import LANG_COOKIE, N_, gettext, negotiate, set_locale
from server.identity.auth import SESSION_COOKIE, Principal, ended_sessions, resolve_session
from server.realtime.bus import Bus
from server.realtime.call import Call, member_of
from server.realtime.channels import Access, Authoriser, ChannelKind, ChannelKinds
from server.realtime.connection import Connection, Limits
from server.realtime.framing import (
    CLOSE_BEHIND,
    CLOSE_IDLE,
    CLOSE_POLICY,
    CLOSE_RESTART,
    CLOSE_SESSION_ENDED,
    CLOSE_TIMEOUT_SECONDS,
    CLOSE_TOO_MANY,
    PROTOCOL_VERSION,
    dumps,
    text_frame,
)
from server.realtime.messages import ChannelRequest, HubRequest, Subscribe
from server.realtime.presence import Member, PresenceBook
from server.rules import unusable_in
from server.settings import Settings

log = logging.getLogger("ketnoi.hub")


Handler = Callable[["Call", Any], Awaitable[dict[str, Any] | None]]


SubscribeHook = Callable[["Call", str, Subscribe], Awaitable[dict[str, Any]]]


PointNamer = Callable[[AsyncSession, int], Awaitable[str | None]]


class Hub:
    """Channels and connections of this process, and the bus to the others."""

    def __init__(
        self,
        settings: Settings,
        sessionmaker: async_sessionmaker[AsyncSession],
        bus: Bus,
        node: str,
    ) -> None:
        self.settings = settings
        self._limits = Limits(
            send_budget_bytes=settings.hub_send_budget_bytes,
            requests_per_minute=settings.hub_requests_per_minute,
            errors_per_minute=settings.hub_errors_per_minute,
        )
        self.sessionmaker = sessionmaker
        self.bus = bus
        self.node = node
        self.connections: set[Connection] = set()
        # Open sockets per member key, for `hub_max_sockets_per_member`.
        self._sockets: Counter[str] = Counter()
        self.channels: dict[str, set[Connection]] = {}
        self.presence = PresenceBook()
        self._heard: dict[str, float] = {}
        self.kinds = ChannelKinds()
        self._handlers: dict[str, tuple[type[HubRequest], Handler]] = {}
        self._subscribe_hooks: list[SubscribeHook] = []
        self._presence_hooks: list[Callable[[str, Member, bool], None]] = []
        self._stop_hooks: list[Callable[[], None]] = []
        self.point_namer: PointNamer | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._background: list[Callable[[], Coroutine[Any, Any, None]]] = []
        # Clients of other services the domains keep beside the hub (the media relay's).
        self.services: dict[str, object] = {}
        self._unflushed: list[Connection] = []
        self._flush_handle: asyncio.Handle | None = None
        self.register("subscribe", Subscribe, self._subscribe)
        self.register("unsubscribe", ChannelRequest, self._unsubscribe)
        self.register("presence.list", ChannelRequest, self._presence_list)

    # -- plugging in -------------------------------------------------------------------------

    def register_channel(
        self, kind: str, authoriser: Authoriser, *, chat: bool = False, live: bool = False
    ) -> None:
        """Who may follow channels of this kind, what they may do there, what they carry."""
        self.kinds.register(ChannelKind(kind, authoriser, chat=chat, live=live))

    def register(self, type_: str, model: type[HubRequest], handler: Handler) -> None:
        """Handle requests of this type (validated with `model`)."""
        self._handlers[type_] = (model, handler)

    def on_subscribe(self, hook: SubscribeHook) -> None:
        """Add fields to every subscribe answer (chat resume, the current announcement)."""
        self._subscribe_hooks.append(hook)

    def on_stop(self, hook: Callable[[], None]) -> None:
        """Run when the hub stops (after its sockets are closed)."""
        self._stop_hooks.append(hook)

    def background(self, loop: Callable[[], Coroutine[Any, Any, None]]) -> None:
        """Run this coroutine while the hub runs (started with it, cancelled when it stops)."""
        self._background.append(loop)

    def on_presence(self, hook: Callable[[str, Member, bool], None]) -> None:
        """Hear this process's own joins (True) and leaves (False) per channel."""
        self._presence_hooks.append(hook)

    # -- lifetime ----------------------------------------------------------------------------

    async def start(self) -> None:
        """Start listening to the other processes and the housekeeping loop."""
        await self.bus.start(self._on_bus, self._announce)
        self._tasks.append(asyncio.create_task(self._housekeeping()))
        self._tasks.extend(asyncio.create_task(loop()) for loop in self._background)

    async def stop(self) -> None:
        """Tell clients the server restarts, close every socket and stop the loops."""
        for conn in list(self.connections):
            self.close(conn, CLOSE_RESTART)
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self.bus.send("p", "", None, dumps({"op": "bye"}))
        await self.bus.close()
        for hook in self._stop_hooks:
            await asyncio.to_thread(hook)

    # -- fan-out -----------------------------------------------------------------------------

    def publish(
        self, channel: str, type_: str, payload: dict[str, Any], seq: int | None = None
    ) -> None:
        """Send an event to a channel's subscribers in every process; never waits."""
        text = dumps({"type": type_, "channel": channel, **payload})
        self.deliver(channel, text, seq)
        self.bus.send("m", channel, seq, text)

    def deliver(self, channel: str, text: str, seq: int | None = None) -> None:
        """Write one serialised frame to this process's subscribers of a channel."""
        subscribers = self.channels.get(channel)
        if not subscribers:
            return
        frame = text_frame(text.encode())
        # A copy: a receiver over budget is removed while we loop.
        for conn in tuple(subscribers):
            conn.push(channel, text, seq, frame)

    def flush_later(self, conn: Connection) -> None:
        """Have a socket's gathered frames written at the next flush of all sockets."""
        self._unflushed.append(conn)
        if self._flush_handle is None:
            loop = asyncio.get_running_loop()
            delay = self.settings.hub_write_delay_ms / 1000
            self._flush_handle = (
                loop.call_later(delay, self._flush) if delay else loop.call_soon(self._flush)
            )

    def _flush(self) -> None:
        self._flush_handle = None
        unflushed, self._unflushed = self._unflushed, []
        for conn in unflushed:
            conn.flush()

    # -- one socket --------------------------------------------------------------------------

    async def serve(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Run one websocket from handshake to close."""
        request = HTTPConnection(scope)
        message = await receive()
        if message["type"] != "websocket.connect":
            return
        principal = await self._handshake(request)
        if principal is None:
            # Before accept, a close is answered with 403 by the server.
            await send({"type": "websocket.close", "code": CLOSE_POLICY})
            return
        locale = negotiate(
            request.cookies.get(LANG_COOKIE),
            principal.account.locale if principal.account else None,
            request.headers.get("accept-language"),
            self.settings.default_locale,
        )
        set_locale(locale)
        point_name = None
        if principal.point_id is not None and self.point_namer is not None:
            async with self.sessionmaker() as db:
                point_name = await self.point_namer(db, principal.point_id)
        await send({"type": "websocket.accept"})
        member = member_of(principal, point_name)
        if self._sockets[member.key] >= self.settings.hub_max_sockets_per_member:
            # Accepted first, so the client reads why (before accept it would see a 403).
            await send({"type": "websocket.close", "code": CLOSE_TOO_MANY})
            return
        conn = Connection(
            send,
            principal,
            member,
            locale,
            limits=self._limits,
            on_pending=self.flush_later,
            on_broken=self._broken,
        )
        conn.reader = asyncio.current_task()
        self.connections.add(conn)
        self._sockets[member.key] += 1
        conn.send_json(
            {
                "type": "hello",
                "protocol": PROTOCOL_VERSION,
                "node": self.node,
                "me": conn.member.as_dict(),
                "ping_seconds": self.settings.hub_ping_seconds,
                "idle_timeout_seconds": self.settings.hub_idle_timeout_seconds,
                "max_frame_bytes": self.settings.hub_max_frame_bytes,
            }
        )
        try:
            await self._read(conn, receive)
        except asyncio.CancelledError:
            # close() cancels a reader that waits on a client which will not read its close.
            task = asyncio.current_task()
            if not conn.closed or task is None:
                raise
            task.uncancel()
        finally:
            self.close(conn, 1000, send_close=False)
            if conn.closer is not None:
                # The server drops the socket when this returns: let the close frame out first.
                await asyncio.wait({conn.closer}, timeout=CLOSE_TIMEOUT_SECONDS + 0.5)

    async def _read(self, conn: Connection, receive: Receive) -> None:
        while not conn.closed:
            message: Message = await receive()
            if message["type"] == "websocket.disconnect":
                return
            conn.last_rx = time.monotonic()
            text = message.get("text")
            if text is None:
                raw = message.get("bytes") or b""
                text = raw.decode("utf-8", errors="replace")
            await self.handle_frame(conn, text)

    async def _handshake(self, request: HTTPConnection) -> Principal | None:
        if request.query_params.get("v") != str(PROTOCOL_VERSION):
            return None
        if not self._same_origin(request):
            return None
        async with self.sessionmaker() as db:
            principal = await resolve_session(db, request.cookies.get(SESSION_COOKIE))
            await db.commit()
        return principal

    def _same_origin(self, request: HTTPConnection) -> bool:
        origin = (request.headers.get("origin") or "").lower()
        if not origin:
            return False
        scheme = "https" if request.url.scheme in ("wss", "https") else "http"
        own = f"{scheme}://{request.headers.get('host', '')}".lower()
        public = self.settings.public_base_url.lower()
        return origin in (own, public)

    async def handle_frame(self, conn: Connection, text: str) -> None:
        """Parse, check and answer one frame from a client."""
        if len(text) > self.settings.hub_max_frame_bytes or (
            len(text) * 4 > self.settings.hub_max_frame_bytes
            and len(text.encode()) > self.settings.hub_max_frame_bytes
        ):
            self._refuse(
                conn,
                None,
                "frame_too_large",
                N_("The message is too large (at most %(limit)s bytes)."),
                limit=self.settings.hub_max_frame_bytes,
            )
            return
        try:
            obj = json.loads(text)
        except ValueError:
            self._refuse(conn, None, "invalid_json", N_("The message is not valid JSON."))
            return
        if not isinstance(obj, dict) or not isinstance(obj.get("type"), str):
            self._refuse(conn, None, "invalid_message", N_("A message needs a type."))
            return
        raw_id = obj.get("id")
        rid = raw_id if isinstance(raw_id, str | int) and not isinstance(raw_id, bool) else None
        unusable = unusable_in(obj)
        if unusable is not None:
            # The same gate as for HTTP requests (server/inputs.py), before any handler runs.
            self._refuse(
                conn,
                rid,
                "invalid_text",
                N_("The text holds a character that cannot be used (%(character)s)."),
                character=unusable,
            )
            return
        type_ = obj["type"]
        if not conn.count(error=False):
            self.close(conn, CLOSE_POLICY)
            return
        if type_ == "ping":
            conn.send_json({"type": "pong", "id": rid})
            return
        entry = self._handlers.get(type_)
        if entry is None:
            self._refuse(conn, rid, "unknown_type", N_("Unknown message type."))
            return
        model, handler = entry
        try:
            request = model.model_validate(obj)
        except ValidationError as exc:
            first = exc.errors(include_url=False, include_input=False)[0]
            where = ".".join(str(p) for p in first["loc"]) or "message"
            self._refuse(
                conn,
                rid,
                "invalid_message",
                N_("Invalid field “%(field)s”: %(problem)s"),
                field=where,
                problem=first["msg"],
            )
            return
        await self._dispatch(conn, request, handler)

    async def _dispatch(self, conn: Connection, request: HubRequest, handler: Handler) -> None:
        async with self.sessionmaker() as db:
            call = Call(db=db, hub=self, conn=conn)
            try:
                result = await handler(call, request)
                await db.commit()
            except AppError as exc:
                await db.rollback()
                conn.send_json(
                    {"type": "error", "id": request.id, "code": exc.code, "message": exc.text()}
                )
                return
            except Exception:
                await db.rollback()
                log.exception("hub request %s failed", request.type)
                conn.send_json(
                    {
                        "type": "error",
                        "id": request.id,
                        "code": "server_error",
                        "message": gettext("Something went wrong on the server. Please retry."),
                    }
                )
                return
        # Keys with a leading underscore are for after_reply callbacks, not the client.
        public = {k: v for k, v in (result or {}).items() if not k.startswith("_")}
        conn.send_json({"type": "ok", "id": request.id, **public})
        for callback in call.after_reply:
            callback()
        call.committed()

    def _refuse(
        self, conn: Connection, rid: str | int | None, code: str, message: str, **params: object
    ) -> None:
        conn.send_json(
            {"type": "error", "id": rid, "code": code, "message": gettext(message, **params)}
        )
        if not conn.count(error=True):
            self.close(conn, CLOSE_POLICY)

    def close(self, conn: Connection, code: int, *, send_close: bool = True) -> None:
        """Forget a connection at once and tell its client (when the socket takes it)."""
        if conn.closed:
            return
        conn.closed = True
        self.connections.discard(conn)
        self._sockets[conn.member.key] -= 1
        if self._sockets[conn.member.key] <= 0:
            del self._sockets[conn.member.key]
        for channel in list(conn.subs):
            self._leave(conn, channel)
        for channel in list(conn.replaying):
            self._leave(conn, channel)
        if send_close:
            conn.send_close(code, flush=code != CLOSE_BEHIND)
        reader = conn.reader
        if reader is not None and reader is not asyncio.current_task() and not reader.done():
            reader.cancel()

    def _broken(self, conn: Connection, code: int, send_close: bool) -> None:
        self.close(conn, code, send_close=send_close)

    # -- channels ----------------------------------------------------------------------------

    async def authorise(self, db: AsyncSession, principal: Principal, channel: str) -> Access:
        """What the principal may do in a channel; refuses unknown and forbidden channels."""
        kind = self.kinds.of(channel)
        if kind is None:
            raise NotFound("unknown_channel", N_("No such channel."))
        access = await kind.authorise(db, principal, channel.partition(":")[2])
        if access is None:
            raise Forbidden("channel_forbidden", N_("You may not follow this channel."))
        if access.can_post and not kind.chat:
            # Posting rights come from the kind: nobody writes where the kind carries no chat.
            access = replace(access, can_post=False)
        return access

    async def _subscribe(self, call: Call, request: Subscribe) -> dict[str, Any]:
        conn, channel = call.conn, request.channel
        access = await self.authorise(call.db, call.principal, channel)
        if channel not in conn.subs and len(conn.subs) >= self.settings.hub_max_subscriptions:
            raise TooMany(
                "too_many_subscriptions",
                N_("Too many channels on one connection (at most %(limit)s)."),
                limit=self.settings.hub_max_subscriptions,
            )
        # Live frames wait from now until the hooks' replay has been written (after_reply).
        new = channel not in conn.subs
        if new:
            conn.replaying[channel] = []
            self._join(conn, channel)
        conn.subs[channel] = access
        result: dict[str, Any] = {"channel": channel}
        try:
            for hook in self._subscribe_hooks:
                result.update(await hook(call, channel, request))
        except BaseException:
            if new:
                self._leave(conn, channel)
            raise
        result["presence"] = [m.as_dict() for m in self.presence.members(channel)]
        call.after_reply.append(lambda: self._end_replay(conn, channel, result))
        return result

    def _end_replay(self, conn: Connection, channel: str, result: dict[str, Any]) -> None:
        waiting = conn.replaying.pop(channel, None)
        if not waiting:
            return
        replayed: set[int] = result.get("_replayed", set())
        since = result.get("_since") or 0
        for seq, text in waiting:
            if seq is None or (seq > since and seq not in replayed):
                conn.write(text)

    async def _unsubscribe(self, call: Call, request: ChannelRequest) -> dict[str, Any]:
        if request.channel in call.conn.subs:
            self._leave(call.conn, request.channel)
        return {"channel": request.channel}

    async def _presence_list(self, call: Call, request: ChannelRequest) -> dict[str, Any]:
        await call.access(request.channel)
        return {
            "channel": request.channel,
            "presence": [m.as_dict() for m in self.presence.members(request.channel)],
        }

    def _join(self, conn: Connection, channel: str) -> None:
        self.channels.setdefault(channel, set()).add(conn)
        if self.presence.add(self.node, channel, conn.member):
            self.bus.send("p", channel, None, dumps({"op": "join", "m": conn.member.as_dict()}))
            for hook in self._presence_hooks:
                hook(channel, conn.member, True)

    def _leave(self, conn: Connection, channel: str) -> None:
        was_subscribed = conn.subs.pop(channel, None) is not None
        was_replaying = conn.replaying.pop(channel, None) is not None
        if not (was_subscribed or was_replaying):
            return
        subscribers = self.channels.get(channel)
        if subscribers is not None:
            subscribers.discard(conn)
            if not subscribers:
                del self.channels[channel]
        key = conn.member.key
        if not self.presence.remove(self.node, channel, key):
            return
        self.bus.send("p", channel, None, dumps({"op": "leave", "k": key}))
        for hook in self._presence_hooks:
            hook(channel, conn.member, False)

    # -- other processes ---------------------------------------------------------------------

    def _announce(self) -> None:
        self.bus.send("p", "", None, dumps({"op": "hello"}))
        self._send_snapshot()

    def _send_snapshot(self) -> None:
        snapshot = self.presence.node_snapshot(self.node)
        body = {c: [m.as_dict() for m in ms] for c, ms in snapshot.items()}
        self.bus.send("p", "", None, dumps({"op": "snapshot", "channels": body}))

    def _on_bus(self, node: str, kind: str, channel: str, seq: int | None, payload: str) -> None:
        self._heard[node] = time.monotonic()
        if kind == "m":
            self.deliver(channel, payload, seq)
            return
        op = json.loads(payload)
        match op.get("op"):
            case "join":
                self.presence.add(node, channel, Member.from_dict(op["m"]))
            case "leave":
                self.presence.remove(node, channel, str(op["k"]))
            case "snapshot":
                self.presence.replace_node(
                    node,
                    {c: [Member.from_dict(m) for m in ms] for c, ms in op["channels"].items()},
                )
            case "hello":
                self._send_snapshot()
            case "bye":
                self.presence.drop_node(node)
                self._heard.pop(node, None)

    # -- housekeeping ------------------------------------------------------------------------

    async def _housekeeping(self) -> None:
        settings = self.settings
        next_session_check = next_snapshot = 0.0
        while True:
            await asyncio.sleep(min(0.5, settings.hub_presence_flush_seconds))
            now = time.monotonic()
            try:
                self._cut_idle(now)
                self._expire_nodes(now)
                self.flush_presence()
                if now >= next_snapshot:
                    next_snapshot = now + settings.hub_node_timeout_seconds / 3
                    self._send_snapshot()
                if now >= next_session_check:
                    next_session_check = now + settings.hub_session_check_seconds
                    await self.close_ended_sessions()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("hub housekeeping failed")

    def _cut_idle(self, now: float) -> None:
        limit = self.settings.hub_idle_timeout_seconds
        for conn in [c for c in self.connections if now - c.last_rx > limit]:
            self.close(conn, CLOSE_IDLE)

    def _expire_nodes(self, now: float) -> None:
        limit = self.settings.hub_node_timeout_seconds
        for node in [n for n, heard in self._heard.items() if now - heard > limit]:
            self.presence.drop_node(node)
            del self._heard[node]

    def flush_presence(self) -> None:
        """Tell each channel who came and went since the last flush."""
        for channel, (joined, left) in self.presence.take_changes().items():
            if channel in self.channels:
                frame = {
                    "type": "presence",
                    "channel": channel,
                    "joined": [m.as_dict() for m in joined],
                    "left": [m.as_dict() for m in left],
                }
                self.deliver(channel, dumps(frame))

    async def close_ended_sessions(self) -> None:
        """Close the sockets of sessions that were revoked, expired or whose account was disabled."""
        by_session: dict[int, list[Connection]] = {}
        for conn in self.connections:
            by_session.setdefault(conn.principal.session_id, []).append(conn)
        if not by_session:
            return
        async with self.sessionmaker() as db:
            ended = await ended_sessions(db, list(by_session))
        for session_id in ended:
            for conn in by_session.get(session_id or 0, []):
                self.close(conn, CLOSE_SESSION_ENDED)
