"""English text beside the Chinese: products, branches, grids, employees' title and bio

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 21:00:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

COLUMNS = {
    'branch': (('name_en', 80), ('address_en', 200)),
    'grid': (('name_en', 80), ('areas_en', 500)),
    'employee': (('title_en', 60), ('intro_en', 400)),
    'product': (('name_en', 80), ('summary_en', 300), ('audience_en', 300), ('amount_en', 80),
                ('term_en', 80), ('documents_en', 500)),
}


def upgrade() -> None:
    for table, columns in COLUMNS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, length in columns:
                batch_op.add_column(sa.Column(name, sqlmodel.sql.sqltypes.AutoString(length=length),
                                              server_default='', nullable=False))


def downgrade() -> None:
    for table, columns in COLUMNS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, _ in columns:
                batch_op.drop_column(name)
