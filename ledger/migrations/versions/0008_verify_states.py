"""A baseline of states for ``ykt verify`` (issue 13): no schema change, journal entries only.

``ykt verify`` compares every file's, batch's and batch's lines' state with the state the
journal last recorded for it. The journal records a file's and a batch's state with each change
since revision 0004, and a batch's line states (``after`` on a ``lines`` entry) from this
revision on; so that a ledger older than that verifies, this revision journals what is there
now: the line states of every batch that has lines, and the state of every file and batch the
journal has no entry for (made before revision 0004). Entries already recorded are left as they
are: a state that disagrees with one of them is a break to show, not to paper over.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 12:00:00
"""
from alembic import op
import sqlalchemy as sa

from ledger import journal


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    for batch_id in bind.execute(sa.text("SELECT DISTINCT batch_id FROM lines ORDER BY batch_id")).scalars().all():
        query = sa.text("SELECT seq, status FROM lines WHERE batch_id = :b ORDER BY seq").bindparams(b=batch_id)
        journal.lines_selected(bind, batch_id, "baseline", query)  # "after" is added when the migration commits
    unjournaled = ("SELECT id, {state} FROM {table} WHERE id NOT IN "
                   "(SELECT {key} FROM journal WHERE kind = '{kind}' AND {key} IS NOT NULL) ORDER BY id")
    for file_id, state in bind.execute(sa.text(unjournaled.format(state="state", table="files", key="file_id",
                                                                  kind="file"))).all():
        journal.record(bind, "file", {"baseline": True, "values": {"state": state}}, file_id=file_id)
    for batch_id, status in bind.execute(sa.text(unjournaled.format(state="status", table="batches", key="batch_id",
                                                                    kind="batch"))).all():
        journal.record(bind, "batch", {"baseline": True, "values": {"status": status}}, batch_id=batch_id)


def downgrade() -> None:
    pass  # journal entries are append-only; the baseline stays in the chain, harmless
