"""What reaches a bank's file, and how big a request may be, through the real gRPC server
(issue 14 items 4 and 8).

One server on SQLite with four banks, one per way of writing a payment file: RCC01 fixed-width
GBK, PSBC01 delimited GBK, ABC01 ISO 20022 pain.001.001.09, ABC03 pain.001.001.03; hand-ins
capped at 64 KiB. Each table row is written from the rules, not from what the code answers:

* a header field a bank's file cannot carry, or any text holding a control character, line
  break, bidirectional control or noncharacter: ``INVALID_ARGUMENT``, the field and its code;
* a line's text the bank's file cannot carry (its encoding, a field's width in bytes or
  characters, a separator, a trailing space, an amount's width), or holding a character no text
  may: the line is rejected with its code, the batch waits for a correction and cannot be
  approved, and a correction that fits is accepted;
* a string over its cap, a page size out of 1-1,000, a hand-in over ``handed_in_max_bytes``
  or with a bad name or signature: ``INVALID_ARGUMENT`` and its code.

Every refused request is checked to have changed no table (each table's rows counted before
and after) and to have left no file in the data folder; the batches that pass are approved,
funded and rendered by dispatch's own renderer and read back equal, for every bank.
"""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import grpc
import pytest
from google.rpc import error_details_pb2
from grpc_status import rpc_status
from sqlalchemy import func, select

from adapter import convert
from adapter import server as grpc_server
from domain.model import BatchHeader, LineStatus, PaymentLine, payment_message_id
from domain.roster import generate_lines
from ledger import store
from ledger.db import make_engine, migrate, sqlite_url
from ledger.schema import lines as lines_table
from ledger.schema import metadata
from privacy.cipher import FieldCipher
from privacy.keys import Keyring
from service import dispatch
from service.config import BankProfile, Settings
from service.context import Context
from tests.support.identities import TEST_AUTH, TestClient
from ykt.v1 import disbursement_pb2 as pb

REGION = "652301"
PROGRAM = "耕地地力保护补贴"
RCC, PSBC, ABC, ABC03 = "RCC01", "PSBC01", "ABC01", "ABC03"
BANKS = {
    RCC: BankProfile(code=RCC, name="某县农村信用合作联社", format="fixed_width_gbk",
                     format_options={"encoding": "gbk", "line_ending": "\r\n"}),
    PSBC: BankProfile(code=PSBC, name="中国邮政储蓄银行某县支行", format="delimited",
                      format_options={"encoding": "gbk", "digest": "sm3"}),
    ABC: BankProfile(code=ABC, name="中国农业银行某县支行", format="iso20022"),
    ABC03: BankProfile(code=ABC03, name="某银行", format="iso20022",
                       format_options={"payments": "pain.001.001.03"}),
}
CAP = 64 * 1024  # handed_in_max_bytes of this server


@pytest.fixture(scope="module")
def api(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("limits")
    engine = make_engine(sqlite_url(tmp / "ledger.sqlite3"))
    migrate(engine)
    # the service speaks English: these tests read its English messages (Chinese: test_languages.py)
    settings = Settings(language="en", database_url=str(engine.url), data_dir=tmp / "service", banks=dict(BANKS), auth=TEST_AUTH,
                        handed_in_max_bytes=CAP)
    ctx = Context(engine=engine, settings=settings, cipher=FieldCipher(Keyring.generate()))
    server, port = grpc_server.build(ctx, "127.0.0.1:0")
    client = TestClient(f"127.0.0.1:{port}", "clerk")
    yield ctx, client
    client.close()
    server.stop(grace=None).wait()
    engine.dispose()


# --- helpers -------------------------------------------------------------------------------------


def _roster(seed: int, n: int = 3) -> list[PaymentLine]:
    return list(generate_lines(n, seed=seed, region=REGION))


def _header(lines, bank: str, key: str, **changes) -> BatchHeader:
    header = BatchHeader(
        idempotency_key=key, program=PROGRAM, period=f"P-{key}"[:16], region=REGION, bank_code=bank,
        payer_name="某县财政局", payer_account="15000012345678", control_count=len(lines),
        control_total_fen=sum(ln.amount_fen for ln in lines))
    return replace(header, **changes)


def _set(lines, seq, **changes):
    return [replace(ln, **changes) if ln.seq == seq else ln for ln in lines]


def _violations(err: grpc.RpcError) -> dict[str, str]:
    out = {}
    for detail in rpc_status.from_call(err).details:
        bad = error_details_pb2.BadRequest()
        detail.Unpack(bad)
        out.update({v.field: v.description for v in bad.field_violations})
    return out


def _rows(ctx) -> dict[str, int]:
    """Rows of every table of the ledger."""
    with ctx.engine.connect() as conn:
        return {t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
                for t in metadata.sorted_tables}


def _files(ctx) -> list[Path]:
    root = ctx.settings.data_dir
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def _refused(ctx, call, field: str, code: str) -> str:
    """``call()`` is refused INVALID_ARGUMENT naming ``field`` with ``code``, and changed nothing."""
    rows, files = _rows(ctx), _files(ctx)
    with pytest.raises(grpc.RpcError) as err:
        call()
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT, err.value.details()
    violations = _violations(err.value)
    assert field in violations, violations
    assert violations[field].startswith(f"{code}:"), violations
    assert _rows(ctx) == rows
    assert _files(ctx) == files
    return violations[field]


def _statuses(ctx, batch_id) -> dict[int, str]:
    with ctx.engine.connect() as conn:
        return dict(conn.execute(select(lines_table.c.seq, lines_table.c.status)
                                 .where(lines_table.c.batch_id == batch_id)).all())


# --- the header: what the bank's file cannot carry, and characters no text may hold -------------

LONG_PROGRAM = PROGRAM * 3  # 24 characters: its purpose "program period region" is 39 of v03's 35

HEADER_CASES = [
    ("payer-name-rtl-override", RCC, {"payer_name": "某县财政局\u202e"}, "header.payer_name", "TEXT_BIDI"),
    ("payer-name-line-feed", PSBC, {"payer_name": "某县\n财政局"}, "header.payer_name", "TEXT_LINE_BREAK"),
    ("payer-account-carriage-return", ABC, {"payer_account": "150000\r12345678"}, "header.payer_account",
     "TEXT_LINE_BREAK"),
    ("program-bell", ABC, {"program": "耕地\x07补贴"}, "header.program", "TEXT_CONTROL"),
    ("period-lrm", ABC, {"period": "2026-11\u200e"}, "header.period", "TEXT_BIDI"),
    ("idempotency-key-isolate", ABC, {"idempotency_key": "key\u2066x"}, "header.idempotency_key", "TEXT_BIDI"),
    ("payer-name-nel", ABC, {"payer_name": "某县\x85财政局"}, "header.payer_name", "TEXT_LINE_BREAK"),
    ("payer-name-noncharacter", ABC, {"payer_name": "某县财政局\uffff"}, "header.payer_name", "TEXT_NONCHARACTER"),
    ("payer-name-not-gbk-fixed", RCC, {"payer_name": "张𠀀财政局"}, "header.payer_name", "TEXT_ENCODING"),
    ("payer-name-not-gbk-delimited", PSBC, {"payer_name": "张𠀀财政局"}, "header.payer_name", "TEXT_ENCODING"),
    ("payer-name-142-bytes-fixed", RCC, {"payer_name": "财" * 71}, "header.payer_name", "TEXT_WIDTH"),
    ("payer-name-trailing-space-fixed", RCC, {"payer_name": "某县财政局 "}, "header.payer_name", "TEXT_CHARACTER"),
    ("payer-account-pipe-delimited", PSBC, {"payer_account": "1500|0012"}, "header.payer_account",
     "TEXT_CHARACTER"),
    ("purpose-39-characters-v03", ABC03, {"program": LONG_PROGRAM}, "header.program", "TEXT_WIDTH"),
    ("total-beyond-18-digits-fixed", RCC, {"control_total_fen": 10**18}, "header.control_total_fen",
     "AMOUNT_TOO_LARGE"),
    ("region-full-width-digits", ABC, {"region": "６５２３０１"}, "header.region", "REGION_FORMAT"),
    ("region-arabic-indic-digits", ABC, {"region": "٦٥٢٣٠١"}, "header.region", "REGION_FORMAT"),
    ("region-trailing-newline", ABC, {"region": "652301\n"}, "header.region", "REGION_FORMAT"),
]


@pytest.mark.parametrize(("bank", "changes", "field", "code"), [c[1:] for c in HEADER_CASES],
                         ids=[c[0] for c in HEADER_CASES])
def test_a_header_the_bank_file_cannot_carry_is_refused_and_stores_nothing(api, bank, changes, field, code):
    ctx, client = api
    lines = _roster(seed=7)
    key = f"h-{field}-{code}-{bank}"[:100]
    header = _header(lines, bank, key, **changes)
    description = _refused(ctx, lambda: client.submit(header, lines), field, code)
    if code == "TEXT_ENCODING":
        assert f"cannot be written in GBK, the encoding of bank {bank}'s files" in description
    if code == "TEXT_BIDI":
        assert "U+20" in description  # the control is named by its code point, never shown


def test_the_same_purpose_fits_pain001_v09_and_the_same_header_a_utf8_bank(api):
    """Positive controls of the table above: what one bank's file cannot carry, another's can."""
    ctx, client = api
    lines = _roster(seed=8)
    reply = client.submit(_header(lines, ABC, "fits-v09", program=LONG_PROGRAM), lines)
    assert reply.status == "SUBMITTED"
    reply = client.submit(_header(lines, ABC, "fits-utf8", payer_name="张𠀀财政局", period="P-fits-utf8"), lines)
    assert reply.status == "SUBMITTED"


# --- a line's texts: rejected with the reason the bank's file cannot carry them -------------------

LINE_CASES = [
    ("name-not-gbk-fixed", RCC, {"name": "张𠀀"}, "name", "TEXT_ENCODING"),
    ("name-not-gbk-delimited", PSBC, {"name": "张𠀀"}, "name", "TEXT_ENCODING"),
    ("household-not-gbk-fixed", RCC, {"household_no": "H𠀀1"}, "household_no", "TEXT_ENCODING"),
    ("remark-rtl-override-fixed", RCC, {"remark": "补贴\u202e"}, "remark", "TEXT_BIDI"),
    ("remark-rtl-override-iso", ABC, {"remark": "补贴\u202e"}, "remark", "TEXT_BIDI"),
    ("bank-name-isolates-delimited", PSBC, {"bank_name": "\u2066农行\u2069"}, "bank_name", "TEXT_BIDI"),
    ("subsidy-item-rlm-fixed", RCC, {"subsidy_item": "补贴\u200f"}, "subsidy_item", "TEXT_BIDI"),
    ("remark-crlf-iso", ABC, {"remark": "第一行\r\n第二行"}, "remark", "TEXT_LINE_BREAK"),
    ("bank-name-lf-iso", ABC, {"bank_name": "农行\n某支行"}, "bank_name", "TEXT_LINE_BREAK"),
    ("address-line-separator-iso", ABC, {"address": "某乡\u2028某村"}, "address", "TEXT_LINE_BREAK"),
    ("address-bell-delimited", PSBC, {"address": "某村\x07"}, "address", "TEXT_CONTROL"),
    ("remark-noncharacter-iso", ABC, {"remark": "备注\ufffe"}, "remark", "TEXT_NONCHARACTER"),
    ("address-122-bytes-fixed", RCC, {"address": "某" * 61}, "address", "TEXT_WIDTH"),
    ("remark-62-bytes-fixed", RCC, {"remark": "备" * 31}, "remark", "TEXT_WIDTH"),
    ("remark-trailing-space-fixed", RCC, {"remark": "备注 "}, "remark", "TEXT_CHARACTER"),
    ("bank-name-pipe-delimited", PSBC, {"bank_name": "农行|某支行"}, "bank_name", "TEXT_CHARACTER"),
    ("subsidy-item-36-characters-iso", ABC, {"subsidy_item": "补" * 36}, "subsidy_item", "TEXT_WIDTH"),
    ("subsidy-item-36-characters-v03", ABC03, {"subsidy_item": "补" * 36}, "subsidy_item", "TEXT_WIDTH"),
    ("amount-16-digits-fixed", RCC, {"amount_fen": 10**15}, "amount_fen", "AMOUNT_TOO_LARGE"),
]


@pytest.mark.parametrize(("bank", "changes", "field", "code"), [c[1:] for c in LINE_CASES],
                         ids=[c[0] for c in LINE_CASES])
def test_a_line_the_bank_file_cannot_carry_is_rejected_until_corrected(api, bank, changes, field, code):
    ctx, client = api
    case = next(i for i, c in enumerate(LINE_CASES) if c[2] is changes)
    lines = _set(_roster(seed=300 + case), 2, **changes)
    rows = _rows(ctx)
    reply = client.submit(_header(lines, bank, f"line-{case}"), lines)
    found = [(i.seq, i.field, i.code, i.severity) for i in reply.issues]
    assert [f for f in found if f[3] == "error"] == [(2, field, code, "error")], found
    issue = next(i for i in reply.issues if i.code == code)
    assert issue.message.startswith(f"line 2: {field}: ")
    assert reply.status == "NEEDS_CORRECTION" and _statuses(ctx, reply.batch_id)[2] == "REJECTED"
    with pytest.raises(grpc.RpcError) as err:
        client.as_user("approver").call("ApproveBatch", pb.ApproveBatchRequest(batch_id=reply.batch_id))
    assert err.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    after = _rows(ctx)
    assert after["postings"] == rows["postings"] and after["transactions"] == rows["transactions"]
    # A correction the file cannot carry either stays rejected; one it can is accepted (an amount
    # cannot change in a correction: that line is removed instead).
    again = client.call("CorrectLines", pb.CorrectLinesRequest(batch_id=reply.batch_id, lines=[
        convert.line_to_pb(lines[1])]))
    assert [(i.seq, i.code) for i in again.issues if i.severity == "error"] == [(2, code)]
    assert again.status == "NEEDS_CORRECTION" and _statuses(ctx, reply.batch_id)[2] == "REJECTED"
    if field == "amount_fen":
        fixed = client.call("RemoveLines", pb.ResolveLinesRequest(batch_id=reply.batch_id, seqs=[2],
                                                                  reason="amount beyond the bank's field"))
    else:
        good = _roster(seed=300 + case)[1]
        fixed = client.call("CorrectLines", pb.CorrectLinesRequest(batch_id=reply.batch_id, lines=[
            convert.line_to_pb(good)]))
    assert fixed.status == "SUBMITTED" and fixed.rejected_count == 0, list(fixed.issues)


# --- what passes renders: the edges of each bank's file, through dispatch's renderer -------------

EDGES = {
    RCC: {"name": "买买提·艾力", "address": "某" * 60, "remark": "备" * 30, "bank_name": "农行|支行<B>",
          "subsidy_item": "耕地地力保护补贴" * 2 + "补助", "household_no": "H" * 32},
    PSBC: {"name": "欧阳堃喆", "address": "某" * 140, "remark": " 前后有空格 ", "bank_name": "农行<&>\"'",
           "subsidy_item": "补" * 140},
    ABC: {"name": "张𠀀", "address": "某" * 140, "remark": "&<>\"' " * 23, "bank_name": "中国农业银行" * 23,
          "subsidy_item": "补" * 35, "household_no": "户" * 32},
    ABC03: {"name": "㐀𠀀", "address": "某\u3000" * 70, "remark": "备", "subsidy_item": "补" * 35},
}


@pytest.mark.parametrize("bank", list(EDGES))
def test_a_batch_at_the_edges_of_its_bank_file_passes_and_renders_as_submitted(api, bank, tmp_path):
    ctx, client = api
    lines = _set(_roster(seed=900 + len(bank) + ord(bank[-1]), n=4), 2, **EDGES[bank])
    if bank == RCC:
        lines = _set(lines, 3, amount_fen=10**15 - 1)  # the widest amount of the fixed-width field
    header = _header(lines, bank, f"edges-{bank}", payer_name="某县财政局" + ("局" * 60 if bank == PSBC else ""))
    reply = client.submit(header, lines)
    assert reply.status == "SUBMITTED" and reply.accepted_count == 4, list(reply.issues)
    client.as_user("approver").call("ApproveBatch", pb.ApproveBatchRequest(batch_id=reply.batch_id))
    client.as_user("finance").call("FundBatch", pb.FundBatchRequest(batch_id=reply.batch_id,
                                                                    amount_fen=header.control_total_fen))
    with ctx.engine.connect() as conn:
        batch = store.get_batch(conn, reply.batch_id)
    out = tmp_path / "payment.file"
    dispatch._render(ctx, batch, SimpleNamespace(message_id=payment_message_id(batch.id, 0)), out, ctx.clock())
    fmt = ctx.settings.bank(bank).bank_format
    with open(out, "rb") as src:
        reader = fmt.read_payments(src)
        assert (reader.header.payer_name, reader.header.bank_code) == (header.payer_name, bank)
        assert list(reader) == lines


# --- limits: lengths before anything is read -----------------------------------------------------

def _submit_with(client, header_changes=None, **line_changes):
    lines = _set(_roster(seed=11), 2, **line_changes)
    return lambda: client.submit(_header(lines, ABC, "too-long", **(header_changes or {})), lines)


def _call(client, user, method, request):
    return lambda: client.as_user(user).call(method, request)


def _stream(client, method, start: pb.IngestResultFileRequest.Start, data: bytes = b"x", chunk: int = 16 * 1024):
    def requests():
        yield pb.IngestResultFileRequest(start=start)
        for at in range(0, len(data), chunk):
            yield pb.IngestResultFileRequest(data=data[at:at + chunk])
    return lambda: getattr(client.as_user("finance").stub, method)(requests(), metadata=client.as_user("finance").metadata)


def _start(**changes):
    return pb.IngestResultFileRequest.Start(**{"bank_code": ABC, "file_name": "PAIN002_x.xml", **changes})


LIMIT_CASES = [
    # (case, call(client), field, code)
    ("id-number-5000", lambda c: _submit_with(c, id_number="1" * 5000), "lines[2].id_number", "TOO_LONG"),
    ("account-4301-digits", lambda c: _submit_with(c, account_no="6" * 4301), "lines[2].account_no", "TOO_LONG"),
    ("name-65", lambda c: _submit_with(c, name="张" * 65), "lines[2].name", "TOO_LONG"),
    ("remark-1025", lambda c: _submit_with(c, remark="备" * 1025), "lines[2].remark", "TOO_LONG"),
    ("phone-65", lambda c: _submit_with(c, phone="1" * 65), "lines[2].phone", "TOO_LONG"),
    ("program-257", lambda c: _submit_with(c, {"program": "补" * 257}), "header.program", "TOO_LONG"),
    ("payer-name-100000", lambda c: _submit_with(c, {"payer_name": "局" * 100_000}), "header.payer_name",
     "TOO_LONG"),
    ("region-65", lambda c: _submit_with(c, {"region": "6" * 65}), "header.region", "TOO_LONG"),
    ("idempotency-key-257", lambda c: _submit_with(c, {"idempotency_key": "k" * 257}), "header.idempotency_key",
     "TOO_LONG"),
    ("get-batch-id-10000", lambda c: _call(c, "auditor", "GetBatch", pb.GetBatchRequest(batch_id="B" * 10_000)),
     "batch_id", "TOO_LONG"),
    ("stop-note-2001", lambda c: _call(c, "clerk", "AddStopEntries", pb.AddStopEntriesRequest(entries=[
        pb.StopEntryInput(id_number="652301198001011234", kind="DECEASED", effective_from="2026-01-05",
                          source="民政局", note="注" * 2001)])), "entries[0].note", "TOO_LONG"),
    ("stop-id-4400", lambda c: _call(c, "clerk", "AddStopEntries", pb.AddStopEntriesRequest(entries=[
        pb.StopEntryInput(id_number="1" * 4400, kind="DECEASED", effective_from="2026-01-05", source="民政局")])),
     "entries[0].id_number", "TOO_LONG"),
    ("query-stop-id-5000", lambda c: _call(c, "clerk", "QueryStopList", pb.QueryStopListRequest(
        id_number="1" * 5000)), "id_number", "TOO_LONG"),
    ("list-files-bank-65", lambda c: _call(c, "auditor", "ListFiles", pb.ListFilesRequest(bank_code="B" * 65)),
     "bank_code", "TOO_LONG"),
    ("monthly-region-5000", lambda c: _call(c, "auditor", "GetMonthlyReport", pb.GetMonthlyReportRequest(
        program=PROGRAM, region="6" * 5000, month="2026-11")), "region", "TOO_LONG"),
    ("correct-remark-2000", lambda c: _call(c, "clerk", "CorrectLines", pb.CorrectLinesRequest(
        batch_id="B1", lines=[pb.PaymentLine(seq=1, remark="备" * 2000)])), "lines[0].remark", "TOO_LONG"),
    ("remove-reason-2001", lambda c: _call(c, "clerk", "RemoveLines", pb.ResolveLinesRequest(
        batch_id="B1", seqs=[1], reason="因" * 2001)), "reason", "TOO_LONG"),
    # page sizes: 1 to 1,000 (0: 100)
    ("batches-page-minus-1", lambda c: _call(c, "auditor", "ListBatches", pb.ListBatchesRequest(page_size=-1)),
     "page_size", "OUT_OF_RANGE"),
    ("batches-page-1001", lambda c: _call(c, "auditor", "ListBatches", pb.ListBatchesRequest(page_size=1001)),
     "page_size", "OUT_OF_RANGE"),
    ("files-page-minus-1", lambda c: _call(c, "auditor", "ListFiles", pb.ListFilesRequest(page_size=-1)),
     "page_size", "OUT_OF_RANGE"),
    ("lines-page-10000", lambda c: _call(c, "auditor", "ListLines", pb.ListLinesRequest(
        batch_id="B1", status="PENDING", page_size=10_000)), "page_size", "OUT_OF_RANGE"),
    ("issues-page-minus-1", lambda c: _call(c, "auditor", "ListLineIssues", pb.ListLineIssuesRequest(
        batch_id="B1", page_size=-1)), "page_size", "OUT_OF_RANGE"),
    ("transactions-page-1001", lambda c: _call(c, "auditor", "ListTransactions", pb.ListTransactionsRequest(
        page_size=1001)), "page_size", "OUT_OF_RANGE"),
    ("recoveries-page-minus-1", lambda c: _call(c, "auditor", "ListRecoveries", pb.ListRecoveriesRequest(
        page_size=-1)), "page_size", "OUT_OF_RANGE"),
    ("disclosure-page-5000", lambda c: _call(c, "auditor", "GetDisclosureList", pb.GetDisclosureListRequest(
        batch_id="B1", page_size=5000)), "page_size", "OUT_OF_RANGE"),
    ("statement-files-page-minus-1", lambda c: _call(c, "auditor", "ListStatementFiles",
                                                     pb.ListStatementFilesRequest(page_size=-1)),
     "page_size", "OUT_OF_RANGE"),
    ("exceptions-page-minus-1", lambda c: _call(c, "auditor", "ListExceptions", pb.ListExceptionsRequest(
        page_size=-1)), "page_size", "OUT_OF_RANGE"),
    # hand-ins: at most handed_in_max_bytes, counted while streaming; a plain name; a small signature
    ("result-file-one-byte-over", lambda c: _stream(c, "IngestResultFile", _start(), b"<" * (CAP + 1)),
     "data", "FILE_TOO_LARGE"),
    ("result-file-in-one-message", lambda c: _stream(c, "IngestResultFile", _start(), b"<" * (3 * CAP),
                                                     chunk=3 * CAP), "data", "FILE_TOO_LARGE"),
    ("statement-four-times-over", lambda c: _stream(c, "IngestStatementFile", _start(file_name="CAMT053_x.xml"),
                                                    b"<" * (4 * CAP)), "data", "FILE_TOO_LARGE"),
    ("file-name-256", lambda c: _stream(c, "IngestResultFile", _start(file_name="n" * 256)), "start.file_name",
     "TOO_LONG"),
    ("file-name-line-feed", lambda c: _stream(c, "IngestResultFile", _start(file_name="PAIN002\nx.xml")),
     "start.file_name", "TEXT_LINE_BREAK"),
    ("file-name-rtl-override", lambda c: _stream(c, "IngestResultFile", _start(file_name="PAIN002_\u202elmx.xml")),
     "start.file_name", "TEXT_BIDI"),
    ("signature-65-kib", lambda c: _stream(c, "IngestResultFile", _start(signature=b"s" * (64 * 1024 + 1))),
     "start.signature", "TOO_LONG"),
    ("bank-code-65", lambda c: _stream(c, "IngestStatementFile", _start(bank_code="B" * 65)), "start.bank_code",
     "TOO_LONG"),
]


@pytest.mark.parametrize(("call", "field", "code"), [c[1:] for c in LIMIT_CASES], ids=[c[0] for c in LIMIT_CASES])
def test_a_request_over_a_limit_is_refused_and_changes_nothing(api, call, field, code):
    ctx, client = api
    description = _refused(ctx, call(client), field, code)
    assert description.startswith(f"{code}: ")


def test_a_hand_in_of_exactly_the_cap_is_taken_in(api):
    """The cap is the largest file taken, not one byte less (its content is no result file: it is
    recorded and quarantined, which is what a hand-in within the limits gets)."""
    ctx, client = api
    before = _rows(ctx)
    reply = _stream(client, "IngestResultFile", _start(file_name="PAIN002_exact.xml"), b"<" * CAP)()
    assert reply.file.state == "QUARANTINED" and reply.file.size == CAP
    assert _rows(ctx)["files"] == before["files"] + 1


def test_page_sizes_within_bounds_and_the_default(api):
    ctx, client = api
    lines = [replace(ln, name="张𠀀") for ln in _roster(seed=77, n=150)]  # every line rejected: 150 issues
    reply = client.submit(_header(lines, RCC, "pages"), lines)
    assert reply.issue_count == 150
    auditor = client.as_user("auditor")
    default = auditor.call("ListLineIssues", pb.ListLineIssuesRequest(batch_id=reply.batch_id))
    assert len(default.issues) == 100 and default.next_after_issue_id
    rest = auditor.call("ListLineIssues", pb.ListLineIssuesRequest(batch_id=reply.batch_id, page_size=1000,
                                                                   after_issue_id=default.next_after_issue_id))
    assert len(rest.issues) == 50 and rest.next_after_issue_id == 0
    one = auditor.call("ListLines", pb.ListLinesRequest(batch_id=reply.batch_id, status="REJECTED", page_size=1))
    assert [ln.seq for ln in one.lines] == [1]
    assert len(auditor.call("ListBatches", pb.ListBatchesRequest(page_size=1000)).batches) >= 1
