"""the knowledge version row remembers whether a new installation's first load of its folder finished

Revision ID: 0012_knowledge_first_load
Revises: 0011_member_ids_never_reused
Create Date: 2026-12-07 05:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0012_knowledge_first_load'
down_revision = '0011_member_ids_never_reused'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('knowledge_version', schema=None) as batch_op:
        batch_op.add_column(sa.Column('first_load', sa.String(length=20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('knowledge_version', schema=None) as batch_op:
        batch_op.drop_column('first_load')
