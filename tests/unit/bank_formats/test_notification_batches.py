"""A camt.054 notification naming several batches, read one batch at a time (issue 15): the
reader chooses the first batch by default or the one asked for, skips the others' transactions
as OTHER_BATCH and lists them by batch in order of first appearance, and says whether the file
read soundly outside the batch read (``others_known``), so the service can book every batch."""
from __future__ import annotations

import io
from datetime import datetime, timezone

import pytest

import bank_formats
from bank_formats.base import FormatError
from domain.model import FailureReason, PaymentOutcome, ResultFileHeader, ResultRecord

CAMT054 = "camt.054.001.08"
AT = datetime(2026, 11, 5, 10, 0, tzinfo=timezone.utc)
PAID, FAILED = PaymentOutcome.PAID, PaymentOutcome.FAILED
# batch -> (our payment file's MsgId, its records)
BATCHES = {
    "B2026-1": ("PAY-1", [ResultRecord(1, PAID, 100, "", None, "", "", "R11", ""),
                          ResultRecord(2, FAILED, 250, "", FailureReason.ACCOUNT_CLOSED, "AC04", "", "R12", "")]),
    "B2026-2": ("PAY-2", [ResultRecord(1, PAID, 300, "", None, "", "", "R21", ""),
                          ResultRecord(2, PAID, 400, "", None, "", "", "R22", ""),
                          ResultRecord(3, PAID, 500, "", None, "", "", "R23", "")]),
    "B2026-3": ("PAY-3", [ResultRecord(7, PAID, 600, "", None, "", "", "R37", "")]),
}


def _header(batch_id: str) -> ResultFileHeader:
    original, records = BATCHES[batch_id]
    paid = [r.amount_fen for r in records if r.outcome is PAID]
    failed = [r.amount_fen for r in records if r.outcome is FAILED]
    return ResultFileHeader("N", original, batch_id, AT, len(records), len(paid), sum(paid), len(failed), sum(failed))


def _entries(batch_id: str) -> list[bytes]:
    out = io.BytesIO()
    bank_formats.get("iso20022", results=CAMT054).write_results(out, _header(batch_id), BATCHES[batch_id][1])
    return out.getvalue().split(b"\n")


def notification(order: list[str]) -> bytes:
    """One notification whose entries are taken from each batch's answer in ``order`` (a batch
    named again takes its next entry)."""
    lines = {b: [ln for ln in _entries(b) if ln.startswith(b"<Ntry>")] for b in BATCHES}
    shell = _entries("B2026-1")
    at = next(i for i, ln in enumerate(shell) if ln.startswith(b"<Ntry>"))
    body = [lines[b].pop(0) for b in order]
    rest = [ln for ln in shell[at:] if not ln.startswith(b"<Ntry>")]
    return b"\n".join(shell[:at] + body + rest)


ORDER = ["B2026-2", "B2026-1", "B2026-3", "B2026-2", "B2026-1", "B2026-2"]


def read(data: bytes, batch_id: str | None = None):
    reader = bank_formats.get("iso20022", results=CAMT054).read_results(io.BytesIO(data), "n.xml", batch_id)
    return reader, list(reader)


def test_the_first_batch_is_read_and_the_others_listed_in_order_of_appearance():
    reader, records = read(notification(ORDER))
    assert (reader.header.batch_id, reader.header.original_file_id) == ("B2026-2", "PAY-2")
    assert records == BATCHES["B2026-2"][1]
    assert list(reader.other_batches) == ["B2026-1", "B2026-3"]
    assert [o.original_file_id for o in reader.other_batches.values()] == ["PAY-1", "PAY-3"]
    assert [(s.reason, s.amount_fen) for s in reader.other_batches["B2026-1"].skipped] == [
        ("OTHER_BATCH", r.amount_fen) for r in BATCHES["B2026-1"][1]]
    assert [s.reason for s in reader.skipped] == ["OTHER_BATCH"] * 3
    assert reader.others_known


@pytest.mark.parametrize("batch_id", list(BATCHES))
def test_each_batch_is_read_when_asked_for(batch_id):
    reader, records = read(notification(ORDER), batch_id)
    assert (reader.header.batch_id, reader.header.original_file_id) == (batch_id, BATCHES[batch_id][0])
    assert records == BATCHES[batch_id][1]
    assert list(reader.other_batches) == [b for b in dict.fromkeys(ORDER) if b != batch_id]


def test_a_bad_reference_of_another_batch_is_that_batch_s_problem_only():
    data = notification(ORDER).replace(b"<InstrId>7</InstrId>", b"<InstrId>8</InstrId>")
    reader, records = read(data)
    assert records == BATCHES["B2026-2"][1] and reader.others_known
    with pytest.raises(FormatError) as info:
        read(data, "B2026-3")
    assert [p.field for p in info.value.problems] == ["EndToEndId"]


def test_a_file_cut_short_does_not_know_its_other_batches():
    data = notification(ORDER)
    reader = bank_formats.get("iso20022", results=CAMT054).read_results(io.BytesIO(data[:-40]), "n.xml")
    with pytest.raises(FormatError):
        list(reader)
    assert not reader.others_known


def test_only_a_notification_is_read_one_batch_at_a_time():
    out = io.BytesIO()
    bank_formats.get("iso20022").write_results(out, _header("B2026-1"), BATCHES["B2026-1"][1])
    with pytest.raises(ValueError, match="only a notification"):
        bank_formats.get("iso20022").read_results(io.BytesIO(out.getvalue()), "r.xml", "B2026-1")
