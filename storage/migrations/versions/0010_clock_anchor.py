"""clock_anchor: when BOT_CLOCK_START's business time began, in real time, shared by every process

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05
"""
from alembic import op
import sqlalchemy as sa

import storage.models

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('clock_anchor',
    sa.Column('start', storage.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('real_at', storage.models.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('start')
    )


def downgrade() -> None:
    op.drop_table('clock_anchor')
