"""Online presence from Zoom reports: minutes per registration, the meeting's threshold and whether a report arrived.

Revision ID: 0008
Revises: 0007
"""
import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMNs (no rebuild on SQLite); existing meetings keep "joined once" until a report arrives.
    op.add_column("registrations", sa.Column("online_minutes", sa.Integer(), nullable=True))
    op.add_column("meetings", sa.Column("min_online_minutes", sa.Integer(), nullable=False, server_default="0"))
    op.add_column("meetings", sa.Column("presence_reported_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    # Plain DROP COLUMN, as 0007: a batch rebuild of meetings is refused by the registrations' foreign keys on SQLite.
    op.execute("ALTER TABLE meetings DROP COLUMN presence_reported_at")
    op.execute("ALTER TABLE meetings DROP COLUMN min_online_minutes")
    op.execute("ALTER TABLE registrations DROP COLUMN online_minutes")
