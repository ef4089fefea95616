"""questions to the community, their answers, the channel they are posted in, expert notices, and the
opt-in consent to be told of questions about one's expertise

Revision ID: 0009_community_questions
Revises: 0008_event_attendance
Create Date: 2026-12-06 20:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.models.base

revision = '0009_community_questions'
down_revision = '0008_event_attendance'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('members', schema=None) as batch_op:
        batch_op.add_column(sa.Column('consent_community_questions', sa.Boolean(), server_default=sa.false(), nullable=False))

    op.create_table('community_questions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('asker_id', sa.Integer(), nullable=True),
    sa.Column('anonymous', sa.Boolean(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('language', sa.String(length=10), nullable=True),
    sa.Column('themes', sa.JSON(), nullable=False),
    sa.Column('closest', sa.JSON(), nullable=False),
    sa.Column('asker_snapshot', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('asked_at', storage.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('closed_at', storage.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('platform', sa.String(length=20), nullable=True),
    sa.Column('channel_id', sa.String(length=100), nullable=True),
    sa.Column('thread_id', sa.String(length=100), nullable=True),
    sa.ForeignKeyConstraint(['asker_id'], ['members.id'], name=op.f('fk_community_questions_asker_id_members'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_community_questions'))
    )
    with op.batch_alter_table('community_questions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_community_questions_asker_id'), ['asker_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_community_questions_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_community_questions_asked_at'), ['asked_at'], unique=False)
        batch_op.create_index('ix_community_questions_thread', ['platform', 'thread_id'], unique=False)

    op.create_table('community_answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('language', sa.String(length=10), nullable=True),
    sa.Column('author_snapshot', sa.JSON(), nullable=False),
    sa.Column('answered_at', storage.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('platform', sa.String(length=20), nullable=True),
    sa.Column('message_id', sa.String(length=100), nullable=True),
    sa.Column('helpful_at', storage.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('keep_state', sa.String(length=20), nullable=True),
    sa.Column('kept_at', storage.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['author_id'], ['members.id'], name=op.f('fk_community_answers_author_id_members'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['question_id'], ['community_questions.id'], name=op.f('fk_community_answers_question_id_community_questions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_community_answers')),
    sa.UniqueConstraint('platform', 'message_id', name=op.f('uq_community_answers_platform_message_id'))
    )
    with op.batch_alter_table('community_answers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_community_answers_question_id'), ['question_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_community_answers_author_id'), ['author_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_community_answers_answered_at'), ['answered_at'], unique=False)

    op.create_table('community_channels',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('platform', sa.String(length=20), nullable=False),
    sa.Column('channel_id', sa.String(length=100), nullable=False),
    sa.Column('guild_id', sa.String(length=100), nullable=True),
    sa.Column('set_by_id', sa.Integer(), nullable=True),
    sa.Column('set_at', storage.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['set_by_id'], ['members.id'], name=op.f('fk_community_channels_set_by_id_members'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_community_channels')),
    sa.UniqueConstraint('platform', name=op.f('uq_community_channels_platform'))
    )

    op.create_table('community_notices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('sent_at', storage.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_community_notices_member_id_members'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['question_id'], ['community_questions.id'], name=op.f('fk_community_notices_question_id_community_questions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_community_notices')),
    sa.UniqueConstraint('member_id', 'question_id', name=op.f('uq_community_notices_member_id_question_id'))
    )
    with op.batch_alter_table('community_notices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_community_notices_member_id'), ['member_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_community_notices_sent_at'), ['sent_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('community_notices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_community_notices_sent_at'))
        batch_op.drop_index(batch_op.f('ix_community_notices_member_id'))
    op.drop_table('community_notices')
    op.drop_table('community_channels')
    with op.batch_alter_table('community_answers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_community_answers_answered_at'))
        batch_op.drop_index(batch_op.f('ix_community_answers_author_id'))
        batch_op.drop_index(batch_op.f('ix_community_answers_question_id'))
    op.drop_table('community_answers')
    with op.batch_alter_table('community_questions', schema=None) as batch_op:
        batch_op.drop_index('ix_community_questions_thread')
        batch_op.drop_index(batch_op.f('ix_community_questions_asked_at'))
        batch_op.drop_index(batch_op.f('ix_community_questions_status'))
        batch_op.drop_index(batch_op.f('ix_community_questions_asker_id'))
    op.drop_table('community_questions')
    with op.batch_alter_table('members', schema=None) as batch_op:
        batch_op.drop_column('consent_community_questions')
