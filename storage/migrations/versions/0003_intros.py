"""introduction ratings per side, one open request per pair

Revision ID: 0003_intros
Revises: 0002_discord
Create Date: 2026-11-25 10:22:13.352543
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_intros"
down_revision = "0002_discord"
branch_labels = None
depends_on = None

_OPEN = sa.text("state = 'requested'")


def upgrade() -> None:
    with op.batch_alter_table("introductions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("requester_usefulness", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("target_usefulness", sa.Integer(), nullable=True))
        batch_op.create_index(
            "uq_introductions_open_pair",
            ["requester_id", "target_id"],
            unique=True,
            sqlite_where=_OPEN,
            postgresql_where=_OPEN,
        )


def downgrade() -> None:
    with op.batch_alter_table("introductions", schema=None) as batch_op:
        batch_op.drop_index("uq_introductions_open_pair", sqlite_where=_OPEN, postgresql_where=_OPEN)
        batch_op.drop_column("target_usefulness")
        batch_op.drop_column("requester_usefulness")
