"""one-time codes for phone numbers; bookings remember whether their number was proven

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 21:00:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('phonecode',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('phone_key', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('purpose', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('code_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('expires_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('used_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('phonecode', schema=None) as batch_op:
        batch_op.create_index('ix_phonecode_key_purpose', ['phone_key', 'purpose', 'created_at'], unique=False)
    with op.batch_alter_table('booking', schema=None) as batch_op:
        batch_op.add_column(sa.Column('proven', sa.Boolean(), server_default=sa.text('false'), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('booking', schema=None) as batch_op:
        batch_op.drop_column('proven')
    with op.batch_alter_table('phonecode', schema=None) as batch_op:
        batch_op.drop_index('ix_phonecode_key_purpose')
    op.drop_table('phonecode')
