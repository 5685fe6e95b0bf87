"""``ykt batch submit`` streams rows while later rows are still checked, and nothing is stored
unless every row passed (issue 16 item 2); SubmitBatch stores nothing for a stream that is
cancelled, breaks, or ends without the totals it left to the end. Through the real gRPC server,
on SQLite and on PostgreSQL.

Each test waits for the service's handler to finish (it records how ``submission.submit``
ended) before it looks at the database: a cancelled call returns at once to the client, while
the service may still be reading and rolling back. A cancel reaches the handler either as an
error of the request stream or, when gRPC delivers the stream's end before the cancellation
(seen in these tests), as a stream that simply ended: without its totals, or with fewer lines
than the header's count, and either way nothing is stored.
"""
from __future__ import annotations

import argparse
import logging
import threading
import time
from decimal import Decimal

import grpc
import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from adapter import convert, roster_cli, roster_stream
from adapter import server as grpc_server
from adapter.client import CHUNK_LINES
from adapter.roster_sheet import COLUMNS
from adapter.servicer import DisbursementServicer
from domain.model import BatchHeader
from domain.roster import generate_lines
from ledger.schema import audit_events, batches, line_issues, lines
from privacy.cipher import FieldCipher
from privacy.keys import Keyring
from service import submission
from service.config import BankProfile, Settings
from service.context import Context
from tests.support.identities import TEST_AUTH, TestClient
from tests.support.xlsx_zip import broken_at_row, rewrite
from ykt.v1 import disbursement_pb2 as pb

BANK, REGION, PROGRAM, PERIOD = "RCB01", "652301", "耕地地力保护补贴", "2026-11"
PAYER, PAYER_ACCOUNT = "某县财政局", "15000012345678"
N, BAD_SEQ, BAD_AMOUNT_SEQ = 5000, 4000, 4700  # the bad rows come late


class Handler:
    """How each SubmitBatch handled by the service ended: the exception, or None when it stored."""

    def __init__(self) -> None:
        self.ended: list[BaseException | None] = []
        self.event = threading.Event()
        self.started = threading.Event()  # a submission reached the service layer
        self.entered = threading.Event()  # the servicer's SubmitBatch began (before it reads the header)
        self.left = threading.Event()  # ...and returned or refused

    def wait(self, count: int) -> list[BaseException | None]:
        for _ in range(200):
            if len(self.ended) >= count:
                return self.ended
            self.event.wait(0.05)
            self.event.clear()
        raise AssertionError(f"the service handled {len(self.ended)} submissions, not {count}")


@pytest.fixture
def service(engine, tmp_path, monkeypatch):
    handler = Handler()
    real = submission.submit

    def watched(*args, **kwargs):
        handler.started.set()
        try:
            outcome = real(*args, **kwargs)
        except BaseException as exc:
            handler.ended.append(exc)
            handler.event.set()
            raise
        handler.ended.append(None)
        handler.event.set()
        return outcome

    monkeypatch.setattr("adapter.servicer.submission.submit", watched)
    real_rpc = DisbursementServicer.SubmitBatch

    def entered(self, request_iterator, context):
        handler.entered.set()
        try:
            return real_rpc(self, request_iterator, context)
        finally:
            handler.left.set()

    monkeypatch.setattr(DisbursementServicer, "SubmitBatch", entered)  # before the server binds it
    settings = Settings(database_url=str(engine.url), data_dir=tmp_path / "service",
                        banks={BANK: BankProfile(code=BANK, name="某农村商业银行", format="iso20022")}, auth=TEST_AUTH)
    server, port = grpc_server.build(Context(engine=engine, settings=settings, cipher=FieldCipher(Keyring.generate())),
                                     "127.0.0.1:0")
    client = TestClient(f"127.0.0.1:{port}", "clerk")
    yield client, engine, handler
    client.close()
    server.stop(grace=None).wait()


def _stored(engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
                for t in (batches, lines, line_issues, audit_events)}


NOTHING = {"batches": 0, "lines": 0, "line_issues": 0, "audit_events": 0}


def _cut(ended: BaseException | None, seen_as_ended: str) -> bool:
    """Whether the handler ended as a cancelled stream ends: the stream's error, or the refusal
    ``seen_as_ended`` of a stream that ended early."""
    return isinstance(ended, grpc.RpcError) or isinstance(ended, submission.InvalidInput) and \
        ended.key == seen_as_ended


def _sheet(path, roster, bad: dict[int, tuple[int, object]]) -> None:
    """The roster as a sheet with the template's headers; ``bad`` replaces, by seq, a cell
    (column index, value)."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("发放名册")
    sheet.append([c.zh for c in COLUMNS])
    for ln in roster:
        row = [ln.seq, ln.name, ln.id_number, ln.account_no, Decimal(ln.amount_fen).scaleb(-2), "银行卡",
               ln.bank_name, ln.subsidy_item, ln.remark, ln.phone, ln.address, ln.household_no]
        if ln.seq in bad:
            column, value = bad[ln.seq]
            row[column] = value
        sheet.append(row)
    book.save(path)


def _submit(client, path, *more: str) -> int:
    parser = argparse.ArgumentParser(prog="ykt")
    roster_cli.add_parsers(parser.add_subparsers(), lambda p: p.add_argument("--address"))
    args = parser.parse_args(["submit", str(path), "--program", PROGRAM, "--period", PERIOD, "--region", REGION,
                              "--bank", BANK, "--payer-name", PAYER, "--payer-account", PAYER_ACCOUNT, *more])
    return roster_cli.run(args, lambda _args: client)


def test_a_late_bad_row_after_rows_were_streamed_stores_nothing_and_the_key_stays_free(service, tmp_path, capsys,
                                                                                   monkeypatch):
    client, engine, handler = service
    roster = list(generate_lines(N, seed=16, region=REGION))
    wrong_id = roster[BAD_SEQ - 1].id_number[:-1] + ("0" if roster[BAD_SEQ - 1].id_number[-1] != "0" else "1")
    path = tmp_path / "名册.xlsx"
    _sheet(path, roster, {BAD_SEQ: (2, wrong_id), BAD_AMOUNT_SEQ: (4, "12.345")})
    sent: list[int] = []
    real_send = roster_stream.Stream.send
    monkeypatch.setattr(roster_stream.Stream, "send",
                        lambda self, request: (sent.append(len(request.lines.lines)), real_send(self, request)))

    assert _submit(client, path, "--key", "late-bad-row") == roster_cli.EXIT_REFUSED_HERE
    said = capsys.readouterr()
    # the sheet's row is the seq + 1 (the header is row 1); both problems, each with its row
    assert f"第 {BAD_SEQ + 1} 行(序号 {BAD_SEQ}) 身份证号:[错误]" in said.out and "[ID_CHECKSUM]" in said.out
    assert f"第 {BAD_AMOUNT_SEQ + 1} 行(序号 {BAD_AMOUNT_SEQ}) 金额(元):[错误]" in said.out
    assert "[SHEET_AMOUNT]" in said.out and "未提交任何内容" in said.err
    # the rows before the first bad one went out in full chunks while the rest was checked...
    assert sent == [CHUNK_LINES] * ((BAD_SEQ - 1) // CHUNK_LINES) and sent
    # ...and the service, cancelled, stored nothing
    [ended] = handler.wait(1)
    assert _cut(ended, "error.batch.totals_missing"), ended
    assert _stored(engine) == NOTHING
    assert not client.call("ListBatches", pb.ListBatchesRequest(page_size=10)).batches

    _sheet(path, roster, {})  # corrected: the same key submits it once
    assert _submit(client, path, "--key", "late-bad-row", "--result", str(tmp_path / "result.xlsx")) == 0
    assert handler.wait(2)[1] is None
    [batch] = client.call("ListBatches", pb.ListBatchesRequest(page_size=10)).batches
    shown = client.call("GetBatch", pb.GetBatchRequest(batch_id=batch.batch_id))
    assert (shown.line_count, shown.total_fen) == (N, sum(ln.amount_fen for ln in roster))
    stored = _stored(engine)
    assert (stored["batches"], stored["lines"]) == (1, N)


def test_a_sheet_damaged_midway_after_rows_were_streamed_stores_nothing(service, tmp_path, capsys, monkeypatch):
    """The sheet is read as it streams (python-calamine-plus): XML broken at row 4,500 is found
    only after 4,000 rows went out. The command refuses the file and the service stores nothing."""
    client, engine, handler = service
    roster = list(generate_lines(N, seed=17, region=REGION))
    path = tmp_path / "名册.xlsx"
    _sheet(path, roster, {})
    broken_at_row(path, 4500)
    sent: list[int] = []
    real_send = roster_stream.Stream.send
    monkeypatch.setattr(roster_stream.Stream, "send",
                        lambda self, request: (sent.append(len(request.lines.lines)), real_send(self, request)))

    assert _submit(client, path, "--key", "damaged-midway") == roster_cli.EXIT_REFUSED_HERE
    said = capsys.readouterr()
    assert "[SHEET_FORMAT]" in said.out + said.err
    assert sent == [CHUNK_LINES, CHUNK_LINES]  # rows 2-4,001 went out before the damage was read
    [ended] = handler.wait(1)
    assert _cut(ended, "error.batch.totals_missing"), ended
    assert _stored(engine) == NOTHING


def test_a_sheet_changed_in_storage_is_refused_after_its_rows_streamed_and_stores_nothing(service, tmp_path, capsys,
                                                                                          monkeypatch):
    """A byte of the sheet changed after it was saved (its zip checksum no longer matches): the
    stream reads the changed amount as any other, so the checksum is checked once the last row
    was read, before the totals go. Every row went out; the service stores nothing."""
    client, engine, handler = service
    roster = list(generate_lines(N, seed=19, region=REGION))
    path = tmp_path / "名册.xlsx"
    _sheet(path, roster, {})
    rewrite(path, stored=True)  # stored: the changed byte stays valid XML
    data = path.read_bytes()
    last = data.rindex(b"<v>", 0, data.rindex(b'<c r="F'))  # the last row's amount
    path.write_bytes(data[:last + 3] + (b"8" if data[last + 3:last + 4] != b"8" else b"7") + data[last + 4:])
    sent: list[int] = []
    real_send = roster_stream.Stream.send
    monkeypatch.setattr(roster_stream.Stream, "send",
                        lambda self, request: (sent.append(len(request.lines.lines)), real_send(self, request)))

    assert _submit(client, path, "--key", "changed-in-storage") == roster_cli.EXIT_REFUSED_HERE
    said = capsys.readouterr()
    assert "[SHEET_FORMAT]" in said.out + said.err
    assert sum(sent) >= N - CHUNK_LINES  # the rows went out as they were read
    [ended] = handler.wait(1)
    assert _cut(ended, "error.batch.totals_missing"), ended
    assert _stored(engine) == NOTHING


def _header(key: str, count: int = 0, total: int = 0) -> pb.BatchHeader:
    return convert.header_to_pb(BatchHeader(key, PROGRAM, PERIOD, REGION, BANK, PAYER, PAYER_ACCOUNT, count, total))


def _chunks(roster):
    for start in range(0, len(roster), CHUNK_LINES):
        yield pb.SubmitBatchRequest(lines=pb.LineChunk(lines=[convert.line_to_pb(ln)
                                                              for ln in roster[start:start + CHUNK_LINES]]))


def _totals(roster) -> pb.SubmitBatchRequest:
    return pb.SubmitBatchRequest(totals=pb.BatchTotals(control_count=len(roster),
                                                       control_total_fen=sum(ln.amount_fen for ln in roster)))


@pytest.mark.parametrize("totals_in_header", [True, False])
def test_a_cancelled_stream_stores_nothing_and_the_key_stays_free(service, totals_in_header):
    client, engine, handler = service
    roster = list(generate_lines(3 * CHUNK_LINES, seed=17, region=REGION))
    count, total = len(roster), sum(ln.amount_fen for ln in roster)
    header = _header("cancelled", count, total) if totals_in_header else _header("cancelled")
    went = threading.Event()
    hold = threading.Event()

    def requests():
        yield pb.SubmitBatchRequest(header=header)
        chunks = _chunks(roster)
        yield next(chunks)
        yield next(chunks)
        went.set()
        hold.wait(10)  # the stream stays open, two chunks in, till the call is cancelled

    call = client.stub.SubmitBatch.future(requests(), metadata=client.metadata)
    assert went.wait(10) and handler.started.wait(10)  # cancelled mid-submission, not before it began
    call.cancel()
    hold.set()
    [ended] = handler.wait(1)
    assert _cut(ended, "error.batch.structure_rejected" if totals_in_header else "error.batch.totals_missing"), ended
    assert _stored(engine) == NOTHING

    answer = client.stub.SubmitBatch(iter([pb.SubmitBatchRequest(header=header), *_chunks(roster),
                                           *([] if totals_in_header else [_totals(roster)])]),
                                     metadata=client.metadata)
    assert (answer.replayed, answer.line_count, answer.total_fen, answer.accepted_count) == (False, count, total, count)
    stored = _stored(engine)
    assert (stored["batches"], stored["lines"]) == (1, count)


def test_a_stream_cancelled_before_its_header_stores_nothing_and_is_no_failure(service, caplog):
    client, engine, handler = service
    caplog.set_level(logging.INFO, logger="ykt.grpc")
    opened, hold = threading.Event(), threading.Event()

    def requests():
        opened.set()
        hold.wait(10)  # the header never comes
        return
        yield

    call = client.stub.SubmitBatch.future(requests(), metadata=client.metadata)
    assert opened.wait(10) and handler.entered.wait(10)  # the service began the call (a busy machine is slow)
    time.sleep(0.2)  # the service waits for the first message meanwhile
    call.cancel()
    hold.set()
    # the service lets the call go: told of the cancel (logged as such) or, when gRPC hands the
    # cancel over as the stream's end, refusing a stream without its header; either way routine
    assert handler.left.wait(10)
    assert not [r for r in caplog.records if r.levelname == "ERROR"]  # routine, no traceback
    assert not handler.ended and _stored(engine) == NOTHING


def test_totals_after_the_lines_store_the_roster_and_a_replay_is_told(service):
    client, engine, handler = service
    roster = list(generate_lines(CHUNK_LINES + 5, seed=18, region=REGION))
    count, total = len(roster), sum(ln.amount_fen for ln in roster)
    stream = [pb.SubmitBatchRequest(header=_header("at-the-end")), *_chunks(roster), _totals(roster)]
    first = client.stub.SubmitBatch(iter(stream), metadata=client.metadata)
    assert (first.replayed, first.line_count, first.total_fen) == (False, count, total)
    shown = client.call("GetBatch", pb.GetBatchRequest(batch_id=first.batch_id))
    assert (shown.line_count, shown.total_fen) == (count, total)
    again = client.stub.SubmitBatch(iter(stream), metadata=client.metadata)
    assert (again.replayed, again.batch_id) == (True, first.batch_id)
    # the same key with other totals at the end is another request
    other = [*stream[:-1], pb.SubmitBatchRequest(totals=pb.BatchTotals(control_count=count,
                                                                       control_total_fen=total + 1))]
    with pytest.raises(grpc.RpcError) as refused:
        client.stub.SubmitBatch(iter(other), metadata=client.metadata)
    assert refused.value.code() is grpc.StatusCode.ALREADY_EXISTS


def _refused(client, stream) -> grpc.RpcError:
    with pytest.raises(grpc.RpcError) as refused:
        client.stub.SubmitBatch(iter(stream), metadata=client.metadata)
    return refused.value


def test_a_stream_without_its_totals_or_with_them_out_of_place_stores_nothing(service):
    client, engine, handler = service
    roster = list(generate_lines(CHUNK_LINES + 5, seed=19, region=REGION))
    count, total = len(roster), sum(ln.amount_fen for ln in roster)
    cases = {
        # every line sent, then the stream ended without the totals the header left to the end
        "ended before its totals": [pb.SubmitBatchRequest(header=_header("k")), *_chunks(roster)],
        # the totals before the last lines
        "lines after the totals": [pb.SubmitBatchRequest(header=_header("k")), *list(_chunks(roster))[:1],
                                   _totals(roster), *list(_chunks(roster))[1:]],
        # the header gave them already
        "totals twice": [pb.SubmitBatchRequest(header=_header("k", count, total)), *_chunks(roster), _totals(roster)],
        # totals at the end that disagree with the lines
        "wrong totals": [pb.SubmitBatchRequest(header=_header("k")), *_chunks(roster),
                         pb.SubmitBatchRequest(totals=pb.BatchTotals(control_count=count - 1,
                                                                     control_total_fen=total))],
        # no line at all, and the stream ended without totals
        "empty, ended": [pb.SubmitBatchRequest(header=_header("k"))],
        # no line at all and totals of 0
        "empty": [pb.SubmitBatchRequest(header=_header("k")), pb.SubmitBatchRequest(totals=pb.BatchTotals())],
    }
    for i, (case, stream) in enumerate(cases.items(), 1):
        error = _refused(client, stream)
        assert error.code() is grpc.StatusCode.INVALID_ARGUMENT, (case, error)
        assert isinstance(handler.wait(i)[-1], submission.InvalidInput), case
        assert _stored(engine) == NOTHING, case
    # the key was never taken
    answer = client.stub.SubmitBatch(iter([pb.SubmitBatchRequest(header=_header("k")), *_chunks(roster),
                                           _totals(roster)]), metadata=client.metadata)
    assert (answer.replayed, answer.line_count) == (False, count)
