"""`ykt demo` on the embedded defaults: two simulated banks in two formats, SQLite."""
import io
import json

import i18n
from adapter import demo


def test_the_demo_pays_through_two_banks_in_two_formats_and_accounts_for_every_line(tmp_path):
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
    due = sum(e.amount_fen for e in second) + demo.STRAY_FEN
    assert content["ledger"]["due_back_fen"] == refund["due_back"]["fen"] == due
    assert content["ledger"]["paid_fen"] + content["ledger"]["refunded_fen"] == content["finance"]["funded_fen"]
    more = i18n.say("cli.exceptions.more", n=f"{answered - 3:,}", kind=i18n.name("disposition", "REREPORT"))
    assert "exceptions (ykt exceptions)" in out.getvalue() and more.strip() in out.getvalue()  # ykt's own words
    assert sorted(p.name for p in (tmp_path / "demo" / "reports").iterdir()) == sorted(names)
    # each bank got a file in its own format, named by its own profile
    assert list((tmp_path / "demo" / "bank" / "RCC01" / "processed").glob("DF_RCC01_*.txt"))
    assert list((tmp_path / "demo" / "bank" / "ABC01" / "processed").glob("PAIN001_*.xml"))
    assert list((tmp_path / "demo" / "bank" / "RCC01" / "processed").glob("DF_RCC01_*-R1.txt"))  # the re-issue
    assert "chain and ledger invariants verify" in out.getvalue()
    assert "[10/10]" in out.getvalue() and "every batch accounted for" in out.getvalue()


def test_the_demo_removes_lines_the_roster_check_rejects_and_never_approves_a_batch_waiting_for_correction(tmp_path):
    """With the defaults (1,000 lines, seed 7) the third bank's generated roster names a person
    an earlier batch of the period already pays: that line is rejected, the department removes
    it, and only then is the batch approved and funded (its total without the line)."""
    out = io.StringIO()
    result = demo.run(tmp_path / "demo", lines=1000, seed=7, out=out)
    assert result.ok, out.getvalue()
    assert "1 rejected line(s)" in out.getvalue() and "removed from the roster" in out.getvalue()
    deviant = json.loads(result.runs[2].reconciliation.content_json)
    assert deviant["roster"]["not_instructed"] == {"REMOVED": {"count": 1, "fen": deviant["roster"]["total_fen"]
                                                               - deviant["finance"]["instructed_fen"]}}
    assert deviant["finance"]["funded_fen"] == deviant["finance"]["instructed_fen"]
