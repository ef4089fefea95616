"""stored commands for long button and form ids

Revision ID: 0002_discord
Revises: 0001
Create Date: 2026-11-25 10:23:59.332488
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.models.base

revision = '0002_discord'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('stored_commands',
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('command', sa.Text(), nullable=False),
    sa.Column('created_at', storage.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_stored_commands'))
    )


def downgrade() -> None:
    op.drop_table('stored_commands')
