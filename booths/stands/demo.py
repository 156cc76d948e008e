"""The demo's booths and their products."""

from __future__ import annotations

from booths.catalogue.models import Product
from booths.stands.models import Booth
from server.demo.data import BOOTHS
from server.demo.run import DemoRun, Seeded, lookup, row_id
from server.rules import normalise_text as text


async def seed_booths(run: DemoRun) -> Seeded:
    """Add every demo booth with its catalogue."""
    products = 0
    for stand in BOOTHS:
        booth = Booth(
            event_id=run.events[stand.event],
            organisation_id=lookup(run.organisations, stand.organisation),
            name_vi=text(stand.name_vi),
            name_en=text(stand.name_en),
            description_vi=text(stand.description_vi),
            description_en=text(stand.description_en),
        )
        run.db.add(booth)
        await run.db.flush()
        for item in stand.products:
            products += 1
            run.db.add(
                Product(
                    booth_id=row_id(booth.id),
                    producer_id=booth.organisation_id,
                    name_vi=text(item.name_vi),
                    name_en=text(item.name_en),
                    category=item.category,
                    certifications=item.certifications,
                    ocop_stars=item.ocop_stars,
                    description_vi=text(item.description_vi),
                    description_en=text(item.description_en),
                )
            )
    await run.db.flush()
    return Seeded(counts={"booths": len(BOOTHS), "products": products})
