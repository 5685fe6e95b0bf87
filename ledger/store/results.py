"""Staged bank results: each record of a result file as received and what it booked
(:mod:`domain.booking`), the line states the rules read, and what reports read back."""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from itertools import chain
from typing import NamedTuple

from sqlalchemy import Connection, and_, case, func, select

from domain.booking import EXCEPTIONS, Booking, Disposition, LineState
from domain.model import FileState, LineStatus, PaymentOutcome
from ledger.schema import files, lines, result_lines
from ledger.store._bulk import _seq_chunks, bulk_insert

RESULT_COLUMNS = (
    "file_id", "ordinal", "batch_id", "seq", "outcome", "amount_fen", "reason", "bank_reason_code",
    "bank_reason_text", "bank_ref", "disposition", "detail", "new_status", "paid_fen", "failed_fen", "due_fen",
    "from_suspense",
)

# Dispositions under which the bank made a payment whose reference the ledger keeps: a report of
# the same reference again is the same payment, whatever it was booked as.
_PAYING = (Disposition.PAID, Disposition.PAID_SHORT, Disposition.PAID_OVER, Disposition.SECOND_PAYMENT,
           Disposition.NOT_INSTRUCTED, Disposition.OTHER_ACCOUNT)
# ...of which these paid the line itself: how many payments a line had
_PAID_LINE = (Disposition.PAID, Disposition.PAID_SHORT, Disposition.PAID_OVER, Disposition.SECOND_PAYMENT)
_BOOKED = files.c.state == FileState.BOOKED.value
_STATUS = {s.value: s for s in LineStatus}  # a lookup, not LineStatus(text): a million times a file


def insert_result_lines(conn: Connection, rows: Iterable[tuple]) -> None:
    """Stage result records: tuples in the order of ``RESULT_COLUMNS``."""
    bulk_insert(conn, result_lines, RESULT_COLUMNS, rows)


#: The columns of a record staged by :func:`insert_paid_records`; the others take their defaults
#: (no reason or detail, nothing failed or due back, not from suspense).
PAID_COLUMNS = ("file_id", "ordinal", "batch_id", "seq", "outcome", "amount_fen", "bank_reason_code",
                "bank_reason_text", "bank_ref", "disposition", "new_status", "paid_fen")
_PAID = Disposition.PAID.value  # the outcome, the disposition and the new status alike
assert _PAID == PaymentOutcome.PAID.value == LineStatus.PAID.value


def insert_paid_records(conn: Connection, file_id: int, batch_id: str, rows: Sequence[tuple]) -> None:
    """Stage records that pay their line exactly what it was instructed (disposition PAID: the
    line becomes PAID, the amount goes to paid): ``(ordinal, seq, amount_fen, bank_reason_code,
    bank_reason_text, bank_ref)`` each. What they all share is written once a statement, not
    once a record: a result file is mostly such records.

    PostgreSQL gets ``COPY`` of ``PAID_COLUMNS``; SQLite multi-row ``INSERT`` statements with
    numbered parameters (the file, the batch and the amount bound once per statement or row), in a
    few fixed sizes so that each statement is compiled once per connection.
    """
    if not rows:
        return
    dbapi = conn.connection.dbapi_connection
    if conn.dialect.name == "postgresql":
        with dbapi.cursor() as cur:
            with cur.copy(f"COPY {result_lines.name} ({', '.join(PAID_COLUMNS)}) FROM STDIN") as copy:
                write = copy.write_row
                for ordinal, seq, amount, code, text_, ref in rows:
                    write((file_id, ordinal, batch_id, seq, _PAID, amount, code, text_, ref, _PAID, _PAID, amount))
        return
    flat = list(chain.from_iterable(rows))
    cursor = dbapi.cursor()
    try:
        start = 0
        for size in _sizes(len(rows)):
            cursor.execute(_paid_insert(size), (file_id, batch_id, *flat[start * 6:(start + size) * 6]))
            start += size
    finally:
        cursor.close()


# Rows per statement at most. Not more: binding a sequence, Python's sqlite3 looks each numbered
# parameter's name up in a list, which costs more than the statement saves beyond a few hundred
# rows (counted with valgrind: 256 rows a statement 20 % fewer instructions than 1,024).
_PAID_ROWS = 256


def _sizes(n: int) -> Iterator[int]:
    """``n`` as statements of ``_PAID_ROWS`` rows and then powers of two (a handful of shapes)."""
    while n >= _PAID_ROWS:
        yield _PAID_ROWS
        n -= _PAID_ROWS
    size = _PAID_ROWS
    while n:
        size //= 2
        if n >= size:
            yield size
            n -= size


@lru_cache(maxsize=16)
def _paid_insert(size: int) -> str:
    rows = ", ".join(f"(?1, ?{at}, ?2, ?{at + 1}, '{_PAID}', ?{at + 2}, ?{at + 3}, ?{at + 4}, ?{at + 5}, '{_PAID}', "
                     f"'{_PAID}', ?{at + 2})" for at in range(3, 3 + 6 * size, 6))
    return f"INSERT INTO {result_lines.name} ({', '.join(PAID_COLUMNS)}) VALUES {rows}"


def payment_refs(conn: Connection, batch_id: str, seqs: Sequence[int]) -> dict[int, set[str]]:
    """The references of the payments booked for these seqs (sorted, distinct), lines of the
    batch or not, whatever they were booked as (paid, due back), by seq. In a first answer there
    are none: an index range (or look-up) that finds nothing."""
    refs: dict[int, set[str]] = {}
    for seq, ref in _payment_refs(conn, batch_id, seqs, _dense(seqs)):
        refs.setdefault(seq, set()).add(ref)
    return refs


def waiting_lines(conn: Connection, batch_id: str, seqs: Sequence[int], *, names: bool) -> dict[int, tuple]:
    """Of these seqs (sorted, distinct), the lines waiting for their first payment — PENDING,
    no payment's reference on the line — as plain tuples by seq: ``(seq, amount_fen,
    account_index)``, and the name last when ``names``. What the plain payment of a line is
    decided on (``service.ingest``); every other record reads :func:`line_states`.

    A million records read a million lines here: only what that decision needs, as it comes
    from the driver, by a seq range when the chunk is dense (a bank answers in order).
    """
    columns = "seq, amount_fen, account_index" + (", name" if names else "")
    return {row[0]: row for row in _lines(conn, batch_id, seqs, columns,
                                          f"status = '{LineStatus.PENDING.value}' AND bank_ref IS NULL")}


def line_states(conn: Connection, batch_id: str, seqs: Sequence[int], refs: dict[int, set[str]] | None = None
                ) -> tuple[dict[int, LineState], dict[int, frozenset[str]]]:
    """What the booking rules read of these seqs (sorted, distinct): the lines, with the
    references of payments booked for them, and, for seqs the batch does not have, the
    references booked for those. ``refs``: those references, when the caller read them
    (:func:`payment_refs`) for these seqs or more."""
    refs = {seq: set(r) for seq, r in (payment_refs(conn, batch_id, seqs) if refs is None else refs).items()}
    found: dict[int, LineState] = {}
    for seq, status, amount, account_index, name, round_no, paid_fen, bank_ref in _lines(
            conn, batch_id, seqs, "seq, status, amount_fen, account_index, name, round, paid_fen, bank_ref"):
        booked = refs.pop(seq, None)
        if booked is not None or bank_ref:
            booked = frozenset((booked or set()) | ({bank_ref} if bank_ref else set()))
        found[seq] = LineState(seq, _STATUS[status], amount, bytes(account_index), name, round_no, paid_fen or 0,
                               booked or _NO_REFS)
    return found, {seq: frozenset(r) for seq, r in refs.items()}


_NO_REFS: frozenset[str] = frozenset()


def _dense(seqs: Sequence[int]) -> bool:
    """Whether sorted distinct ``seqs`` are read best as one range."""
    return bool(seqs) and seqs[-1] - seqs[0] < 2 * len(seqs)


def _lines(conn: Connection, batch_id: str, seqs: Sequence[int], columns: str, where: str = "") -> list[tuple]:
    """``columns`` of the batch's lines of these seqs (sorted, distinct) that meet ``where``
    (SQL), as plain DB-API tuples: no result-row objects."""
    marks = "%s" if conn.dialect.name == "postgresql" else "?"
    where = f" AND {where}" if where else ""
    cursor = conn.connection.dbapi_connection.cursor()
    try:
        if _dense(seqs):
            cursor.execute(f"SELECT {columns} FROM lines WHERE batch_id = {marks} AND seq BETWEEN {marks} AND {marks}"
                           f"{where}", (batch_id, seqs[0], seqs[-1]))
            return cursor.fetchall()
        rows = []
        for part in _seq_chunks(seqs):
            cursor.execute(f"SELECT {columns} FROM lines WHERE batch_id = {marks} AND seq IN "
                           f"({', '.join([marks] * len(part))}){where}", (batch_id, *part))
            rows += cursor.fetchall()
        return rows
    finally:
        cursor.close()


def _payment_refs(conn: Connection, batch_id: str, seqs: Sequence[int], dense: bool) -> list[tuple[int, str]]:
    """(seq, bank reference) of every payment booked for these seqs, whatever it was booked as.
    In a first answer there are none: an index range (or look-up) that finds nothing."""
    s = result_lines.c
    query = (select(s.seq, s.bank_ref).join(files, files.c.id == s.file_id)
             .where(s.batch_id == batch_id, s.bank_ref.is_not(None), s.outcome == "PAID",
                    s.disposition.in_([d.value for d in _PAYING]), _BOOKED))
    if dense:
        return conn.execute(query.where(s.seq.between(seqs[0], seqs[-1]))).all()
    out = []
    for part in _seq_chunks(seqs):
        out += conn.execute(query.where(s.seq.in_(part))).all()
    return out


def staged_bookings(conn: Connection, file_id: int, seq: int) -> list[Booking]:
    """What the records of a file being staged booked for one line so far, in file order."""
    s = result_lines.c
    return [Booking(Disposition(r.disposition), r.detail or "", LineStatus(r.new_status) if r.new_status else None,
                    r.paid_fen, r.failed_fen, r.due_fen, bool(r.from_suspense), r.bank_ref or "")
            for r in conn.execute(select(result_lines).where(s.file_id == file_id, s.seq == seq).order_by(s.ordinal))]


def booked_totals(conn: Connection, batch_id: str) -> list[BookedTotals]:
    """Per disposition and new status, what the booked result files of a batch booked:
    ``n``, ``paid_fen``, ``failed_fen``, ``due_fen``."""
    s = result_lines.c
    rows = conn.execute(
        select(s.disposition, s.new_status, func.count().label("n"), func.sum(s.paid_fen).label("paid_fen"),
               func.sum(s.failed_fen).label("failed_fen"), func.sum(s.due_fen).label("due_fen"))
        .join(files, files.c.id == s.file_id)
        .where(s.batch_id == batch_id, _BOOKED, s.disposition.is_not(None))
        .group_by(s.disposition, s.new_status)
    ).all()
    return [BookedTotals(r.disposition, r.new_status, int(r.n), int(r.paid_fen), int(r.failed_fen), int(r.due_fen))
            for r in rows]


class BookedTotals(NamedTuple):
    disposition: str
    new_status: str | None
    n: int
    paid_fen: int
    failed_fen: int
    due_fen: int


def due_records(conn: Connection, batch_id: str):
    """The booked records of a batch that left money due back from the bank, in file order, with
    the amount of the line they name (``line_fen``; none for a seq the batch does not have)."""
    s = result_lines.c
    return conn.execute(
        select(s.seq, s.disposition, s.due_fen, s.file_id, s.ordinal, s.detail, lines.c.amount_fen.label("line_fen"))
        .select_from(result_lines.join(files, files.c.id == s.file_id)
                     .outerjoin(lines, and_(lines.c.batch_id == s.batch_id, lines.c.seq == s.seq)))
        .where(s.batch_id == batch_id, _BOOKED, s.due_fen > 0)
        .order_by(s.file_id, s.ordinal)
    ).all()


def payments_booked(conn: Connection, batch_id: str, seqs: Sequence[int]) -> dict[int, int]:
    """How many payments of each of these lines the booked result files recorded (a second
    payment counts, a re-report does not)."""
    s = result_lines.c
    out: dict[int, int] = {}
    for part in _seq_chunks(seqs):
        out.update((seq, int(n)) for seq, n in conn.execute(
            select(s.seq, func.count()).join(files, files.c.id == s.file_id)
            .where(s.batch_id == batch_id, s.seq.in_(part), _BOOKED,
                   s.disposition.in_([d.value for d in _PAID_LINE]))
            .group_by(s.seq)))
    return out


def exceptions(conn: Connection, *, batch_id: str | None, bank_code: str | None, after: tuple[int, int],
               limit: int):
    """Records booked as exceptions (``domain.booking.EXCEPTIONS``), with their file, oldest first,
    after the (file id, ordinal) ``after``."""
    s = result_lines.c
    query = (
        select(s.file_id, s.ordinal, s.batch_id, s.seq, s.outcome, s.amount_fen, s.bank_ref, s.disposition,
               s.detail, s.due_fen, files.c.name.label("file_name"), files.c.bank_code,
               files.c.created_at.label("received_at"))
        .join(files, files.c.id == s.file_id)
        .where(_BOOKED, s.disposition.in_([d.value for d in EXCEPTIONS]),
               (s.file_id > after[0]) | and_(s.file_id == after[0], s.ordinal > after[1]))
        .order_by(s.file_id, s.ordinal).limit(limit)
    )
    if batch_id:
        query = query.where(s.batch_id == batch_id)
    if bank_code:
        query = query.where(files.c.bank_code == bank_code)
    return conn.execute(query).all()


def line_facts(conn: Connection, batch_id: str) -> Iterator:
    """Every line of a batch in seq order with what the reconciliation reads: status, amount,
    paid, reason, how it was closed, and when the result file that paid it arrived. Streamed."""
    ln = lines.c
    query = (
        select(ln.seq, ln.status, ln.amount_fen, ln.paid_fen, ln.reason, ln.closed_from,
               case((ln.paid_fen.is_not(None), files.c.created_at), else_=None).label("paid_at"))
        .select_from(lines.outerjoin(files, files.c.id == ln.result_file_id))
        .where(ln.batch_id == batch_id).order_by(ln.seq)
    )
    for part in conn.execute(query, execution_options={"stream_results": True, "yield_per": 10_000}).partitions():
        yield from part


def unanswered_totals(conn: Connection, batch_id: str) -> tuple[int, int]:
    """(count, fen) of instructed lines the bank never answered: still pending, or refunded at
    close from pending."""
    ln = lines.c
    never = (ln.status == LineStatus.PENDING.value) | and_(
        ln.status == LineStatus.REFUNDED.value,
        (ln.closed_from == LineStatus.PENDING.value) | and_(ln.closed_from.is_(None), ln.reason.is_(None)))
    n, fen = conn.execute(select(func.count(), func.coalesce(func.sum(ln.amount_fen), 0))
                          .where(ln.batch_id == batch_id, never)).one()
    return int(n), int(fen)
