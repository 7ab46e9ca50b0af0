"""Index (event_id, status, waitlist_position): the waitlist length is read as its last position.

Revision ID: 0002
Revises: 0001
"""
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_registrations_waitlist", "registrations", ["event_id", "status", "waitlist_position"])


def downgrade() -> None:
    op.drop_index("ix_registrations_waitlist", table_name="registrations")
