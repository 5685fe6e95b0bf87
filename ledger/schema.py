"""The database tables, as SQLAlchemy Core metadata.

Alembic migrations under ``ledger/migrations`` create exactly these tables plus the triggers that
make the ledger append-only and balanced (see ``ledger/guards.py``). Core, not the ORM: batches
hold up to millions of lines, and every bulk step is one set-based statement.
"""
from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    text,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

batches = Table(
    "batches",
    metadata,
    Column("id", String(20), primary_key=True),
    Column("idempotency_key", String(128), nullable=False, unique=True),
    Column("request_digest", String(64), nullable=False),
    Column("program", String(64), nullable=False),
    Column("period", String(16), nullable=False),
    Column("region", String(12), nullable=False),
    Column("bank_code", String(32), nullable=False),
    Column("payer_name", String(140), nullable=False),
    Column("payer_account", String(34), nullable=False),
    Column("roster_count", Integer, nullable=False),  # the submitted control totals
    Column("roster_fen", BigInteger, nullable=False),
    Column("line_count", Integer, nullable=False),  # instructed: the accepted lines, fixed at approval
    Column("total_fen", BigInteger, nullable=False),
    Column("max_amount_fen", BigInteger),
    Column("status", String(20), nullable=False),
    Column("submitted_by", String(64), nullable=False),
    Column("approved_by", String(64)),
    Column("funded_by", String(64)),
    Column("funded_fen", BigInteger, nullable=False, server_default=text("0")),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("approved_at", DateTime(timezone=True)),
    Column("funded_at", DateTime(timezone=True)),
    Column("dispatched_at", DateTime(timezone=True)),
    Column("closed_at", DateTime(timezone=True)),
    Column("payment_due", Date),  # N working days after funding
    CheckConstraint("total_fen > 0", name="total_positive"),
    CheckConstraint("line_count > 0", name="count_positive"),
)

lines = Table(
    "lines",
    metadata,
    Column("batch_id", String(20), ForeignKey("batches.id"), primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("name", String(64), nullable=False),
    # Identity, account and phone are sealed (privacy.FieldCipher) with a keyed blind index for
    # look-ups; the masked forms serve reports without opening anything.
    Column("id_sealed", LargeBinary, nullable=False),
    Column("id_index", LargeBinary(16), nullable=False),
    Column("id_masked", String(24), nullable=False),
    Column("id_region", String(6), nullable=False),
    Column("account_sealed", LargeBinary, nullable=False),
    Column("account_index", LargeBinary(16), nullable=False),
    Column("account_masked", String(40), nullable=False),
    Column("account_kind", String(24), nullable=False),
    Column("amount_fen", BigInteger, nullable=False),
    Column("bank_name", String(140), nullable=False),
    Column("subsidy_item", String(140), nullable=False),
    Column("remark", String(140), nullable=False),
    Column("phone_sealed", LargeBinary),
    Column("address", String(140), nullable=False),
    Column("household_no", String(32), nullable=False),
    Column("status", String(12), nullable=False),
    Column("reason", String(24)),
    Column("bank_reason_code", String(35)),
    Column("bank_reason_text", String(140)),
    Column("result_file_id", Integer),
    Column("round", Integer, nullable=False, server_default=text("0")),  # the payment file that last instructed it
    Column("paid_fen", BigInteger),  # what the bank paid for it (PAID; less than amount_fen when paid short)
    Column("bank_ref", String(64)),  # the bank's reference of that payment, where the format has one
    Column("closed_from", String(12)),  # REFUNDED lines: the status they were refunded from at close
    Column("reissue_allowed_by", String(64)),  # the approver who let an unanswered line be re-issued
    # a rejected line is kept as sent, whatever its amount; nothing else may carry one below 1 fen
    CheckConstraint("amount_fen > 0 OR status IN ('REJECTED', 'REMOVED')", name="amount_positive_unless_rejected"),
)
Index("ix_lines_batch_status", lines.c.batch_id, lines.c.status)
Index("ix_lines_id_index", lines.c.id_index)  # the one-card registry and duplicate checks
Index("ix_lines_account_index", lines.c.account_index)

line_issues = Table(
    "line_issues",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("batch_id", String(20), ForeignKey("batches.id"), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("code", String(40), nullable=False),
    Column("field", String(40), nullable=False),
    Column("severity", String(8), nullable=False),  # error: rejected, hold: held, warning: noted
    Column("message", String(400), nullable=False),  # personal data masked
    Column("other_batch_id", String(20)),  # the earlier line a duplicate or conflict points at
    Column("other_seq", Integer),
    Column("open", Integer, nullable=False, server_default=text("1")),  # 0 once corrected/resolved
    Column("created_at", DateTime(timezone=True), nullable=False),
)
Index("ix_line_issues_batch_seq", line_issues.c.batch_id, line_issues.c.seq)

# A change of who is paid (a re-issue to another name, ID number or account) waiting for a
# second person's approval (domain/duties.py): the corrected lines sealed as one value
# (privacy.FieldCipher, field "line_change"), what changes per line masked (JSON, for people).
line_changes = Table(
    "line_changes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("batch_id", String(20), ForeignKey("batches.id"), nullable=False),
    Column("state", String(12), nullable=False),  # PENDING, APPROVED, REFUSED
    Column("line_count", Integer, nullable=False),
    Column("items", Text, nullable=False),  # per line: seq, what changes, before and after masked
    Column("lines_sealed", LargeBinary, nullable=False),
    Column("requested_by", String(64), nullable=False),
    Column("requested_at", DateTime(timezone=True), nullable=False),
    Column("decided_by", String(64)),
    Column("decided_at", DateTime(timezone=True)),
    Column("reason", String(1000)),  # why it was refused
    Column("file_id", Integer),  # the re-issue payment file its approval made
)
Index("ix_line_changes_batch", line_changes.c.batch_id)

stop_entries = Table(
    "stop_entries",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("id_sealed", LargeBinary, nullable=False),
    Column("id_index", LargeBinary(16), nullable=False),
    Column("id_masked", String(24), nullable=False),
    Column("kind", String(16), nullable=False),  # DECEASED, IMPRISONED, INELIGIBLE
    Column("effective_from", Date, nullable=False),
    Column("effective_until", Date),  # exclusive; open-ended when null
    Column("source", String(140), nullable=False),  # who reported it: civil affairs, courts...
    Column("note", String(400), nullable=False, server_default=text("''")),
    Column("created_by", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("revoked_by", String(64)),
    Column("revoked_at", DateTime(timezone=True)),
)
Index("ix_stop_entries_id_index", stop_entries.c.id_index)

audit_events = Table(
    "audit_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", String(64), nullable=False),
    Column("action", String(40), nullable=False),
    Column("batch_id", String(20)),
    Column("seq", Integer),
    Column("detail", String(1000), nullable=False),  # personal data masked
)
Index("ix_audit_events_batch", audit_events.c.batch_id)

files = Table(
    "files",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("direction", String(3), nullable=False),  # OUT: payment file, IN: result file
    Column("bank_code", String(32), nullable=False),
    Column("batch_id", String(20), ForeignKey("batches.id")),
    Column("name", String(255), nullable=False),
    Column("remote_path", String(1024)),
    Column("message_id", String(35)),  # the id the file carries inside (pain MsgId)
    Column("sha256", String(64)),
    Column("size", BigInteger),
    Column("state", String(16), nullable=False),
    Column("duplicate_of", Integer, ForeignKey("files.id")),
    Column("attempts", Integer, nullable=False, server_default=text("0")),
    Column("last_error", Text),
    Column("line_count", Integer),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    # The exchange (migration 0003): retries, who worked the file under which lease, and when
    # it reached and left the bank.
    Column("rendered_at", DateTime(timezone=True)),  # the payment file's creation time inside it
    Column("next_attempt_at", DateTime(timezone=True)),  # FAILED: when the worker tries again
    Column("delivered_at", DateTime(timezone=True)),
    Column("delivered_by", String(128)),  # the instance that uploaded it, or the operator who marked it
    Column("acknowledged_at", DateTime(timezone=True)),
    Column("handled_by", String(128)),  # the instance that made the last change under a lease
    Column("fence", BigInteger),  # that lease's fencing token
    Column("remote_mtime", BigInteger),  # result files: the bank's (path, size, mtime) we took
    Column("archived_at", DateTime(timezone=True)),  # ...and when its copy there was archived or deleted
    Column("claimed_batch_id", String(20)),  # the batch a result file names, even an unknown one
    # Payment files (migration 0007): the temporary file at the bank about to be renamed to the
    # final name, recorded before the rename is sent. Once set, the file is never uploaded
    # again: the next attempt finds out from the bank's folders whether the rename happened.
    Column("rename_temp", String(300)),
    Column("rename_sent_at", DateTime(timezone=True)),
    # Result files (migration 0010): the reading report, what was read and what was skipped and
    # why (domain/reading_report.py, JSON), and the count and fen of the skipped records.
    Column("reading_report", Text),
    Column("skipped_count", Integer),
    Column("skipped_fen", BigInteger),
    # Result files (migration 0011): a camt.054 notification covering several batches books the
    # first under its own row and each other batch under a part row (same bank, name and digest,
    # its batch) pointing at it, booked in the same transaction.
    Column("part_of", Integer, ForeignKey("files.id")),
)
# A file's content is taken once per bank and direction; re-deliveries are rows pointing at it,
# and so are the parts of a file covering several batches.
Index(
    "uq_files_first_delivery",
    files.c.direction,
    files.c.bank_code,
    files.c.sha256,
    unique=True,
    sqlite_where=text("duplicate_of IS NULL AND part_of IS NULL"),
    postgresql_where=text("duplicate_of IS NULL AND part_of IS NULL"),
)
Index("ix_files_batch", files.c.batch_id)
Index("ix_files_remote", files.c.bank_code, files.c.remote_path)
Index("ix_files_state", files.c.direction, files.c.state)

# One row per unit of exchange work ("dispatch:<batch>", "poll:<bank>"): the instance holding
# it, until when, and a fencing counter raised at every acquisition. A change made under a
# lease first checks (and renews) owner and fence in the same transaction, so an instance
# that lost its lease cannot change anything any more.
leases = Table(
    "leases",
    metadata,
    Column("name", String(100), primary_key=True),
    Column("owner", String(128)),
    Column("lease_until", DateTime(timezone=True)),
    Column("fence", BigInteger, nullable=False, server_default=text("0")),
    Column("acquired_at", DateTime(timezone=True)),
)

result_lines = Table(
    "result_lines",
    metadata,
    Column("file_id", Integer, ForeignKey("files.id"), primary_key=True),
    Column("ordinal", Integer, primary_key=True),  # position of the record in its file
    Column("batch_id", String(20), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("outcome", String(8), nullable=False),
    Column("amount_fen", BigInteger, nullable=False),
    Column("reason", String(24)),
    Column("bank_reason_code", String(35)),
    Column("bank_reason_text", String(140)),
    Column("bank_ref", String(64)),
    # What the record booked (domain.booking): its disposition and why, the line's new status
    # (none: unchanged), and the fen it moved to paid, to suspense and due back from the bank.
    Column("disposition", String(16)),  # none: staged from a file that booked nothing
    Column("detail", String(200)),
    Column("new_status", String(12)),
    Column("paid_fen", BigInteger, nullable=False, server_default=text("0")),
    Column("failed_fen", BigInteger, nullable=False, server_default=text("0")),
    Column("due_fen", BigInteger, nullable=False, server_default=text("0")),
    Column("from_suspense", Integer, nullable=False, server_default=text("0")),
)
Index("ix_result_lines_batch_seq", result_lines.c.batch_id, result_lines.c.seq)

accounts = Table(
    "accounts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("code", String(128), nullable=False, unique=True),
    Column("kind", String(24), nullable=False),
    Column("name", String(200), nullable=False),
)

transactions = Table(
    "transactions",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("batch_id", String(20), ForeignKey("batches.id")),
    Column("file_id", Integer, ForeignKey("files.id")),
    Column("memo", String(200), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)
Index("ix_transactions_batch", transactions.c.batch_id)

postings = Table(
    "postings",
    metadata,
    Column("transaction_id", String(32), primary_key=True),
    Column("n", Integer, primary_key=True),
    Column("account_id", Integer, ForeignKey("accounts.id"), nullable=False),
    Column("amount_fen", BigInteger, nullable=False),  # debit > 0, credit < 0
    Column("batch_id", String(20)),
    Column("seq", Integer),
    # Postings are written before their transaction row, which seals them (see ledger/guards.py).
    ForeignKeyConstraint(
        ["transaction_id"], ["transactions.id"], deferrable=True, initially="DEFERRED"
    ),
    CheckConstraint("amount_fen <> 0", name="amount_nonzero"),
)
Index("ix_postings_account_batch", postings.c.account_id, postings.c.batch_id)
Index("ix_postings_batch_seq", postings.c.batch_id, postings.c.seq)

# The evidence trail (ledger/journal.py): every ledger transaction and every state change of a
# batch, line or file, appended in the same database transaction as the change, each entry
# carrying the digest of the one before. ``journal_head`` is one row holding the last seq and
# digest; an append locks it, so instances sharing one database append one at a time.
journal = Table(
    "journal",
    metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", String(128)),
    Column("kind", String(24), nullable=False),
    Column("batch_id", String(20)),
    Column("file_id", Integer),
    Column("transaction_id", String(32)),
    Column("payload", Text, nullable=False),  # canonical JSON, personal data never included
    Column("prev_digest", String(64), nullable=False),
    Column("digest", String(64), nullable=False),
)
Index("ix_journal_transaction_id", journal.c.transaction_id)

journal_head = Table(
    "journal_head",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("seq", BigInteger, nullable=False),
    Column("digest", String(64), nullable=False),
    CheckConstraint("id = 1", name="single_row"),
)

# Bank statements of the agency clearing account (service/statements.py, migration 0005): the
# bank's own view of the account, stored to be reconciled with the ledger, never posted. A
# statement file is recorded once per bank and content digest, like a result file; a statement
# with another file's statement id (the same statement with other content) is refused.
statement_files = Table(
    "statement_files",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("bank_code", String(32), nullable=False),
    Column("name", String(255), nullable=False),
    Column("remote_path", String(1024)),
    Column("remote_mtime", BigInteger),
    Column("sha256", String(64), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("state", String(16), nullable=False),  # STORED, DUPLICATE, QUARANTINED
    Column("duplicate_of", Integer, ForeignKey("statement_files.id")),
    Column("last_error", Text),  # why it was quarantined: file, line and field
    Column("received_by", String(128), nullable=False),  # the worker, or who handed it in
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("archived_at", DateTime(timezone=True)),  # when the bank's copy was archived or deleted
    # the statement's header, once read (STORED)
    Column("statement_id", String(35)),
    Column("account", String(34)),
    Column("created_at", DateTime(timezone=True)),  # the bank's creation time
    Column("from_date", Date),
    Column("to_date", Date),
    Column("currency", String(3)),
    Column("opening_balance_fen", BigInteger),
    Column("closing_balance_fen", BigInteger),
    Column("entry_count", Integer),
    Column("credit_fen", BigInteger),
    Column("debit_fen", BigInteger),
    # the reading report (migration 0010), as for result files
    Column("reading_report", Text),
    Column("skipped_count", Integer),
    Column("skipped_fen", BigInteger),
)
Index(
    "uq_statement_files_first_delivery",
    statement_files.c.bank_code,
    statement_files.c.sha256,
    unique=True,
    sqlite_where=text("duplicate_of IS NULL"),
    postgresql_where=text("duplicate_of IS NULL"),
)
Index("ix_statement_files_account", statement_files.c.bank_code, statement_files.c.account,
      statement_files.c.to_date)
Index("ix_statement_files_remote", statement_files.c.bank_code, statement_files.c.remote_path)

statement_entries = Table(
    "statement_entries",
    metadata,
    Column("statement_file_id", Integer, ForeignKey("statement_files.id"), primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("side", String(4), nullable=False),  # CRDT, DBIT
    Column("amount_fen", BigInteger, nullable=False),
    Column("booking_date", Date, nullable=False),
    Column("reference", String(35), nullable=False),
    Column("batch_id", String(35), nullable=False),  # as the bank gave it; '' for none
    Column("line_seq", Integer),
    Column("counterparty_name", String(140), nullable=False),  # masked
    Column("counterparty_account", String(40), nullable=False),  # masked
    Column("remark", String(400), nullable=False),
    CheckConstraint("amount_fen > 0", name="amount_positive"),
)
Index("ix_statement_entries_batch", statement_entries.c.batch_id, statement_entries.c.line_seq)

__all__ = [
    "accounts",
    "audit_events",
    "line_issues",
    "stop_entries",
    "batches",
    "files",
    "journal",
    "journal_head",
    "leases",
    "lines",
    "metadata",
    "postings",
    "result_lines",
    "statement_entries",
    "statement_files",
    "transactions",
]
