"""A meeting's organizer (letterhead, From name, signature of its mail) and its venue's coordinates.

Revision ID: 0006
Revises: 0005
"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_COLUMNS = (
    ("venue_latitude", sa.Float()),
    ("venue_longitude", sa.Float()),
    ("organizer_name", sa.String(length=200)),
    ("organizer_unit", sa.String(length=200)),
    ("organizer_signatory_name", sa.String(length=200)),
    ("organizer_signatory_title", sa.String(length=200)),
)


def upgrade() -> None:
    # Nullable additions (a plain ALTER TABLE, no rebuild on SQLite); existing meetings sign with the default organizer.
    for name, type_ in _COLUMNS:
        op.add_column("meetings", sa.Column(name, type_, nullable=True))


def downgrade() -> None:
    # A plain DROP COLUMN (SQLite 3.35+, which the suite needs anyway): batch mode would rebuild meetings,
    # and dropping the old copy trips the foreign keys of registrations (see 0003).
    for name, _type in reversed(_COLUMNS):
        op.execute(f"ALTER TABLE meetings DROP COLUMN {name}")
