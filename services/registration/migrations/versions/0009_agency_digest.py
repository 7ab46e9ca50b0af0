"""Agency digest: whether the agency's contact receives the digest and bulk summaries, in which language, and when the agency last changed.

Revision ID: 0009
Revises: 0008
"""
import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("agencies", sa.Column("digest_enabled", sa.Boolean(), nullable=False, server_default=sa.true()))
    op.add_column("agencies", sa.Column("locale", sa.String(length=8), nullable=False, server_default="id"))
    op.add_column("agencies", sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    # Plain ALTER TABLE (SQLite 3.35+ and PostgreSQL): a batch rebuild would DROP TABLE agencies,
    # which the keys' and registrations' foreign keys refuse on SQLite.
    for column in ("updated_at", "locale", "digest_enabled"):
        op.execute(f"ALTER TABLE agencies DROP COLUMN {column}")
