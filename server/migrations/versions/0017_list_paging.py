"""indexes for paging and searching the booking lists and the audit log by keyset

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-08 10:00:00
"""
from alembic import op


revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


# Plain CREATE INDEX (no batch mode): the audit table is never copied, so its append-only
# triggers stay in place.
def upgrade() -> None:
    op.create_index('ix_booking_branch_created', 'booking', ['branch_id', 'created_at', 'id'], unique=False)
    op.create_index('ix_booking_created', 'booking', ['created_at', 'id'], unique=False)
    op.create_index('ix_audit_branch_at', 'auditentry', ['branch_id', 'at', 'id'], unique=False)
    op.create_index('ix_audit_target', 'auditentry', ['target'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_audit_target', table_name='auditentry')
    op.drop_index('ix_audit_branch_at', table_name='auditentry')
    op.drop_index('ix_booking_created', table_name='booking')
    op.drop_index('ix_booking_branch_created', table_name='booking')
