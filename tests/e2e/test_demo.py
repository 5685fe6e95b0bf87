"""`ykt demo` on the embedded defaults: two simulated banks in two formats, SQLite."""
import io
import json
import sqlite3
from contextlib import closing, contextmanager
from dataclasses import replace

import pytest

import i18n
from adapter import demo
from bank_sim import outcomes
from domain.model import PaymentOutcome
from domain.money import yuan
from domain.roster import generate_lines
from service.profiles import load_profile


def test_the_demo_pays_through_two_banks_in_two_formats_and_accounts_for_every_line(tmp_path):
    """In Chinese, as a person runs it by default."""
    out = io.StringIO()
    result = demo.run(tmp_path / "demo", lines=300, seed=5, out=out)
    assert result.ok, out.getvalue()
    assert [r.bank_code for r in result.runs] == ["RCC01", "ABC01", "PSBC01"]
    names = set()
    for run in result.runs[:2]:
        content = json.loads(run.reconciliation.content_json)
        assert content["roster"]["count"] == 300
        refund = json.loads(run.refund.content_json)
        # every line paid, or failed (again, after its re-issue) and refunded; each failure was re-issued once
        assert content["bank"]["paid_count"] + refund["refunded_count"] == 300
        assert content["bank"]["failed_count"] > refund["refunded_count"]
        assert content["ledger"]["paid_fen"] + content["ledger"]["refunded_fen"] == content["finance"]["funded_fen"]
        assert run.verified == [True, True, True]
        assert run.statement.clean and run.statement.in_balance
        names |= {f"{run.batch_id}_{k}.{ext}" for k in ("reconciliation", "refund") for ext in ("json", "txt")}
    # The misbehaving bank: late, a second payment, a re-report, a stranger paid, failed lines left.
    deviant = result.runs[2]
    names |= {f"{deviant.batch_id}_{k}.{ext}" for k in ("reconciliation", "refund") for ext in ("json", "txt")}
    content, refund = json.loads(deviant.reconciliation.content_json), json.loads(deviant.refund.content_json)
    by_kind = {}
    for e in deviant.exceptions:
        by_kind.setdefault(e.kind, []).append(e)
    second, stray = by_kind["SECOND_PAYMENT"], by_kind["NOT_INSTRUCTED"]
    assert {e.seq for e in second} <= set(demo.PAID_TWICE) and second
    assert [(e.seq, e.due_back_fen) for e in stray] == [(301, demo.STRAY_FEN)]
    answered = content["finance"]["instructed_count"]
    assert len(by_kind["REREPORT"]) == answered  # the whole answer, sent again: booked nothing
    found = content["discrepancies"]
    assert (found["DUPLICATE"]["count"], found["DUPLICATE"]["fen"]) == (len(second), sum(e.amount_fen for e in second))
    assert (found["OVER"]["count"], found["OVER"]["fen"]) == (1, demo.STRAY_FEN)
    assert (found["LATE"]["count"], found["LATE"]["fen"]) == (content["bank"]["paid_count"], content["ledger"]["paid_fen"])
    assert (found["MISSED"]["count"], found["MISSED"]["fen"]) == (refund["refunded_count"], refund["refunded_fen"])
    assert set(demo.DEVIANT_FAILS) <= {item["seq"] for item in refund["lines"]}  # failed for sure: missed at close
    due = sum(e.amount_fen for e in second) + demo.STRAY_FEN
    assert content["ledger"]["due_back_fen"] == refund["due_back"]["fen"] == due
    assert content["ledger"]["paid_fen"] + content["ledger"]["refunded_fen"] == content["finance"]["funded_fen"]
    more = i18n.say("cli.exceptions.more", "zh", n=f"{answered - 3:,}", kind=i18n.name("disposition", "REREPORT", "zh"))
    assert "异常（ykt exceptions）" in out.getvalue() and more.strip() in out.getvalue()  # ykt's own words
    assert sorted(p.name for p in (tmp_path / "demo" / "reports").iterdir()) == sorted(names)
    # each bank got a file in its own format, named by its own profile
    assert list((tmp_path / "demo" / "bank" / "RCC01" / "processed").glob("DF_RCC01_*.txt"))
    assert list((tmp_path / "demo" / "bank" / "ABC01" / "processed").glob("PAIN001_*.xml"))
    assert list((tmp_path / "demo" / "bank" / "RCC01" / "processed").glob("DF_RCC01_*-R1.txt"))  # the re-issue
    lines = out.getvalue().splitlines()
    ids = [r.batch_id for r in result.runs]
    # every step line in Chinese, with the run's own figures
    for code in ("RCC01", "ABC01", "PSBC01"):
        profile = load_profile(demo.PROFILES / f"{code}.toml")
        assert (f"[1/10] 启动模拟银行 {code} {profile.name}（{profile.format}，内置 SFTP 服务器）"
                + ("：它将表现异常" if code == demo.DEVIANT_BANK else "")) in lines
    assert lines.count("[4/10] 由第二人复核批准") == 3 and lines.count("[5/10] 拨付资金：财政将批次总额划入银行的清算账户") == 3
    assert "[3/10] 以经办人身份为银行 RCC01 提交 300 名受益人，共 " + yuan(
        sum(ln.amount_fen for ln in demo.roster(0, 300, 5))) + " 元" in lines
    assert f"[9/10] 批次 {ids[0]} 结项：余款退回财政" in lines
    paid_twice = sorted({e.seq for e in deviant.exceptions if e.kind == "SECOND_PAYMENT"})  # those it had paid
    twice = "：银行以新的流水号再次支付第 " + ", ".join(map(str, paid_twice)) + " 行（重发），并再次发送回盘（重复回盘）"
    assert sum(ln.endswith(twice) for ln in lines) == 1
    refunded = json.loads(deviant.refund.content_json)["refunded_count"]
    assert f"      {refunded:,} 行失败既未补发也未放弃：结项时计为漏发" in lines
    assert any(ln.startswith(f"PSBC01 批次 {ids[2]}：拨付 ") and "；多发 1，重发 " in ln and ln.endswith("：账实相符")
               for ln in lines)
    assert any(ln.startswith("[10/10] 证据链：") and ln.endswith("哈希链与账簿不变式验证通过") for ln in lines)
    assert lines[-1] == "每个批次均已对清"
    for english in ("approving as a second person", "evidence trail", "every batch accounted for", "CNY"):
        assert english not in out.getvalue()



def test_the_demo_removes_lines_the_roster_check_rejects_and_never_approves_a_batch_waiting_for_correction(tmp_path):
    """With the defaults (1,000 lines, seed 7) the third bank's roster names, on purpose, a person
    an earlier batch of the period already pays: that line is rejected, the department removes
    it, and only then is the batch approved and funded (its total without the line)."""
    out = io.StringIO()
    with _english():  # as ykt --lang en demo runs it
        result = demo.run(tmp_path / "demo", lines=1000, seed=7, out=out)
    assert result.ok, out.getvalue()
    lines = out.getvalue().splitlines()
    assert ("      1 rejected line(s) (a person already paid in another batch of the period, say) removed from the "
            "roster by the department: never instructed") in lines
    assert lines.count("[4/10] approving as a second person") == 3
    assert any(ln.startswith("[10/10] evidence trail: ") and ln.endswith("chain and ledger invariants verify")
               for ln in lines)
    assert lines[-1] == "every batch accounted for"
    assert "批次" not in out.getvalue() and "各阶段用时" not in out.getvalue()  # nothing of it in Chinese
    deviant = json.loads(result.runs[2].reconciliation.content_json)
    assert deviant["roster"]["not_instructed"] == {"REMOVED": {"count": 1, "fen": deviant["roster"]["total_fen"]
                                                               - deviant["finance"]["instructed_fen"]}}
    assert deviant["finance"]["funded_fen"] == deviant["finance"]["instructed_fen"]


@contextmanager
def _english():
    token = i18n.use("en")
    try:
        yield
    finally:
        i18n.reset(token)


def test_twenty_thousand_lines_a_bank_distinct_people_figures_as_the_rosters_say_and_no_batch_approved_while_waiting(
        tmp_path):
    """``ykt demo --lines 20000``: each bank pays its own people (the k-th bank the generator's
    people 2kN .. 2kN+N-1, its re-issue's corrected accounts the next N), so no roster collides
    with another by chance; each bank's figures are what its roster and the simulated bank's
    rule say (computed here from the rosters, line by line); the one line of the third roster
    naming a person the first bank pays on purpose keeps its batch waiting for correction until
    the department removes it, and no batch is approved before every rejected line is gone."""
    n, seed = 20_000, 3
    out = io.StringIO()
    result = demo.run(tmp_path / "demo", lines=n, seed=seed, out=out)
    assert result.ok, out.getvalue()[-5000:]

    everyone, accounts = set(), set()
    for k, run in enumerate(result.runs[:2]):
        roster = list(generate_lines(n, seed=seed, region=demo.REGION, start=2 * k * n))
        ids = {ln.id_number for ln in roster}
        assert not ids & everyone and len(ids) == n  # nobody in two banks' rosters
        everyone |= ids
        accounts |= {ln.account_no for ln in roster}
        # the bank's rule, line by line: failed lines re-issued once with fresh accounts, in seq order
        first = [(ln, outcomes.decide(seed, run.batch_id, ln)) for ln in roster]
        failed = [ln for ln, rec in first if rec.outcome is PaymentOutcome.FAILED]
        fresh = list(generate_lines(len(failed), seed=seed, region=demo.REGION, start=2 * k * n + n))
        assert not {ln.account_no for ln in fresh} & accounts
        accounts |= {ln.account_no for ln in fresh}
        again = [ln for ln, new in zip(failed, fresh, strict=True)
                 if outcomes.decide(seed, run.batch_id, replace(ln, account_no=new.account_no)).outcome
                 is PaymentOutcome.FAILED]
        total = sum(ln.amount_fen for ln in roster)
        refunded = sum(ln.amount_fen for ln in again)
        content = json.loads(run.reconciliation.content_json)
        refund = json.loads(run.refund.content_json)
        assert 0.02 * n < len(failed) < 0.04 * n and again  # the 3 % the simulated bank fails, then some again
        assert (content["roster"]["count"], content["roster"]["total_fen"]) == (n, total)
        assert content["finance"]["funded_fen"] == total
        assert (content["bank"]["paid_count"], content["ledger"]["paid_fen"]) == (n - len(again), total - refunded)
        assert (refund["refunded_count"], refund["refunded_fen"]) == (len(again), refunded)
        assert run.submitted_status == run.status_at_approval == "SUBMITTED"

    deviant = result.runs[2]
    roster = list(generate_lines(1_000, seed=seed, region=demo.REGION, start=4 * n))
    assert not {ln.id_number for ln in roster} & everyone and not {ln.account_no for ln in roster} & accounts
    twin = roster[demo.TWIN_SEQ - 1]
    content = json.loads(deviant.reconciliation.content_json)
    assert content["roster"]["not_instructed"] == {"REMOVED": {"count": 1, "fen": twin.amount_fen}}
    assert content["finance"]["funded_fen"] == sum(ln.amount_fen for ln in roster) - twin.amount_fen
    assert (deviant.submitted_status, deviant.status_at_approval) == ("NEEDS_CORRECTION", "SUBMITTED")
    assert f"批次 {deviant.batch_id} 待更正（NEEDS_CORRECTION）：1 行未通过名册校验" in out.getvalue()

    # The ledger's own audit trail: every batch approved once, after every line removal.
    with closing(sqlite3.connect(tmp_path / "demo" / "ledger.sqlite3")) as db:
        for run in result.runs:
            events = db.execute("SELECT id, action, seq FROM audit_events WHERE batch_id = ? ORDER BY id",
                                (run.batch_id,)).fetchall()
            approvals = [i for i, action, _ in events if action == "APPROVE"]
            removals = [(i, seq) for i, action, seq in events if action == "REMOVE_LINE"]
            assert len(approvals) == 1
            assert all(i < approvals[0] for i, _ in removals)
            assert [seq for _, seq in removals] == ([demo.TWIN_SEQ] if run is deviant else [])
            still = db.execute("SELECT count(*) FROM lines WHERE batch_id = ? AND status = 'REJECTED'",
                               (run.batch_id,)).fetchone()
            assert still == (0,)
    # a bar per stage, each stage's time in the closing table
    assert set(result.seconds) >= {(code, stage) for code in ("RCC01", "ABC01")
                                   for stage in ("submit", "approve", "fund", "dispatch", "bank", "book", "reissue",
                                                 "reconcile")}
    assert "RCC01 提交名册：20,000 / 20,000 行" in out.getvalue() and "各阶段用时（秒）" in out.getvalue()


@pytest.mark.parametrize("lines", [1, 2, 4])
def test_a_demo_of_a_few_lines_accounts_for_every_line(tmp_path, lines):
    """Rosters shorter than the lines the misbehaving bank names (pays twice: 2 and 5; fails: 4):
    each discrepancy shows as far as the roster lets it, and the demo neither waits for a file
    of second payments that cannot come nor calls the result a mismatch."""
    out = io.StringIO()
    result = demo.run(tmp_path / "demo", lines=lines, seed=3, out=out)
    assert result.ok, out.getvalue()
    deviant = result.runs[2]
    found = json.loads(deviant.reconciliation.content_json)["discrepancies"]
    second = [e for e in deviant.exceptions if e.kind == "SECOND_PAYMENT"]
    assert {e.seq for e in second} <= {seq for seq in demo.PAID_TWICE if seq <= lines}
    assert found["DUPLICATE"]["count"] == len(second) and found["OVER"]["count"] == 1
    if lines >= max(demo.DEVIANT_FAILS):
        assert found["MISSED"]["count"] >= 1


def test_ykt_lang_en_demo_prints_every_step_in_english(tmp_path, capsys):
    from adapter import cli

    assert cli.main(["--lang", "en", "demo", "--lines", "300", "--seed", "5", "--data-dir", str(tmp_path / "demo")]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    for step, count in (("[2/10] service listening on 127.0.0.1:", 1), ("[3/10] submitting 300 beneficiaries for bank ", 3),
                        ("[5/10] funding: finance transfers the batch total", 3), ("[9/10] closing batch ", 3),
                        ("[10/10] evidence trail: ", 1), ("time per stage (seconds):", 1)):
        assert sum(ln.startswith(step) for ln in lines) == count, step
    assert lines[-1] == "every batch accounted for"
    assert lines.count("[4/10] approving as a second person") == 3
    for chinese in ("由第二人复核批准", "证据链", "每个批次均已对清", "各阶段用时", "账实相符"):  # the demo's own words
        assert chinese not in out
    assert i18n.current() == "zh"  # the run's language, put back


def test_the_command_refuses_a_roster_size_outside_1_to_a_million_before_starting_anything(tmp_path, capsys):
    from adapter import cli

    for bad in ("0", "1000001", "-5", "many"):
        try:
            cli.main(["--lang", "en", "demo", "--lines", bad, "--data-dir", str(tmp_path / "demo")])  # argparse's English
        except SystemExit as e:
            assert e.code == 2
        else:
            raise AssertionError(f"--lines {bad} was accepted")
        assert f"argument --lines: '{bad}'" in capsys.readouterr().err
    assert not (tmp_path / "demo").exists()
