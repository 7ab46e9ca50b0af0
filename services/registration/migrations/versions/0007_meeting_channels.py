"""Meeting channels: how participants are told, in order (email, sms, whatsapp, sms_fallback).

Revision ID: 0007
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("meetings") as batch_op:
        batch_op.add_column(sa.Column("channels", sa.String(length=64), nullable=False, server_default="email,sms"))


def downgrade() -> None:
    with op.batch_alter_table("meetings") as batch_op:
        batch_op.drop_column("channels")
