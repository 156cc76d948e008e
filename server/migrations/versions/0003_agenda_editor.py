"""agenda editor: talk kinds, markets, abstracts, speakers, documents; event working hours

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 20:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import server.db

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("event") as batch:
        batch.add_column(
            sa.Column("venue_en", sa.String(length=300), nullable=False, server_default="")
        )
        batch.add_column(
            sa.Column("work_day_start", sa.Integer(), nullable=False, server_default="420")
        )
        batch.add_column(
            sa.Column("work_day_end", sa.Integer(), nullable=False, server_default="1260")
        )
    with op.batch_alter_table("talk") as batch:
        batch.add_column(
            sa.Column("stage_en", sa.String(length=120), nullable=False, server_default="")
        )
        batch.add_column(
            sa.Column("kind", sa.String(length=20), nullable=False, server_default="other")
        )
        batch.add_column(
            sa.Column("country", sa.String(length=2), nullable=False, server_default="")
        )
        batch.add_column(sa.Column("abstract_vi", sa.Text(), nullable=False, server_default=""))
        batch.add_column(sa.Column("abstract_en", sa.Text(), nullable=False, server_default=""))
        batch.add_column(sa.Column("speakers", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("sequence", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(
            sa.Column(
                "updated_at",
                server.db.UTCDateTime(),
                nullable=False,
                server_default="1970-01-01 00:00:00.000000",
            )
        )
    # The one-line speaker becomes the first of the talk's speakers.
    talk = sa.table(
        "talk",
        sa.column("id", sa.Integer()),
        sa.column("speaker", sa.String()),
        sa.column("speakers", sa.JSON()),
        sa.column("starts_at", server.db.UTCDateTime()),
        sa.column("updated_at", server.db.UTCDateTime()),
    )
    bind = op.get_bind()
    for row in bind.execute(sa.select(talk.c.id, talk.c.speaker, talk.c.starts_at)).all():
        speakers = [{"name": row.speaker, "organisation": "", "country": ""}] if row.speaker else []
        bind.execute(
            talk.update()
            .where(talk.c.id == row.id)
            .values(speakers=speakers, updated_at=row.starts_at)
        )
    with op.batch_alter_table("talk") as batch:
        batch.alter_column("speakers", existing_type=sa.JSON(), nullable=False)
        batch.drop_column("speaker")
    op.create_table(
        "talk_document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("talk_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("stored_name", sa.String(length=80), nullable=False),
        sa.Column("content_type", sa.String(length=120), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("created_at", server.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["talk_id"], ["talk.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("stored_name"),
    )
    op.create_index(op.f("ix_talk_document_talk_id"), "talk_document", ["talk_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_talk_document_talk_id"), table_name="talk_document")
    op.drop_table("talk_document")
    with op.batch_alter_table("talk") as batch:
        batch.add_column(
            sa.Column("speaker", sa.String(length=300), nullable=False, server_default="")
        )
        for name in (
            "updated_at",
            "sequence",
            "speakers",
            "abstract_en",
            "abstract_vi",
            "country",
            "kind",
            "stage_en",
        ):
            batch.drop_column(name)
    with op.batch_alter_table("event") as batch:
        for name in ("work_day_end", "work_day_start", "venue_en"):
            batch.drop_column(name)
