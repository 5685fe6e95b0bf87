"""Evidence trail: the hash-chained journal and its head row.

``journal`` receives one entry per ledger transaction and per state change of a batch, lines or
a file (see ``ledger/journal.py``); ``journal_head`` is the single row an append locks, holding
the last seq and digest. Triggers refuse updates and deletes of journal entries. Transactions
booked before this revision get their entries now, oldest first, so that the journal covers
every transaction; state changes made before it were not recorded and are not made up.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-12 03:00:00
"""
from alembic import op
import sqlalchemy as sa

from ledger import guards, journal


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('journal',
    sa.Column('seq', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=128), nullable=True),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('batch_id', sa.String(length=20), nullable=True),
    sa.Column('file_id', sa.Integer(), nullable=True),
    sa.Column('transaction_id', sa.String(length=32), nullable=True),
    sa.Column('payload', sa.Text(), nullable=False),
    sa.Column('prev_digest', sa.String(length=64), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_journal'))
    )
    op.create_index('ix_journal_transaction_id', 'journal', ['transaction_id'], unique=False)
    op.create_table('journal_head',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('seq', sa.BigInteger(), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.CheckConstraint('id = 1', name=op.f('ck_journal_head_single_row')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_journal_head'))
    )
    op.execute("INSERT INTO journal_head (id, seq, digest) VALUES (1, 0, '" + '0' * 64 + "')")
    for statement in guards.journal_statements(op.get_bind().dialect.name):
        op.execute(statement)
    bind = op.get_bind()
    booked = bind.execute(sa.text("SELECT id, kind, batch_id, memo, file_id FROM transactions ORDER BY created_at, id"))
    for txn in booked.all():  # queued, chained when the migration commits
        journal.transaction(bind, txn.id, txn.kind, txn.batch_id, txn.memo, txn.file_id)


def downgrade() -> None:
    for statement in guards.journal_drop_statements(op.get_bind().dialect.name):
        op.execute(statement)
    op.drop_table('journal_head')
    op.drop_index('ix_journal_transaction_id', table_name='journal')
    op.drop_table('journal')
