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
    if op.get_bind().dialect.name == "sqlite":
        _rebuild_agencies_on_sqlite(key_column=False)
    else:
        op.drop_column("agencies", "api_key_hash")


_AGENCY_COLUMNS = "id, name, kind, contact_email, created_at"


def _rebuild_agencies_on_sqlite(key_column: bool) -> None:
    """SQLite cannot drop or add a UNIQUE NOT NULL column in place, so the table is made again.

    Not with batch_alter_table: its DROP TABLE of the old copy runs an implicit DELETE that the
    registrations' foreign keys refuse (foreign_keys=ON can't be turned off inside the migration's
    transaction). With the checks deferred, the rows inserted into the new table satisfy them again
    before the commit.
    """
    op.execute("PRAGMA defer_foreign_keys = ON")
    key = ", api_key_hash" if key_column else ""
    op.execute(f"CREATE TEMP TABLE agencies_0003 AS SELECT {_AGENCY_COLUMNS}{key} FROM agencies")
    op.execute("DROP TABLE agencies")
    columns = [
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("contact_email", sa.String(length=320), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    ]
    if key_column:
        columns += [sa.Column("api_key_hash", sa.String(length=64), nullable=False), sa.UniqueConstraint("api_key_hash")]
    op.create_table("agencies", *columns)
    op.execute(f"INSERT INTO agencies ({_AGENCY_COLUMNS}{key}) SELECT {_AGENCY_COLUMNS}{key} FROM agencies_0003")
    op.execute("DROP TABLE agencies_0003")


def downgrade() -> None:
    # The newest unrevoked key goes back to the single column; an agency without one gets a value no
    # key hashes to (not hex), so it stays locked out.
    newest = (
        "COALESCE((SELECT k.key_hash FROM agency_keys k WHERE k.agency_id = agencies.id"
        " AND k.revoked_at IS NULL ORDER BY k.created_at DESC LIMIT 1), 'revoked-' || agencies.id)"
    )
    op.add_column("agencies", sa.Column("api_key_hash", sa.String(length=64), nullable=True))
    op.execute(f"UPDATE agencies SET api_key_hash = {newest}")
    if op.get_bind().dialect.name == "sqlite":
        _rebuild_agencies_on_sqlite(key_column=True)
    else:
        op.alter_column("agencies", "api_key_hash", existing_type=sa.String(length=64), nullable=False)
        op.create_unique_constraint("agencies_api_key_hash_key", "agencies", ["api_key_hash"])
    op.drop_index("ix_agency_keys_agency", table_name="agency_keys")
    op.drop_table("agency_keys")
    op.drop_index("ix_check_in_reversals_registration", table_name="check_in_reversals")
    op.drop_table("check_in_reversals")
    op.drop_index("ix_door_tokens_event", table_name="door_tokens")
    op.drop_table("door_tokens")
