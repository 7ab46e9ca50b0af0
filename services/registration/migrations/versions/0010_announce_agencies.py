"""Announce the agencies that existed before agency.updated did: one agency.updated each, through the outbox.

The notification service learns an agency (its contact, language and digest switch) only from
agency.updated, which registration sends on create and change since 0009. Agencies created before
that were unknown to it until their next change, so their digests and bulk summaries had nowhere to
go. The events go out through the outbox like any other, in this migration's transaction; on a new
database there is no agency yet and nothing is written.

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.orm import Session

from shared.db_types import UtcDateTime
from shared.messaging.outbox import build_envelope, write_envelopes

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

# The agency as this revision knows it (not the model, which later revisions may change).
agencies = sa.table(
    "agencies",
    sa.column("id", sa.String()),
    sa.column("name", sa.String()),
    sa.column("contact_email", sa.String()),
    sa.column("digest_enabled", sa.Boolean()),
    sa.column("locale", sa.String()),
    sa.column("created_at", UtcDateTime()),
    sa.column("updated_at", UtcDateTime()),
)


def upgrade() -> None:
    rows = op.get_bind().execute(sa.select(agencies).order_by(agencies.c.created_at, agencies.c.id)).mappings().all()
    envelopes = [
        build_envelope(
            "registration",
            "agency.updated",
            {
                "agency_id": row["id"],
                "name": row["name"],
                "contact_email": row["contact_email"],
                "digest_enabled": row["digest_enabled"],
                "locale": row["locale"],
                # The agency's own time: a later real change (newer updated_at) still wins at the consumer.
                "updated_at": row["updated_at"] or row["created_at"],
            },
        )
        for row in rows
    ]
    if envelopes:
        # The session joins the migration's transaction: Alembic commits it with the revision mark.
        with Session(bind=op.get_bind()) as session:
            write_envelopes(session, envelopes)


def downgrade() -> None:
    # Announcements already relayed cannot be called back, and those still waiting are harmless.
    pass
