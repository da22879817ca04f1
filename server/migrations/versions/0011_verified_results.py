"""verified results: check-in evidence, flag reviews, visits once per device

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 20:30:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0011'
down_revision = '0010'
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

    # Rollup rows are kept per branch where the results happened (a transfer never moves them).
    _rekey('dailystat', OLD_DAILY, NEW_DAILY, ['day', 'employee_id'], ['day', 'employee_id', 'branch_id'],
           add=[sa.Column('unverified', sa.Integer(), nullable=False, server_default='0')])
    _rekey('funnelstat', OLD_FUNNEL, NEW_FUNNEL, ['day', 'employee_id', 'product_id', 'channel'],
           ['day', 'employee_id', 'product_id', 'channel', 'branch_id'])


OLD_DAILY, NEW_DAILY = 'dailystat_day_employee_id_key', 'uq_dailystat_day_employee_branch'
OLD_FUNNEL, NEW_FUNNEL = ('funnelstat_day_employee_id_product_id_channel_key',
                          'uq_funnelstat_day_employee_product_channel_branch')
# SQLite reflects the old unnamed constraints without a name: this convention names them.
CONVENTION = {"uq": "%(table_name)s_%(column_0_N_name)s_key"}


def _rekey(table, old, new, old_cols, new_cols, add=()):
    with op.batch_alter_table(table, schema=None, naming_convention=CONVENTION) as batch_op:
        for column in add:
            batch_op.add_column(column)
        batch_op.drop_constraint(old, type_='unique')
        batch_op.create_unique_constraint(new, new_cols)


def _unkey(table, old, new, old_cols, drop=()):
    with op.batch_alter_table(table, schema=None, naming_convention=CONVENTION) as batch_op:
        batch_op.drop_constraint(new, type_='unique')
        batch_op.create_unique_constraint(old, old_cols)
        for column in drop:
            batch_op.drop_column(column)


def downgrade() -> None:
    _unkey('funnelstat', OLD_FUNNEL, NEW_FUNNEL, ['day', 'employee_id', 'product_id', 'channel'])
    _unkey('dailystat', OLD_DAILY, NEW_DAILY, ['day', 'employee_id'], drop=['unverified'])

    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_column('unverified')

    with op.batch_alter_table('booking', schema=None) as batch_op:
        batch_op.drop_column('checkin_failures')
        batch_op.drop_column('verified_by')
        batch_op.drop_column('verified_at')
        batch_op.drop_column('contacted_at')
        batch_op.drop_column('flag_review')

    op.drop_table('visitdevice')
