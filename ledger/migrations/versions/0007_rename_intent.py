"""The intent to rename a payment file into the bank's inbox (issue 13): which temporary file
was about to be renamed, and when, recorded before the rename is sent.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 10:40:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('files', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rename_temp', sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column('rename_sent_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('files', schema=None) as batch_op:
        batch_op.drop_column('rename_sent_at')
        batch_op.drop_column('rename_temp')
