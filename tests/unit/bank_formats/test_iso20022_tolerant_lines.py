"""The tolerant ISO 20022 readers on records one a line (issue 15 item 7): a layout learned from
a record the parser read takes the lines after it without the parser (``_tolerant.LineShapes``).

Two kinds of test: hand-made files with the figures written by hand (records, line numbers,
what is refused); and every such file, the writers' own and the bank samples laid out one
record a line (each record twice, some values spoiled), read with the learned layouts and with
every line through the parser (``_common.FAST_LINES`` off): the same records, skipped records,
header and problems either way, and the layouts took lines (else the comparison says nothing).
"""
from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from lxml import etree

from bank_formats.base import FormatError
from bank_formats.iso20022 import Iso20022Format, _common
from domain.model import EntrySide, FailureReason, PaymentOutcome, ResultRecord, StatementEntry

SAMPLES = Path(__file__).resolve().parents[4] / "shared" / "bank-samples"
SAMPLE_FILES = sorted(p for f in ("pain002", "camt052", "camt053", "camt054") for p in (SAMPLES / f).glob("*.xml")
                      ) if SAMPLES.is_dir() else []
PAID, FAILED = PaymentOutcome.PAID, PaymentOutcome.FAILED

HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.10">
<CstmrPmtStsRpt>
<GrpHdr><MsgId>RES-1</MsgId><CreDtTm>2026-11-06T18:00:00</CreDtTm></GrpHdr>
<OrgnlGrpInfAndSts><OrgnlMsgId>PAY-1</OrgnlMsgId><OrgnlMsgNmId>pain.001.001.09</OrgnlMsgNmId></OrgnlGrpInfAndSts>
<OrgnlPmtInfAndSts><OrgnlPmtInfId>B1</OrgnlPmtInfId>
"""
TAIL = "</OrgnlPmtInfAndSts>\n</CstmrPmtStsRpt>\n</Document>\n"


def paid(seq: int, amount: str, name: str = "张三") -> str:
    return (f"<TxInfAndSts><OrgnlEndToEndId>B1-{seq}</OrgnlEndToEndId><TxSts>ACSC</TxSts>"
            f"<AcctSvcrRef>R{seq}</AcctSvcrRef><OrgnlTxRef><Amt><InstdAmt Ccy=\"CNY\">{amount}</InstdAmt></Amt>"
            f"<Cdtr><Pty><Nm>{name}</Nm></Pty></Cdtr><CdtrAcct><Id><Othr><Id>62220{seq}</Id></Othr></Id></CdtrAcct>"
            f"</OrgnlTxRef></TxInfAndSts>\n")


def failed(seq: int, amount: str, code: str = "AC04") -> str:
    return (f"<TxInfAndSts><OrgnlEndToEndId>B1-{seq}</OrgnlEndToEndId><TxSts>RJCT</TxSts><StsRsnInf><Rsn>"
            f"<Cd>{code}</Cd></Rsn><AddtlInf>账户</AddtlInf><AddtlInf>已销户</AddtlInf></StsRsnInf>"
            f"<OrgnlTxRef><Amt><InstdAmt Ccy=\"CNY\">{amount}</InstdAmt></Amt></OrgnlTxRef></TxInfAndSts>\n")


def results(lines: list[str]) -> bytes:
    return (HEAD + "".join(lines) + TAIL).encode()


def read(data: bytes, statement: bool = False, fmt: Iso20022Format | None = None):
    """(header, records, skipped, whole_file, lines the layouts took) or ("refused", problems)."""
    fmt = fmt or Iso20022Format()
    try:
        reader = (fmt.read_statement if statement else fmt.read_results)(io.BytesIO(data), "f.xml")
        records = list(reader)
    except FormatError as exc:
        return "refused", [(p.where, p.field, p.message) for p in exc.problems]
    inner = getattr(reader, "_report", None) or getattr(reader, "_entries", None)
    taken = inner._shapes._taken if inner is not None else 0
    return reader.header, records, reader.skipped, getattr(reader, "whole_file", None), taken


def both_ways(data: bytes, statement: bool = False, fmt: Iso20022Format | None = None):
    """What the file reads as with the learned layouts, and with every line parsed: the same."""
    fast = read(data, statement, fmt)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(_common, "FAST_LINES", False)
        slow = read(data, statement, fmt)
    assert fast[:4] == slow[:4]
    if fast[0] != "refused":
        assert slow[4] == 0
    return fast


def test_records_one_a_line_are_read_by_the_layout_learned_with_their_lines():
    data = results([paid(1, "18.15"), paid(2, "2"), failed(3, "3.50"), paid(4, "0.07", "李四"), failed(5, "100")])
    header, records, skipped, whole, taken = both_ways(data)
    assert records == [
        ResultRecord(1, PAID, 1815, "622201", None, "", "", "R1", "张三"),
        ResultRecord(2, PAID, 200, "622202", None, "", "", "R2", "张三"),
        ResultRecord(3, FAILED, 350, "", FailureReason.ACCOUNT_CLOSED, "AC04", "账户已销户", "", ""),
        ResultRecord(4, PAID, 7, "622204", None, "", "", "R4", "李四"),
        ResultRecord(5, FAILED, 10000, "", FailureReason.ACCOUNT_CLOSED, "AC04", "账户已销户", "", ""),
    ]
    # line 7 parsed, its layout learned, line 8 taken; line 9 (another layout) parsed and learned;
    # FastStream parses the next line its pattern takes (10) before it takes lines again (11)
    assert taken == 2
    assert header.batch_id == "B1" and skipped == [] and whole is None


@pytest.mark.parametrize("spoil, where, field", [
    (lambda line: line.replace(">2.00<", ">2.005<"), "line 8", "InstdAmt"),
    (lambda line: line.replace(">ACSC<", ">acsc<"), "line 8", "TxSts"),
])
def test_a_value_the_layout_does_not_take_is_read_by_the_parser_and_refused_on_its_line(spoil, where, field):
    data = results([paid(1, "1.00"), spoil(paid(2, "2.00")), paid(3, "3.00")])
    refused, problems = both_ways(data)
    assert refused == "refused"
    assert [(w, f) for w, f, _ in problems] == [(where, field)]


def test_a_line_in_progress_is_skipped_with_its_line():
    data = results([paid(1, "1.00"), paid(2, "2.00").replace("ACSC", "ACSP"), paid(3, "3.00")])
    _, records, skipped, _, taken = both_ways(data)
    assert [r.seq for r in records] == [1, 3]
    assert [(s.where, s.reason, s.amount_fen) for s in skipped] == [("line 8", "NOT_FINAL", 200)]
    assert taken == 2


def test_bytes_that_are_not_utf8_in_a_value_no_reader_reads_refuse_the_file_as_the_parser_does():
    good = paid(2, "2.00")
    data = results([paid(1, "1.00")]).replace(TAIL.encode(), b"") + good.encode().replace(
        b"<Id>622202</Id>", b"<Id>62\xff2202</Id>") + TAIL.encode()
    refused, problems = both_ways(data)
    assert refused == "refused" and problems[0][:2] == ("line 8", "xml")


STATEMENT = """<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">
<BkToCstmrStmt>
<GrpHdr><MsgId>S-1</MsgId><CreDtTm>2026-11-06T18:00:00</CreDtTm></GrpHdr>
<Stmt><Id>S-1</Id><Acct><Id><Othr><Id>1234</Id></Othr></Id><Ccy>CNY</Ccy></Acct>
<Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="CNY">100.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-11-06</Dt></Dt></Bal>
<Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="CNY">96.45</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-11-06</Dt></Dt></Bal>
{entries}</Stmt>
</BkToCstmrStmt>
</Document>
"""


def entry(seq: int, amount: str, day: str = "2026-11-06", status: str = "BOOK") -> str:
    return (f"<Ntry><Amt Ccy=\"CNY\">{amount}</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts><Cd>{status}</Cd></Sts>"
            f"<BookgDt><Dt>{day}</Dt></BookgDt><AcctSvcrRef>P{seq}</AcctSvcrRef><NtryDtls><TxDtls><Refs>"
            f"<PmtInfId>B1</PmtInfId><InstrId>{seq}</InstrId><EndToEndId>B1-{seq}</EndToEndId></Refs>"
            f"<RltdPties><Cdtr><Pty><Nm>王{seq}</Nm></Pty></Cdtr><CdtrAcct><Id><Othr><Id>6222{seq}</Id></Othr></Id>"
            f"</CdtrAcct></RltdPties><RmtInf><Ustrd>补贴</Ustrd><Ustrd>一</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>\n")


def test_statement_entries_one_a_line_with_their_figures():
    # 100.00 - 1.50 - 2.05 = 96.45; entry 2 booked the next day, entry 3 pending (not booked)
    data = STATEMENT.format(entries=entry(1, "1.50") + entry(2, "2.05", "2026-11-07") + entry(3, "9.00", status="PDNG")
                            ).encode()
    header, records, skipped, _, taken = both_ways(data, statement=True)
    assert records == [
        StatementEntry(1, EntrySide.DEBIT, 150, date(2026, 11, 6), "P1", "B1", 1, "王1", "62221", "补贴一"),
        StatementEntry(2, EntrySide.DEBIT, 205, date(2026, 11, 7), "P2", "B1", 2, "王2", "62222", "补贴一"),
    ]
    assert [(s.where, s.reason, s.amount_fen) for s in skipped] == [("line 10", "NOT_FINAL", 900)]
    assert (header.opening_balance_fen, header.closing_balance_fen, header.debit_fen) == (10000, 9645, 355)
    assert taken == 2


def test_a_statement_entry_with_a_bad_booking_date_is_refused_on_its_line():
    data = STATEMENT.format(entries=entry(1, "1.50") + entry(2, "2.05", "2026-13-07")).encode()
    refused, problems = both_ways(data, statement=True)
    assert refused == "refused" and ("line 9", "BookgDt") in [(w, f) for w, f, _ in problems]


def test_values_with_spaces_around_them_are_stripped_as_the_parser_path_strips_them():
    # lines taken by a layout take their values as written when none has a space around it
    # (LineShapes.trimmed); these have: reference and name stripped, the remittance pieces
    # joined as written ("补贴 " + "一"), on the lines taken as on the line parsed
    def padded(seq: int, amount: str) -> str:
        return (entry(seq, amount).replace(f"<AcctSvcrRef>P{seq}<", f"<AcctSvcrRef> P{seq} <")
                .replace(f"<Nm>王{seq}<", f"<Nm> 王{seq}<").replace("<Ustrd>补贴<", "<Ustrd>补贴 <"))
    # 100.00 - 1.00 - 1.50 - 1.05 = 96.45
    data = STATEMENT.format(entries=padded(1, "1.00") + padded(2, "1.50") + padded(3, " 1.05")).encode()
    header, records, skipped, _, taken = both_ways(data, statement=True)
    day = date(2026, 11, 6)
    assert records == [
        StatementEntry(1, EntrySide.DEBIT, 100, day, "P1", "B1", 1, "王1", "62221", "补贴 一"),
        StatementEntry(2, EntrySide.DEBIT, 150, day, "P2", "B1", 2, "王2", "62222", "补贴 一"),
        StatementEntry(3, EntrySide.DEBIT, 105, day, "P3", "B1", 3, "王3", "62223", "补贴 一"),
    ]
    assert skipped == [] and header.closing_balance_fen == 9645
    assert taken == 2


# --- the writers' own files and the bank samples, one record a line -----------------------


def one_a_line(data: bytes, twice: bool = True) -> bytes | None:
    """``data`` with each record (TxInfAndSts, Ntry) on a line of its own (and each twice)."""
    try:
        tree = etree.parse(io.BytesIO(data), etree.XMLParser(resolve_entities=False, remove_comments=True))
    except etree.XMLSyntaxError:
        return None
    records = [el for el in tree.iter() if isinstance(el.tag, str)
               and etree.QName(el).localname in ("TxInfAndSts", "Ntry")
               and etree.QName(el.getparent()).localname != "TxInfAndSts"]
    if not records:
        return None
    for rec in records:
        for el in rec.iter():
            if len(el) and el.text is not None and not el.text.strip():
                el.text = None
            if el is not rec and el.tail is not None and not el.tail.strip():
                el.tail = None
        rec.tail = "\n"
        parent = rec.getparent()
        if parent.text is None or not parent.text.endswith("\n"):
            parent.text = (parent.text or "") + "\n" if rec is parent[0] else parent.text
        previous = rec.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "").rstrip(" \t") + ("" if (previous.tail or "").endswith("\n") else "\n")
        if twice:
            copy = etree.fromstring(etree.tostring(rec))
            copy.tail = "\n"
            rec.addnext(copy)
    return etree.tostring(tree, xml_declaration=True, encoding="UTF-8")


FORMATS = [Iso20022Format(), Iso20022Format(results="camt.054.001.08")]


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=[p.name for p in SAMPLE_FILES])
def test_bank_samples_one_record_a_line_read_alike_either_way(path):
    data = one_a_line(path.read_bytes())
    if data is None:
        pytest.skip("no record to lay out")
    for fmt in FORMATS:
        for statement in (False, True):
            both_ways(data, statement, fmt)
    spoiled = data.replace(b"<Amt Ccy=", b"<Amt  Ccy=", 1)  # the first record parsed, the others not
    for fmt in FORMATS:
        both_ways(spoiled, False, fmt)
        both_ways(spoiled, True, fmt)


def test_the_samples_give_the_layouts_lines_to_take():
    taken = 0
    for path in SAMPLE_FILES:
        data = one_a_line(path.read_bytes())
        if data is None:
            continue
        for fmt in FORMATS:
            for statement in (False, True):
                got = read(data, statement, fmt)
                taken += got[4] if got[0] != "refused" else 0
    assert taken > 20


# --- the writers' own layout, read by the tolerant readers (as bench_formats tolerant=1) --------


def tolerant(data: bytes):
    from bank_formats.iso20022._tolerant import opened
    from bank_formats.iso20022.account_entries import NotificationResultReader, TolerantStatementReader
    from bank_formats.iso20022.status_report import TolerantPain002Reader
    source, _, message = opened(io.BytesIO(data))
    reader = {"pain.002": TolerantPain002Reader, "camt.054": NotificationResultReader}.get(
        message.name, TolerantStatementReader)(source, "f.xml", message)
    records = list(reader)
    inner = getattr(reader, "_report", None) or reader._entries
    return reader.header, records, reader.skipped, inner._shapes._taken


def written_batch(n: int):
    from datetime import datetime

    from domain.model import ResultFileHeader
    records = [ResultRecord(i, FAILED, i * 101, f"6222{i:06d}", FailureReason.ACCOUNT_NOT_FOUND, "AC01", "账号不存在")
               if i % 7 == 0 else ResultRecord(i, PAID, i * 101, f"6222{i:06d}", bank_ref=f"R{i}") for i in range(1, n + 1)]
    paid_ = [r.amount_fen for r in records if r.outcome is PAID]
    failed_ = [r.amount_fen for r in records if r.outcome is FAILED]
    header = ResultFileHeader("RES-1", "PAY-1", "B1", datetime(2026, 11, 6, 18), n, len(paid_), sum(paid_),
                              len(failed_), sum(failed_))
    return header, records


@pytest.mark.parametrize("options", [{}, {"results": "pain.002.001.03", "payments": "pain.001.001.03"},
                                     {"results": "camt.054.001.08"}], ids=["v10", "v03", "camt054"])
def test_the_writers_result_files_read_alike_either_way_and_as_written(options):
    fmt = Iso20022Format(**options)
    header, records = written_batch(300)
    out = io.BytesIO()
    fmt.write_results(out, header, records)
    fast = tolerant(out.getvalue())
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(_common, "FAST_LINES", False)
        slow = tolerant(out.getvalue())
    assert fast[:3] == slow[:3] and slow[3] == 0
    assert fast[3] >= 290  # (the first line of each layout, and the one after, are parsed)
    assert [(r.seq, r.outcome, r.amount_fen, r.account_no) for r in fast[1]] == [
        (i, FAILED if i % 7 == 0 else PAID, i * 101, f"6222{i:06d}") for i in range(1, 301)]


@pytest.mark.parametrize("statements", ["camt.053.001.08", "camt.053.001.02"])
def test_the_writers_statements_read_alike_either_way_and_as_written(statements):
    from datetime import datetime

    from domain.model import StatementHeader
    fmt = Iso20022Format(statements=statements)
    entries = [StatementEntry(1, EntrySide.CREDIT, 10**9, date(2026, 11, 6), "FUND", "B1", None, "某县财政局")]
    entries += [StatementEntry(i, EntrySide.DEBIT, i * 101, date(2026, 11, 6), f"P{i}", "B1", i - 1, f"王{i}",
                               f"6222{i:06d}", "补贴") for i in range(2, 302)]
    debit = sum(i * 101 for i in range(2, 302))
    header = StatementHeader("S-1", "1234", datetime(2026, 11, 6, 18), date(2026, 11, 6), date(2026, 11, 6), 0,
                             10**9 - debit, 301, 10**9, debit)
    out = io.BytesIO()
    fmt.write_statement(out, header, entries)
    fast = tolerant(out.getvalue())
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(_common, "FAST_LINES", False)
        slow = tolerant(out.getvalue())
    assert fast[:3] == slow[:3] and slow[3] == 0
    # (the funding entry is learned first; FastStream then looks for the next line that layout
    # takes, parsing the debits on the way, until the debits' layout, learned meanwhile, is armed)
    assert fast[3] >= 150
    assert [(e.seq, e.side, e.amount_fen, e.line_seq, e.counterparty_account) for e in fast[1][1:]] == [
        (i, EntrySide.DEBIT, i * 101, i - 1, f"6222{i:06d}") for i in range(2, 302)]
    assert fast[0].closing_balance_fen == 10**9 - debit


def test_layouts_put_in_the_order_of_their_use_often_read_alike(monkeypatch):
    # the first record is refused (its layout learned first), most are paid: the paid layout is
    # put first once counted (every 3 lines taken here); a line parsed every 7 (the stream takes
    # the pattern made last when it parses one)
    from datetime import datetime

    from bank_formats.iso20022 import _tolerant
    from bank_formats.iso20022._tolerant import opened
    from bank_formats.iso20022.status_report import TolerantPain002Reader
    from domain.model import ResultFileHeader
    monkeypatch.setattr(_tolerant.LineShapes, "REORDER", 3)
    monkeypatch.setattr(_common, "PARSE_ONE_IN", 7)
    records = [ResultRecord(i, FAILED, i * 101, f"6222{i:06d}", FailureReason.ACCOUNT_NOT_FOUND, "AC01", "无此账户")
               if i % 5 == 1 else ResultRecord(i, PAID, i * 101, f"6222{i:06d}", bank_ref=f"R{i}") for i in range(1, 301)]
    failed_ = [r.amount_fen for r in records if r.outcome is FAILED]
    paid_ = [r.amount_fen for r in records if r.outcome is PAID]
    header = ResultFileHeader("RES-1", "PAY-1", "B1", datetime(2026, 11, 6, 18), 300, len(paid_), sum(paid_),
                              len(failed_), sum(failed_))
    out = io.BytesIO()
    Iso20022Format().write_results(out, header, records)
    source, _, message = opened(io.BytesIO(out.getvalue()))
    reader = TolerantPain002Reader(source, "f.xml", message)
    got = list(reader)
    shapes = reader._report._shapes
    layouts = [shape for _, shape, _ in shapes._shapes]
    # the paid layout first now, the refused one (learned first) second
    assert len(layouts) == 2 and "StsRsnInf" not in layouts[0].children[""] and "StsRsnInf" in layouts[1].children[""]
    assert shapes._taken >= 200
    monkeypatch.setattr(_common, "FAST_LINES", False)
    slow = tolerant(out.getvalue())
    assert (reader.header, got, reader.skipped) == slow[:3]
    assert [(r.seq, r.outcome, r.amount_fen) for r in got] == [
        (i, FAILED if i % 5 == 1 else PAID, i * 101) for i in range(1, 301)]
