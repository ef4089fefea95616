"""reply pages remember the highest page their "More" buttons posted, so an old button does not post it again

Revision ID: 0010_reply_pages_button_page
Revises: 0009_community_questions
Create Date: 2026-12-07 04:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0010_reply_pages_button_page'
down_revision = '0009_community_questions'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('reply_pages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('button_page', sa.Integer(), server_default='1', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('reply_pages', schema=None) as batch_op:
        batch_op.drop_column('button_page')
