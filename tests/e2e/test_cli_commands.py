"""Issue 16 item 1: a `ykt` command for every task a person does, run as each person would,
against a real gRPC server (tests.support.office: the service on a port, banks in memory).

Each command is run in-process through ``adapter.cli.main`` with the person's token in
``YKT_TOKEN``; what it prints and its exit code are asserted. Expected figures come from the
roster the test made (its amounts, its seqs), never from what the command printed before.
"""
from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from adapter import cli
from service.identity import Role
from tests.support.office import Office

BANK = "RCB01"
USERS = {"clerk": Role.CLERK, "clerk2": Role.CLERK, "approver": Role.APPROVER, "finance": Role.FINANCE,
         "bank": Role.BANK, "auditor": Role.AUDITOR}
ROOT = cli.Path(__file__).resolve().parents[2]


@dataclass
class Ran:
    code: int
    out: str
    err: str

    def json(self):
        return json.loads(self.out)


@pytest.fixture
def office(sqlite_engine, tmp_path):
    o = Office(sqlite_engine, tmp_path, {k: frozenset([v]) for k, v in USERS.items()}, (BANK,), {"bank": (BANK,)},
               datetime(2026, 11, 2, 2, 0, tzinfo=UTC))
    yield o
    o.close()


@pytest.fixture
def ykt(office, monkeypatch, capsys):
    """``ykt(user, *words)``: the command as that user, against the office's server, in English
    unless the words say otherwise."""

    def run(user: str, *words: str, lang: str | None = "en") -> Ran:
        monkeypatch.setenv("YKT_TOKEN", office.tokens[user])
        capsys.readouterr()
        try:
            code = cli.main([*words, "--address", office._client.address, *(["--lang", lang] if lang else [])])
        except SystemExit as exc:  # argparse refuses a usage mistake by exiting
            code = exc.code
        out, err = capsys.readouterr()
        assert "Traceback" not in err
        return Ran(code, out, err)

    return run


def shown(fen: int) -> str:
    """Yuan as people read them, written here by Decimal (not by the code under test)."""
    return f"{Decimal(fen) / 100:,.2f}"


def sheet(path, lines) -> str:
    """Corrected lines as a clerk writes them: a CSV sheet with Chinese headers, amounts in yuan
    (GBK, as Excel saves CSV on a Chinese Windows)."""
    import csv

    with path.open("w", encoding="gbk", newline="") as f:
        out = csv.writer(f)
        out.writerow(["序号", "姓名", "身份证号", "账号", "金额(元)", "账户类型", "开户行", "补贴项目", "备注", "手机号",
                      "地址"])
        for ln in lines:
            out.writerow([ln.seq, ln.name, ln.id_number, ln.account_no, shown(ln.amount_fen).replace(",", ""),
                          ln.account_kind.value, ln.bank_name, ln.subsidy_item, ln.remark, ln.phone, ln.address])
    return str(path)


def test_a_batch_from_rejected_line_to_close_by_commands(office, ykt, tmp_path):
    o = office
    sent = o.submit("clerk", 6, bank=BANK, bad_first=True)
    b = sent.batch_id

    listed = ykt("clerk", "batch", "list", "--json")
    assert listed.code == 0
    (row,) = [x for x in listed.json() if x["batch_id"] == b]
    assert (row["status"], row["line_count"], row["total_fen"]) == ("NEEDS_CORRECTION", 6, sent.total_fen)
    assert isinstance(row["total_fen"], int)  # money stays integer fen for scripts

    table = ykt("clerk", "batch", "list", "--status", "needs_correction")
    assert table.code == 0 and b in table.out and shown(sent.total_fen) in table.out
    header, rule = table.out.splitlines()[:2]
    assert "total (yuan)" in header and set(rule) <= {"-", " "}

    issues = ykt("clerk", "issues", b, "--open", "--json")
    assert issues.code == 0 and {i["seq"] for i in issues.json()} == {1}
    assert {i["severity"] for i in issues.json()} == {"error"}
    rejected = ykt("clerk", "lines", "list", b, "--status", "REJECTED", "--json").json()
    assert [ln["seq"] for ln in rejected] == [1]
    assert rejected[0]["id_number_masked"] != sent.roster[1].id_number  # masked for people

    # approve before correction: the service refuses (exit 3), nothing changes
    early = ykt("approver", "batch", "approve", b)
    assert early.code == 3 and "FAILED_PRECONDITION" in early.err

    fixed = o.another_person(sent.roster[1])
    corrected = ykt("clerk2", "lines", "correct", b, sheet(tmp_path / "fix.csv", [fixed]))
    assert corrected.code == 0, corrected.err
    assert "5 accepted" not in corrected.out and "6 accepted, 0 rejected, 0 held" in corrected.out
    sent.roster[1] = fixed

    wrong_role = ykt("clerk", "batch", "approve", b)
    assert wrong_role.code == 3 and "PERMISSION_DENIED" in wrong_role.err and wrong_role.out == ""
    approved = ykt("approver", "batch", "approve", b, "--json")
    assert approved.code == 0 and approved.json()["status"] == "APPROVED"
    assert approved.json()["approved_by"] == "approver"

    short = ykt("finance", "batch", "fund", b, "--amount", "0.01")  # not the batch's total: refused
    assert short.code == 3, short.err
    assert "(INVALID_ARGUMENT)" in short.err and short.out == ""
    assert ykt("finance", "batch", "show", b, "--json").json()["funded_fen"] == 0  # refused: nothing moved
    funded = ykt("finance", "batch", "fund", b)
    assert funded.code == 0, funded.err
    assert f"funded with {shown(sent.total_fen)} yuan" in funded.out

    assert ykt("clerk", "batch", "dispatch", b).code == 3  # finance's duty
    dispatched = ykt("finance", "batch", "dispatch", b, "--json")
    assert dispatched.code == 0 and dispatched.json()["batch_id"] == b, dispatched.err
    files = ykt("auditor", "files", "list", "--batch", b, "--json").json()
    (out_file,) = [f for f in files if f["direction"] == "OUT"]
    assert out_file["line_count"] == 6 and out_file["state"] in ("DELIVERED", "ACKNOWLEDGED")
    legacy = ykt("auditor", "files", "--batch", b)  # the older spelling, without an action word
    assert legacy.code == 0 and out_file["name"] in legacy.out and f"bank {BANK}" in legacy.out

    answer = o.bank_answers(sent, "bank", failure_ppm=0, fail={2, 4, 5})
    assert answer.booked_lines == 6
    by_status = {t["status"]: t for t in ykt("auditor", "batch", "show", b, "--json").json()["lines_by_status"]}
    failed = ykt("clerk", "lines", "list", b, "--status", "FAILED", "--json").json()
    paid = ykt("clerk", "lines", "list", b, "--status", "PAID", "--json").json()
    assert [ln["seq"] for ln in failed] == [2, 4, 5] and [ln["seq"] for ln in paid] == [1, 3, 6]
    assert len(failed) + len(paid) == 6
    assert by_status["PAID"]["fen"] == sum(sent.roster[ln["seq"]].amount_fen for ln in paid)
    assert all(ln["reason"] for ln in failed)

    human = ykt("clerk", "lines", "list", b)
    assert human.code == 0 and human.out.splitlines()[-1] == "6 lines"
    for ln in paid:
        assert shown(sent.roster[ln["seq"]].amount_fen) in human.out

    seqs = ",".join(str(ln["seq"]) for ln in failed)
    given = ykt("approver", "lines", "give-up", b, seqs, "--reason", "the people moved away")
    assert given.code == 0, given.err
    assert [ln["seq"] for ln in ykt("clerk", "lines", "list", b, "--status", "GIVEN_UP", "--json").json()] == \
        [ln["seq"] for ln in failed]

    closed = ykt("finance", "batch", "close", b, "--json")
    assert closed.code == 0, closed.err
    assert closed.json()["batch_id"] == b and closed.json()["content"]
    assert ykt("auditor", "batch", "show", b, "--json").json()["status"] == "CLOSED"

    held = ykt("auditor", "ledger", "balances", "--batch", b, "--json").json()
    assert held and sum(x["balance_fen"] for x in held) == 0  # double entry: every posting has its other side
    moved = ykt("auditor", "ledger", "transactions", "--batch", b, "--json").json()
    assert [t["amount_fen"] for t in moved if t["kind"] == "FUND"] == [sent.total_fen]  # funded once, the total
    assert ykt("auditor", "ledger", "transactions", "--batch", b).out.splitlines()[-1] == f"{len(moved)} transactions"

    trail = ykt("auditor", "audit", b, "--json").json()
    assert {"approver", "finance", "clerk2"} <= {e["actor"] for e in trail}
    disclosed = ykt("auditor", "disclosure", b, "--json").json()
    assert sorted(i["seq"] for i in disclosed) == sorted(ln["seq"] for ln in paid)
    assert sum(i["amount_fen"] for i in disclosed) == by_status["PAID"]["fen"]
    board = ykt("auditor", "disclosure", b)
    assert board.code == 0 and f"{len(paid)} people, {shown(by_status['PAID']['fen'])} yuan in all" in board.out


def test_people_read_chinese_by_default_and_codes_stay_in_json(office, ykt):
    sent = office.submit("clerk", 3, bank=BANK)
    zh = ykt("clerk", "batch", "show", sent.batch_id, lang=None)
    assert zh.code == 0
    assert "状态" in zh.out and "总金额(元)" in zh.out and "SUBMITTED" not in zh.out
    assert shown(sent.total_fen) in zh.out
    en = ykt("clerk", "batch", "show", sent.batch_id)
    assert "status" in en.out and "总金额" not in en.out
    assert ykt("clerk", "batch", "show", sent.batch_id, "--json", lang=None).json()["status"] == "SUBMITTED"
    missing = ykt("clerk", "batch", "show", "B-NOSUCH", lang=None)
    assert missing.code == 3 and "服务拒绝了请求(NOT_FOUND)" in missing.err
    # the language goes to the service as accept-language: its own message follows, in each language
    zh_said = missing.err.split("(NOT_FOUND):", 1)[1]
    en_said = ykt("clerk", "batch", "show", "B-NOSUCH").err.split("(NOT_FOUND):", 1)[1]
    assert "B-NOSUCH" in zh_said and "B-NOSUCH" in en_said
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in en_said) and any("\u4e00" <= ch <= "\u9fff" for ch in zh_said)
    bad = office.submit("clerk", 2, bank=BANK, bad_first=True)
    issues = ykt("clerk", "issues", bad.batch_id, lang=None)  # the field and the problem by their names
    assert "证件号码" in issues.out and "ID_CHECKSUM" not in issues.out and "id_number" not in issues.out
    trail = ykt("auditor", "audit", bad.batch_id, lang=None)
    assert "提交名册" in trail.out and "SUBMIT" not in trail.out
    typo = ykt("clerk", "batch", "list", "--status", "LOST", lang=None)  # argparse's own words too
    assert typo.code == 2 and "错误:参数 --status:无效的取值 'LOST'" in typo.err


def test_the_stop_list_by_commands(office, ykt):
    person = office.submit("clerk", 1, bank=BANK).roster[1]
    added = ykt("clerk", "stop", "add", person.id_number, "--kind", "deceased", "--from", "2026-10-01",
                "--source", "民政局通知 2026-17", "--json")
    assert added.code == 0, added.err
    (entry,) = added.json()
    assert entry["kind"] == "DECEASED" and entry["effective_from"] == "2026-10-01"
    assert entry["id_number"] != person.id_number  # masked in the answer
    found = ykt("approver", "stop", "query", person.id_number, "--json").json()
    assert [e["entry_id"] for e in found] == [entry["entry_id"]]
    assert ykt("approver", "stop", "query", person.id_number, "--active-on", "2026-09-30", "--json").json() == []
    revoked = ykt("approver", "stop", "revoke", str(entry["entry_id"]), "--reason", "wrong person")
    assert revoked.code == 0 and f"stop entry {entry['entry_id']} revoked" in revoked.out
    assert ykt("clerk", "stop", "revoke", str(entry["entry_id"]), "--reason", "x").code == 3  # a clerk may not
    bad_day = ykt("clerk", "stop", "add", person.id_number, "--kind", "DECEASED", "--from", "2026-13-01",
                  "--source", "x")
    assert bad_day.code == 2 and "2026-13-01" in bad_day.err
    bad_kind = ykt("clerk", "stop", "add", person.id_number, "--kind", "ASLEEP", "--from", "2026-10-01",
                   "--source", "x")
    assert bad_kind.code == 2 and "invalid choice" in bad_kind.err


def test_mistakes_are_said_in_a_line_with_their_exit_code(office, ykt, tmp_path):
    sent = office.submit("clerk", 2, bank=BANK, bad_first=True)
    missing = ykt("clerk", "lines", "correct", sent.batch_id, str(tmp_path / "nope.jsonl"))
    assert missing.code == 2 and "nope.jsonl" in missing.err
    fixed = office.another_person(sent.roster[1])
    (tmp_path / "bad.csv").write_text(open(sheet(tmp_path / "good.csv", [fixed]), encoding="gbk").read()
                                      .replace(shown(fixed.amount_fen).replace(",", ""), "lots"), encoding="gbk")
    bad = ykt("clerk", "lines", "correct", sent.batch_id, str(tmp_path / "bad.csv"))
    assert bad.code == 2 and "row 2" in bad.err and "金额(元)" in bad.err  # the row and the column as the sheet heads it
    (tmp_path / "no-seq.csv").write_text("姓名,身份证号,账号,金额(元)\n" + ",".join(
        [fixed.name, fixed.id_number, fixed.account_no, "1.00"]) + "\n", encoding="utf-8")
    unnamed = ykt("clerk", "lines", "correct", sent.batch_id, str(tmp_path / "no-seq.csv"))
    assert unnamed.code == 2 and "seq" in unnamed.err  # a correction must say which line it corrects
    assert ykt("clerk", "issues", sent.batch_id, "--open", "--json").json()[0]["seq"] == 1  # nothing was sent
    assert ykt("clerk", "lines", "remove", sent.batch_id, "0,x", "--reason", "r").code == 2
    assert ykt("clerk", "batch", "fund", sent.batch_id, "--amount", "1.001").code == 2
    assert ykt("clerk", "batch", "list", "--status", "LOST").code == 2
    refused = ykt("clerk", "lines", "remove", sent.batch_id, "9", "--reason", "no such line")
    assert refused.code == 3, refused.err
    assert "(INVALID_ARGUMENT)" in refused.err
    removed = ykt("clerk", "lines", "remove", sent.batch_id, "1", "--reason", "moved away")
    assert removed.code == 0 and "1 lines removed" in removed.out


def test_an_unreachable_service_is_a_server_error(ykt, monkeypatch, capsys):
    monkeypatch.setenv("YKT_TOKEN", "x")
    for address in ("127.0.0.1:1", "nohost.invalid:50051"):
        code = cli.main(["batch", "list", "--address", address, "--lang", "en"])
        err = capsys.readouterr().err
        assert code == 4 and "UNAVAILABLE" in err and "Traceback" not in err


def _run(*words: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "adapter.cli", *words], capture_output=True, text=True,
                          timeout=60, cwd=ROOT, **kw)


def test_version_help_and_exit_codes_documented():
    from importlib.metadata import version

    assert _run("--version").stdout.strip() == f"ykt {version('ykt-adapter')}"
    helped = _run("--help", "--lang", "en")
    assert helped.returncode == 0
    for word in ("batch", "lines", "issues", "stop", "files", "statement", "exceptions", "audit", "disclosure"):
        assert f"    {word}" in helped.stdout
    assert "3  refused by the service" in helped.stdout and "4  the service or the connection failed" in helped.stdout
    zh = _run("lines", "--help")  # Chinese by default, the help too
    assert zh.returncode == 0 and "放弃补发失败的明细" in zh.stdout and "give up" not in zh.stdout
    assert "3  服务拒绝了请求" in _run("--help").stdout


def test_a_reader_that_stops_early_gets_no_traceback(office):
    """``ykt lines list B | head -1``: the pipe closes after the first line."""
    sent = office.submit("clerk", 1500, bank=BANK)
    env = {**__import__("os").environ, "YKT_TOKEN": office.tokens["clerk"]}
    shell = (f"{sys.executable} -m adapter.cli lines list {sent.batch_id} --address {office._client.address} "
             "| head -1; echo \"status ${PIPESTATUS[0]}\"")
    done = subprocess.run(["bash", "-c", shell], capture_output=True, text=True, timeout=120, cwd=ROOT, env=env)
    assert done.stdout.splitlines()[-1] == "status 0"
    assert len(done.stdout.splitlines()) == 2 and "Traceback" not in done.stderr and "BrokenPipe" not in done.stderr
    # a reader that reads nothing at all: the short listing's only write finds the pipe closed
    shell = (f"{sys.executable} -m adapter.cli files list --address {office._client.address} | true; "
             "echo \"status ${PIPESTATUS[0]}\"")
    buffered = {k: v for k, v in env.items() if k != "PYTHONUNBUFFERED"}  # as in production: written at the end
    done = subprocess.run(["bash", "-c", shell], capture_output=True, text=True, timeout=120, cwd=ROOT, env=buffered)
    assert done.stdout.strip() == "status 0" and done.stderr == "", done.stderr


def _custom(office, user: str, lines, key: str, period: str = "2026-11"):
    """Submit these very lines (the Office makes fresh people; some tests need the same person twice)."""
    from domain.model import BatchHeader
    from tests.support.office import PROGRAM, REGION

    header = BatchHeader(idempotency_key=key, program=PROGRAM, period=period, region=REGION, bank_code=BANK,
                         payer_name="某县财政局", payer_account="15000012345678", control_count=len(lines),
                         control_total_fen=sum(ln.amount_fen for ln in lines))
    return office.as_user(user).submit(header, lines).batch_id


def test_held_lines_are_released_and_a_stopped_person_is_not(office, ykt):
    from dataclasses import replace

    first = office.submit("clerk", 3, bank=BANK)
    one, stopped = first.roster[1], first.roster[2]
    assert ykt("clerk", "stop", "add", stopped.id_number, "--kind", "DECEASED", "--from", "2026-01-01",
               "--source", "notice 17").code == 0
    other_card = replace(office.another_account(one), seq=1)  # the same person with a second card: one-card review
    fresh = replace(office.another_person(first.roster[3]), seq=3)
    b = _custom(office, "clerk", [other_card, replace(stopped, seq=2), fresh], "cli-held", period="2026-12")
    held = ykt("clerk", "lines", "list", b, "--status", "HELD", "--json").json()
    assert [ln["seq"] for ln in held] == [1, 2]
    no = ykt("approver", "lines", "release", b, "2", "--reason", "looked at it")
    assert no.code == 3 and "FAILED_PRECONDITION" in no.err  # a stop-list hold is never released
    yes = ykt("approver", "lines", "release", b, "1", "--reason", "the second card is the new one", "--json")
    assert yes.code == 0, yes.err
    assert (yes.json()["held_count"], yes.json()["accepted_count"]) == (1, 2)
    assert [ln["seq"] for ln in ykt("clerk", "lines", "list", b, "--status", "HELD", "--json").json()] == [2]
    issues = ykt("clerk", "issues", b, "--json").json()
    assert {(i["seq"], i["open"]) for i in issues if i["severity"] == "hold"} == {(1, False), (2, True)}


def test_failed_lines_reissued_as_they_were_and_to_another_account(office, ykt, tmp_path):
    o = office
    sent = o.sent_out("clerk", "approver", 12, bank=BANK)
    o.bank_answers(sent, "bank", failure_ppm=0, fail={2, 5, 9, 11})
    failed = [ln["seq"] for ln in ykt("clerk", "lines", "list", sent.batch_id, "--status", "FAILED", "--json").json()]
    assert failed == [2, 5, 9, 11]
    same, moved = sent.roster[failed[0]], o.another_account(sent.roster[failed[1]])
    again = ykt("clerk2", "lines", "reissue", sent.batch_id, sheet(tmp_path / "same.csv", [same]), "--json")
    assert again.code == 0, again.err
    made = again.json()["file"]
    assert (made["batch_id"], made["direction"]) == (sent.batch_id, "OUT") and again.json()["change"] is None
    o.dispatch(sent)  # the re-issue file reaches the bank before the next one may be made
    asked = ykt("clerk2", "lines", "reissue", sent.batch_id, sheet(tmp_path / "moved.csv", [moved]))
    assert asked.code == 0 and "approve-change" in asked.out
    (change,) = ykt("auditor", "lines", "changes", sent.batch_id, "--state", "pending", "--json").json()
    assert [(i["seq"], i["changed"], i["amount_fen"]) for i in change["lines"]] == [
        (moved.seq, ["account_no"], moved.amount_fen)]
    assert moved.account_no not in ykt("auditor", "lines", "changes", sent.batch_id).out  # masked for people
    assert ykt("clerk", "lines", "approve-change", sent.batch_id, str(change["change_id"])).code == 3  # a clerk
    done = ykt("approver", "lines", "approve-change", sent.batch_id, str(change["change_id"]), "--json")
    assert done.code == 0, done.err
    assert done.json()["change"]["state"] == "APPROVED" and done.json()["file"]["file_id"] > made["file_id"]
    o.dispatch(sent)
    third = o.another_account(sent.roster[failed[2]])
    assert ykt("clerk2", "lines", "reissue", sent.batch_id, sheet(tmp_path / "third.csv", [third])).code == 0
    refused = ykt("approver", "lines", "refuse-change", sent.batch_id, str(change["change_id"] + 1), "--reason",
                  "the account belongs to someone else", "--json")
    assert refused.code == 0 and refused.json()["state"] == "REFUSED", refused.err
    assert [c["state"] for c in ykt("auditor", "lines", "changes", sent.batch_id, "--json").json()] == [
        "APPROVED", "REFUSED"]
    answered = ykt("approver", "lines", "allow-reissue", sent.batch_id, str(failed[2]), "--reason", "r")
    assert answered.code == 3 and f"lines[{failed[2]}].seq: LINE_NOT_UNANSWERED" in answered.err  # answered: no leave
    files = ykt("auditor", "files", "list", "--batch", sent.batch_id, "--json").json()
    assert len([f for f in files if f["direction"] == "OUT"]) == 3  # the first and two re-issue files
    first = min(f["file_id"] for f in files)
    refused = ykt("finance", "files", "regenerate", str(first), "--reason", "again")
    assert refused.code == 3 and "FAILED_PRECONDITION" in refused.err  # it reached the bank: never twice


def test_a_result_file_and_a_statement_handed_in_by_the_bank(office, ykt, tmp_path):
    import bank_formats
    from bank_sim.bank import SimulatedBank

    o = office
    sent = o.sent_out("clerk", "approver", 5, bank=BANK)
    sim = SimulatedBank(tmp_path / "sim", bank_formats.get("iso20022"), seed=7, bank_code=BANK, failure_rate_ppm=0)
    (out,) = [f for f in ykt("auditor", "files", "list", "--json").json() if f["direction"] == "OUT"]
    (sim.inbox / out["name"]).write_bytes(o.memory.inbox[out["name"]])
    (result,) = sim.process_once()
    handed = ykt("bank", "files", "hand-in", str(result), "--bank", BANK)
    assert handed.code == 0, handed.err
    assert f"5 lines booked, {shown(sent.total_fen)} yuan" in handed.out
    again = ykt("bank", "files", "hand-in", str(result), "--bank", BANK, "--name", "AGAIN_" + result.name, "--json")
    assert again.code == 0 and (again.json()["file"]["state"], again.json()["booked_lines"]) == ("DUPLICATE", 0)
    elsewhere = ykt("bank", "files", "hand-in", str(result), "--bank", "ABC01")
    assert elsewhere.code == 3 and "PERMISSION_DENIED" in elsewhere.err  # not this bank user's bank
    assert ykt("bank", "files", "hand-in", str(tmp_path / "missing.xml"), "--bank", BANK).code == 2

    junk = tmp_path / "STMT_junk.txt"
    junk.write_text("not a statement\n", encoding="utf-8")
    stmt = ykt("bank", "statement", "hand-in", str(junk), "--bank", BANK, "--json")
    assert stmt.code == 0, stmt.err
    assert stmt.json()["file"]["state"] == "QUARANTINED" and stmt.json()["problems"]
    (listed,) = ykt("auditor", "statement", "list", "--state", "QUARANTINED", "--json").json()
    assert listed["file_id"] == stmt.json()["file"]["file_id"]
    assert ykt("auditor", "statement", "show").code == 2  # which statements: said before anything is sent
    assert ykt("auditor", "stop", "recoveries").out.strip() == "nothing to recover"


def test_a_refusal_names_its_fields_and_scripts_read_it_as_json(office, ykt):
    bad = ykt("clerk", "stop", "add", "12345", "--kind", "DECEASED", "--from", "2026-10-01", "--source", "x")
    assert bad.code == 3 and "(INVALID_ARGUMENT)" in bad.err
    assert "\nykt:   entries[0].id_number: ID_LENGTH: " in bad.err  # the field and code, on a line of their own
    as_json = ykt("clerk", "stop", "add", "12345", "--kind", "DECEASED", "--from", "2026-10-01", "--source", "x",
                  "--json")
    error = json.loads(as_json.err)["error"]
    assert as_json.code == 3 and (error["code"], error["exit_code"]) == ("INVALID_ARGUMENT", 3)
    assert [v["field"] for v in error["violations"]] == ["entries[0].id_number"]
    assert as_json.out == ""


def test_the_installed_command_runs_outside_the_source_tree(tmp_path):
    """From another folder (as /etc/ykt in production) every package the CLI imports is the
    installed one: a package missing from pyproject's list (i18n was) fails here, not in use."""
    done = subprocess.run([sys.executable, "-m", "adapter.cli", "--lang", "en", "batch", "list", "--address",
                           "127.0.0.1:1"], capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert done.returncode == 4 and "UNAVAILABLE" in done.stderr, done.stderr


def test_bad_settings_and_credentials_are_refused_here(monkeypatch, capsys, tmp_path):
    """Exit 2, one line naming the flag or file, nothing sent: a missing settings file, a token
    file that is a folder, a CA that is not there, an empty address, a file to hand in that is
    not there or under a file."""
    monkeypatch.delenv("YKT_TOKEN", raising=False)
    (tmp_path / "a-file").touch()  # a file where a folder should be
    for words, said in ((["verify", "--config", str(tmp_path / "none.toml")], "none.toml"),
                        (["batch", "list", "--token-file", str(tmp_path)], "--token-file"),
                        (["batch", "list", "--ca", str(tmp_path / "ca.pem")], "ca.pem"),
                        (["batch", "list", "--address", ""], "--address"),
                        (["files", "hand-in", str(tmp_path / "x.xml"), "--bank", "B"], "x.xml"),
                        (["files", "hand-in", str(tmp_path / "a-file" / "y.xml"), "--bank", "B"], "y.xml")):
        code = cli.main([*words, "--lang", "en"] if words[0] != "verify" else ["--lang", "en", *words])
        err = capsys.readouterr().err
        assert code == 2 and said in err and len(err.splitlines()) == 1 and "Traceback" not in err, (words, err)
