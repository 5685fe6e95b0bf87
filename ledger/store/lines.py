"""A batch's lines and their issues: inserting sealed rows, statuses, paging and totals."""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, and_, func, literal, select, update

from domain.masking import mask_account, mask_id
from domain.model import AccountKind, LineIssue, LineStatus, PaymentLine
from ledger import journal
from ledger.schema import files, line_issues, lines, result_lines
from ledger.store._bulk import CHUNK, _for_seqs, _seq_chunks, bulk_insert
from privacy.cipher import ACCOUNT, ID, PHONE, FieldCipher  # field names bound into every ciphertext

_LINE_COLUMNS = (
    "batch_id", "seq", "name", "id_sealed", "id_index", "id_masked", "id_region", "account_sealed",
    "account_index", "account_masked", "account_kind", "amount_fen", "bank_name", "subsidy_item",
    "remark", "phone_sealed", "address", "household_no", "status",
)


def insert_line_rows(conn: Connection, batch_id: str, rows: Sequence[tuple]) -> None:
    """Store rows made by :func:`make_line_rows` (identity, account and phone numbers only sealed)."""
    if rows:
        bulk_insert(conn, lines, _LINE_COLUMNS, rows)
        journal.lines_changed(conn, batch_id, "insert", sorted((row[1], row[-1]) for row in rows))


def replace_line(conn: Connection, cipher: FieldCipher, batch_id: str, ln: PaymentLine, status: LineStatus) -> None:
    """A corrected line takes the place of the rejected or held one with the same seq."""
    (row,) = make_line_rows(batch_id, [ln], [status], seal_lines(cipher, [ln]))
    conn.execute(update(lines).where(lines.c.batch_id == batch_id, lines.c.seq == ln.seq)
                 .values(**dict(zip(_LINE_COLUMNS, row, strict=True))))
    journal.lines_changed(conn, batch_id, "replace", [(ln.seq, status.value)])


@dataclass(frozen=True)
class SealedLines:
    """The personal numbers of a chunk of lines as stored: blind indexes (for look-ups and
    screening) and AES-GCM seals, in the order of the lines."""

    id_index: list[bytes]
    account_index: list[bytes]
    id_sealed: list[bytes]
    account_sealed: list[bytes]
    phone_sealed: list[bytes | None]


def seal_lines(cipher: FieldCipher, chunk: Sequence[PaymentLine]) -> SealedLines:
    """Index and seal a chunk at a time (one random draw for all nonces, no per-value set-up):
    at a million lines this is a good part of a submission."""
    ids = [ln.id_number.upper() for ln in chunk]
    accounts = [ln.account_no for ln in chunk]
    return SealedLines(cipher.index_many(ID, ids), cipher.index_many(ACCOUNT, accounts),
                       cipher.seal_many(ID, ids), cipher.seal_many(ACCOUNT, accounts),
                       cipher.seal_many(PHONE, [ln.phone or None for ln in chunk]))


def make_line_rows(batch_id: str, chunk: Sequence[PaymentLine], statuses: Sequence[LineStatus],
                   sealed: SealedLines) -> list[tuple]:
    """Rows of ``lines``: the sealed numbers, their masks, and the rest of each line as sent."""
    rows = []
    append, rejected = rows.append, LineStatus.REJECTED
    for ln, status, id_seal, id_ix, acct_seal, acct_ix, phone in zip(
            chunk, statuses, sealed.id_sealed, sealed.id_index, sealed.account_sealed, sealed.account_index,
            sealed.phone_sealed, strict=True):
        id_number = ln.id_number.upper()
        region = id_number[:6]
        row = (batch_id, ln.seq, ln.name, id_seal, id_ix, mask_id(id_number), region if region.isdigit() else "",
               acct_seal, acct_ix, mask_account(ln.account_no), str(ln.account_kind), ln.amount_fen, ln.bank_name,
               ln.subsidy_item, ln.remark, phone, ln.address, ln.household_no, str(status))  # str(): the value, in C
        append(row if status is not rejected else _fitted(row))
    return rows


# Column widths of the text a rejected line may carry beyond them (accepted lines were checked).
_WIDTHS = {2: 64, 5: 24, 9: 40, 10: 24, 12: 140, 13: 140, 14: 140, 16: 140, 17: 32}


def _fitted(row: tuple) -> tuple:
    return tuple(_fit(v, _WIDTHS[i]) if i in _WIDTHS else v for i, v in enumerate(row))


def _fit(text: str, width: int) -> str:
    """A rejected line is kept as sent, within the column; accepted lines were checked to fit."""
    return text if len(text) <= width else text[: width - 1] + "…"


def set_line_status(conn: Connection, batch_id: str, seqs: Iterable[int], status: LineStatus) -> None:
    seqs = sorted(set(seqs))
    journal.lines_changed(conn, batch_id, "set", ((seq, status.value) for seq in seqs))
    for chunk in _seq_chunks(seqs):
        conn.execute(update(lines).where(lines.c.batch_id == batch_id, lines.c.seq.in_(chunk))
                     .values(status=status.value))


def insert_issues(conn: Connection, batch_id: str, issues: Iterable[LineIssue], now: datetime) -> None:
    columns = ("batch_id", "seq", "code", "field", "severity", "message", "other_batch_id", "other_seq",
               "open", "created_at")
    bulk_insert(conn, line_issues, columns, (
        (batch_id, i.seq, i.code, i.field, i.severity, i.message[:400], i.other_batch_id, i.other_seq, 1, now)
        for i in issues
    ))


def close_issues(conn: Connection, batch_id: str, seqs: Iterable[int]) -> None:
    for chunk in _seq_chunks(seqs):
        conn.execute(update(line_issues).where(line_issues.c.batch_id == batch_id, line_issues.c.seq.in_(chunk))
                     .values(open=0))


def list_issues(conn: Connection, batch_id: str, *, open_only: bool, after_id: int, limit: int):
    query = (select(line_issues).where(line_issues.c.batch_id == batch_id, line_issues.c.id > after_id)
             .order_by(line_issues.c.id).limit(limit))
    if open_only:
        query = query.where(line_issues.c.open == 1)
    return conn.execute(query).all()


def lines_by_seq(conn: Connection, batch_id: str, seqs: Sequence[int]):
    query = select(lines.c.seq, lines.c.status, lines.c.amount_fen, lines.c.round,
                   lines.c.reissue_allowed_by.label("allowed_by")).where(lines.c.batch_id == batch_id)
    return _for_seqs(conn, query, seqs, raw=True)


def open_issue_seqs(conn: Connection, batch_id: str, seqs: Sequence[int], codes: Iterable[str]) -> list[int]:
    out: set[int] = set()
    for chunk in _seq_chunks(seqs):
        out.update(conn.execute(
            select(line_issues.c.seq).where(
                line_issues.c.batch_id == batch_id, line_issues.c.open == 1,
                line_issues.c.code.in_(list(codes)), line_issues.c.seq.in_(chunk))
        ).scalars())
    return sorted(out)


def iter_lines(conn: Connection, cipher: FieldCipher, batch_id: str,
               status: LineStatus | None = None, round_no: int | None = None) -> Iterator[PaymentLine]:
    """Stream a batch's lines in order, in pages, as domain records with their numbers opened;
    ``round_no``: only those instructed by that payment file."""
    last = 0
    while True:
        query = (
            select(lines)
            .where(lines.c.batch_id == batch_id, lines.c.seq > last)
            .order_by(lines.c.seq)
            .limit(CHUNK)
        )
        if status is not None:
            query = query.where(lines.c.status == status.value)
        if round_no is not None:
            query = query.where(lines.c.round == round_no)
        page = conn.execute(query).all()
        if not page:
            return
        for r in page:
            yield PaymentLine(
                seq=r.seq,
                name=r.name,
                id_number=cipher.open(ID, r.id_sealed),
                account_no=cipher.open(ACCOUNT, r.account_sealed),
                amount_fen=r.amount_fen,
                account_kind=AccountKind(r.account_kind),
                bank_name=r.bank_name,
                subsidy_item=r.subsidy_item,
                remark=r.remark,
                phone=cipher.open(PHONE, r.phone_sealed) if r.phone_sealed is not None else "",
                address=r.address,
                household_no=r.household_no,
            )
        last = page[-1].seq


def line_rows(conn: Connection, batch_id: str, statuses: Sequence[LineStatus], limit: int | None = None,
              after_seq: int = 0):
    query = (
        select(lines)
        .where(lines.c.batch_id == batch_id, lines.c.status.in_([s.value for s in statuses]), lines.c.seq > after_seq)
        .order_by(lines.c.seq)
    )
    if limit is not None:
        query = query.limit(limit)
    return conn.execute(query).all()


def paid_lines(conn: Connection, batch_id: str, after_seq: int, limit: int):
    """Paid lines (masked ID, amount, when the result arrived) after ``after_seq``, in order."""
    query = (
        select(lines.c.seq, lines.c.name, lines.c.id_masked,
               func.coalesce(lines.c.paid_fen, lines.c.amount_fen).label("amount_fen"),
               files.c.created_at.label("paid_at"))
        .join(files, files.c.id == lines.c.result_file_id)
        .where(lines.c.batch_id == batch_id, lines.c.status == LineStatus.PAID.value, lines.c.seq > after_seq)
        .order_by(lines.c.seq).limit(limit)
    )
    return conn.execute(query).all()


def line_status_totals(conn: Connection, batch_id: str) -> dict[str, tuple[int, int]]:
    """(count, fen) of a batch's lines by status."""
    query = (
        select(lines.c.status, func.count(), func.sum(lines.c.amount_fen))
        .where(lines.c.batch_id == batch_id)
        .group_by(lines.c.status)
    )
    return {status: (int(n), int(fen)) for status, n, fen in conn.execute(query)}


def has_status(conn: Connection, batch_id: str, status: str) -> bool:
    """Whether any line of the batch has ``status``: one look into the (batch, status) index,
    where :func:`line_status_totals` reads every line."""
    return conn.execute(select(literal(1)).where(lines.c.batch_id == batch_id, lines.c.status == status)
                        .limit(1)).first() is not None


def close_unpaid_lines(conn: Connection, batch_id: str) -> None:
    """Refunded at close: each unpaid line keeps the status it was refunded from."""
    unpaid = and_(
        lines.c.batch_id == batch_id,
        lines.c.status.in_([LineStatus.FAILED.value, LineStatus.GIVEN_UP.value, LineStatus.PENDING.value]),
    )
    journal.lines_selected(conn, batch_id, "close", select(lines.c.seq, literal(LineStatus.REFUNDED.value))
                           .where(unpaid).order_by(lines.c.seq))
    conn.execute(update(lines).where(unpaid).values(status=LineStatus.REFUNDED.value, closed_from=lines.c.status))


def short_paid(conn: Connection, batch_id: str) -> list[tuple[int, int, bool]]:
    """(seq, unpaid fen, whether that money sits in suspense) of the lines the bank paid short:
    their rest is refunded at close from where the paying record took the line's money."""
    s = result_lines.c
    from_suspense = (select(func.max(s.from_suspense)).where(s.batch_id == lines.c.batch_id, s.seq == lines.c.seq,
                                                             s.file_id == lines.c.result_file_id)
                     .scalar_subquery())
    rows = conn.execute(
        select(lines.c.seq, lines.c.amount_fen - lines.c.paid_fen, from_suspense)
        .where(lines.c.batch_id == batch_id, lines.c.status == LineStatus.PAID.value,
               lines.c.paid_fen < lines.c.amount_fen).order_by(lines.c.seq)
    ).all()
    return [(seq, int(rest), bool(suspense)) for seq, rest, suspense in rows]


def refunded_lines(conn: Connection, batch_id: str):
    """The lines whose money (or part of it) went back to finance at close: refunded ones, and
    those paid short."""
    short = and_(lines.c.status == LineStatus.PAID.value, lines.c.paid_fen < lines.c.amount_fen)
    return conn.execute(
        select(lines).where(lines.c.batch_id == batch_id, (lines.c.status == LineStatus.REFUNDED.value) | short)
        .order_by(lines.c.seq)
    ).all()


def reinstruct(conn: Connection, batch_id: str, seqs: Sequence[int], round_no: int) -> None:
    """Lines re-issued in payment file ``round_no``: their earlier answer no longer stands (it
    stays in the staged records and the audit trail), an approver's leave is used up."""
    for chunk in _seq_chunks(seqs):
        conn.execute(update(lines).where(lines.c.batch_id == batch_id, lines.c.seq.in_(chunk))
                     .values(round=round_no, reason=None, bank_reason_code=None, bank_reason_text=None,
                             reissue_allowed_by=None))


def allow_reissue(conn: Connection, batch_id: str, seqs: Sequence[int], approver: str) -> None:
    for chunk in _seq_chunks(seqs):
        conn.execute(update(lines).where(lines.c.batch_id == batch_id, lines.c.seq.in_(chunk))
                     .values(reissue_allowed_by=approver))


def round_totals(conn: Connection, batch_id: str, round_no: int) -> tuple[int, int]:
    """(count, fen) of the lines a payment file carries: the pending lines it instructs."""
    n, fen = conn.execute(
        select(func.count(), func.coalesce(func.sum(lines.c.amount_fen), 0))
        .where(lines.c.batch_id == batch_id, lines.c.status == LineStatus.PENDING.value, lines.c.round == round_no)
    ).one()
    return int(n), int(fen)
