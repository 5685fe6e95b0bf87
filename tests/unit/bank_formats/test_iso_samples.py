"""Every ISO 20022 file in ../shared/bank-samples (real files banks and bank-format libraries
publish, issue 15 item 6) read with the figures this test reads from the file itself, by XPath
on local names and decimal arithmetic: what each status, entry and statement says, what the
product books from it (nothing: none of them is in CNY or answers our payment files) and what
it skips, with the reason. The broken ones are refused with a located error."""
from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree

import bank_formats
from bank_formats.base import FormatError
from bank_formats.iso20022._common import Problems
from bank_formats.iso20022._tolerant import amount_fen, identify, opened
from bank_formats.iso20022.account_entries import AccountEntries, Entry, Section
from bank_formats.iso20022.payment_instructions import PaymentInstructions
from bank_formats.iso20022.status_report import StatusReport

SAMPLES = Path(__file__).resolve().parents[4] / "shared" / "bank-samples"
pytestmark = pytest.mark.skipif(not SAMPLES.is_dir(), reason="../shared/bank-samples is not there")

FINAL = {"ACSC", "ACCC", "RJCT", "CANC"}


def files(*folders: str) -> list[Path]:
    return sorted(p for f in folders for p in (SAMPLES / f).glob("*.xml")) if SAMPLES.is_dir() else []


def ids(paths):
    return [p.name for p in paths]


def L(*names: str) -> str:
    return "/".join(f"*[local-name()='{n}']" for n in names)


def fen(text: str) -> int:
    value = Decimal(text.strip()) * 100
    assert value == value.to_integral_value(), text
    return int(value)


def text(el, path: str, default: str = "") -> str:
    found = el.xpath(path + "/text()")
    return found[0].strip() if found else default


def test_every_sample_is_one_the_family_detects():
    fmt = bank_formats.get("iso20022")
    kinds = {"pain001": "payments", "pain002": "results", "camt052": "statement", "camt053": "statement",
             "camt054": "statement"}
    seen = 0
    for folder, kind in kinds.items():
        for path in files(folder):
            assert fmt.detect(path.read_bytes()[:4096]) == kind, path.name
            seen += 1
    assert seen == 37


# --- pain.002 ------------------------------------------------------------------------------

def statuses(doc) -> tuple[list[tuple], str]:
    """(level, status, end-to-end id, fen or None, currency) per status the file gives, and the
    original message's name."""
    rpt = doc.xpath(L("CstmrPmtStsRpt"))[0]
    group = text(rpt, L("OrgnlGrpInfAndSts", "GrpSts"))
    out = []
    pmts = rpt.xpath(L("OrgnlPmtInfAndSts"))
    for pmt in pmts:
        txs = pmt.xpath(L("TxInfAndSts"))
        for tx in txs:
            status = text(tx, L("TxSts")) or text(pmt, L("PmtInfSts")) or group
            amt = tx.xpath(L("OrgnlTxRef", "Amt", "InstdAmt"))
            out.append(("transaction", status, text(tx, L("OrgnlEndToEndId")),
                        fen(amt[0].text) if amt else None, amt[0].get("Ccy") if amt else ""))
        if not txs:
            out.append(("payment", text(pmt, L("PmtInfSts")) or group, "", None, ""))
    if not pmts and group:
        out.append(("group", group, "", None, ""))
    return out, text(rpt, L("OrgnlGrpInfAndSts", "OrgnlMsgNmId"))


@pytest.mark.parametrize("path", files("pain002"), ids=ids(files("pain002")))
def test_pain002_samples(path):
    data = path.read_bytes()
    expected, answers = statuses(etree.fromstring(data))
    source, _, message = opened(io.BytesIO(data))
    problems = Problems()
    got = [(s.level, s.status, s.end_to_end_id, s.amount_fen, s.currency)
           for s in StatusReport(source, message, problems)]
    assert not problems
    assert got == expected
    reader = bank_formats.get("iso20022").read_results(io.BytesIO(data), path.name)
    assert list(reader) == []
    reasons = []
    for level, status, _, amount, ccy in expected:
        if level != "transaction":
            if status not in FINAL:  # (a final one for the whole file is the service's to apply)
                reasons.append("NOT_FINAL")
        elif not answers.startswith("pain.001"):
            reasons.append("NOT_A_PAYMENT")
        elif status not in FINAL:
            reasons.append("NOT_FINAL")
        elif ccy != "CNY":
            reasons.append("FOREIGN_CURRENCY")
    assert [s.reason for s in reader.skipped] == reasons


def test_pain002_samples_as_read_by_hand():
    """What the files say, written down from reading them."""
    def one(name):
        data = (SAMPLES / "pain002" / name).read_bytes()
        source, _, message = opened(io.BytesIO(data))
        return message.label, [(s.status, s.amount_fen, s.currency, s.reason_code, s.end_to_end_id)
                               for s in StatusReport(source, message, Problems())]

    assert one("moov__pain002-epo_p_0_0_0_2018031510491259.xml") == (
        "pain.002.001.03.ch.02", [("ACTC", None, "", "", "")])
    assert one("moov__valid_pain_v11.xml") == ("pain.002.001.11", [])
    assert one("sepa_file_parser__pain002_valid_example.xml") == (
        "pain.002.001.03", [("RJCT", 654314, "EUR", "AC01", "Source1234")])
    assert one("sepa_file_parser__pain002_valid_example_001.10.xml")[0] == "pain.002.001.10"
    assert one("sepa_file_parser__pain002_valid_example_001.03.xml") == (
        "pain.002.001.03.ch.02", [("ACTC", None, "", "", "")])


# --- camt.052 / 053 / 054 ------------------------------------------------------------------

SECTION = {"camt052": "Rpt", "camt053": "Stmt", "camt054": "Ntfctn"}
CAMT = files("camt052", "camt053", "camt054")


def sections(doc, tag: str) -> list[dict]:
    """Per section: its id, account, balances, summary and entries, by XPath."""
    out = []
    for s in doc.xpath(f"*/{L(tag)}"):
        account = text(s, L("Acct", "Id", "IBAN")) or text(s, L("Acct", "Id", "Othr", "Id"))
        balances, currencies = {}, {}
        for bal in s.xpath(L("Bal")):
            code = text(bal, L("Tp", "CdOrPrtry", "Cd")) or text(bal, L("Tp", "CdOrPrtry", "Prtry"))
            sign = -1 if text(bal, L("CdtDbtInd")) == "DBIT" else 1
            balances.setdefault(code, sign * fen(text(bal, L("Amt"))))
            currencies.setdefault(code, bal.xpath(L("Amt"))[0].get("Ccy"))
        account_ccy = text(s, L("Acct", "Ccy")) or next(iter(currencies.values()), "")
        entries = []
        for n in s.xpath(L("Ntry")):
            status = text(n, L("Sts")) or text(n, L("Sts", "Cd"))
            entries.append((fen(text(n, L("Amt"))), n.xpath(L("Amt"))[0].get("Ccy"), text(n, L("CdtDbtInd")),
                            status))
        summary = {}
        for key, path in (("count", ("TtlNtries", "NbOfNtries")), ("credit_count", ("TtlCdtNtries", "NbOfNtries")),
                          ("debit_count", ("TtlDbtNtries", "NbOfNtries"))):
            if text(s, L("TxsSummry", *path)):
                summary[key] = int(text(s, L("TxsSummry", *path)))
        for key, path in (("credit_fen", ("TtlCdtNtries", "Sum")), ("debit_fen", ("TtlDbtNtries", "Sum"))):
            if text(s, L("TxsSummry", *path)):
                summary[key] = fen(text(s, L("TxsSummry", *path)))
        out.append({"id": text(s, L("Id")), "account": account, "balances": balances, "entries": entries,
                    "summary": summary, "foreign": [k for k, c in currencies.items() if c != account_ccy],
                    "own": {k: v for k, v in balances.items() if currencies[k] == account_ccy},
                    "currency": account_ccy})
    return out


def differences(sec: dict) -> list[str]:
    """What the test finds wrong with a section's totals (the reader must refuse the file)."""
    got = {"count": len(sec["entries"]),
           "credit_count": sum(1 for e in sec["entries"] if e[2] == "CRDT"),
           "debit_count": sum(1 for e in sec["entries"] if e[2] == "DBIT"),
           "credit_fen": sum(e[0] for e in sec["entries"] if e[2] == "CRDT"),
           "debit_fen": sum(e[0] for e in sec["entries"] if e[2] == "DBIT")}
    wrong = [k for k, v in sec["summary"].items() if got[k] != v]
    b = sec["own"]  # (a balance in another currency than the account's is not read)
    opening = b.get("OPBD", b.get("PRCD"))
    # (only when every entry is in the account's currency: others cannot be added to it)
    if opening is not None and "CLBD" in b and all(e[1] == sec["currency"] for e in sec["entries"]):
        net = sum(e[0] if e[2] == "CRDT" else -e[0] for e in sec["entries"] if e[3] == "BOOK")
        if opening + net != b["CLBD"]:
            wrong.append("balance")
    return wrong


@pytest.mark.parametrize("path", CAMT, ids=ids(CAMT))
def test_camt_samples_entries(path):
    data = path.read_bytes()
    expected = sections(etree.fromstring(data), SECTION[path.parent.name])
    source, _, message = opened(io.BytesIO(data))
    assert message.name == "camt." + path.parent.name[4:]
    problems = Problems()
    got_sections, got_entries = [], []
    for item in AccountEntries(source, message, problems):
        if isinstance(item, Section):
            got_sections.append((item.id, item.account,
                                 {k: v[0] for k, v in item.balances.items()}, item.summary))
            got_entries.append([])
        else:
            assert isinstance(item, Entry)
            got_entries[-1].append((item.amount_fen, item.currency, item.side.value, item.status))
    assert not problems
    assert got_sections == [(s["id"], s["account"], s["balances"], s["summary"]) for s in expected]
    assert got_entries == [s["entries"] for s in expected]


@pytest.mark.parametrize("path", CAMT, ids=ids(CAMT))
def test_camt_samples_as_statements(path):
    data = path.read_bytes()
    expected = sections(etree.fromstring(data), SECTION[path.parent.name])
    fmt = bank_formats.get("iso20022")
    reader = None
    with pytest.raises(FormatError) if (not expected or any(differences(s) for s in expected)) else _nothing() as info:
        reader = fmt.read_statement(io.BytesIO(data), path.name)
        entries = list(reader)
    if not expected:  # (camt053.v2.wrong: a statement message without a statement)
        assert [(p.where, p.field) for p in info.value.problems] == [("/Document", "BkToCstmrStmt")]
        return
    wrong = [d for s in expected for d in differences(s)]
    if wrong:
        assert len(info.value.problems) == len(wrong)
        assert all(p.where.startswith("line ") and p.field in ("TxsSummry", "Bal") for p in info.value.problems)
        return
    first = expected[0]
    # none of them is in CNY: nothing is yielded, and each entry is skipped with its reason
    assert entries == []
    reasons = []
    for s in expected:
        reasons += ["FOREIGN_CURRENCY"] * len(s["foreign"])
        for _, ccy, _, status in s["entries"]:
            reasons.append("OTHER_ACCOUNT" if s["account"] != first["account"] else
                           "NOT_FINAL" if status != "BOOK" else "FOREIGN_CURRENCY" if ccy != "CNY" else "?")
    assert [x.reason for x in reader.skipped] == reasons
    h = reader.header
    assert (h.statement_id, h.account) == (first["id"], first["account"])
    b = first["own"]
    if "OPBD" in b or "PRCD" in b:
        assert h.opening_balance_fen == b.get("OPBD", b.get("PRCD"))
    assert (h.count, h.credit_fen, h.debit_fen) == (0, 0, 0)
    currencies = {ccy for s in expected for _, ccy, _, _ in s["entries"]}
    assert h.currency != "CNY" or not currencies


class _nothing:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


@pytest.mark.parametrize("path", files("camt054"), ids=ids(files("camt054")))
def test_camt054_samples_as_results(path):
    data = path.read_bytes()
    doc = etree.fromstring(data)
    entries = doc.xpath("*/" + L("Ntfctn", "Ntry"))
    reader = bank_formats.get("iso20022", results="camt.054.001.08").read_results(io.BytesIO(data), path.name)
    assert list(reader) == []
    assert reader.header.file_id == text(doc, "*/" + L("GrpHdr", "MsgId"))
    reasons = []
    for n in entries:
        ccy = n.xpath(L("Amt"))[0].get("Ccy")
        status = text(n, L("Sts")) or text(n, L("Sts", "Cd"))
        reasons.append("NOT_FINAL" if status != "BOOK" else "FOREIGN_CURRENCY" if ccy != "CNY" else "?")
    assert [s.reason for s in reader.skipped] == reasons


def test_camt_samples_as_read_by_hand():
    """A few figures written down from reading the files: amounts with more decimals than two,
    a date-time for a date, several statements, PRCD and OPBD, a batch booking's PmtInfId."""
    def read(folder, name):
        data = (SAMPLES / folder / name).read_bytes()
        source, _, message = opened(io.BytesIO(data))
        return list(AccountEntries(source, message, Problems()))

    five = read("camt053", "genkgo__camt053.v2.five.decimals.xml")
    assert five[0].balances["OPBD"][0] == 1815 and five[0].balances["CLBD"][0] == 2705  # 18.150, 27.050
    assert five[1].amount_fen == 885  # 8.850
    dttm = read("camt053", "genkgo__camt53.only-Dt-with-DtTm.xml")
    assert [(str(s.balances["OPBD"][2]), s.balances["OPBD"][0]) for s in dttm] == [("2025-07-23", 544209)]
    multi = read("camt053", "genkgo__camt053.v2.multi.statement.xml")
    assert [type(x).__name__ for x in multi] == ["Section", "Entry", "Section", "Entry"]
    batch = read("camt053", "sepa_file_parser__camt053_valid_example_with_batch.xml")
    assert batch[0].balances["PRCD"][0] == 732980 and batch[0].balances["OPBD"][0] == 732980
    assert [e.batch[1] for e in batch if isinstance(e, Entry) and e.batch] != []
    debit = read("camt054", "moov__200519_camt.054-Debit_P_CH2909000000250094239_1110092692_0_2019042401501580.xml")
    (section, entry) = debit
    assert section.account == "CH2909000000250094239"
    assert (entry.amount_fen, entry.currency, entry.side.value, entry.status, entry.reference) == (
        91300, "CHF", "DBIT", "BOOK", "074820002ZU1EQ0K")
    assert [(t.pmt_inf_id, t.end_to_end_id, t.msg_id, t.amount_fen) for t in entry.txs] == [
        ("30003101", "20190424001255000100006", "20190424-000369773", 91300)]


# --- pain.001 ------------------------------------------------------------------------------

@pytest.mark.parametrize("path", files("pain001"), ids=ids(files("pain001")))
def test_pain001_samples_are_named_and_refused_with_a_located_error(path):
    """The pain.001 reader is the simulated bank's, for our own payment files: another
    system's (EUR, IBAN, other versions) is refused, each problem with its line."""
    data = path.read_bytes()
    assert identify(data).name == "pain.001"
    with pytest.raises(FormatError) as info:
        list(bank_formats.get("iso20022").read_payments(io.BytesIO(data), path.name))
    assert all(p.where.startswith("line ") for p in info.value.problems)


@pytest.mark.parametrize("path", files("pain001"), ids=ids(files("pain001")))
def test_pain001_samples_read_for_what_they_say(path):
    data = path.read_bytes()
    doc = etree.fromstring(data)
    expected = []
    for pmt in doc.xpath("*/" + L("PmtInf")):
        for tx in pmt.xpath(L("CdtTrfTxInf")):
            amt = tx.xpath(L("Amt", "InstdAmt")) or tx.xpath(L("Amt", "EqvtAmt", "Amt"))
            expected.append((text(pmt, L("PmtInfId")), text(tx, L("PmtId", "EndToEndId")), fen(amt[0].text),
                             amt[0].get("Ccy"), text(tx, L("Cdtr", "Nm")),
                             text(tx, L("CdtrAcct", "Id", "IBAN")) or text(tx, L("CdtrAcct", "Id", "Othr", "Id"))))
    declared = text(doc, "*/" + L("GrpHdr", "NbOfTxs"))
    source, _, message = opened(io.BytesIO(data))
    problems = Problems()
    got = [(i.pmt_inf_id, i.end_to_end_id, i.amount_fen, i.currency, i.creditor, i.account)
           for i in PaymentInstructions(source, message, problems)]
    assert got == expected
    # the group's count, where the file's own does not match its transactions, is refused at its line
    wrong = declared and int(declared) != len(expected)
    assert [(p.field, p.where.startswith("line ")) for p in problems.items] == (
        [("NbOfTxs", True)] if wrong else [])


def test_pain001_samples_as_read_by_hand():
    def one(name):
        source, _, message = opened(io.BytesIO((SAMPLES / "pain001" / name).read_bytes()))
        return [(i.amount_fen, i.currency) for i in PaymentInstructions(source, message, Problems())]

    # 6.20 1.80 12.00 5.00 2.00, an equivalent amount of 1.00, 4 and 6 CHF: CtrlSum 38.00
    assert one("moov__musterfile_pain.001_Nov2020.xml") == [
        (620, "CHF"), (180, "CHF"), (1200, "CHF"), (500, "CHF"), (200, "CHF"), (100, "CHF"), (400, "CHF"),
        (600, "CHF")]
    assert one("sepa_file_parser__pain001_valid_example.xml") == [(987654, "EUR"), (12345, "EUR")]
    assert one("sepa_file_parser__pain001_valid_example_v9.xml") == [(10250, "EUR")]


def test_amounts_are_read_exactly_or_refused():
    assert [amount_fen(t) for t in ("18.150", "5442.09000", "0", "1.5", "7.")] == [1815, 544209, 0, 150, 700]
    for bad in ("18.155", "-1.00", "1e3", "", "1,00"):
        with pytest.raises(ValueError):
            amount_fen(bad)
