"""erasure tombstones: hashes of what an erased member was known by, so an ingest cannot bring them back

Revision ID: 0007_erasure_tombstones
Revises: 0006_reply_pages_shown
Create Date: 2026-12-06 20:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.models.base

revision = '0007_erasure_tombstones'
down_revision = '0006_reply_pages_shown'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('erasure_tombstones',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', storage.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_erasure_tombstones')),
    sa.UniqueConstraint('key_hash', name=op.f('uq_erasure_tombstones_key_hash'))
    )


def downgrade() -> None:
    op.drop_table('erasure_tombstones')
