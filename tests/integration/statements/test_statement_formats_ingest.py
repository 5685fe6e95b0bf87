"""A bank whose profile says ``[statements] format = "mt940"`` (or "csv" with a column mapping):
its statements are stored through the service like any other, and the reading report (what was
read, what was skipped and why) is kept with the statement file."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from ledger.schema import statement_entries, statement_files
from privacy.cipher import FieldCipher
from privacy.keys import Keyring
from service import statements
from service.config import Settings
from service.context import Context
from service.profiles import profile_from_dict
from tests.support.identities import TEST_AUTH

MT940 = (":20:STMT1\n:25:15000012345678\n:28C:7/1\n:60F:C261201CNY1000,00\n"
         ":61:2612011201D100,00NTRFNONREF//BK1\n:86:/EREF/B20261201ABCD-1//CNTP/6222000011112222//WANG/\n"
         ":61:2612011201D0,00NDIVNONREF//BK2\n:86:notice\n"
         ":61:2612011201D20,50NTRFNONREF//BK3\n:86:/PREF/B20261201ABCD/\n"
         ":62F:C261201CNY879,50\n-\n"
         ":20:STMT2\n:25:15000099999999\n:28C:1/1\n:60F:C261201CNY5,00\n"
         ":61:2612011201C1,00NTRFNONREF//BK4\n:62F:C261201CNY6,00\n-\n")


def _ctx(engine, tmp_path, statements_table):
    raw = {"bank": {"code": "MTB01"}, "format": {"family": "iso20022"}, "statements": statements_table}
    profile = profile_from_dict(raw, base=tmp_path, source="MTB01.toml")
    settings = Settings(database_url=str(engine.url), data_dir=tmp_path / "service", banks={"MTB01": profile},
                        auth=TEST_AUTH)
    return Context(engine=engine, settings=settings, cipher=FieldCipher(Keyring.generate()))


def _row(ctx, file_id):
    with ctx.engine.connect() as conn:
        row = conn.execute(select(statement_files).where(statement_files.c.id == file_id)).one()
        entries = conn.execute(select(statement_entries).where(statement_entries.c.statement_file_id == file_id)
                               .order_by(statement_entries.c.seq)).all()
    return row, entries


def test_an_mt940_statement_is_stored_with_its_reading_report(engine, tmp_path):
    ctx = _ctx(engine, tmp_path, {"format": "mt940"})
    path = tmp_path / "STMT_15000012345678_20261201_0001.940"
    path.write_bytes(MT940.encode())
    out = statements.ingest_statement(ctx, "MTB01", path, path.name)
    assert out.state is statements.StatementState.STORED, out.problems
    row, entries = _row(ctx, out.file_id)
    # written above: opening 1000,00; debits 100,00 and 20,50 (the 0,00 notice is no movement)
    assert (row.account, row.opening_balance_fen, row.closing_balance_fen) == ("15000012345678", 100000, 87950)
    assert (row.entry_count, row.debit_fen, row.credit_fen) == (2, 12050, 0)
    assert [(e.amount_fen, e.batch_id, e.line_seq) for e in entries] == [
        (10000, "B20261201ABCD", 1), (2050, "B20261201ABCD", None)]
    report = json.loads(row.reading_report)
    assert report["read"] == {"records": 2, "total_fen": 12050}
    # skipped: the zero notice (line 7) and the other account's credit of 1,00 (line 17)
    assert report["skipped"]["by_reason"] == {"OTHER_ACCOUNT": {"count": 1, "total_fen": 100, "unpriced": 0},
                                              "ZERO_AMOUNT": {"count": 1, "total_fen": 0, "unpriced": 0}}
    assert [(s["where"], s["reason"]) for s in report["skipped"]["first"]] == [
        ("line 7", "ZERO_AMOUNT"), ("line 17", "OTHER_ACCOUNT")]
    assert (row.skipped_count, row.skipped_fen) == (2, 100)
    # as ListStatementFiles gives it
    from adapter import statement_rpc
    from ykt.v1 import disbursement_pb2 as pb

    (listed,) = statement_rpc.list_files(ctx, pb.ListStatementFilesRequest(bank_code="MTB01")).files
    assert (listed.reading_report.records, listed.reading_report.skipped_count, listed.reading_report.skipped_fen) \
        == (2, 2, 100)
    assert [(r.reason, r.count) for r in listed.reading_report.by_reason] == [("OTHER_ACCOUNT", 1), ("ZERO_AMOUNT", 1)]


def test_a_csv_statement_through_the_profiles_mapping(engine, tmp_path):
    mapping = {"encoding": "gbk", "account": "15000012345678", "date": "日期", "date_format": "%Y-%m-%d",
               "amount": "金额", "balance": "余额", "currency_column": "币种", "end_to_end": "附言",
               "reference": "流水号"}
    ctx = _ctx(engine, tmp_path, {"format": "csv", "csv": mapping})
    text = ("日期,流水号,币种,金额,余额,附言\n"
            "2026-12-01,R1,CNY,-100.00,900.00,B20261201ABCD-2\n"
            "2026-12-01,R2,USD,-3.00,,\n"
            "2026-12-02,R3,CNY,50.25,950.25,\n")
    path = tmp_path / "STMT_15000012345678_20261202_0001.csv"
    path.write_bytes(text.encode("gbk"))
    out = statements.ingest_statement(ctx, "MTB01", path, path.name)
    assert out.state is statements.StatementState.STORED, out.problems
    row, entries = _row(ctx, out.file_id)
    # opening: 900.00 + 100.00; closing: the last balance 950.25
    assert (row.opening_balance_fen, row.closing_balance_fen, row.debit_fen, row.credit_fen) == (
        100000, 95025, 10000, 5025)
    assert [(e.reference, e.batch_id, e.line_seq) for e in entries] == [("R1", "B20261201ABCD", 2), ("R3", "", None)]
    report = json.loads(row.reading_report)
    assert report["read"] == {"records": 2, "total_fen": 15025}
    assert report["skipped"]["by_reason"] == {"FOREIGN_CURRENCY": {"count": 1, "total_fen": 0, "unpriced": 1}}


def test_a_foreign_currency_mt940_statement_is_quarantined_storing_nothing(engine, tmp_path):
    ctx = _ctx(engine, tmp_path, {"format": "mt940"})
    path = tmp_path / "s.940"
    path.write_bytes(MT940.replace("CNY", "EUR").encode())
    out = statements.ingest_statement(ctx, "MTB01", path, path.name)
    assert out.state is statements.StatementState.QUARANTINED
    assert "EUR" in out.problems[0]
    row, entries = _row(ctx, out.file_id)
    assert entries == [] and row.reading_report is None


@pytest.mark.parametrize("table, message", [
    ({"format": "qif"}, "statements.format"),
    ({"format": "csv", "csv": {"date": "D"}}, "statements.csv: amount"),
    ({"format": "mt940", "encoding": "latin-1"}, "statements.encoding: unknown key"),
    ({"format": "mt940", "mt940": {"encoding": "ebcdic"}}, "statements.mt940: encoding"),
])
def test_a_wrong_statements_table_names_the_key(tmp_path, table, message):
    from service.profiles import ProfileError

    with pytest.raises(ProfileError, match=message):
        profile_from_dict({"bank": {"code": "X"}, "format": {"family": "iso20022"}, "statements": table},
                          base=tmp_path, source="X.toml")
