"""The reading report of an inbound file in the reader's language (issue 16 item 3).

What a reader skipped (``Skipped.said``) and the notes ingest writes are stored as messages and
said where the report is shown: Chinese by default, English on request, the English being the
sentences the report always held. A report stored before keeps its English sentences in both
languages; the stored report is the same whatever the language of whoever made it. The expected
words are written from the files' faults (the status, the currency, the reference), not copied
from output.
"""
from __future__ import annotations

import io
from pathlib import Path
from types import SimpleNamespace

from adapter.reading_report_pb import reading_to_pb
from bank_formats.base import Skipped
from bank_formats.iso20022 import Iso20022Format
from domain.model import FileState
from domain.reading_report import reading_columns, reading_report
from i18n import reset, use
from i18n.catalogue_formats_skips import WORDS as SKIP_WORDS
from i18n.catalogue_reading_notes import WORDS as NOTE_WORDS
from i18n.stored import message
from service.ingest import IngestOutcome, _own_report, _Quarantine
from tests.support.catalogue_scan import made_in
from tests.unit.bank_formats.test_iso20022_camt054 import read as read_notification
from tests.unit.bank_formats.test_iso20022_camt054 import written as camt054_written
from tests.unit.bank_formats.test_iso20022_tolerant import ISO, SIX, camt053, ntry, pain002, stmt, tx
from tests.unit.bank_formats.test_layout_jz8602 import FMT as JZ8602
from tests.unit.bank_formats.test_layout_jz8602 import report as jz8602_report

ROOT = Path(__file__).resolve().parents[3]


def shown_report(text: str, lang: str | None) -> tuple[list[str], list[str]]:
    """(the listed skipped records' details, the notes) as the file RPCs give them to a call in
    ``lang`` (None: a call that asks for no language)."""
    token = use(lang)
    try:
        msg = reading_to_pb(text)
    finally:
        reset(token)
    return [s.detail for s in msg.first_skipped], list(msg.notes)


def stored_report(skipped, notes=()) -> str:
    return reading_columns(reading_report(0, 0, skipped, notes))["reading_report"]


def said(skipped) -> tuple[list[str], list[str], list[str]]:
    """(English details as the reader wrote them, the report's details by default, in English)."""
    text = stored_report(skipped)
    return [s.detail for s in skipped], shown_report(text, None)[0], shown_report(text, "en")[0]


def test_a_banks_pain002_skips_in_progress_foreign_and_unknown_records():
    data = pain002(ISO + "pain.002.001.10", "\n".join([
        tx(1, "PDNG", "5"),
        tx(2, "ACSC").replace('Ccy="CNY"', 'Ccy="EUR"'),
        tx(3, "ACSC").replace("<OrgnlEndToEndId>B1-3<", "<OrgnlEndToEndId>NOTPROVIDED<")]))
    reader = Iso20022Format().read_results(io.BytesIO(data), "r.xml")
    assert list(reader) == []
    english = ["B1-1: status PDNG is not final (in progress)", "B1-2: EUR amount, not CNY",
               "NOTPROVIDED: names none of our lines (EndToEndId 'NOTPROVIDED', InstrId '')"]
    assert said(reader.skipped) == (english, [
        "B1-1：状态 PDNG 不是最终状态（处理中）", "B1-2：金额币种为 EUR，不是 CNY",
        "NOTPROVIDED：未指向我方任何一行（端到端标识 EndToEndId 'NOTPROVIDED'，指令标识 InstrId ''）"], english)


def test_a_status_for_the_whole_file_with_no_transaction_listed():
    data = pain002(SIX, "", grp="<GrpSts>ACCP</GrpSts>")
    data = data.replace(b"<OrgnlPmtInfAndSts><OrgnlPmtInfId>B1</OrgnlPmtInfId>\n\n    </OrgnlPmtInfAndSts>", b"")
    reader = Iso20022Format().read_results(io.BytesIO(data), "r.xml")
    assert list(reader) == []
    english = ["status ACCP for the whole file, no transaction listed"]
    assert said(reader.skipped) == (english, ["状态 ACCP（针对整个文件），未列出任何交易"], english)


def test_a_notification_skips_pending_foreign_money_in_and_another_batch():
    lines = camt054_written("camt.054.001.08").decode().split("\n")
    at = [i for i, ln in enumerate(lines) if ln.startswith("<Ntry>")]
    lines[at[0]] = lines[at[0]].replace("<Cd>BOOK</Cd>", "<Cd>PDNG</Cd>")  # entry R1: pending
    lines[at[1]] = lines[at[1]].replace('Ccy="CNY"', 'Ccy="EUR"')  # entry R2: in euros
    lines[at[2]] = lines[at[2]].split("<RtrInf>")[0] + "</TxDtls></NtryDtls></Ntry>"  # B2026-1-3: no return
    lines[at[3]] = lines[at[3]].replace("<PmtInfId>B2026-1<", "<PmtInfId>B9<").replace(
        "<EndToEndId>B2026-1-4<", "<EndToEndId>B9-4<")  # another batch's payment
    reader, records = read_notification("\n".join(lines).encode())
    assert records == []
    english = ["entry R1: status PDNG, not BOOK", "entry R2: EUR, not CNY",
               "B2026-1-3: money in, no return of a payment", "B9-4: payment information 'B9', not 'B2026-1'"]
    assert said(reader.skipped) == (english, [
        "分录 R1：状态 PDNG，不是 BOOK（已记账）", "分录 R2：币种 EUR，不是 CNY",
        "B2026-1-3：资金转入，不是付款退回", "B9-4：付款信息 'B9'，不是本批次 'B2026-1'"], english)


def test_a_statement_read_tolerantly_skips_a_pending_entry_and_another_accounts():
    first = stmt("S1", "CN001", ("OPBD", "100"), "95.00",
                 ntry("5.00", "DBIT", "<EndToEndId>B1-7</EndToEndId>")
                 + ntry("9.99", "DBIT", "<EndToEndId>X</EndToEndId>", status="<Sts><Cd>PDNG</Cd></Sts>"))
    other = stmt("S3", "CN999", ("OPBD", "0"), "1.00", ntry("1.00", "CRDT", "<EndToEndId>B3</EndToEndId>"))
    reader = Iso20022Format().read_statement(io.BytesIO(camt053("10", first + other)), "s.xml")
    assert len(list(reader)) == 1
    english = ["R9.99: entry status PDNG, not BOOK", "R1.00: entry of account CN999, not CN001"]
    assert said(reader.skipped) == (english, ["R9.99：分录状态 PDNG，不是 BOOK（已记账）",
                                              "R1.00：账户 CN999 的分录，不是本账户 CN001"], english)


def test_an_empty_line_of_a_layout_file():
    data = jz8602_report("成功", [("1", "6217000000000000001", "王伟", 10001, 0, "0")]) + b"\r\n"
    reader = JZ8602.read_results(io.BytesIO(data), "HP_B1.txt")
    assert [r.amount_fen for r in reader] == [10001]
    assert said(reader.skipped) == (["an empty line"], ["空行"], ["an empty line"])


def test_ingests_notes_name_the_refused_batch_and_the_parts_in_the_readers_language():
    unknown = message("ingest.batch_unknown", batch="B9", file="PAY-9")
    in_part = [Skipped("line 4", "OTHER_BATCH", "x", 300), Skipped("line 5", "OTHER_BATCH", "y", 200)]
    left = [Skipped("line 6", "OTHER_BATCH", "z", 100)]
    reader = SimpleNamespace(skipped=in_part + left, notes=[])
    report = _own_report(reader, None, _Quarantine([unknown], claimed="B9"),
                         {"B2": SimpleNamespace(skipped=in_part), "B3": SimpleNamespace(skipped=left)},
                         [IngestOutcome(12, FileState.BOOKED, "B2"), IngestOutcome(13, FileState.QUARANTINED,
                                                                                   problems=[unknown])])
    assert [s["where"] for s in report["skipped"]["first"]] == ["line 6"]  # B2's entries: part 12 booked them
    text = reading_columns(report)["reading_report"]
    why_en = "result file names batch B9, which does not exist (answers payment file PAY-9)"
    why_zh = "回盘文件指向批次 B9，该批次不存在（回应付款文件 PAY-9）"
    assert shown_report(text, "en")[1] == [
        f"batch B9: its records were read and not booked: {why_en}",
        "batch B2: its 2 entries (500 fen) read by part file 12, whose reading report says what it booked and skipped",
        f"batch B3: its 1 entries (100 fen) skipped here; part file 13 quarantined: {why_en}"]
    assert shown_report(text, None)[1] == [
        f"批次 B9：其记录已读取，未入账：{why_zh}",
        "批次 B2：其 2 笔记录（500 分）由部分文件 12 读取，入账和跳过的情况见该文件的读取报告",
        f"批次 B3：其 1 笔记录（100 分）在此跳过；部分文件 13 已隔离：{why_zh}"]


def test_a_parts_note_names_its_file():
    note = message("reading_note.part_of", file=7, batch="B2")
    assert shown_report(stored_report([], [note]), "en")[1] == [
        "part of file 7: the entries of batch B2 in it; the file's other skipped entries are in file 7's "
        "reading report"]
    assert shown_report(stored_report([], [note]), "zh")[1] == [
        "文件 7 的一部分：其中批次 B2 的记录；该文件其他跳过的记录见文件 7 的读取报告"]


def test_a_report_stored_before_messages_shows_its_english_as_written():
    old = ('{"read":{"records":1,"total_fen":100},"skipped":{"count":1,"total_fen":5,"unpriced":0,'
           '"by_reason":{"NOT_FINAL":{"count":1,"total_fen":5,"unpriced":0}},"first":[{"where":"line 3",'
           '"reason":"NOT_FINAL","detail":"B1-3: status PDNG is not final (in progress)","amount_fen":5}]},'
           '"notes":["batch B2: its 2 entries (500 fen) read by part file 12, whose reading report says what it '
           'booked and skipped"]}')
    as_written = (["B1-3: status PDNG is not final (in progress)"],
                  ["batch B2: its 2 entries (500 fen) read by part file 12, whose reading report says what it "
                   "booked and skipped"])
    assert shown_report(old, None) == as_written and shown_report(old, "en") == as_written


def test_the_stored_report_does_not_depend_on_the_language_it_was_made_in():
    data = pain002(ISO + "pain.002.001.10", tx(1, "PDNG", "5"))
    made = []
    for lang in ("zh", "en"):
        token = use(lang)
        try:
            reader = Iso20022Format().read_results(io.BytesIO(data), "r.xml")
            list(reader)
            made.append(stored_report(reader.skipped, [message("reading_note.part_of", file=7, batch="B1")]))
        finally:
            reset(token)
    assert made[0] == made[1]


def test_every_word_of_the_reading_report_is_made():
    """By the readers and the service (each with exactly its arguments: tests/unit/i18n/
    test_catalogue_keys_made.py); none unused."""
    made = {m.key for folder in ("bank_formats", "service") for m in made_in(sorted((ROOT / folder).rglob("*.py")))}
    assert set(SKIP_WORDS) | set(NOTE_WORDS) <= made
