"""Scoped access: door tokens, undone check-ins, and several keys per agency (moved from agencies.api_key_hash).

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
        "door_tokens",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("event_id", sa.String(length=36), sa.ForeignKey("meetings.id"), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_index("ix_door_tokens_event", "door_tokens", ["event_id", "created_at"])
    op.create_table(
        "check_in_reversals",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("registration_id", sa.String(length=36), sa.ForeignKey("registrations.id"), nullable=False),
        sa.Column("event_id", sa.String(length=36), sa.ForeignKey("meetings.id"), nullable=False),
        sa.Column("checked_in_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reverted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reverted_by", sa.String(length=10), nullable=False),
        sa.Column("door_token_id", sa.String(length=36), sa.ForeignKey("door_tokens.id"), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_check_in_reversals_registration", "check_in_reversals", ["registration_id"])
    op.create_table(
        "agency_keys",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("agency_id", sa.String(length=36), sa.ForeignKey("agencies.id"), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key_hash"),
    )
    op.create_index("ix_agency_keys_agency", "agency_keys", ["agency_id"])
    # Each agency's one key becomes its first row; the agency's id doubles as that key's id (unique).
    op.execute("INSERT INTO agency_keys (id, agency_id, key_hash, created_at) SELECT id, id, api_key_hash, created_at FROM agencies")
    with op.batch_alter_table("agencies") as batch:
        batch.drop_column("api_key_hash")


def downgrade() -> None:
    with op.batch_alter_table("agencies") as batch:
        batch.add_column(sa.Column("api_key_hash", sa.String(length=64), nullable=True))
    # The newest unrevoked key goes back to the single column; an agency without one gets a value no
    # key hashes to (not hex), so it stays locked out.
    op.execute(
        "UPDATE agencies SET api_key_hash = COALESCE((SELECT k.key_hash FROM agency_keys k WHERE k.agency_id = agencies.id"
        " AND k.revoked_at IS NULL ORDER BY k.created_at DESC LIMIT 1), 'revoked-' || agencies.id)"
    )
    with op.batch_alter_table("agencies") as batch:
        batch.alter_column("api_key_hash", existing_type=sa.String(length=64), nullable=False)
        batch.create_unique_constraint("uq_agencies_api_key_hash", ["api_key_hash"])
    op.drop_index("ix_agency_keys_agency", table_name="agency_keys")
    op.drop_table("agency_keys")
    op.drop_index("ix_check_in_reversals_registration", table_name="check_in_reversals")
    op.drop_table("check_in_reversals")
    op.drop_index("ix_door_tokens_event", table_name="door_tokens")
    op.drop_table("door_tokens")
