"""reply pages remember the page their member saw last, so a bare `more` continues it

Revision ID: 0006_reply_pages_shown
Revises: 0005_privacy
Create Date: 2026-11-29 06:50:12.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0006_reply_pages_shown'
down_revision = '0005_privacy'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('reply_pages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('shown', sa.Integer(), server_default='1', nullable=False))
        batch_op.add_column(sa.Column('served_order', sa.Integer(), server_default='0', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('reply_pages', schema=None) as batch_op:
        batch_op.drop_column('served_order')
        batch_op.drop_column('shown')
