"""Reconciling the bank's statement of the agency clearing account with the ledger (对账).

The statement is the bank's own, independent view of the account our ledger calls
``clearing:B:R``: it never posts anything, it is only compared. This module is the comparison,
over plain data, so it is tested without a database.

What the bank's account holds, seen from the ledger: a batch's money sits at the bank from its
funding until it is paid to a beneficiary or returned to finance. A failed line's money moves
from clearing to suspense in the ledger but stays in the bank's account, so the ledger side of
the account is the batch's clearing *and* suspense postings together (a re-issue, suspense back
to clearing, moves nothing at the bank). The movements (:class:`Movement`, signed: + into the
account) are therefore:

* funding: the batch total comes in (the bank's CREDIT, naming the batch);
* each paid line goes out (a DEBIT naming the batch and line — ISO 20022 EndToEndId
  ``<batch>-<seq>`` — or one DEBIT for a result file's or the batch's paid total);
* the surplus refund at close goes out (a DEBIT naming the batch);
* any other transaction that changes the batch's money at the bank, batch-level.

Matching, in order, each statement entry used once and each ledger movement used once:

1. an entry naming batch and line is matched to the ledger's payment of that line;
2. an entry naming a batch only is matched to a batch-level movement of that batch of the same
   amount, else to one result file's unmatched line payments of that batch adding up to it,
   else to all of the batch's unmatched line payments;
3. an entry naming nothing is matched by amount to the nearest movement dated within the
   tolerance (a single movement, else a result file's unmatched line payments).

A reference that finds its movement with another amount is an amount mismatch (when the
reference points at exactly one candidate); a match by reference whose dates lie further apart
than the tolerance is a date mismatch. What is left over is a break: an entry the ledger does not
have, or a movement (dated inside the period) the statement does not show. Movements dated
within the tolerance outside the period may match an entry (the bank booked it a day later) but
are never listed as missing: they belong to the next or previous period.

In balance: every statement's closing balance follows from its opening balance and its
entries; each statement opens with the closing balance of the one before; and the last closing
balance equals the ledger's balance of the account at the end of the period. Breaks explain a
balance difference; ``unexplained_fen`` is what they do not.
"""
from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

import i18n
from domain.model import EntrySide, StatementEntry, StatementHeader

DEFAULT_TOLERANCE_DAYS = 3  # a bank books funding or a transfer back up to a few days apart from us


class BreakKind(enum.StrEnum):
    STATEMENT_ONLY = "STATEMENT_ONLY"  # on the statement, no ledger movement for it
    LEDGER_ONLY = "LEDGER_ONLY"  # in the ledger within the period, not on the statement
    AMOUNT_MISMATCH = "AMOUNT_MISMATCH"  # the reference matches, the amount does not
    DATE_MISMATCH = "DATE_MISMATCH"  # the reference and amount match, the dates lie too far apart
    STATEMENT_UNBALANCED = "STATEMENT_UNBALANCED"  # opening + entries != closing, or header totals off
    BALANCE_GAP = "BALANCE_GAP"  # a statement does not open with the previous one's closing balance
    BALANCE_MISMATCH = "BALANCE_MISMATCH"  # the last closing balance differs from the ledger's


# The label a reconciliation's content carries for each kind, in both languages as the signed
# content always has ("金额不符 amount differs"); the words are i18n's (catalogue_codes.py).
LABELS = {kind: " ".join(i18n.WORDS[f"break.{kind.value}"]) for kind in BreakKind}


@dataclass(frozen=True, slots=True)
class Statement:
    """One statement as received: its header and entries (in the bank's order of statements)."""

    header: StatementHeader
    entries: Sequence[StatementEntry]


@dataclass(frozen=True, slots=True)
class Movement:
    """A change of the money at the bank, as the ledger booked it.

    ``amount_fen`` is signed as the bank sees the account: positive into it (funding), negative
    out of it (a payment, a refund). ``day`` is the bank's local date of the booking.
    """

    kind: str  # the ledger transaction's kind: FUND, RESULT, REFUND, ...
    batch_id: str
    amount_fen: int
    day: date
    transaction_id: str
    line_seq: int | None = None  # a line paid: RESULT transactions are itemised by line
    file_id: int | None = None  # the result file a payment was booked from


@dataclass(frozen=True, slots=True)
class Break:
    """One difference. Amounts are signed like :class:`Movement` (a debit is negative)."""

    kind: BreakKind
    statement_id: str = ""
    entry_seq: int | None = None
    batch_id: str = ""
    line_seq: int | None = None
    statement_fen: int = 0
    ledger_fen: int = 0
    day: date | None = None
    transaction_ids: tuple[str, ...] = ()
    detail: str = ""


@dataclass(frozen=True, slots=True)
class Matched:
    """A statement entry and the ledger movement(s) it stands for."""

    statement_id: str
    entry_seq: int
    batch_id: str
    kind: str  # the movements' transaction kind (FUND, RESULT, REFUND...)
    amount_fen: int  # signed
    movements: int


@dataclass(frozen=True, slots=True)
class Reconciliation:
    from_date: date
    to_date: date
    opening_fen: int  # the first statement's opening balance (0 without statements)
    closing_fen: int  # the last statement's closing balance
    credit_fen: int  # the statements' entries, by side
    debit_fen: int
    entries: int
    ledger_balance_fen: int  # the ledger's balance of the account at the end of to_date
    matched: tuple[Matched, ...]
    breaks: tuple[Break, ...]
    unexplained_fen: int  # closing - ledger balance, less what the line breaks account for
    counts: dict[BreakKind, int] = field(default_factory=dict)

    @property
    def in_balance(self) -> bool:
        return not any(b.kind in _BALANCE_KINDS for b in self.breaks)

    @property
    def clean(self) -> bool:
        return not self.breaks


_BALANCE_KINDS = frozenset({BreakKind.STATEMENT_UNBALANCED, BreakKind.BALANCE_GAP, BreakKind.BALANCE_MISMATCH})


def signed(entry: StatementEntry) -> int:
    """The entry's amount as the account sees it: + credit, - debit."""
    return entry.amount_fen if entry.side is EntrySide.CREDIT else -entry.amount_fen


def reconcile(
    statements: Sequence[Statement],
    movements: Iterable[Movement],
    ledger_balance_fen: int,
    from_date: date,
    to_date: date,
    tolerance_days: int = DEFAULT_TOLERANCE_DAYS,
) -> Reconciliation:
    """Match the statements' entries to the ledger's movements and check the balances.

    ``movements`` are the account's ledger movements dated from ``from_date - tolerance`` to
    ``to_date + tolerance``; ``ledger_balance_fen`` the ledger's balance of the account at the
    end of ``to_date``. See the module docstring for the rules.
    """
    breaks = _statement_balances(statements)
    located = [(s.header.statement_id, e) for s in statements for e in s.entries]
    matched, line_breaks = match(located, movements, from_date, to_date, tolerance_days)
    breaks += line_breaks

    opening = statements[0].header.opening_balance_fen if statements else 0
    closing = statements[-1].header.closing_balance_fen if statements else 0
    explained = sum(b.statement_fen - b.ledger_fen for b in breaks
                    if b.kind in (BreakKind.STATEMENT_ONLY, BreakKind.LEDGER_ONLY, BreakKind.AMOUNT_MISMATCH))
    unexplained = closing - ledger_balance_fen - explained
    if statements and closing != ledger_balance_fen:
        last = statements[-1].header
        breaks.append(Break(BreakKind.BALANCE_MISMATCH, last.statement_id, statement_fen=closing,
                            ledger_fen=ledger_balance_fen, day=to_date,
                            detail=f"closing balance {closing} fen, ledger {ledger_balance_fen} fen at the end of "
                                   f"{to_date}; {unexplained} fen not explained by the breaks listed"))
    counts: dict[BreakKind, int] = defaultdict(int)
    for b in breaks:
        counts[b.kind] += 1
    return Reconciliation(
        from_date, to_date, opening, closing,
        sum(e.amount_fen for _, e in located if e.side is EntrySide.CREDIT),
        sum(e.amount_fen for _, e in located if e.side is EntrySide.DEBIT),
        len(located), ledger_balance_fen, tuple(matched), tuple(breaks), unexplained, dict(counts),
    )


def match(
    located: Sequence[tuple[str, StatementEntry]],
    movements: Iterable[Movement],
    from_date: date,
    to_date: date,
    tolerance_days: int = DEFAULT_TOLERANCE_DAYS,
) -> tuple[list[Matched], list[Break]]:
    """Match entries (each with its statement id) to movements, without any balance check: what
    a batch's figures need, where the entries are only the batch's part of each statement."""
    tolerance = timedelta(days=tolerance_days)
    pool = _Pool(list(movements))
    breaks: list[Break] = []
    matched: list[Matched] = []
    by_line = [(sid, e) for sid, e in located if e.batch_id and e.line_seq is not None]
    by_batch = [(sid, e) for sid, e in located if e.batch_id and e.line_seq is None]
    by_amount = [(sid, e) for sid, e in located if not e.batch_id]
    left: list[tuple[str, StatementEntry]] = []

    for sid, e in by_line:
        found = pool.take_line(e.batch_id, e.line_seq)
        if found is None:
            left.append((sid, e))
            continue
        _judge(sid, e, [found], tolerance, matched, breaks)
    for sid, e in by_batch:
        group = pool.take_batch(e.batch_id, signed(e), e.booking_date)
        if group is None:
            group = pool.take_only_candidate(e.batch_id, signed(e))
        if group is None:
            left.append((sid, e))
            continue
        _judge(sid, e, group, tolerance, matched, breaks)
    for sid, e in by_amount:
        group = pool.take_by_amount(signed(e), e.booking_date, tolerance)
        if group is None:
            left.append((sid, e))
            continue
        _judge(sid, e, group, tolerance, matched, breaks)

    for sid, e in left:
        breaks.append(Break(BreakKind.STATEMENT_ONLY, sid, e.seq, e.batch_id, e.line_seq, signed(e), 0,
                            e.booking_date, detail=f"{e.side.value} {e.amount_fen} fen, bank reference {e.reference}"))
    for m in pool.remaining():
        if from_date <= m.day <= to_date:
            breaks.append(Break(BreakKind.LEDGER_ONLY, "", None, m.batch_id, m.line_seq, 0, m.amount_fen, m.day,
                                (m.transaction_id,), detail=f"{m.kind} booked {m.day}, not on the statement"))
    return matched, breaks


def _judge(sid: str, e: StatementEntry, group: list[Movement], tolerance: timedelta,
           matched: list[Matched], breaks: list[Break]) -> None:
    """Record an entry matched by reference or amount, with the breaks the pairing shows."""
    ledger = sum(m.amount_fen for m in group)
    txns = tuple(sorted({m.transaction_id for m in group}))
    line_seq = e.line_seq if e.line_seq is not None else (group[0].line_seq if len(group) == 1 else None)
    batch_id = e.batch_id or group[0].batch_id
    if ledger != signed(e):
        breaks.append(Break(BreakKind.AMOUNT_MISMATCH, sid, e.seq, batch_id, line_seq, signed(e), ledger,
                            e.booking_date, txns,
                            f"statement {signed(e)} fen, ledger {ledger} fen ({group[0].kind})"))
    else:
        latest = max(m.day for m in group)
        if abs((e.booking_date - latest).days) > tolerance.days:
            breaks.append(Break(BreakKind.DATE_MISMATCH, sid, e.seq, batch_id, line_seq, signed(e), ledger,
                                e.booking_date, txns,
                                f"booked by the bank on {e.booking_date}, in the ledger on {latest}"))
    matched.append(Matched(sid, e.seq, batch_id, group[0].kind, signed(e), len(group)))


def _statement_balances(statements: Sequence[Statement]) -> list[Break]:
    out = []
    previous: StatementHeader | None = None
    for s in statements:
        h = s.header
        credit = sum(e.amount_fen for e in s.entries if e.side is EntrySide.CREDIT)
        debit = sum(e.amount_fen for e in s.entries if e.side is EntrySide.DEBIT)
        problems = []
        if h.opening_balance_fen + credit - debit != h.closing_balance_fen:
            problems.append(f"opening {h.opening_balance_fen} + credits {credit} - debits {debit} "
                            f"is not the closing balance {h.closing_balance_fen}")
        if (len(s.entries), credit, debit) != (h.count, h.credit_fen, h.debit_fen):
            problems.append(f"entries {len(s.entries)}/{credit}/{debit} fen, header says "
                            f"{h.count}/{h.credit_fen}/{h.debit_fen}")
        if problems:
            out.append(Break(BreakKind.STATEMENT_UNBALANCED, h.statement_id, statement_fen=h.closing_balance_fen,
                             ledger_fen=h.opening_balance_fen + credit - debit, day=h.to_date,
                             detail="; ".join(problems)))
        if previous is not None and previous.closing_balance_fen != h.opening_balance_fen:
            out.append(Break(BreakKind.BALANCE_GAP, h.statement_id, statement_fen=h.opening_balance_fen,
                             ledger_fen=previous.closing_balance_fen, day=h.from_date,
                             detail=f"opens with {h.opening_balance_fen} fen, statement {previous.statement_id} "
                                    f"closed with {previous.closing_balance_fen} fen"))
        previous = h
    return out


class _Pool:
    """The ledger's movements not matched yet, indexed the ways entries look for them."""

    def __init__(self, movements: list[Movement]):
        self.free = [True] * len(movements)
        self.movements = movements
        self.lines: dict[tuple[str, int], list[int]] = defaultdict(list)
        self.batch_level: dict[str, list[int]] = defaultdict(list)
        self.batch_lines: dict[str, list[int]] = defaultdict(list)
        self.amounts: dict[int, list[int]] = defaultdict(list)
        for i, m in enumerate(movements):
            self.amounts[m.amount_fen].append(i)
            if m.line_seq is not None:
                self.lines[(m.batch_id, m.line_seq)].append(i)
                self.batch_lines[m.batch_id].append(i)
            else:
                self.batch_level[m.batch_id].append(i)

    def _take(self, indexes: Iterable[int]) -> list[Movement]:
        out = []
        for i in indexes:
            self.free[i] = False
            out.append(self.movements[i])
        return out

    def _free(self, indexes: Iterable[int]) -> list[int]:
        return [i for i in indexes if self.free[i]]

    def take_line(self, batch_id: str, line_seq: int) -> Movement | None:
        free = self._free(self.lines.get((batch_id, line_seq), ()))
        return self._take(free[:1])[0] if free else None

    def _file_groups(self, batch_id: str | None) -> list[list[int]]:
        """Unmatched line payments grouped by result file (of one batch, or of every batch)."""
        groups: dict[tuple[str, int | None], list[int]] = defaultdict(list)
        indexes = self.batch_lines.get(batch_id, ()) if batch_id is not None else (
            i for ids in self.batch_lines.values() for i in ids)
        for i in self._free(indexes):
            m = self.movements[i]
            groups[(m.batch_id, m.file_id)].append(i)
        return list(groups.values())

    def _nearest(self, candidates: list[list[int]], day: date) -> list[int]:
        return min(candidates, key=lambda g: abs((max(self.movements[i].day for i in g) - day).days))

    def take_batch(self, batch_id: str, amount: int, day: date) -> list[Movement] | None:
        """The batch's movement(s) of exactly ``amount`` booked nearest ``day``: a batch-level
        movement, one result file's payments, or all of the batch's unmatched payments."""
        candidates = [[i] for i in self._free(self.batch_level.get(batch_id, ()))
                      if self.movements[i].amount_fen == amount]
        candidates += [g for g in self._file_groups(batch_id)
                       if sum(self.movements[i].amount_fen for i in g) == amount]
        whole = self._free(self.batch_lines.get(batch_id, ()))
        if whole and sum(self.movements[i].amount_fen for i in whole) == amount:
            candidates.append(whole)
        return self._take(self._nearest(candidates, day)) if candidates else None

    def take_only_candidate(self, batch_id: str, amount: int) -> list[Movement] | None:
        """The one movement of the batch the entry can stand for, whatever its amount: a
        batch-level movement of the same direction, or the batch's unmatched payments."""
        same_way = [[i] for i in self._free(self.batch_level.get(batch_id, ()))
                    if (self.movements[i].amount_fen > 0) == (amount > 0)]
        payments = self._free(self.batch_lines.get(batch_id, ()))
        if payments and amount < 0:
            same_way.append(payments)
        return self._take(same_way[0]) if len(same_way) == 1 else None

    def take_by_amount(self, amount: int, day: date, tolerance: timedelta) -> list[Movement] | None:
        def near(g: list[int]) -> bool:
            return abs((max(self.movements[i].day for i in g) - day).days) <= tolerance.days

        single = [[i] for i in self._free(self.amounts.get(amount, ())) if near([i])]
        if single:
            return self._take(self._nearest(single, day))
        files = [g for g in self._file_groups(None)
                 if sum(self.movements[i].amount_fen for i in g) == amount and near(g)]
        return self._take(self._nearest(files, day)) if files else None

    def remaining(self) -> list[Movement]:
        return [m for m, free in zip(self.movements, self.free, strict=True) if free]
