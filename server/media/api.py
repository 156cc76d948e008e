"""ICE servers for browsers, with short-lived TURN credentials."""

from __future__ import annotations

import time

from fastapi import APIRouter
from pydantic import BaseModel

from server.deps import AppSettings, MaybePrincipal
from server.errors import AppError
from server.i18n import N_
from server.media.rules import turn_credentials

router = APIRouter(prefix="/api", tags=["live"])


class IceServerOut(BaseModel):
    """An ICE server for the browser's RTCPeerConnection."""

    urls: list[str]
    username: str | None = None
    credential: str | None = None


@router.get("/rtc")
async def rtc_configuration(
    settings: AppSettings, principal: MaybePrincipal
) -> dict[str, list[IceServerOut]]:
    """ICE servers for the browser; TURN credentials last `relay_turn_ttl_seconds`."""
    if principal is None:
        raise AppError("sign_in_required", N_("Please sign in."), status_code=401)
    secret = settings.relay_turn_secret.get_secret_value()
    servers = []
    for url in settings.relay_ice_servers:
        if url.startswith(("turn:", "turns:")) and secret:
            who = f"p{principal.point_id}" if principal.point_id else f"a{principal.session_id}"
            username, credential = turn_credentials(
                secret, settings.relay_turn_ttl_seconds, who, time.time()
            )
            servers.append(IceServerOut(urls=[url], username=username, credential=credential))
        else:
            servers.append(IceServerOut(urls=[url]))
    return {"ice_servers": servers}
