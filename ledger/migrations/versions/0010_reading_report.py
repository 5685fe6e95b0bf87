"""The reading report of every inbound file (issue 15 item 5).

Result files (``files``) and statements (``statement_files``) keep what their reader read and
what it skipped and why (``domain/reading_report.py``, JSON), with the count and fen of the
skipped records as columns to filter on. Files taken before this revision have none (NULL): they
were read by readers that skipped nothing.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 14:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

_TABLES = ('files', 'statement_files')


def upgrade() -> None:
    for table in _TABLES:
        op.add_column(table, sa.Column('reading_report', sa.Text(), nullable=True))
        op.add_column(table, sa.Column('skipped_count', sa.Integer(), nullable=True))
        op.add_column(table, sa.Column('skipped_fen', sa.BigInteger(), nullable=True))


def downgrade() -> None:
    # ALTER TABLE ... DROP COLUMN directly (PostgreSQL, SQLite >= 3.35): a batch operation would
    # copy and drop ``files``, which other tables reference, and SQLite refuses that drop.
    for table in _TABLES:
        for column in ('skipped_fen', 'skipped_count', 'reading_report'):
            op.execute(f'ALTER TABLE {table} DROP COLUMN {column}')
