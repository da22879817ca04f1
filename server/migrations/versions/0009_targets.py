"""monthly targets per branch and per employee

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 20:30:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'target',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('period', sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
        sa.Column('scope', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column('subject_id', sa.Integer(), nullable=False),
        sa.Column('bookings', sa.Integer(), server_default='0', nullable=False),
        sa.Column('arrived', sa.Integer(), server_default='0', nullable=False),
        sa.Column('completed', sa.Integer(), server_default='0', nullable=False),
        sa.Column('updated_by', sa.Integer(), nullable=True),
        sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['updated_by'], ['employee.id'], ),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('period', 'scope', 'subject_id'),
    )


def downgrade() -> None:
    op.drop_table('target')
