"""invite_attempt: wrong invite codes by person and chat (guessing is throttled);
submission (deliverable_id, unit_code): who sent something for a deliverable, read from the index

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel

import storage.models

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('invite_attempt',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scope', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('at', storage.models.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('invite_attempt', schema=None) as batch_op:
        batch_op.create_index('ix_invite_attempt_scope_at', ['scope', 'at'], unique=False)
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.create_index('ix_submission_deliverable_unit', ['deliverable_id', 'unit_code'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.drop_index('ix_submission_deliverable_unit')
    with op.batch_alter_table('invite_attempt', schema=None) as batch_op:
        batch_op.drop_index('ix_invite_attempt_scope_at')
    op.drop_table('invite_attempt')
