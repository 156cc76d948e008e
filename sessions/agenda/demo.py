"""The demo's agendas: every event's talks, on the demo's day."""

from __future__ import annotations

from sqlmodel import select

from server.db import utcnow
from server.demo.data import EVENTS, STAGES_EN, talk_window
from server.demo.run import DemoRun, Seeded
from server.rules import normalise_text as text
from sessions.agenda.models import Talk, TalkKind
from sessions.agenda.rules import pick_current_talk
from sessions.live.channels import talk_channel
from sessions.live.rules import HALL, talk_feed


async def seed_talks(run: DemoRun) -> Seeded:
    """Add each event's talks; the conference's current one is the demo's live talk."""
    count = 0
    for seed in EVENTS:
        for talk in seed.talks:
            starts_at, ends_at = talk_window(talk, seed, run.today)
            count += 1
            run.db.add(
                Talk(
                    event_id=run.events[seed.slug],
                    stage=text(talk.stage),
                    stage_en=STAGES_EN.get(talk.stage, ""),
                    kind=TalkKind(talk.kind),
                    country=talk.country,
                    title_vi=text(talk.title_vi),
                    title_en=text(talk.title_en),
                    speakers=[
                        {
                            "name": text(talk.speaker),
                            "organisation": text(talk.organisation),
                            "country": talk.country,
                        }
                    ],
                    starts_at=starts_at,
                    ends_at=ends_at,
                )
            )
    await run.db.flush()
    conference = run.events[EVENTS[0].slug]
    agenda = (await run.db.exec(select(Talk).where(Talk.event_id == conference))).all()
    current = pick_current_talk(list(agenda), utcnow())
    if current is None or current.id is None:
        return Seeded(counts={"talks": count})
    feed = talk_feed(
        talk_channel(current.id),
        current.id,
        HALL,
        "",
        max_publishers=run.settings.relay_max_room_publishers,
        recorded=run.settings.relay_record_talks,
    )
    return Seeded(counts={"talks": count}, live_feed=feed)
