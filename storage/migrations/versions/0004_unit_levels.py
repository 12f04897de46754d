"""unit.tier becomes unit.level (a plan-declared level); unit.staff_selected

Levels are plan data now (a two-level plan has no districts). ``staff_selected`` keeps
staff's own choices of inspected units apart from the plan's lists, so a plan reload
never undoes them; communes that had a date keep their flag.

Plain ALTER TABLE statements, not a batch copy: SQLite renames a column in place (3.25+),
and copying ``unit`` would trip the foreign keys of every table that points at it.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05
"""
from alembic import op
import sqlalchemy as sa

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index('ix_unit_tier', table_name='unit')
    op.execute("ALTER TABLE unit RENAME COLUMN tier TO level")
    if op.get_bind().dialect.name != "sqlite":  # SQLite does not enforce lengths
        op.alter_column('unit', 'level', type_=sa.String(length=40), existing_type=sa.String(length=20),
                        existing_nullable=False)
    op.add_column('unit', sa.Column('staff_selected', sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_index('ix_unit_level', 'unit', ['level'], unique=False)
    op.execute("UPDATE unit SET staff_selected = inspected WHERE level = 'commune'")
    op.execute("UPDATE unit SET level = 'province_agency' WHERE level = 'department'")


def downgrade() -> None:
    op.execute("UPDATE unit SET level = 'department' WHERE level = 'province_agency'")
    op.drop_index('ix_unit_level', table_name='unit')
    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.drop_column('staff_selected')
    op.execute("ALTER TABLE unit RENAME COLUMN level TO tier")
    op.create_index('ix_unit_tier', 'unit', ['tier'], unique=False)
