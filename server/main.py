"""The composition root: the one place that knows every domain."""

from __future__ import annotations

from fastapi import FastAPI
from sqlmodel import SQLModel

import booths.models
import server.models
import sessions.models
from booths import api as booths_api
from booths import pages as booths_pages
from booths import realtime as booths_realtime
from server import api as core_api
from server import chat
from server import media as core_media
from server import pages as core_pages
from server.app import build_app
from server.settings import Settings, get_settings
from sessions import api as sessions_api
from sessions import media, registration_pages
from sessions import pages as sessions_pages
from sessions import realtime as sessions_realtime

# Every table, registered once, for migrations and the app.
metadata = SQLModel.metadata
MODEL_MODULES = (server.models, sessions.models, booths.models)


def create_app(settings: Settings | None = None) -> FastAPI:
    """The whole ketnoi web app."""
    settings = settings or get_settings()
    routers = [
        core_api.router,
        core_pages.router,
        sessions_api.router,
        booths_api.router,
        booths_pages.router,
        sessions_pages.router,
        registration_pages.router,
        core_media.router,
        media.router,
    ]
    return build_app(
        settings,
        routers,
        hub_installers=[
            chat.install,
            sessions_realtime.install,
            booths_realtime.install,
            core_media.install,
            media.install,
        ],
    )
