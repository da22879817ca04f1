"""verified results: check-in evidence, flag reviews, visits once per device

Revision ID: 0008r
Revises: 0007
Create Date: 2026-12-06 20:30:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0008r'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('visitdevice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('shop_link_id', sa.Integer(), nullable=False),
    sa.Column('device', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.ForeignKeyConstraint(['shop_link_id'], ['shoplink.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('day', 'shop_link_id', 'device')
    )
    with op.batch_alter_table('booking', schema=None) as batch_op:
        batch_op.add_column(sa.Column('flag_review', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('contacted_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('verified_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('verified_by', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('checkin_failures', sa.Integer(), nullable=False, server_default='0'))

    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unverified', sa.Boolean(), nullable=False, server_default=sa.false()))

    with op.batch_alter_table('dailystat', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unverified', sa.Integer(), nullable=False, server_default='0'))


def downgrade() -> None:
    with op.batch_alter_table('dailystat', schema=None) as batch_op:
        batch_op.drop_column('unverified')

    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_column('unverified')

    with op.batch_alter_table('booking', schema=None) as batch_op:
        batch_op.drop_column('checkin_failures')
        batch_op.drop_column('verified_by')
        batch_op.drop_column('verified_at')
        batch_op.drop_column('contacted_at')
        batch_op.drop_column('flag_review')

    op.drop_table('visitdevice')
