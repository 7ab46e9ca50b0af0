"""Presence from Zoom participant reports: each stay (idempotent by its natural key) and the minutes announced.

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "presence_intervals",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("registration_id", sa.String(length=64), nullable=False),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("left_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["event_id"], ["meetings.id"], name=op.f("fk_presence_intervals_event_id_meetings")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_presence_intervals")),
        sa.UniqueConstraint("event_id", "registration_id", "joined_at", "left_at", name="uq_presence_intervals_stay"),
    )
    op.create_table(
        "presence_totals",
        sa.Column("registration_id", sa.String(length=64), nullable=False),
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("first_join_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["event_id"], ["meetings.id"], name=op.f("fk_presence_totals_event_id_meetings")),
        sa.PrimaryKeyConstraint("registration_id", name=op.f("pk_presence_totals")),
    )
    op.create_index("ix_presence_totals_event", "presence_totals", ["event_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_presence_totals_event", table_name="presence_totals")
    op.drop_table("presence_totals")
    op.drop_table("presence_intervals")
