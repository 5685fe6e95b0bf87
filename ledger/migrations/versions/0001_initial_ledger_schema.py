"""Initial ledger schema: batches, lines, files, bank results, accounts, transactions, postings.

The triggers from ``ledger.guards`` are installed last: they keep every transaction balanced
and the postings append-only at the database level.

Revision ID: 0001
Revises: 
Create Date: 2026-11-22 04:45:57.603979
"""
from alembic import op
import sqlalchemy as sa

from ledger import guards


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('accounts',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('code', sa.String(length=128), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_accounts')),
    sa.UniqueConstraint('code', name=op.f('uq_accounts_code'))
    )
    op.create_table('batches',
    sa.Column('id', sa.String(length=20), nullable=False),
    sa.Column('idempotency_key', sa.String(length=128), nullable=False),
    sa.Column('request_digest', sa.String(length=64), nullable=False),
    sa.Column('program', sa.String(length=64), nullable=False),
    sa.Column('period', sa.String(length=16), nullable=False),
    sa.Column('region', sa.String(length=12), nullable=False),
    sa.Column('bank_code', sa.String(length=32), nullable=False),
    sa.Column('payer_name', sa.String(length=140), nullable=False),
    sa.Column('payer_account', sa.String(length=34), nullable=False),
    sa.Column('line_count', sa.Integer(), nullable=False),
    sa.Column('total_fen', sa.BigInteger(), nullable=False),
    sa.Column('max_amount_fen', sa.BigInteger(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('submitted_by', sa.String(length=64), nullable=False),
    sa.Column('approved_by', sa.String(length=64), nullable=True),
    sa.Column('funded_by', sa.String(length=64), nullable=True),
    sa.Column('funded_fen', sa.BigInteger(), server_default=sa.text('0'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('funded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('dispatched_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('payment_due', sa.Date(), nullable=True),
    sa.CheckConstraint('line_count > 0', name=op.f('ck_batches_count_positive')),
    sa.CheckConstraint('total_fen > 0', name=op.f('ck_batches_total_positive')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_batches')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_batches_idempotency_key'))
    )
    op.create_table('files',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('direction', sa.String(length=3), nullable=False),
    sa.Column('bank_code', sa.String(length=32), nullable=False),
    sa.Column('batch_id', sa.String(length=20), nullable=True),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('remote_path', sa.String(length=1024), nullable=True),
    sa.Column('message_id', sa.String(length=35), nullable=True),
    sa.Column('sha256', sa.String(length=64), nullable=True),
    sa.Column('size', sa.BigInteger(), nullable=True),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('duplicate_of', sa.Integer(), nullable=True),
    sa.Column('attempts', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('line_count', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['batch_id'], ['batches.id'], name=op.f('fk_files_batch_id_batches')),
    sa.ForeignKeyConstraint(['duplicate_of'], ['files.id'], name=op.f('fk_files_duplicate_of_files')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_files'))
    )
    with op.batch_alter_table('files', schema=None) as batch_op:
        batch_op.create_index('ix_files_batch', ['batch_id'], unique=False)
        batch_op.create_index('uq_files_first_delivery', ['direction', 'bank_code', 'sha256'], unique=True, sqlite_where=sa.text('duplicate_of IS NULL'), postgresql_where=sa.text('duplicate_of IS NULL'))

    op.create_table('lines',
    sa.Column('batch_id', sa.String(length=20), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('id_number', sa.String(length=18), nullable=False),
    sa.Column('account_no', sa.String(length=34), nullable=False),
    sa.Column('account_kind', sa.String(length=24), nullable=False),
    sa.Column('amount_fen', sa.BigInteger(), nullable=False),
    sa.Column('bank_name', sa.String(length=140), nullable=False),
    sa.Column('subsidy_item', sa.String(length=140), nullable=False),
    sa.Column('remark', sa.String(length=140), nullable=False),
    sa.Column('phone', sa.String(length=16), nullable=False),
    sa.Column('address', sa.String(length=140), nullable=False),
    sa.Column('household_no', sa.String(length=32), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('reason', sa.String(length=24), nullable=True),
    sa.Column('bank_reason_code', sa.String(length=35), nullable=True),
    sa.Column('bank_reason_text', sa.String(length=140), nullable=True),
    sa.Column('result_file_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('amount_fen > 0', name=op.f('ck_lines_amount_positive')),
    sa.ForeignKeyConstraint(['batch_id'], ['batches.id'], name=op.f('fk_lines_batch_id_batches')),
    sa.PrimaryKeyConstraint('batch_id', 'seq', name=op.f('pk_lines'))
    )
    with op.batch_alter_table('lines', schema=None) as batch_op:
        batch_op.create_index('ix_lines_batch_status', ['batch_id', 'status'], unique=False)

    op.create_table('result_lines',
    sa.Column('file_id', sa.Integer(), nullable=False),
    sa.Column('ordinal', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.String(length=20), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.String(length=8), nullable=False),
    sa.Column('amount_fen', sa.BigInteger(), nullable=False),
    sa.Column('reason', sa.String(length=24), nullable=True),
    sa.Column('bank_reason_code', sa.String(length=35), nullable=True),
    sa.Column('bank_reason_text', sa.String(length=140), nullable=True),
    sa.ForeignKeyConstraint(['file_id'], ['files.id'], name=op.f('fk_result_lines_file_id_files')),
    sa.PrimaryKeyConstraint('file_id', 'ordinal', name=op.f('pk_result_lines'))
    )
    with op.batch_alter_table('result_lines', schema=None) as batch_op:
        batch_op.create_index('ix_result_lines_batch_seq', ['batch_id', 'seq'], unique=False)

    op.create_table('transactions',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('batch_id', sa.String(length=20), nullable=True),
    sa.Column('file_id', sa.Integer(), nullable=True),
    sa.Column('memo', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['batch_id'], ['batches.id'], name=op.f('fk_transactions_batch_id_batches')),
    sa.ForeignKeyConstraint(['file_id'], ['files.id'], name=op.f('fk_transactions_file_id_files')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_transactions'))
    )
    with op.batch_alter_table('transactions', schema=None) as batch_op:
        batch_op.create_index('ix_transactions_batch', ['batch_id'], unique=False)

    op.create_table('postings',
    sa.Column('transaction_id', sa.String(length=32), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('amount_fen', sa.BigInteger(), nullable=False),
    sa.Column('batch_id', sa.String(length=20), nullable=True),
    sa.Column('seq', sa.Integer(), nullable=True),
    sa.CheckConstraint('amount_fen <> 0', name=op.f('ck_postings_amount_nonzero')),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_postings_account_id_accounts')),
    sa.ForeignKeyConstraint(['transaction_id'], ['transactions.id'], name=op.f('fk_postings_transaction_id_transactions'), initially='DEFERRED', deferrable=True),
    sa.PrimaryKeyConstraint('transaction_id', 'n', name=op.f('pk_postings'))
    )
    with op.batch_alter_table('postings', schema=None) as batch_op:
        batch_op.create_index('ix_postings_account_batch', ['account_id', 'batch_id'], unique=False)
        batch_op.create_index('ix_postings_batch_seq', ['batch_id', 'seq'], unique=False)

    for statement in guards.statements(op.get_bind().dialect.name):
        op.execute(statement)


def downgrade() -> None:
    # Dropping the tables drops their triggers; PostgreSQL keeps the trigger functions.
    if op.get_bind().dialect.name == "postgresql":
        for function in ("ledger_append_only", "ledger_transaction_balanced", "ledger_posting_sealed"):
            op.execute(f"DROP FUNCTION IF EXISTS {function}() CASCADE")
    with op.batch_alter_table('postings', schema=None) as batch_op:
        batch_op.drop_index('ix_postings_batch_seq')
        batch_op.drop_index('ix_postings_account_batch')

    op.drop_table('postings')
    with op.batch_alter_table('transactions', schema=None) as batch_op:
        batch_op.drop_index('ix_transactions_batch')

    op.drop_table('transactions')
    with op.batch_alter_table('result_lines', schema=None) as batch_op:
        batch_op.drop_index('ix_result_lines_batch_seq')

    op.drop_table('result_lines')
    with op.batch_alter_table('lines', schema=None) as batch_op:
        batch_op.drop_index('ix_lines_batch_status')

    op.drop_table('lines')
    with op.batch_alter_table('files', schema=None) as batch_op:
        batch_op.drop_index('uq_files_first_delivery', sqlite_where=sa.text('duplicate_of IS NULL'), postgresql_where=sa.text('duplicate_of IS NULL'))
        batch_op.drop_index('ix_files_batch')

    op.drop_table('files')
    op.drop_table('batches')
    op.drop_table('accounts')
