"""Exchange engine: leases with fencing tokens, and the file states and history columns.

Payment files gain UPLOADING and ACKNOWLEDGED (states are plain strings: existing values keep
their meaning) with when and by whom they were rendered, delivered and acknowledged and when a
failed upload is tried again; result files remember the bank's (path, size, mtime) they came
from and the batch they name. ``leases`` holds one row per unit of work ("dispatch:<batch>",
"poll:<bank>") so that several service instances share one database safely.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-05 03:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

_FILE_COLUMNS = (
    ('rendered_at', sa.DateTime(timezone=True)),
    ('next_attempt_at', sa.DateTime(timezone=True)),
    ('delivered_at', sa.DateTime(timezone=True)),
    ('delivered_by', sa.String(length=128)),
    ('acknowledged_at', sa.DateTime(timezone=True)),
    ('handled_by', sa.String(length=128)),
    ('fence', sa.BigInteger()),
    ('remote_mtime', sa.BigInteger()),
    ('archived_at', sa.DateTime(timezone=True)),
    ('claimed_batch_id', sa.String(length=20)),
)


def upgrade() -> None:
    op.create_table('leases',
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('owner', sa.String(length=128), nullable=True),
    sa.Column('lease_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('fence', sa.BigInteger(), server_default=sa.text('0'), nullable=False),
    sa.Column('acquired_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_leases'))
    )
    with op.batch_alter_table('files', schema=None) as batch_op:
        for name, kind in _FILE_COLUMNS:
            batch_op.add_column(sa.Column(name, kind, nullable=True))
        batch_op.create_index('ix_files_remote', ['bank_code', 'remote_path'], unique=False)
        batch_op.create_index('ix_files_state', ['direction', 'state'], unique=False)
    # Files delivered before this revision keep their time of delivery.
    op.execute("UPDATE files SET delivered_at = updated_at WHERE direction = 'OUT' AND state = 'DELIVERED'")
    op.execute("UPDATE files SET rendered_at = created_at WHERE direction = 'OUT'")


def downgrade() -> None:
    op.execute("UPDATE files SET state = 'DELIVERED' WHERE state = 'ACKNOWLEDGED'")
    op.execute("UPDATE files SET state = 'GENERATED' WHERE state = 'UPLOADING'")
    with op.batch_alter_table('files', schema=None) as batch_op:
        batch_op.drop_index('ix_files_state')
        batch_op.drop_index('ix_files_remote')
        for name, _kind in reversed(_FILE_COLUMNS):
            batch_op.drop_column(name)
    op.drop_table('leases')
