"""The composition root: the one place that knows every domain."""

from __future__ import annotations

from fastapi import FastAPI
from sqlmodel import SQLModel

import booths.catalogue.models
import booths.stands.models
import server.chat.models
import server.events.models
import server.identity.models
import server.realtime.models
import sessions.agenda.models
import sessions.live.models
import sessions.registration.models
from booths.calls import api as booths_api
from booths.calls.labels import call_labels
from booths.stands import pages as booths_pages
from booths.stands import realtime as booths_realtime
from booths.stands.demo import seed_booths
from server.app import build_app
from server.chat import realtime as chat
from server.events import realtime as events_realtime
from server.identity import api as core_api
from server.identity import pages as core_pages
from server.media import api as media_api
from server.media import realtime as media_realtime
from server.settings import Settings, get_settings
from server.templating import register_labels
from sessions.agenda import api as agenda_api
from sessions.agenda import calendars as agenda_calendars
from sessions.agenda import cli as agenda_cli
from sessions.agenda import documents as agenda_documents
from sessions.agenda import editor as agenda_editor
from sessions.agenda import pages as agenda_pages
from sessions.agenda.demo import seed_talks
from sessions.live import cli as live_cli
from sessions.live import feeds as live_feeds
from sessions.live import onair as live_onair
from sessions.live import pages as live_pages
from sessions.live import realtime as sessions_realtime
from sessions.live.labels import live_labels
from sessions.planner import api as planner_api
from sessions.planner import pages as planner_pages
from sessions.points import api as points_api
from sessions.points import pages as points_pages
from sessions.points import sheets as points_sheets
from sessions.registration import pages as registration_pages

# Every table, registered once, for migrations and the app.
metadata = SQLModel.metadata
MODEL_MODULES = (
    server.identity.models,
    server.events.models,
    server.chat.models,
    server.realtime.models,
    sessions.agenda.models,
    sessions.live.models,
    sessions.registration.models,
    booths.stands.models,
    booths.catalogue.models,
)

# What each domain adds to the demo, in order (the core seeds events, points and accounts).
DEMO_SEEDERS = (seed_talks, seed_booths)
# The domains' command groups: `ketnoi live play ...`.
COMMANDS = (("live", live_cli.app),)
# The domains' top-level commands: `ketnoi create-event ...`.
TOP_COMMANDS = (("create-event", agenda_cli.create_event),)


def create_app(settings: Settings | None = None) -> FastAPI:
    """The whole ketnoi web app."""
    settings = settings or get_settings()
    register_labels("sessions", live_labels)
    register_labels("booths", call_labels)
    routers = [
        core_api.router,
        core_pages.router,
        agenda_api.router,
        points_api.router,
        booths_api.router,
        booths_pages.router,
        agenda_pages.router,
        agenda_editor.router,
        agenda_calendars.router,
        agenda_documents.router,
        planner_api.router,
        planner_pages.router,
        points_pages.router,
        points_sheets.router,
        live_pages.router,
        registration_pages.router,
        media_api.router,
        live_feeds.router,
    ]
    return build_app(
        settings,
        routers,
        hub_installers=[
            events_realtime.install,
            chat.install,
            sessions_realtime.install,
            booths_realtime.install,
            media_realtime.install,
            live_feeds.install,
            live_onair.install,
        ],
    )
