"""The repository: every read and write the service layer makes, on one open connection.

Each function takes a SQLAlchemy ``Connection`` whose transaction the caller owns (the service
layer opens it with ``engine.begin()``), so a use case is all-or-nothing. Bulk work is done in
set-based statements or ``executemany`` chunks, never a query per line.

The functions live in modules named by what they keep:

================  ==========================================================================
``_bulk``         ``bulk_insert``, ``CHUNK`` and the bounded-chunk helpers the others share
``postings``      accounts, transactions and postings: ``post``, ``book_result_file``, balances
``batches``       batch rows: insert, get, list, update from an expected status
``lines``         a batch's lines and issues: sealed rows, statuses, paging, totals, closing
``screening``     probes by index: shared IDs and accounts, the stop list, in-batch duplicates
``files``         exchanged files: records, state moves, deliveries, quarantine
``leases``        leases of exchange work, with fencing tokens
``audit_log``     the audit trail
``line_changes``  changes of who is paid waiting for a second person's approval
``results``       staged bank results: what each record booked, the line states the booking
                  rules read, and what reports read back
================  ==========================================================================

This package re-exports them all: callers use ``store.x`` as the one repository facade (and
tests patch ``store.x``), so they need not know which module keeps what.
"""
from ledger.store._bulk import CHUNK, bulk_insert
from ledger.store.audit_log import actors, audit, audit_trail
from ledger.store.batches import batch_by_key, batches_in, get_batch, insert_batch, list_batches, update_batch
from ledger.store.files import (
    acknowledged_since,
    claim_received,
    first_delivery,
    first_result_at,
    get_file,
    inbound_by_remote,
    insert_file,
    list_files,
    move_file,
    outbound_count,
    outbound_file,
    outbound_in,
    quarantined_files,
    update_file,
)
from ledger.store.leases import get_lease, lease_acquire, lease_release, lease_renew, leases_release_owner
from ledger.store.line_changes import decide_line_change, get_line_change, insert_line_change, list_line_changes
from ledger.store.lines import (
    SealedLines,
    allow_reissue,
    close_issues,
    close_unpaid_lines,
    insert_issues,
    insert_line_rows,
    iter_lines,
    line_rows,
    line_status_totals,
    lines_by_seq,
    list_issues,
    make_line_rows,
    open_issue_seqs,
    paid_lines,
    refunded_lines,
    reinstruct,
    replace_line,
    round_totals,
    seal_lines,
    set_line_status,
    short_paid,
)
from ledger.store.postings import (
    TransactionView,
    account_ids,
    balances,
    book_result_file,
    list_transactions,
    post,
    unbalanced_transactions,
)
from ledger.store.results import (
    RESULT_COLUMNS,
    booked_totals,
    due_records,
    exceptions,
    insert_result_lines,
    line_facts,
    line_states,
    payments_booked,
    staged_bookings,
    unanswered_totals,
)
from ledger.store.screening import (
    batch_lines_sharing,
    in_batch_duplicates,
    lines_sharing,
    person_rows,
    probe_by_index,
    refresh_statistics,
    screening_candidates,
    stop_entries_for,
    stop_hits,
)
from privacy.cipher import ID  # ledger/stops.py imports it from here

__all__ = [
    "acknowledged_since", "CHUNK", "ID", "RESULT_COLUMNS", "SealedLines", "TransactionView",
    "account_ids", "actors", "allow_reissue", "audit", "audit_trail", "balances", "batch_by_key", "batches_in", "book_result_file",
    "booked_totals", "bulk_insert", "claim_received", "close_issues", "close_unpaid_lines", "first_delivery",
    "due_records", "exceptions", "first_result_at", "get_batch", "get_file", "get_lease", "in_batch_duplicates", "inbound_by_remote",
    "insert_batch", "insert_file", "insert_issues", "insert_line_rows", "insert_result_lines", "iter_lines",
    "lease_acquire", "lease_release", "lease_renew", "leases_release_owner", "line_rows", "line_status_totals", "lines_by_seq",
    "line_facts", "line_states", "lines_sharing", "list_batches", "list_files", "list_issues", "list_transactions", "make_line_rows",
    "move_file", "open_issue_seqs", "outbound_count", "outbound_file", "outbound_in", "paid_lines", "payments_booked", "post",
    "probe_by_index", "quarantined_files", "refresh_statistics", "refunded_lines", "reinstruct", "replace_line", "round_totals",
    "screening_candidates", "seal_lines", "set_line_status", "short_paid", "staged_bookings", "stop_entries_for", "stop_hits", "unanswered_totals", "unbalanced_transactions",
    "update_batch", "update_file",
    "batch_lines_sharing", "decide_line_change", "get_line_change", "insert_line_change", "list_line_changes",
    "person_rows",
]
