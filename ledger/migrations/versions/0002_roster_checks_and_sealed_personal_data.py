"""Roster checks and sealed personal data: line issues, stop list, audit events.

Lines keep identity, account and phone numbers only sealed (AES-256-GCM) with a keyed blind
index and a masked form; batches keep the submitted control totals apart from the instructed
totals fixed at approval. No deployment holds lines yet, so the clear columns are dropped
rather than converted.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 03:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('batches', schema=None) as batch_op:
        batch_op.add_column(sa.Column('roster_count', sa.Integer(), nullable=False, server_default=sa.text('0')))
        batch_op.add_column(sa.Column('roster_fen', sa.BigInteger(), nullable=False, server_default=sa.text('0')))

    with op.batch_alter_table('lines', schema=None) as batch_op:
        batch_op.drop_column('id_number')
        batch_op.drop_column('account_no')
        batch_op.drop_column('phone')
        batch_op.add_column(sa.Column('id_sealed', sa.LargeBinary(), nullable=False))
        batch_op.add_column(sa.Column('id_index', sa.LargeBinary(length=16), nullable=False))
        batch_op.add_column(sa.Column('id_masked', sa.String(length=24), nullable=False))
        batch_op.add_column(sa.Column('id_region', sa.String(length=6), nullable=False))
        batch_op.add_column(sa.Column('account_sealed', sa.LargeBinary(), nullable=False))
        batch_op.add_column(sa.Column('account_index', sa.LargeBinary(length=16), nullable=False))
        batch_op.add_column(sa.Column('account_masked', sa.String(length=40), nullable=False))
        batch_op.add_column(sa.Column('phone_sealed', sa.LargeBinary(), nullable=True))
        batch_op.drop_constraint(op.f('ck_lines_amount_positive'), type_='check')
        batch_op.create_check_constraint(op.f('ck_lines_amount_positive_unless_rejected'),
                                         "amount_fen > 0 OR status IN ('REJECTED', 'REMOVED')")
        batch_op.create_index('ix_lines_id_index', ['id_index'], unique=False)
        batch_op.create_index('ix_lines_account_index', ['account_index'], unique=False)

    op.create_table('line_issues',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('batch_id', sa.String(length=20), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('field', sa.String(length=40), nullable=False),
    sa.Column('severity', sa.String(length=8), nullable=False),
    sa.Column('message', sa.String(length=400), nullable=False),
    sa.Column('other_batch_id', sa.String(length=20), nullable=True),
    sa.Column('other_seq', sa.Integer(), nullable=True),
    sa.Column('open', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['batch_id'], ['batches.id'], name=op.f('fk_line_issues_batch_id_batches')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_line_issues'))
    )
    with op.batch_alter_table('line_issues', schema=None) as batch_op:
        batch_op.create_index('ix_line_issues_batch_seq', ['batch_id', 'seq'], unique=False)

    op.create_table('stop_entries',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('id_sealed', sa.LargeBinary(), nullable=False),
    sa.Column('id_index', sa.LargeBinary(length=16), nullable=False),
    sa.Column('id_masked', sa.String(length=24), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('effective_from', sa.Date(), nullable=False),
    sa.Column('effective_until', sa.Date(), nullable=True),
    sa.Column('source', sa.String(length=140), nullable=False),
    sa.Column('note', sa.String(length=400), server_default=sa.text("''"), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_by', sa.String(length=64), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stop_entries'))
    )
    with op.batch_alter_table('stop_entries', schema=None) as batch_op:
        batch_op.create_index('ix_stop_entries_id_index', ['id_index'], unique=False)

    op.create_table('audit_events',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('batch_id', sa.String(length=20), nullable=True),
    sa.Column('seq', sa.Integer(), nullable=True),
    sa.Column('detail', sa.String(length=1000), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_events'))
    )
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_index('ix_audit_events_batch', ['batch_id'], unique=False)


def downgrade() -> None:
    op.drop_table('audit_events')
    op.drop_table('stop_entries')
    op.drop_table('line_issues')
    with op.batch_alter_table('lines', schema=None) as batch_op:
        batch_op.drop_index('ix_lines_account_index')
        batch_op.drop_index('ix_lines_id_index')
        batch_op.drop_constraint(op.f('ck_lines_amount_positive_unless_rejected'), type_='check')
        batch_op.create_check_constraint(op.f('ck_lines_amount_positive'), 'amount_fen > 0')
        for column in ('phone_sealed', 'account_masked', 'account_index', 'account_sealed',
                       'id_region', 'id_masked', 'id_index', 'id_sealed'):
            batch_op.drop_column(column)
        batch_op.add_column(sa.Column('id_number', sa.String(length=18), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('account_no', sa.String(length=34), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('phone', sa.String(length=16), nullable=False, server_default=''))
    with op.batch_alter_table('batches', schema=None) as batch_op:
        batch_op.drop_column('roster_fen')
        batch_op.drop_column('roster_count')
