"""The ASGI middleware that hands /ws to the hub."""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from server.realtime.hub import Hub


class HubMiddleware:
    """Hands websockets at /ws to the app's hub with the server's own `send`.

    Installed inside the middleware that checks hosts, but outside Starlette's exception
    middleware, whose wrapper around `send` would hide the server's protocol from the hub.
    """

    def __init__(self, app: ASGIApp, path: str = "/ws") -> None:
        self.app = app
        self.path = path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve /ws here; pass everything else on."""
        if scope["type"] == "websocket" and scope["path"] == self.path:
            hub: Hub = scope["app"].state.hub
            await hub.serve(scope, receive, send)
            return
        await self.app(scope, receive, send)
