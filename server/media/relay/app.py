"""The relay's loopback API, which the web process calls (`server.media.client`), and the
process that serves it."""

from __future__ import annotations

import contextlib
import logging
import secrets
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import uvicorn
from pydantic import BaseModel, ValidationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from server.media.protocol import (
    PATHS,
    AudioCall,
    Done,
    PublishCall,
    Refusal,
    StopCall,
    Stopped,
    WatchCall,
)
from server.media.relay.errors import RelayError
from server.media.relay.hooks import check_hooks, use_consent, use_ice_addresses
from server.media.relay.recording import claim_recordings, recover_recordings
from server.media.relay.rooms import Relay
from server.media.rules import TOKEN_HEADER, relay_token
from server.settings import Settings

log = logging.getLogger("ketnoi.relay")
C = TypeVar("C", bound=BaseModel)


def api(relay: Relay, token: str) -> Starlette:
    """JSON over loopback: publish, watch, audio, stop, status (`server.media.protocol`)."""

    def refusal(error: str, status: int) -> JSONResponse:
        return JSONResponse(Refusal(error=error).model_dump(), status_code=status)

    def endpoint(
        model: type[C], action: Callable[[C], Awaitable[BaseModel]]
    ) -> Callable[[Request], Awaitable[JSONResponse]]:
        async def handle(request: Request) -> JSONResponse:
            if not secrets.compare_digest(request.headers.get(TOKEN_HEADER, ""), token):
                return refusal("forbidden", 403)
            try:
                call = model.model_validate_json(await request.body())
            except ValidationError as exc:
                return refusal(f"bad request: {exc.errors()[0]['msg']}", 400)
            try:
                result = await action(call)
            except RelayError as exc:
                return refusal(str(exc), exc.status)
            return JSONResponse(result.model_dump(mode="json"))

        return handle

    async def choose(call: AudioCall) -> Done:
        relay.choose_audio(call)
        return Done()

    async def stop(call: StopCall) -> Stopped:
        return Stopped(stopped=await relay.stop_slot(call.room, call.slot))

    async def status(request: Request) -> JSONResponse:
        if not secrets.compare_digest(request.headers.get(TOKEN_HEADER, ""), token):
            return refusal("forbidden", 403)
        return JSONResponse(relay.status().model_dump(mode="json"))

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> Any:
        yield
        await relay.close()

    return Starlette(
        routes=[
            Route(PATHS[PublishCall], endpoint(PublishCall, relay.publish), methods=["POST"]),
            Route(PATHS[WatchCall], endpoint(WatchCall, relay.watch), methods=["POST"]),
            Route(PATHS[AudioCall], endpoint(AudioCall, choose), methods=["POST"]),
            Route(PATHS[StopCall], endpoint(StopCall, stop), methods=["POST"]),
            Route("/status", status, methods=["GET"]),
        ],
        lifespan=lifespan,
    )


def run(settings: Settings) -> None:
    """Serve the relay on loopback until stopped."""
    check_hooks()
    use_ice_addresses(settings.relay_ice_addresses)
    use_consent(settings.relay_consent_seconds, settings.relay_consent_failures)
    claim = claim_recordings(settings.data_dir)
    if claim is None:
        log.warning("another relay uses this data folder; its recordings are left to it")
    else:
        recover_recordings(settings.data_dir)
    relay = Relay(settings)
    app = api(relay, relay_token(settings.secret_key.get_secret_value()))
    uvicorn.run(app, host="127.0.0.1", port=settings.relay_port, log_level="warning")
