"""Separation of duties (issue 14): a change of who is paid waits for a second person.

``line_changes`` holds re-issues to another name, ID number or account until an approver who
neither made the change nor submitted the batch approves (or refuses) them; see
``domain/duties.py`` and ``service/line_changes.py``.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 09:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('line_changes',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('batch_id', sa.String(length=20), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('line_count', sa.Integer(), nullable=False),
    sa.Column('items', sa.Text(), nullable=False),
    sa.Column('lines_sealed', sa.LargeBinary(), nullable=False),
    sa.Column('requested_by', sa.String(length=64), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_by', sa.String(length=64), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reason', sa.String(length=1000), nullable=True),
    sa.Column('file_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['batch_id'], ['batches.id'], name=op.f('fk_line_changes_batch_id_batches')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_line_changes'))
    )
    with op.batch_alter_table('line_changes', schema=None) as batch_op:
        batch_op.create_index('ix_line_changes_batch', ['batch_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('line_changes', schema=None) as batch_op:
        batch_op.drop_index('ix_line_changes_batch')
    op.drop_table('line_changes')
