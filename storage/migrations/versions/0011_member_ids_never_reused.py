"""member ids are never handed out twice (SQLite: AUTOINCREMENT on members)

An erased member's row is deleted; what erasure keeps (cancelled jobs naming the id, old buttons and
listings such as `intro member:ID`, the id in their profile document's source id) must never come to
mean another person. PostgreSQL's sequences never hand an id out twice. SQLite without AUTOINCREMENT
gives the next row the largest id in use plus one, so the erased newest member's id went to the next
person who wrote to the bot. The table is rebuilt with AUTOINCREMENT (storage.database runs SQLite
migrations with foreign keys off, so dropping the old table deletes nothing that refers to it).

Revision ID: 0011_member_ids_never_reused
Revises: 0010_reply_pages_button_page
Create Date: 2026-12-07 05:10:00.000000
"""

from __future__ import annotations

from alembic import op

revision = '0011_member_ids_never_reused'
down_revision = '0010_reply_pages_button_page'
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    with op.batch_alter_table('members', recreate='always', table_kwargs={'sqlite_autoincrement': True}):
        pass


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    with op.batch_alter_table('members', recreate='always', table_kwargs={'sqlite_autoincrement': False}):
        pass
