"""Meetings get a status (scheduled|cancelled), when and why they were cancelled, and their reminders.

Existing meetings keep the default reminders and stay scheduled.

Revision ID: 0004
Revises: 0003
"""
import json

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# The default of shared.schemas.events.DEFAULT_REMINDERS on the day of this migration, as stored.
_DEFAULT_REMINDERS = json.dumps([{"before": "P1D", "at": "09:00"}, {"before": "PT1H", "at": None}])


def upgrade() -> None:
    op.add_column("meetings", sa.Column("reminders", sa.JSON(), nullable=False, server_default=sa.text(f"'{_DEFAULT_REMINDERS}'")))
    op.add_column("meetings", sa.Column("status", sa.String(length=10), nullable=False, server_default="scheduled"))
    op.add_column("meetings", sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("meetings", sa.Column("cancellation_reason", sa.Text(), nullable=True))


def downgrade() -> None:
    # Plain ALTER TABLE … DROP COLUMN (SQLite ≥ 3.35), not a batch rebuild: rebuilding `meetings` would
    # drop a table that registrations' foreign keys point at, which SQLite refuses inside the migration.
    for name in ("cancellation_reason", "cancelled_at", "status", "reminders"):
        op.drop_column("meetings", name)
