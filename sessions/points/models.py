"""What an organiser sends to make or edit an attendance point (the table is the core's
`server.events.models.AttendancePoint`)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict
from pydantic import Field as PField

# Generous caps that keep a body's work bounded; the exact widths are the rules' (a name typed
# in decomposed letters is longer before it is normalised).
LINE = 1_000
NOTES = 6_000


class PointFields(BaseModel):
    """What an organiser may set on a point; every field optional (a PATCH)."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = PField(default=None, max_length=LINE)
    country: str | None = PField(default=None, max_length=10, examples=["JP"])
    city: str | None = PField(default=None, max_length=LINE)
    timezone: str | None = PField(default=None, max_length=64, examples=["Asia/Tokyo"])
    host: str | None = PField(default=None, max_length=LINE)
    contact_name: str | None = PField(default=None, max_length=LINE)
    contact_email: str | None = PField(default=None, max_length=LINE)
    contact_phone: str | None = PField(default=None, max_length=LINE)
    expected_seats: int | None = PField(default=None, ge=0, le=10_000)
    room_notes: str | None = PField(default=None, max_length=NOTES)
    equipment_notes: str | None = PField(default=None, max_length=NOTES)


class PointCreate(PointFields):
    """A new point: name, country, city and zone are needed."""

    name: str = PField(max_length=LINE, examples=["Thương vụ Việt Nam tại Nhật Bản"])
    country: str = PField(max_length=10, examples=["JP"])
    city: str = PField(max_length=LINE, examples=["Tokyo"])
    timezone: str = PField(max_length=64, examples=["Asia/Tokyo"])
