"""Bank statements: statement files recorded once per bank and digest, and their entries.

Statements are the bank's view of the agency clearing account, stored to be reconciled with
the ledger (``domain/statement_match.py``); they post nothing.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-12 05:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('statement_files',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('bank_code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('remote_path', sa.String(length=1024), nullable=True),
    sa.Column('remote_mtime', sa.BigInteger(), nullable=True),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('duplicate_of', sa.Integer(), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('received_by', sa.String(length=128), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('archived_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('statement_id', sa.String(length=35), nullable=True),
    sa.Column('account', sa.String(length=34), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('from_date', sa.Date(), nullable=True),
    sa.Column('to_date', sa.Date(), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=True),
    sa.Column('opening_balance_fen', sa.BigInteger(), nullable=True),
    sa.Column('closing_balance_fen', sa.BigInteger(), nullable=True),
    sa.Column('entry_count', sa.Integer(), nullable=True),
    sa.Column('credit_fen', sa.BigInteger(), nullable=True),
    sa.Column('debit_fen', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['duplicate_of'], ['statement_files.id'],
                            name=op.f('fk_statement_files_duplicate_of_statement_files')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_statement_files'))
    )
    with op.batch_alter_table('statement_files', schema=None) as batch_op:
        batch_op.create_index('uq_statement_files_first_delivery', ['bank_code', 'sha256'], unique=True,
                              sqlite_where=sa.text('duplicate_of IS NULL'),
                              postgresql_where=sa.text('duplicate_of IS NULL'))
        batch_op.create_index('ix_statement_files_account', ['bank_code', 'account', 'to_date'], unique=False)
        batch_op.create_index('ix_statement_files_remote', ['bank_code', 'remote_path'], unique=False)

    op.create_table('statement_entries',
    sa.Column('statement_file_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('side', sa.String(length=4), nullable=False),
    sa.Column('amount_fen', sa.BigInteger(), nullable=False),
    sa.Column('booking_date', sa.Date(), nullable=False),
    sa.Column('reference', sa.String(length=35), nullable=False),
    sa.Column('batch_id', sa.String(length=35), nullable=False),
    sa.Column('line_seq', sa.Integer(), nullable=True),
    sa.Column('counterparty_name', sa.String(length=140), nullable=False),
    sa.Column('counterparty_account', sa.String(length=40), nullable=False),
    sa.Column('remark', sa.String(length=400), nullable=False),
    sa.CheckConstraint('amount_fen > 0', name=op.f('ck_statement_entries_amount_positive')),
    sa.ForeignKeyConstraint(['statement_file_id'], ['statement_files.id'],
                            name=op.f('fk_statement_entries_statement_file_id_statement_files')),
    sa.PrimaryKeyConstraint('statement_file_id', 'seq', name=op.f('pk_statement_entries'))
    )
    with op.batch_alter_table('statement_entries', schema=None) as batch_op:
        batch_op.create_index('ix_statement_entries_batch', ['batch_id', 'line_seq'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_statement_entries_batch', table_name='statement_entries')
    op.drop_table('statement_entries')
    op.drop_index('ix_statement_files_remote', table_name='statement_files')
    op.drop_index('ix_statement_files_account', table_name='statement_files')
    op.drop_index('uq_statement_files_first_delivery', table_name='statement_files')
    op.drop_table('statement_files')
