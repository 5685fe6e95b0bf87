"""``ykt batch submit`` of an Excel roster through a real gRPC server (issue 16 item 2): the
sheet is checked here, streamed to SubmitBatch, and the result sheet says for every row of the
file whether the service accepted, rejected or held it, and why, in Chinese.

The roster is the filled-in template: its example row stays in it (skipped and said so), and
its rows are chosen so that the service finds what no local check can: a person already paid
for the period in another batch (rejected), a person registered with another account (held,
one-card review), a person on the stop list (held). The expected outcome of each row is
written out below from those choices, not from what the command prints.
"""
from __future__ import annotations

import argparse
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from adapter import roster_cli, roster_template
from adapter import server as grpc_server
from domain.idnumber import compose
from domain.model import BatchHeader, PaymentLine
from domain.validation import luhn_check_digit
from i18n import name
from ledger.db import make_engine, migrate, sqlite_url
from privacy.cipher import FieldCipher
from privacy.keys import Keyring
from service.config import BankProfile, Settings
from service.context import Context
from tests.support.identities import TEST_AUTH, TestClient
from ykt.v1 import disbursement_pb2 as pb

BANK, REGION, PROGRAM, PERIOD = "RCB01", "652301", "耕地地力保护补贴", "2026-11"


def _account(n: int) -> str:
    body = f"62220200{n:010d}"
    return body + luhn_check_digit(body)


PAID = compose(REGION, "19600101", 1)  # in the earlier batch for the same period: rejected
MOVED = compose(REGION, "19610202", 2)  # in an earlier period with another account: held
STOPPED = compose(REGION, "19620303", 3)  # on the stop list: held
FRESH = [compose(REGION, "19700101", 10 + i) for i in range(3)]


@pytest.fixture(scope="module")
def api(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("roster-submit")
    engine = make_engine(sqlite_url(tmp / "ledger.sqlite3"))
    migrate(engine)
    settings = Settings(database_url=str(engine.url), data_dir=tmp / "service",
                        banks={BANK: BankProfile(code=BANK, name="某农村商业银行", format="iso20022")},
                        auth=TEST_AUTH)
    ctx = Context(engine=engine, settings=settings, cipher=FieldCipher(Keyring.generate()))
    server, port = grpc_server.build(ctx, "127.0.0.1:0")
    client = TestClient(f"127.0.0.1:{port}", "clerk")
    for period, lines in (("2026-10", [PaymentLine(1, "孙二", MOVED, _account(2), 5000)]),
                          (PERIOD, [PaymentLine(1, "钱一", PAID, _account(1), 5000)])):
        client.submit(BatchHeader(f"earlier-{period}", PROGRAM, period, REGION, BANK, "某县财政局", "15000012345678",
                                  len(lines), sum(ln.amount_fen for ln in lines)), lines)
    client.call("AddStopEntries", pb.AddStopEntriesRequest(entries=[pb.StopEntryInput(
        id_number=STOPPED, kind="DECEASED", effective_from="2026-01-01", source="民政局")]))
    yield client
    client.close()
    server.stop(grace=None).wait()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ykt")
    batch = parser.add_subparsers(dest="command").add_parser("batch").add_subparsers(dest="batch_command")
    roster_cli.add_parsers(batch, lambda p: p.add_argument("--address"))
    return parser


def _submit(client, path, *more: str) -> int:
    args = _parser().parse_args(["batch", "submit", str(path), "--program", PROGRAM, "--period", PERIOD,
                                 "--region", REGION, "--bank", BANK, "--payer-name", "某县财政局",
                                 "--payer-account", "15000012345678", *more])
    return roster_cli.run(args, lambda _args: client)


def _batches(client) -> list[str]:
    return sorted(b.batch_id for b in client.call("ListBatches", pb.ListBatchesRequest(page_size=100)).batches)


# (name, ID, account, amount as typed, expected fen, expected outcome, expected codes)
ROWS = [
    ("钱一", PAID, _account(1), 50, 5000, "已拒绝", ["DUPLICATE_PAYMENT"]),
    ("孙二", MOVED, _account(20), "1,200.50", 120050, "暂停,待复核", ["ONE_CARD_TWO_ACCOUNTS"]),
    ("李三", STOPPED, _account(3), 88.8, 8880, "暂停,待复核", ["STOP_DECEASED"]),  # added as DECEASED
    ("周四", FRESH[0], _account(4), 100, 10000, "已接受", []),
    ("吴五", FRESH[1], _account(5)[:-1] + str((int(_account(5)[-1]) + 1) % 10), "0.01", 1, "已接受",
     ["ACCOUNT_LUHN"]),
    ("郑六", FRESH[2], _account(6), 1234.56, 123456, "已接受", []),
]


def _roster(tmp_path, rows):
    path = tmp_path / "名册.xlsx"
    roster_template.write(path)
    book = load_workbook(path)
    sheet = book.active
    for i, (person, id_number, account, amount, *_rest) in enumerate(rows):
        for column, value in enumerate([None, person, id_number, account, amount], 1):
            if value is not None:
                sheet.cell(4 + i, column, value)
    book.save(path)
    return path


def code_field(codes) -> str:
    """The field a row's findings are about: the Luhn warning is the account's, the rest the ID's."""
    return "account_no" if codes == ["ACCOUNT_LUHN"] else "id_number"


def test_a_filled_template_is_submitted_and_each_row_has_its_outcome(api, tmp_path, capsys):
    rows = ROWS
    path = _roster(tmp_path, rows)
    before = _batches(api)

    assert _submit(api, path) == roster_cli.EXIT_REJECTED  # sent, with a rejected row
    out = capsys.readouterr().out
    assert "第 3 行是模板的示例行,已跳过" in out

    after = _batches(api)
    [batch_id] = sorted(set(after) - set(before))
    listed = api.call("ListBatches", pb.ListBatchesRequest(page_size=100)).batches
    points_at = {code: next(b.batch_id for b in listed if b.period == period and b.batch_id in before)
                 for code, period in (("DUPLICATE_PAYMENT", PERIOD), ("ONE_CARD_TWO_ACCOUNTS", "2026-10"))}
    batch = api.call("GetBatch", pb.GetBatchRequest(batch_id=batch_id))
    assert (batch.line_count, batch.total_fen) == (6, sum(r[4] for r in rows))

    book = load_workbook(tmp_path / "名册-result.xlsx")
    results, summary = book.worksheets
    got = [[c.value for c in row] for row in results.iter_rows(min_row=2)]
    assert len(got) == len(rows)
    for i, (row, expected) in enumerate(zip(got, rows)):
        person, id_number, account, _typed, fen, outcome, codes = expected
        assert row[0] == 4 + i and row[1] == 1 + i and row[2] == person  # the file's row, the seq
        assert id_number not in str(row[3]) and row[3][:3] == id_number[:3] and row[3][-4:] == id_number[-4:]
        assert account not in str(row[4]) and row[4][-4:] == account[-4:]
        assert Decimal(str(row[5])) * 100 == fen
        assert row[6] == outcome, (i, row)
        assert (row[7] or "").split("; ") == (codes or [""]), (i, row)
        field = "account_no" if code_field(codes) == "account_no" else "id_number"
        words = [f"{name('field', field)}:{name('problem', code)}" for code in codes]  # from the catalogue
        expected_words = [w + (f"(批次 {points_at[c]} 序号 1)" if c in points_at else "")  # the earlier line
                          for w, c in zip(words, codes)]
        assert (row[8].split("\n") if row[8] else []) == expected_words, (i, row[8])
    facts = {r[0].value: r[1].value for r in summary.iter_rows()}
    assert facts["批次号"] == batch_id
    assert (facts["已接受"], facts["已拒绝"], facts["暂停,待复核"], facts["行数"]) == (3, 1, 2, 6)

    # the same file again: the service answers it as a replay of the first; nothing new is stored
    assert _submit(api, path, "--result", str(tmp_path / "again.xlsx")) == roster_cli.EXIT_REJECTED
    assert "此前已提交过" in capsys.readouterr().out
    assert _batches(api) == after
    again = {r[0].value: r[1].value for r in load_workbook(tmp_path / "again.xlsx").worksheets[1].iter_rows()}
    assert again["批次号"] == batch_id


def test_a_sheet_with_a_wrong_row_is_refused_and_nothing_is_sent(api, tmp_path, capsys):
    bad_id = FRESH[0][:-1] + ("0" if FRESH[0][-1] != "0" else "1")
    path = _roster(tmp_path, [("周四", bad_id, _account(4), 100), ("吴五", FRESH[1], _account(5), "12.345")])
    before = _batches(api)
    assert _submit(api, path) == roster_cli.EXIT_REFUSED_HERE
    said = capsys.readouterr()
    assert "第 4 行(序号 1) 身份证号:[错误]" in said.out and "[ID_CHECKSUM]" in said.out
    assert "第 5 行(序号 2) 金额(元):[错误]" in said.out and "[SHEET_AMOUNT]" in said.out
    assert "未提交任何内容" in said.err
    assert _batches(api) == before
    assert not (tmp_path / "名册-result.xlsx").exists()
    listed = [[c.value for c in row] for row in load_workbook(tmp_path / "名册-problems.xlsx").active.iter_rows()]
    assert listed[0] == ["原表行号", "序号", "列", "类别", "原因代码", "问题", "说明"]
    assert sorted((r[0], r[1], r[2], r[3], r[4]) for r in listed[1:]) == [
        (4, 1, "身份证号", "错误", "ID_CHECKSUM"), (5, 2, "金额(元)", "错误", "SHEET_AMOUNT")]


def test_a_result_folder_that_is_not_there_is_refused_before_anything_is_sent(api, tmp_path, capsys):
    path = _roster(tmp_path, [("周四", FRESH[0], _account(4), 100)])
    before = _batches(api)
    result = tmp_path / "没有的文件夹" / "结果.xlsx"
    assert _submit(api, path, "--result", str(result)) == roster_cli.EXIT_REFUSED_HERE
    assert str(result) in capsys.readouterr().err
    assert _batches(api) == before and not result.parent.exists()


def test_template_command_never_overwrites(tmp_path, capsys):
    out = tmp_path / "t.xlsx"
    args = _parser().parse_args(["batch", "template", "--out", str(out)])
    assert roster_cli.run(args, None) == roster_cli.EXIT_OK
    written = out.read_bytes()
    assert roster_cli.run(args, None) == roster_cli.EXIT_REFUSED_HERE
    assert out.read_bytes() == written


def test_ykt_batch_submit_a_gbk_csv_from_the_command_line(api, tmp_path):
    """The real command in its own process: a CSV saved by Excel in GBK with English headers,
    answered in English with --lang en, the result sheet in English too."""
    import os
    import subprocess
    import sys

    from tests.support.identities import TOKENS
    from tests.support.serving import ROOT

    fresh = compose(REGION, "19900909", 99)
    path = tmp_path / "roster.csv"
    path.write_bytes(f"Name,ID number,Account,Amount (yuan)\r\n冯七,{fresh},{_account(99)},\"1,000.50\"\r\n"
                     .encode("gbk"))
    done = subprocess.run(
        [sys.executable, "-m", "adapter.cli", "--lang", "en", "batch", "submit", str(path), "--program", PROGRAM,
         "--period", "2026-12", "--region", REGION, "--bank", BANK, "--payer-name", "某县财政局", "--payer-account",
         "15000012345678", "--address", api.address],
        capture_output=True, text=True, timeout=120, cwd=ROOT, env={**os.environ, "YKT_TOKEN": TOKENS["clerk"]})
    assert done.returncode == 0, done.stderr
    assert "roster checked: 1 rows, 1,000.50 yuan." in done.stdout
    assert "1 accepted, 0 rejected, 0 held" in done.stdout
    results = load_workbook(tmp_path / "roster-result.xlsx").worksheets[0]
    assert [c.value for c in results[1]][:2] == ["row", "seq"]
    assert [c.value for c in results[2]][:7] == [2, 1, "冯七", fresh[:3] + "*" * 11 + fresh[-4:],
                                                 _account(99)[:4] + "*" * 11 + _account(99)[-4:], 1000.5, "accepted"]


def test_json_for_scripts(api, tmp_path, capsys):
    import json

    fresh = compose(REGION, "19911111", 77)
    path = _roster(tmp_path, [("褚八", fresh, _account(77), "66.60")])
    assert _submit(api, path, "--json") == roster_cli.EXIT_OK
    said = json.loads(capsys.readouterr().out)  # the one object, nothing else on stdout
    batch = api.call("GetBatch", pb.GetBatchRequest(batch_id=said["batch_id"]))
    assert (said["line_count"], said["total_fen"], said["accepted_count"], said["status"]) == (1, 6660, 1, "SUBMITTED")
    assert (batch.line_count, batch.total_fen) == (1, 6660)
    assert said["result"] == str(tmp_path / "名册-result.xlsx")

    (tmp_path / "bad").mkdir()
    bad = _roster(tmp_path / "bad", [("褚八", fresh, _account(77), "66.666")])
    assert _submit(api, bad, "--json") == roster_cli.EXIT_REFUSED_HERE
    refused = json.loads(capsys.readouterr().err.strip().splitlines()[-1])["error"]
    assert [(p["row"], p["field"], p["code"]) for p in refused["problems"]] == [(4, "amount_yuan", "SHEET_AMOUNT")]


def test_many_warnings_are_counted_and_listed_in_the_problems_sheet(tmp_path, capsys):
    rows = [(f"王{'一二三四五六七八九十'[i % 10]}{'甲乙丙丁戊己庚辛壬癸'[i // 10 % 10]}{'子丑寅卯'[i // 100]}",
             compose(REGION, "19800101", i), " ".join(_account(1000 + i)[j:j + 4] for j in range(0, 19, 4)), 1)
            for i in range(250)]
    path = _roster(tmp_path, rows)
    assert _submit(None, path, "--check-only") == roster_cli.EXIT_OK
    out = capsys.readouterr().out
    assert out.count("[SHEET_TIDIED]") == roster_cli.WARNINGS_SHOWN
    assert "另有 50 条提示未逐条列出" in out and "名册检查通过:250 行,合计 250.00 元。" in out
    listed = list(load_workbook(tmp_path / "名册-problems.xlsx").active.iter_rows(min_row=2, values_only=True))
    assert len(listed) == 250 and {r[4] for r in listed} == {"SHEET_TIDIED"}


@pytest.mark.sshd
@pytest.mark.timeout(180)
def test_through_ykt_serve(tmp_path, sshd_server, sqlite_engine):
    """The whole way a department goes: ``ykt batch template``, the sheet filled in, ``ykt batch
    submit`` against a ``ykt serve`` process (tests/support/serving.py), a held row in the
    result sheet."""
    import os
    import subprocess
    import sys

    from privacy.keys import Keyring
    from tests.support.identities import TOKENS
    from tests.support.serving import ROOT, serve, stop, write_settings

    key_file = tmp_path / "keys" / "pii-keys.json"
    key_file.parent.mkdir()
    Keyring.generate(key_file)
    profile = tmp_path / f"{BANK}.toml"
    profile.write_text(f'[bank]\ncode = "{BANK}"\nname = "某农村商业银行"\n[format]\nfamily = "iso20022"\n'
                       '[folders]\ninbox = "inbox"\noutbox = "outbox"\n', encoding="utf-8")
    config = write_settings(tmp_path / "ykt.toml", data_dir=tmp_path / "data",
                            database_url=sqlite_engine.url.render_as_string(hide_password=False), key_file=key_file,
                            instance_id="a", bank=BANK, profile=profile, sshd_server=sshd_server)
    proc, address = serve(config)
    env = {**os.environ, "YKT_TOKEN": TOKENS["clerk"]}

    def ykt(*words: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "adapter.cli", *words], capture_output=True, text=True,
                              timeout=120, cwd=ROOT, env=env)

    try:
        sheet = tmp_path / "名册.xlsx"
        assert ykt("batch", "template", "--out", str(sheet)).returncode == 0
        book = load_workbook(sheet)
        people = [("周四", FRESH[0], _account(4), 100), ("李三", STOPPED, _account(3), "88.80")]
        for i, row in enumerate(people):
            for column, value in enumerate(row, 2):
                book.active.cell(4 + i, column, value)
        book.save(sheet)
        client = TestClient(address, "clerk")
        client.call("AddStopEntries", pb.AddStopEntriesRequest(entries=[pb.StopEntryInput(
            id_number=STOPPED, kind="DECEASED", effective_from="2026-01-01", source="民政局")]))
        client.close()
        done = ykt("batch", "submit", str(sheet), "--program", PROGRAM, "--period", PERIOD, "--region", REGION,
                   "--bank", BANK, "--payer-name", "某县财政局", "--payer-account", "15000012345678",
                   "--address", address)
        assert done.returncode == roster_cli.EXIT_OK, done.stderr  # a held row is not a rejected one
        assert "接受 1 行,拒绝 0 行,暂停 1 行" in done.stdout
        got = [[c.value for c in row][:8] for row in load_workbook(tmp_path / "名册-result.xlsx").active.iter_rows(
            min_row=2)]
        assert [(r[0], r[1], r[2], r[5], r[6], r[7]) for r in got] == [
            (4, 1, "周四", 100, "已接受", None), (5, 2, "李三", 88.8, "暂停,待复核", "STOP_DECEASED")]
    finally:
        stop(proc)
