"""Delivery receipts (delivered and read times, looked up by the provider's message id) and the WhatsApp SMS fallback.

Revision ID: 0004
Revises: 0002
Create Date: 2026-11-30
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('read_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('fallback', sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column('fallback_for', sa.String(length=36), nullable=True))
        batch_op.create_index('ix_notifications_provider_id', ['provider_id'], unique=False)
        batch_op.create_index('ix_notifications_fallback_status', ['fallback', 'status'], unique=False)
        batch_op.create_index('ix_notifications_fallback_for', ['fallback_for'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index('ix_notifications_fallback_for')
        batch_op.drop_index('ix_notifications_fallback_status')
        batch_op.drop_index('ix_notifications_provider_id')
        batch_op.drop_column('fallback_for')
        batch_op.drop_column('fallback')
        batch_op.drop_column('read_at')
        batch_op.drop_column('delivered_at')
