"""Agency digest: the agencies (from agency.updated), the changes waiting for their digest, and one digest row per agency and window.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('agencies',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('contact_email', sa.String(length=320), nullable=False),
    sa.Column('digest_enabled', sa.Boolean(), nullable=False),
    sa.Column('locale', sa.String(length=8), nullable=False),
    sa.Column('version_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agencies'))
    )
    op.create_table('digest_items',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('agency_id', sa.String(length=64), nullable=False),
    sa.Column('digest_id', sa.String(length=36), nullable=True),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('event_id', sa.String(length=64), nullable=False),
    sa.Column('registration_id', sa.String(length=64), nullable=False),
    sa.Column('data', sa.Text(), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_digest_items'))
    )
    op.create_index('ix_digest_items_digest_agency', 'digest_items', ['digest_id', 'agency_id'], unique=False)
    op.create_index('ix_digest_items_event_id', 'digest_items', ['event_id'], unique=False)
    op.create_table('agency_digests',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('agency_id', sa.String(length=64), nullable=False),
    sa.Column('window_start', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('claimed_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('passes', sa.Integer(), nullable=False),
    sa.Column('item_count', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agency_digests')),
    sa.UniqueConstraint('agency_id', 'window_start', name='uq_agency_digests_agency_window')
    )
    op.create_index('ix_agency_digests_status_claimed_until', 'agency_digests', ['status', 'claimed_until'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_agency_digests_status_claimed_until', table_name='agency_digests')
    op.drop_table('agency_digests')
    op.drop_index('ix_digest_items_event_id', table_name='digest_items')
    op.drop_index('ix_digest_items_digest_agency', table_name='digest_items')
    op.drop_table('digest_items')
    op.drop_table('agencies')
