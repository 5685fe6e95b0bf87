"""Round trip: a bank whose profile says ``[statements] format = "mt940"`` gets MT940 statements
from the simulator, and the service's MT940 reader reads them back as the simulator meant them."""
from __future__ import annotations

from datetime import date
from pathlib import Path

from bank_sim.bank import SimulatedBank
from bank_sim.outcomes import decide
from domain.model import EntrySide, PaymentOutcome
from service.profiles import profile_from_dict
from tests.support.fake_format import make_lines, write_payment_file

PPM = 200_000


def test_the_simulators_mt940_statements_read_back(tmp_path):
    profile = profile_from_dict({"bank": {"code": "MTB01"}, "format": {"family": "delimited"},
                                 "statements": {"format": "mt940"}}, base=tmp_path, source="MTB01.toml")
    fmt, stmt = profile.bank_format, profile.statement_format
    bank = SimulatedBank.for_profile(tmp_path, profile, seed=5, failure_rate_ppm=PPM)
    lines = make_lines(60)
    balance = 0
    for n, batch in enumerate(["B20261102AAAA", "B20261102BBBB"], start=1):
        name = profile.naming.payment_name(profile.code, batch, date(2026, 11, 2), fmt.file_suffix)
        header = write_payment_file(fmt, tmp_path / profile.inbox / name, lines, batch_id=batch)
        bank.process_once()
        (path,) = [p for p in Path(tmp_path / profile.outbox).iterdir()
                   if profile.naming.is_statement(p.name, ".940") and p.name.endswith(f"{n:04d}.940")]
        with open(path, "rb") as f:
            reader = stmt.read_statement(f, path.name)
            entries = list(reader)
        # what the simulator decided for each line, asked of its rules directly
        paid = [ln for ln in lines
                if decide(5, header.batch_id, ln, PPM).outcome is PaymentOutcome.PAID and ln.amount_fen]
        assert [(e.side, e.amount_fen, e.batch_id, e.line_seq) for e in entries] == (
            [(EntrySide.CREDIT, header.total_fen, batch, None)]
            + [(EntrySide.DEBIT, ln.amount_fen, batch, ln.seq) for ln in paid])
        h = reader.header
        assert h.opening_balance_fen == balance and reader.skipped == []
        assert (h.credit_fen, h.debit_fen) == (header.total_fen, sum(ln.amount_fen for ln in paid))
        balance = h.closing_balance_fen
        assert balance == h.opening_balance_fen + h.credit_fen - h.debit_fen
