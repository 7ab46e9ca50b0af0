"""Receipts that arrive before their message's send outcome is committed wait in early_receipts.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'early_receipts',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('provider_id', sa.String(length=200), nullable=False),
        sa.Column('channels', sa.String(length=32), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('reason', sa.Text(), nullable=True),
        sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_early_receipts')),
    )
    op.create_index('ix_early_receipts_provider_id', 'early_receipts', ['provider_id'], unique=False)
    op.create_index('ix_early_receipts_received_at', 'early_receipts', ['received_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_early_receipts_received_at', table_name='early_receipts')
    op.drop_index('ix_early_receipts_provider_id', table_name='early_receipts')
    op.drop_table('early_receipts')
