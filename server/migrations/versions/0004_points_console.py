"""points console: a point's contact email and phone, host organisation, room and equipment notes

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = (
    ("contact_email", 320),
    ("contact_phone", 40),
    ("host", 300),
    ("room_notes", 2000),
    ("equipment_notes", 2000),
)


def upgrade() -> None:
    with op.batch_alter_table("attendance_point") as batch:
        for name, length in COLUMNS:
            batch.add_column(
                sa.Column(name, sa.String(length=length), nullable=False, server_default="")
            )


def downgrade() -> None:
    with op.batch_alter_table("attendance_point") as batch:
        for name, _length in reversed(COLUMNS):
            batch.drop_column(name)
