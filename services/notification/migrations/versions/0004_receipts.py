"""Delivery receipts (delivered and read times, looked up by the provider's message id) and the WhatsApp SMS fallback.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('notifications', sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('notifications', sa.Column('read_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('notifications', sa.Column('fallback', sa.String(length=8), nullable=True))
    op.add_column('notifications', sa.Column('fallback_for', sa.String(length=36), nullable=True))
    op.create_index('ix_notifications_provider_id', 'notifications', ['provider_id'], unique=False)
    op.create_index('ix_notifications_fallback_status', 'notifications', ['fallback', 'status'], unique=False)
    op.create_index('ix_notifications_fallback_for', 'notifications', ['fallback_for'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_notifications_fallback_for', table_name='notifications')
    op.drop_index('ix_notifications_fallback_status', table_name='notifications')
    op.drop_index('ix_notifications_provider_id', table_name='notifications')
    # Plain ALTER TABLE (SQLite 3.35+ and PostgreSQL): a batch rebuild would DROP TABLE notifications,
    # which the attempts' foreign key refuses on SQLite.
    for column in ('fallback_for', 'fallback', 'read_at', 'delivered_at'):
        op.execute(f'ALTER TABLE notifications DROP COLUMN {column}')
