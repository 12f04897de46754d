"""choice.group_id: the buttons offered together in one reply are spent together

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('choice', schema=None) as batch_op:
        batch_op.add_column(sa.Column('group_id', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=True))
        batch_op.create_index(batch_op.f('ix_choice_group_id'), ['group_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('choice', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_choice_group_id'))
        batch_op.drop_column('group_id')
