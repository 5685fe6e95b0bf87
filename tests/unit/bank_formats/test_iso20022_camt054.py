"""camt.054 notifications as a result source (issue 15 item 2): written as the simulated bank
writes them, read back into the records they were written from, in every version the writer
lays out differently; what a notification holds that is no result of ours is skipped, named."""
from __future__ import annotations

import io
from datetime import datetime, timezone

import pytest

import bank_formats
from bank_formats.base import FormatError
from domain.model import FailureReason, PaymentOutcome, ResultFileHeader, ResultRecord

PAID, FAILED = PaymentOutcome.PAID, PaymentOutcome.FAILED
RECORDS = [
    ResultRecord(1, PAID, 12345, "6222000001", None, "", "", "R1", "张三"),
    ResultRecord(2, FAILED, 500, "6222000002", FailureReason.ACCOUNT_CLOSED, "AC04", "账户已销户", "R2", "李四"),
    ResultRecord(3, FAILED, 700, "", FailureReason.OTHER, "E0042", "说明" * 80, "", ""),
    ResultRecord(4, PAID, 1, "", None, "", "", "", "阿卜杜拉·王&<>"),
]
HEADER = ResultFileHeader("F1", "PAY-1", "B2026-1", datetime(2026, 11, 5, 10, 0, tzinfo=timezone.utc),
                          4, 2, 12346, 2, 1200)


def written(version: str, records=RECORDS, header=HEADER) -> bytes:
    out = io.BytesIO()
    bank_formats.get("iso20022", results=version).write_results(out, header, records)
    return out.getvalue()


def read(data: bytes, version: str = "camt.054.001.08"):
    reader = bank_formats.get("iso20022", results=version).read_results(io.BytesIO(data), "n.xml")
    return reader, list(reader)


@pytest.mark.parametrize("version", ["camt.054.001.02", "camt.054.001.04", "camt.054.001.08", "camt054"])
def test_written_notifications_read_back_as_the_records(version):
    data = written(version)
    assert data.count(b"<Ntry>") == 4
    reader, records = read(data, version)
    assert records == RECORDS
    assert reader.skipped == []
    assert (reader.header.file_id, reader.header.original_file_id, reader.header.batch_id,
            reader.header.created_at) == ("F1", "PAY-1", "B2026-1", HEADER.created_at)


def test_a_bank_configured_for_pain002_reads_a_notification_too():
    reader, records = read(written("camt.054.001.08"), "camt.054.001.08")
    other = bank_formats.get("iso20022").read_results(io.BytesIO(written("camt.054.001.08")), "n.xml")
    assert list(other) == records


def test_detect_names_a_notification_results_for_a_notifying_bank_and_statement_otherwise():
    data = written("camt.054.001.04")
    assert bank_formats.get("iso20022", results="camt.054.001.04").detect(data) == "results"
    assert bank_formats.get("iso20022").detect(data) == "statement"


def test_an_unknown_camt054_version_is_refused_in_the_profile():
    with pytest.raises(ValueError, match="camt.054.001.99"):
        bank_formats.get("iso20022", results="camt.054.001.99")


def test_what_is_no_result_of_ours_is_skipped_with_its_reason():
    data = written("camt.054.001.08").decode()
    lines = data.split("\n")
    ntry = [i for i, ln in enumerate(lines) if ln.startswith("<Ntry>")]
    lines[ntry[0]] = lines[ntry[0]].replace("<Cd>BOOK</Cd>", "<Cd>PDNG</Cd>")  # line 1: pending
    lines[ntry[1]] = lines[ntry[1]].replace('Ccy="CNY"', 'Ccy="EUR"')  # line 2: foreign
    # line 3: a credit that is no return of a payment
    lines[ntry[2]] = lines[ntry[2]].split("<RtrInf>")[0] + "</TxDtls></NtryDtls></Ntry>"
    # line 4: another batch's payment
    lines[ntry[3]] = lines[ntry[3]].replace("<PmtInfId>B2026-1<", "<PmtInfId>B9<").replace(
        "<EndToEndId>B2026-1-4<", "<EndToEndId>B9-4<")
    reader, records = read("\n".join(lines).encode())
    assert records == []
    assert [(s.reason, s.amount_fen) for s in reader.skipped] == [
        ("NOT_FINAL", 12345), ("FOREIGN_CURRENCY", None), ("CREDIT_ENTRY", 700), ("OTHER_BATCH", 1)]
    assert [s.where for s in reader.skipped] == [f"line {i + 1}" for i in ntry]


def test_a_bad_amount_is_a_located_problem():
    data = written("camt.054.001.08").replace(b">123.45<", b">123.456<", 1)
    with pytest.raises(FormatError) as info:
        read(data)
    assert [(p.where, p.field) for p in info.value.problems] == [("line 6", "Amt")]
