"""Events: an iCalendar SEQUENCE per event, and why a digest run failed or was skipped.

Revision ID: 0004_events
Revises: 0003_intros
Create Date: 2026-11-25 10:24:21.577173
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0004_events'
down_revision = '0003_intros'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('digest_runs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('detail', sa.String(length=300), nullable=True))

    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sequence', sa.Integer(), server_default='0', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_column('sequence')

    with op.batch_alter_table('digest_runs', schema=None) as batch_op:
        batch_op.drop_column('detail')
