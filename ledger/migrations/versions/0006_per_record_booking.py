"""Per-record booking of result files (issue 12): what each record booked, bank references,
the payment file that last instructed a line, and how a line was left at close.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 08:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('lines', schema=None) as batch_op:
        batch_op.add_column(sa.Column('round', sa.Integer(), nullable=False, server_default=sa.text('0')))
        batch_op.add_column(sa.Column('paid_fen', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('bank_ref', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('closed_from', sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column('reissue_allowed_by', sa.String(length=64), nullable=True))
    op.execute("UPDATE lines SET paid_fen = amount_fen WHERE status = 'PAID'")
    with op.batch_alter_table('result_lines', schema=None) as batch_op:
        batch_op.add_column(sa.Column('bank_ref', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('disposition', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('detail', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('new_status', sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column('paid_fen', sa.BigInteger(), nullable=False, server_default=sa.text('0')))
        batch_op.add_column(sa.Column('failed_fen', sa.BigInteger(), nullable=False, server_default=sa.text('0')))
        batch_op.add_column(sa.Column('due_fen', sa.BigInteger(), nullable=False, server_default=sa.text('0')))
        batch_op.add_column(sa.Column('from_suspense', sa.Integer(), nullable=False, server_default=sa.text('0')))
    # Records of files booked before: each was booked as its outcome, at its amount.
    op.execute("UPDATE result_lines SET disposition = outcome, new_status = outcome, "
               "paid_fen = CASE WHEN outcome = 'PAID' THEN amount_fen ELSE 0 END, "
               "failed_fen = CASE WHEN outcome = 'FAILED' THEN amount_fen ELSE 0 END "
               "WHERE file_id IN (SELECT id FROM files WHERE state = 'BOOKED')")


def downgrade() -> None:
    with op.batch_alter_table('result_lines', schema=None) as batch_op:
        for name in ('from_suspense', 'due_fen', 'failed_fen', 'paid_fen', 'new_status', 'detail', 'disposition',
                     'bank_ref'):
            batch_op.drop_column(name)
    with op.batch_alter_table('lines', schema=None) as batch_op:
        for name in ('reissue_allowed_by', 'closed_from', 'bank_ref', 'paid_fen', 'round'):
            batch_op.drop_column(name)
