"""audit log: the branch an entry concerns, and append-only triggers

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 20:40:00
"""
from alembic import op
import sqlalchemy as sa

from server.audit import append_only


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('auditentry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('branch_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_auditentry_branch_id'), ['branch_id'], unique=False)
    # Past entries by their actor's branch: the last time an audit row is ever updated.
    op.execute("UPDATE auditentry SET branch_id = (SELECT employee.branch_id FROM employee "
               "WHERE employee.id = auditentry.actor_id) WHERE actor_id IS NOT NULL")
    for sql in append_only.statements(op.get_bind().dialect.name):
        op.execute(sql)


def downgrade() -> None:
    for sql in append_only.DROP.get(op.get_bind().dialect.name, ()):
        op.execute(sql)
    with op.batch_alter_table('auditentry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_auditentry_branch_id'))
        batch_op.drop_column('branch_id')
