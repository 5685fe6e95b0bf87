"""Parts of a result file: a camt.054 notification covering several batches (issue 15).

``files.part_of`` names the file a part row was read from: the file's own row books its first
batch, a part row (same bank, name and digest) each other batch, all in one transaction. The
first-delivery unique index, which lets one instance record a file's bytes, ignores parts as it
ignores re-deliveries.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 17:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

_INDEX = 'uq_files_first_delivery'
_COLUMNS = ['direction', 'bank_code', 'sha256']


def _first_delivery(where: str) -> None:
    op.create_index(_INDEX, 'files', _COLUMNS, unique=True, sqlite_where=sa.text(where),
                    postgresql_where=sa.text(where))


def upgrade() -> None:
    # ALTER TABLE ... ADD COLUMN directly: a batch operation would copy and drop ``files``, which
    # other tables reference (see 0010); SQLite takes the foreign key only inline, which Alembic
    # does not write.
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('ALTER TABLE files ADD COLUMN part_of INTEGER '
                   'CONSTRAINT fk_files_part_of_files REFERENCES files (id)')
    else:
        op.add_column('files', sa.Column('part_of', sa.Integer(), nullable=True))
        op.create_foreign_key(op.f('fk_files_part_of_files'), 'files', 'files', ['part_of'], ['id'])
    op.drop_index(_INDEX, table_name='files')
    # Parts that a downgrade turned into rows pointing at their file (see below) are parts again:
    # a re-delivery is always DUPLICATE, a part never is.
    op.execute("UPDATE files SET part_of = duplicate_of, duplicate_of = NULL "
               "WHERE direction = 'IN' AND duplicate_of IS NOT NULL AND state <> 'DUPLICATE'")
    _first_delivery('duplicate_of IS NULL AND part_of IS NULL')


def downgrade() -> None:
    # A part row stays (its bookings point at it) and points at its file as a re-delivery does,
    # so that the older first-delivery index holds; upgrade() makes it a part again.
    op.drop_index(_INDEX, table_name='files')
    op.execute('UPDATE files SET duplicate_of = part_of WHERE part_of IS NOT NULL')
    if op.get_bind().dialect.name == 'postgresql':
        op.drop_constraint(op.f('fk_files_part_of_files'), 'files', type_='foreignkey')
    op.execute('ALTER TABLE files DROP COLUMN part_of')
    _first_delivery('duplicate_of IS NULL')
