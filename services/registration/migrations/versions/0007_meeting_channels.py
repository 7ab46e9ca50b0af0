"""Meeting channels: how participants are told, in order (email, sms, whatsapp, sms_fallback).

Revision ID: 0007
Revises: 0006
"""
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("meetings", sa.Column("channels", sa.String(length=64), nullable=False, server_default="email,sms"))


def downgrade() -> None:
    # Plain ALTER TABLE (SQLite 3.35+ and PostgreSQL): a batch rebuild would DROP TABLE meetings,
    # which the registrations' foreign keys refuse on SQLite.
    op.execute("ALTER TABLE meetings DROP COLUMN channels")
