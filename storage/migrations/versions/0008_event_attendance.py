"""event attendances: who attended an event, recorded after it started; each one writes an exchange

Revision ID: 0008_event_attendance
Revises: 0007_erasure_tombstones
Create Date: 2026-12-06 20:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.models.base

revision = '0008_event_attendance'
down_revision = '0007_erasure_tombstones'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('event_attendances',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('recorded_at', storage.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_event_attendances_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_event_attendances_member_id_members'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['members.id'], name=op.f('fk_event_attendances_recorded_by_id_members'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_attendances')),
    sa.UniqueConstraint('event_id', 'member_id', name=op.f('uq_event_attendances_event_id_member_id'))
    )
    with op.batch_alter_table('event_attendances', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_attendances_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_event_attendances_member_id'), ['member_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('event_attendances', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_attendances_member_id'))
        batch_op.drop_index(batch_op.f('ix_event_attendances_event_id'))

    op.drop_table('event_attendances')
