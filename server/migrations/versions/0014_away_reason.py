"""Out-of-office keeps its reason (年假, 培训…)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 10:00:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('outofoffice', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=40),
                                      server_default='', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('outofoffice', schema=None) as batch_op:
        batch_op.drop_column('reason')
