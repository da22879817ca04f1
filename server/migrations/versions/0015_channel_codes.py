"""channel codes as a feature: retiring a code, unique names per owner, results kept by code

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-08 10:00:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

IN_USE = "retired_at IS NULL AND channel <> ''"
OLD_FUNNEL, NEW_FUNNEL = ('uq_funnelstat_day_employee_product_channel_branch',
                          'uq_funnelstat_day_employee_product_channel_branch_link')
OLD_KEY = ['day', 'employee_id', 'product_id', 'channel', 'branch_id']


def upgrade() -> None:
    with op.batch_alter_table('shoplink', schema=None) as batch_op:
        batch_op.add_column(sa.Column('retired_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
    _one_name_per_owner()
    with op.batch_alter_table('shoplink', schema=None) as batch_op:
        batch_op.create_index('uq_shoplink_owner_channel', ['employee_id', 'channel'], unique=True,
                              sqlite_where=sa.text(IN_USE), postgresql_where=sa.text(IN_USE))

    with op.batch_alter_table('funnelstat', schema=None) as batch_op:
        batch_op.add_column(sa.Column('shop_link_id', sa.Integer(), nullable=False, server_default='0'))
        batch_op.drop_constraint(OLD_FUNNEL, type_='unique')
        batch_op.create_unique_constraint(NEW_FUNNEL, [*OLD_KEY, 'shop_link_id'])
        batch_op.create_index('ix_funnelstat_link_day', ['shop_link_id', 'day'], unique=False)
    _events_name_their_code()
    _recount_funnel()


def _one_name_per_owner() -> None:
    """Codes made before names had to differ: a repeated name gets its code appended."""
    link = sa.table('shoplink', sa.column('id', sa.Integer), sa.column('code', sa.String),
                    sa.column('employee_id', sa.Integer), sa.column('channel', sa.String))
    conn = op.get_bind()
    seen = set()
    for id_, code, owner, channel in conn.execute(
            sa.select(link.c.id, link.c.code, link.c.employee_id, link.c.channel)
            .where(link.c.channel != '').order_by(link.c.id)):
        if (owner, channel) in seen:
            conn.execute(link.update().where(link.c.id == id_).values(channel=f"{channel[:30]} {code}"))
        seen.add((owner, channel))


def _events_name_their_code() -> None:
    """Status, credit and debit events carry their booking's code, as bookings' own events did."""
    op.execute("UPDATE event SET shop_link_id = (SELECT booking.shop_link_id FROM booking "
               "WHERE booking.id = event.booking_id) WHERE booking_id IS NOT NULL AND shop_link_id IS NULL")


def _recount_funnel() -> None:
    """The funnel counted again from the raw events, now per code (as server.boards.rollups
    counts them: flagged events never, unverified bookings / arrivals / completions never,
    credits add and debits take away)."""
    event = sa.table('event', *(sa.column(c) for c in (
        'day', 'employee_id', 'branch_id', 'product_id', 'channel', 'shop_link_id', 'kind', 'status')),
        sa.column('flagged', sa.Boolean), sa.column('unverified', sa.Boolean))
    verified = sa.not_(event.c.unverified)

    def counted(own, counter):
        return sa.func.sum(sa.case(
            (sa.and_(own, verified), 1),
            (sa.and_(event.c.kind == 'credit', event.c.status == counter, verified), 1),
            (sa.and_(event.c.kind == 'debit', event.c.status == counter, verified), -1), else_=0))

    keys = [event.c.day, event.c.employee_id, event.c.branch_id, sa.func.coalesce(event.c.product_id, 0),
            event.c.channel, sa.func.coalesce(event.c.shop_link_id, 0)]
    select = (sa.select(*keys, sa.func.sum(sa.case((event.c.kind == 'visit', 1), else_=0)),
                        counted(event.c.kind == 'booking', 'bookings'),
                        counted(sa.and_(event.c.kind == 'status', event.c.status == 'arrived'), 'arrived'),
                        counted(sa.and_(event.c.kind == 'status', event.c.status == 'completed'), 'completed'))
              .where(sa.not_(event.c.flagged)).group_by(*keys))
    funnel = sa.table('funnelstat', *(sa.column(c) for c in (
        'day', 'employee_id', 'branch_id', 'product_id', 'channel', 'shop_link_id',
        'visits', 'bookings', 'arrived', 'completed')))
    op.execute(funnel.delete())
    op.execute(funnel.insert().from_select([c.name for c in funnel.columns], select))


def downgrade() -> None:
    # Rows of one old key (codes of the same label) are summed back into one.
    funnel = sa.table('funnelstat', *(sa.column(c) for c in (
        'id', *OLD_KEY, 'visits', 'bookings', 'arrived', 'completed')))
    keys = [funnel.c[c] for c in OLD_KEY]
    sums = [sa.func.sum(funnel.c[c]) for c in ('visits', 'bookings', 'arrived', 'completed')]
    rows = op.get_bind().execute(sa.select(*keys, *sums).group_by(*keys)).all()
    op.execute(funnel.delete())
    with op.batch_alter_table('funnelstat', schema=None) as batch_op:
        batch_op.drop_index('ix_funnelstat_link_day')
        batch_op.drop_constraint(NEW_FUNNEL, type_='unique')
        batch_op.create_unique_constraint(OLD_FUNNEL, OLD_KEY)
        batch_op.drop_column('shop_link_id')
    if rows:
        op.bulk_insert(sa.table('funnelstat', *(sa.column(c) for c in (
            *OLD_KEY, 'visits', 'bookings', 'arrived', 'completed'))),
            [dict(zip((*OLD_KEY, 'visits', 'bookings', 'arrived', 'completed'), r)) for r in rows])

    # Not in batch mode: SQLite would copy shoplink, which bookings and events refer to.
    op.drop_index('uq_shoplink_owner_channel', table_name='shoplink', sqlite_where=sa.text(IN_USE),
                  postgresql_where=sa.text(IN_USE))
    op.drop_column('shoplink', 'retired_at')
