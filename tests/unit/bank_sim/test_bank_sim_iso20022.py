"""SimulatedBank with the real ISO 20022 format: pain.001 in, schema-valid pain.002 out."""
from __future__ import annotations

import pytest

from bank_sim.bank import SimulatedBank
from bank_sim.outcomes import decide, payment_ref
from domain.model import PaymentOutcome
from tests.support.fake_format import make_lines, write_payment_file

iso20022 = pytest.importorskip("bank_formats.iso20022")


@pytest.fixture
def fmt(official_schemas):
    # with schemas: the simulator validates what it reads, and we validate what it wrote
    return iso20022.Iso20022Format(schema_dir=official_schemas)


def test_pain001_in_pain002_out(tmp_path, fmt):
    bank = SimulatedBank(tmp_path, fmt, seed=5, bank_code="SIM", failure_rate_ppm=80_000)
    lines = make_lines(300)
    header = write_payment_file(fmt, tmp_path / "inbox" / "PAY_B7.xml", lines, batch_id="B7")

    (result,) = bank.process_once()

    assert result == tmp_path / "outbox" / "RESULT_PAY_B7.xml"
    assert (tmp_path / "outbox" / "RESULT_PAY_B7.xml.done").exists()
    with open(result, "rb") as f:
        reader = fmt.read_results(f, result.name)
        records = list(reader)  # schema-validated, control totals checked by the reader
    rh = reader.header
    assert rh.original_file_id == header.file_id and rh.batch_id == "B7" and rh.count == 300
    expected = [decide(5, "B7", x, 80_000) for x in lines]
    assert [(r.seq, r.outcome, r.amount_fen, r.reason) for r in records] == [
        (e.seq, e.outcome, e.amount_fen, e.reason) for e in expected
    ]
    failed = [r for r in records if r.outcome is PaymentOutcome.FAILED]
    assert failed and all(r.bank_code and r.bank_text for r in failed)
    # every payment under its own reference, in AcctSvcrRef; failures without one
    assert [r.bank_ref for r in records] == [
        payment_ref("SIM", 5, header.file_id, r.seq) if r.outcome is PaymentOutcome.PAID else ""
        for r in records]
    assert result.read_bytes().count(b"<AcctSvcrRef>") == 300 - len(failed)
    assert rh.failed_count == len(failed) and rh.paid_count == 300 - len(failed)
    assert (tmp_path / "processed" / "PAY_B7.xml").exists()


def test_garbage_xml_is_rejected(tmp_path, fmt):
    bank = SimulatedBank(tmp_path, fmt, seed=5, bank_code="SIM")
    (tmp_path / "inbox" / "PAY_BAD.xml").write_bytes(b"<Document><oops></Document>")
    (tmp_path / "inbox" / "PAY_EMPTY.xml").write_bytes(b"")
    assert bank.process_once() == []
    for name in ("PAY_BAD.xml", "PAY_EMPTY.xml"):
        assert (tmp_path / "rejected" / name).exists()
        assert (tmp_path / "rejected" / f"{name}.error.txt").read_text(encoding="utf-8").strip()
    assert list((tmp_path / "outbox").iterdir()) == []
