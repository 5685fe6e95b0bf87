"""`ykt demo` on the embedded defaults: two simulated banks in two formats, SQLite."""
import io
import json

from adapter import demo


def test_the_demo_pays_through_two_banks_in_two_formats_and_accounts_for_every_line(tmp_path):
    out = io.StringIO()
    result = demo.run(tmp_path / "demo", lines=300, seed=5, out=out)
    assert result.ok, out.getvalue()
    assert [r.bank_code for r in result.runs] == ["RCC01", "ABC01"]
    names = set()
    for run in result.runs:
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
    assert sorted(p.name for p in (tmp_path / "demo" / "reports").iterdir()) == sorted(names)
    # each bank got a file in its own format, named by its own profile
    assert list((tmp_path / "demo" / "bank" / "RCC01" / "processed").glob("DF_RCC01_*.txt"))
    assert list((tmp_path / "demo" / "bank" / "ABC01" / "processed").glob("PAIN001_*.xml"))
    assert list((tmp_path / "demo" / "bank" / "RCC01" / "processed").glob("DF_RCC01_*-R1.txt"))  # the re-issue
    assert "chain and ledger invariants verify" in out.getvalue()
    assert "[10/10]" in out.getvalue() and "every batch accounted for" in out.getvalue()
