"""closed days' totals per branch (trends, branch targets); an employee-first DailyStat index

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 00:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None

COUNTERS = ('visits', 'bookings', 'contacted', 'arrived', 'completed', 'cancelled', 'no_show', 'flagged',
            'unverified')


def upgrade() -> None:
    op.create_table(
        'daytotal',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('branch_id', sa.Integer(), nullable=False),
        *(sa.Column(c, sa.Integer(), nullable=False) for c in COUNTERS),
        sa.ForeignKeyConstraint(['branch_id'], ['branch.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('day', 'branch_id', name='uq_daytotal_day_branch'),
    )
    with op.batch_alter_table('dailystat', schema=None) as batch_op:
        batch_op.create_index('ix_dailystat_employee', ['employee_id', 'day', 'visits', 'bookings', 'arrived',
                                                        'completed', 'no_show'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('dailystat', schema=None) as batch_op:
        batch_op.drop_index('ix_dailystat_employee')
    op.drop_table('daytotal')
