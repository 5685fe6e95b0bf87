"""The statement matcher: a bank statement against the ledger's movements of the clearing account."""
from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.model import EntrySide, StatementEntry, StatementHeader
from domain.statement_match import BreakKind, Movement, Statement, reconcile, signed

D = date(2026, 12, 1)
CREDIT, DEBIT = EntrySide.CREDIT, EntrySide.DEBIT


def _statement(sid: str, entries: list[StatementEntry], opening: int = 0, day: date = D) -> Statement:
    """A statement whose header agrees with its entries."""
    entries = [replace(e, seq=n) for n, e in enumerate(entries, start=1)]
    credit = sum(e.amount_fen for e in entries if e.side is CREDIT)
    debit = sum(e.amount_fen for e in entries if e.side is DEBIT)
    days = [e.booking_date for e in entries] or [day]
    header = StatementHeader(sid, "15000012345678", datetime(2026, 12, 1, 18), min(days), max(days), opening,
                             opening + credit - debit, len(entries), credit, debit)
    return Statement(header, entries)


def _entry(side: EntrySide, fen: int, batch: str = "", line: int | None = None, day: date = D) -> StatementEntry:
    return StatementEntry(0, side, fen, day, f"REF{batch}{line}{fen}", batch_id=batch, line_seq=line)


def _history() -> list[Movement]:
    """Batch B1 funded 600, lines 1 (100) and 2 (200) paid by file 7, line 3 (300) failed; refund 300."""
    return [
        Movement("FUND", "B1", 600, D, "t-fund"),
        Movement("RESULT", "B1", -100, D, "t-res", line_seq=1, file_id=7),
        Movement("RESULT", "B1", -200, D, "t-res", line_seq=2, file_id=7),
        Movement("REFUND", "B1", -300, D + timedelta(days=1), "t-ref"),
    ]


def _bank_view() -> list[StatementEntry]:
    return [
        _entry(CREDIT, 600, "B1"),
        _entry(DEBIT, 100, "B1", 1),
        _entry(DEBIT, 200, "B1", 2),
        _entry(DEBIT, 300, "B1", day=D + timedelta(days=1)),
    ]


def _kinds(result) -> set[BreakKind]:
    return {b.kind for b in result.breaks}


def test_a_statement_that_shows_what_the_ledger_booked_is_clean_and_in_balance():
    result = reconcile([_statement("S1", _bank_view())], _history(), 0, D, D + timedelta(days=1))
    assert result.clean and result.in_balance
    assert (result.credit_fen, result.debit_fen, result.closing_fen) == (600, 600, 0)
    assert sorted(m.kind for m in result.matched) == ["FUND", "REFUND", "RESULT", "RESULT"]
    assert result.unexplained_fen == 0


def test_payments_may_be_one_debit_per_result_file_or_unreferenced():
    aggregated = [_entry(CREDIT, 600, "B1"), _entry(DEBIT, 300, "B1"), _entry(DEBIT, 300)]
    aggregated[2] = replace(aggregated[2], booking_date=D + timedelta(days=1))
    result = reconcile([_statement("S1", aggregated)], _history(), 0, D, D + timedelta(days=1))
    assert result.clean, result.breaks
    by_kind = {m.kind: m.movements for m in result.matched}
    assert by_kind == {"FUND": 1, "RESULT": 2, "REFUND": 1}  # the file's two lines in one debit


def test_an_entry_the_ledger_does_not_have_is_listed():
    entries = [*_bank_view(), _entry(DEBIT, 50, "B1", 9)]
    result = reconcile([_statement("S1", entries)], _history(), 0, D, D + timedelta(days=1))
    (brk,) = [b for b in result.breaks if b.kind is BreakKind.STATEMENT_ONLY]
    assert (brk.statement_id, brk.entry_seq, brk.batch_id, brk.line_seq, brk.statement_fen) == ("S1", 5, "B1", 9, -50)
    assert _kinds(result) == {BreakKind.STATEMENT_ONLY, BreakKind.BALANCE_MISMATCH}
    assert result.unexplained_fen == 0 and not result.in_balance


def test_a_ledger_movement_missing_from_the_statement_is_listed():
    entries = _bank_view()[:-1]  # the bank has not shown the refund
    result = reconcile([_statement("S1", entries)], _history(), 0, D, D + timedelta(days=1))
    (brk,) = [b for b in result.breaks if b.kind is BreakKind.LEDGER_ONLY]
    assert (brk.batch_id, brk.ledger_fen, brk.transaction_ids) == ("B1", -300, ("t-ref",))
    assert result.closing_fen - result.ledger_balance_fen == 300 and result.unexplained_fen == 0


def test_a_movement_dated_after_the_period_is_not_missing_but_may_match():
    entries = _bank_view()[:-1]
    result = reconcile([_statement("S1", entries)], _history(), 300, D, D)
    assert result.clean  # the refund of the next day belongs to the next period
    late = [*entries[:-1], replace(entries[-1], booking_date=D + timedelta(days=1))]
    history = [*_history()[:2], replace(_history()[2], day=D)]
    assert reconcile([_statement("S1", late)], history, 300, D, D + timedelta(days=1)).clean


def test_an_amount_that_differs_from_the_ledger_is_a_mismatch_on_that_line():
    entries = _bank_view()
    entries[2] = replace(entries[2], amount_fen=210)
    result = reconcile([_statement("S1", entries)], _history(), 0, D, D + timedelta(days=1))
    (brk,) = [b for b in result.breaks if b.kind is BreakKind.AMOUNT_MISMATCH]
    assert (brk.line_seq, brk.statement_fen, brk.ledger_fen, brk.transaction_ids) == (2, -210, -200, ("t-res",))
    assert BreakKind.BALANCE_MISMATCH in _kinds(result) and result.unexplained_fen == 0


def test_funding_of_another_amount_is_a_mismatch():
    entries = _bank_view()
    entries[0] = replace(entries[0], amount_fen=500)
    result = reconcile([_statement("S1", entries)], _history(), -100, D, D + timedelta(days=1))
    assert _kinds(result) == {BreakKind.AMOUNT_MISMATCH}
    assert result.breaks[0].ledger_fen == 600 and result.in_balance


def test_a_match_by_reference_booked_too_far_apart_is_a_date_mismatch():
    entries = _bank_view()
    entries[0] = replace(entries[0], booking_date=D - timedelta(days=10))
    result = reconcile([_statement("S1", entries)], _history(), 0, D - timedelta(days=10), D + timedelta(days=1))
    (brk,) = result.breaks
    assert brk.kind is BreakKind.DATE_MISMATCH and brk.batch_id == "B1"


def test_a_statement_that_does_not_add_up_or_does_not_follow_the_previous_one_is_out_of_balance():
    first = _statement("S1", _bank_view()[:3], opening=0)
    second = _statement("S2", _bank_view()[3:], opening=0)  # S1 closed with 300
    result = reconcile([first, second], _history(), 0, D, D + timedelta(days=1))
    assert _kinds(result) == {BreakKind.BALANCE_GAP, BreakKind.BALANCE_MISMATCH}
    assert not result.in_balance
    broken = Statement(replace(first.header, closing_balance_fen=1), first.entries)
    second = _statement("S2", _bank_view()[3:], opening=1)
    result = reconcile([broken, second], _history(), 0, D, D + timedelta(days=1))
    assert BreakKind.STATEMENT_UNBALANCED in _kinds(result)


def test_a_line_paid_twice_on_the_statement_is_listed_once_as_extra():
    entries = [*_bank_view(), _entry(DEBIT, 100, "B1", 1)]
    result = reconcile([_statement("S1", entries)], _history(), 0, D, D + timedelta(days=1))
    assert [(b.kind, b.line_seq) for b in result.breaks if b.kind is BreakKind.STATEMENT_ONLY] == [
        (BreakKind.STATEMENT_ONLY, 1)]


# --- property: a statement made from a ledger history reconciles clean; a change is reported


@st.composite
def histories(draw):
    """Ledger movements of a few batches, and the statements a bank would send of them."""
    movements: list[Movement] = []
    entries: list[StatementEntry] = []
    for b in range(draw(st.integers(1, 3))):
        batch = f"B{b}"
        day = D + timedelta(days=draw(st.integers(0, 6)))
        amounts = draw(st.lists(st.integers(1, 10**9), min_size=1, max_size=6))
        paid = draw(st.lists(st.booleans(), min_size=len(amounts), max_size=len(amounts)))
        total = sum(amounts)
        movements.append(Movement("FUND", batch, total, day, f"{batch}-f"))
        entries.append(_entry(CREDIT, total, batch, day=day))
        style = draw(st.sampled_from(["line", "file"]))
        files = draw(st.integers(1, 2))
        for f in range(files):
            pay_day = day + timedelta(days=f)
            mine = [(seq, a) for seq, (a, ok) in enumerate(zip(amounts, paid, strict=True), start=1)
                    if ok and seq % files == f]
            movements += [Movement("RESULT", batch, -a, pay_day, f"{batch}-r{f}", seq, f) for seq, a in mine]
            if style == "line":
                entries += [_entry(DEBIT, a, batch, seq, day=pay_day) for seq, a in mine]
            elif mine:
                entries.append(_entry(DEBIT, sum(a for _, a in mine), batch, day=pay_day))
        surplus = sum(a for a, ok in zip(amounts, paid, strict=True) if not ok)
        if surplus and draw(st.booleans()):
            close_day = day + timedelta(days=files + 1)
            movements.append(Movement("REFUND", batch, -surplus, close_day, f"{batch}-x"))
            entries.append(_entry(DEBIT, surplus, batch, day=close_day))
    entries.sort(key=lambda e: e.booking_date)
    cut = draw(st.integers(0, len(entries)))
    first = _statement("S1", entries[:cut], opening=0)
    statements = [first, _statement("S2", entries[cut:], opening=first.header.closing_balance_fen)]
    days = [m.day for m in movements]
    return statements, movements, min(days), max(days)


def _run(statements, movements, start, end):
    return reconcile(statements, movements, sum(m.amount_fen for m in movements), start, end)


@settings(max_examples=150, deadline=None)
@given(histories())
def test_a_statement_generated_from_the_ledger_always_reconciles_clean(world):
    result = _run(*world)
    assert result.clean, result.breaks
    assert result.entries == len(result.matched)


@settings(max_examples=200, deadline=None)
@given(histories(), st.data())
def test_any_single_change_is_reported(world, data):
    statements, movements, start, end = world
    change = data.draw(st.sampled_from(["amount", "drop_entry", "extra_entry", "drop_movement", "closing",
                                        "ledger_balance"]))
    ledger_balance = sum(m.amount_fen for m in movements)
    at = data.draw(st.integers(0, 1))
    s = statements[at]
    entries = list(s.entries)
    if change in ("amount", "drop_entry") and not entries:
        at, s = 1 - at, statements[1 - at]
        entries = list(s.entries)
    if change == "amount":
        i = data.draw(st.integers(0, len(entries) - 1))
        entries[i] = replace(entries[i], amount_fen=entries[i].amount_fen + data.draw(st.integers(1, 1000)))
    elif change == "drop_entry":
        del entries[data.draw(st.integers(0, len(entries) - 1))]
    elif change == "extra_entry":
        entries.append(_entry(data.draw(st.sampled_from([CREDIT, DEBIT])), data.draw(st.integers(1, 10**6)),
                              data.draw(st.sampled_from(["", "B0", "ZZ"])), day=start))
    elif change == "drop_movement":
        movements = list(movements)
        gone = movements.pop(data.draw(st.integers(0, len(movements) - 1)))
        ledger_balance -= gone.amount_fen
    elif change == "ledger_balance":
        ledger_balance += data.draw(st.integers(1, 1000)) * data.draw(st.sampled_from([1, -1]))
    if change == "closing":  # a header that no longer follows from its entries
        changed = Statement(replace(s.header, closing_balance_fen=s.header.closing_balance_fen + 1), s.entries)
    elif change in ("amount", "drop_entry", "extra_entry"):
        # the bank's file is consistent in itself: its header follows the changed entries, and
        # the statement after it continues from its new closing balance
        changed = _statement(s.header.statement_id, entries, opening=s.header.opening_balance_fen)
    else:
        changed = s
    statements = list(statements)
    statements[at] = changed
    if at == 0 and change != "closing":
        nxt = statements[1]
        statements[1] = _statement(nxt.header.statement_id, list(nxt.entries),
                                   opening=changed.header.closing_balance_fen)
    result = reconcile(statements, movements, ledger_balance, start, end)
    assert not result.clean
    kinds = {b.kind for b in result.breaks}
    expected = {
        "amount": {BreakKind.AMOUNT_MISMATCH, BreakKind.STATEMENT_ONLY, BreakKind.LEDGER_ONLY},
        "drop_entry": {BreakKind.LEDGER_ONLY, BreakKind.AMOUNT_MISMATCH},
        "extra_entry": {BreakKind.STATEMENT_ONLY, BreakKind.AMOUNT_MISMATCH},
        "drop_movement": {BreakKind.STATEMENT_ONLY, BreakKind.AMOUNT_MISMATCH},
        "closing": {BreakKind.STATEMENT_UNBALANCED},
        "ledger_balance": {BreakKind.BALANCE_MISMATCH},
    }[change]
    assert kinds & expected, (change, result.breaks)
    if change != "closing":
        assert BreakKind.BALANCE_MISMATCH in kinds and result.unexplained_fen == (
            0 if change != "ledger_balance" else result.closing_fen - ledger_balance)


def test_signed_amounts_follow_the_side():
    assert signed(_entry(CREDIT, 5)) == 5 and signed(_entry(DEBIT, 5)) == -5
