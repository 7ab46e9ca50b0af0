"""Certificates of attendance, and the lesson hours a meeting's certificates state.

Revision ID: 0005
Revises: 0004
"""
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("meetings", sa.Column("certificate_hours", sa.Integer(), nullable=True))
    op.create_table(
        "certificates",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("event_id", sa.String(length=36), sa.ForeignKey("meetings.id"), nullable=False),
        sa.Column("registration_id", sa.String(length=36), sa.ForeignKey("registrations.id"), nullable=False),
        sa.Column("agency_id", sa.String(length=36), sa.ForeignKey("agencies.id"), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=100), nullable=False),
        sa.Column("full_name", sa.String(length=200), nullable=False),
        sa.Column("nip", sa.String(length=18), nullable=True),
        sa.Column("position", sa.String(length=200), nullable=True),
        sa.Column("agency_name", sa.String(length=200), nullable=False),
        sa.Column("meeting_title", sa.String(length=300), nullable=False),
        sa.Column("meeting_date", sa.Date(), nullable=False),
        sa.Column("hours", sa.Integer(), nullable=True),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("event_id", "seq", name="uq_certificates_event_seq"),
        sa.UniqueConstraint("registration_id", name="uq_certificates_registration"),
    )


def downgrade() -> None:
    op.drop_table("certificates")
    # Plain ALTER TABLE on both databases (SQLite 3.35+): batch mode would rebuild meetings, and its
    # DROP TABLE of the old copy trips the registrations' foreign keys.
    op.execute("ALTER TABLE meetings DROP COLUMN certificate_hours")
