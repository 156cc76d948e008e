"""A booth's products with the trade facts buyers ask for."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from server.db import UTCDateTime, utcnow


class Product(SQLModel, table=True):
    """A product with the trade facts buyers ask for."""

    id: int | None = Field(default=None, primary_key=True)
    booth_id: int = Field(foreign_key="booth.id", index=True)
    producer_id: int = Field(foreign_key="organisation.id", index=True)
    name_vi: str = Field(max_length=300)
    name_en: str = Field(max_length=300)
    category: str = Field(max_length=80)
    # Comma-separated labels, e.g. "VietGAP,GlobalGAP,OCOP"; the booths issue normalises them.
    certifications: str = Field(default="", max_length=300)
    ocop_stars: int | None = Field(default=None, ge=3, le=5)
    description_vi: str = Field(default="", max_length=4000)
    description_en: str = Field(default="", max_length=4000)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
