"""pain.002 (CustomerPaymentStatusReport): the bank's result file, written and read.

Versions pain.002.001.10 (the default) and pain.002.001.03. What this project writes and reads
has the same elements in both (ISO's v03 already has NbOfTxsPerSts, StsRsnInf/Rsn/Cd|Prtry,
AddtlInf and OrgnlTxRef/Amt/InstdAmt); they differ in their namespace only. (v03 has no ACCC
status; the reader still takes it as paid.)

One file answers one payment file (one batch). The writer puts each ``TxInfAndSts`` on its own
text line, so a reader's line number points at it.

Header (ResultFileHeader)::

    file_id            GrpHdr/MsgId
    created_at         GrpHdr/CreDtTm
    original_file_id   OrgnlGrpInfAndSts/OrgnlMsgId
                       (OrgnlMsgNmId = the name of the pain.001 version the bank was sent,
                       e.g. pain.001.001.09; the reader checks it against the one configured)
    count              OrgnlGrpInfAndSts/OrgnlNbOfTxs
    paid_count/_fen    OrgnlGrpInfAndSts/NbOfTxsPerSts[DtldSts=ACSC]/DtldNbOfTxs, DtldCtrlSum
    failed_count/_fen  OrgnlGrpInfAndSts/NbOfTxsPerSts[DtldSts=RJCT]/DtldNbOfTxs, DtldCtrlSum
    batch_id           OrgnlPmtInfAndSts/OrgnlPmtInfId

    Both NbOfTxsPerSts entries are always written; a reader takes a missing one as 0 / 0.00.

Record (ResultRecord), one ``OrgnlPmtInfAndSts/TxInfAndSts`` each - at that place only,
/Document/CstmrPmtStsRpt/OrgnlPmtInfAndSts/TxInfAndSts: a TxInfAndSts in supplementary data
(SplmtryData/Envlp, of the report or of a record) is no status record of this report and is
not read, one anywhere else is refused (see ``_common.Places``)::

    seq          OrgnlInstrId   (OrgnlEndToEndId = "<batch_id>-<seq>", checked when present)
    outcome      TxSts: ACSC = PAID (ACCC is read as PAID too), RJCT = FAILED
    amount_fen   OrgnlTxRef/Amt/InstdAmt[@Ccy="CNY"]
    account_no   OrgnlTxRef/CdtrAcct/Id/Othr/Id   (when given)
    bank_code    StsRsnInf/Rsn/Cd, or StsRsnInf/Rsn/Prtry when the bank's code is not an ISO
                 code for the reason (see below)
    bank_text    StsRsnInf/AddtlInf (cut into pieces of 105 characters, joined on reading)
    bank_ref     the bank's own reference of the payment: AcctSvcrRef; when it is missing or
                 empty, OrgnlUETR (v10 only); else "" (see below)
    name         OrgnlTxRef/Cdtr/Pty/Nm in v10, OrgnlTxRef/Cdtr/Nm in v03 (when given)
    reason       derived from the ISO code in StsRsnInf/Rsn/Cd:

        AC01 ACCOUNT_NOT_FOUND   BE01 NAME_MISMATCH   AC04 ACCOUNT_CLOSED   AC06 ACCOUNT_FROZEN
        BE17 ID_MISMATCH (InvalidCreditorIdentificationCode)
        AC16 CARD_LOST (CardNumberInvalid: the card was reported lost and stopped)
        NARR OTHER (Narrative) - and any other code is read as OTHER

Writing a failure: with no bank_code the reason's code is written (so it reads back as
bank_code); a bank_code that is the ISO code of the record's reason (or any code of at most 4
characters for OTHER) is written as Rsn/Cd; otherwise Rsn/Cd carries the reason's code and a
second StsRsnInf carries the bank's own code as Rsn/Prtry, which the reader returns as bank_code.
A failed record without a reason is written as OTHER. A paid record has no reason; its bank
code/text, if any, are written in StsRsnInf and read back as they are.

Bank references, by the published schemas of each version (``TxInfAndSts`` is
PaymentTransaction105 in v10, PaymentTransactionInformation25 in ISO's v03):

    AcctSvcrRef  Max35Text, in both versions: "unambiguous reference assigned by the account
                 servicing institution" - the bank's own reference of the payment. Read first;
                 the writer writes a non-empty ``bank_ref`` here (at most 35 characters).
    OrgnlUETR    UUIDv4Identifier, v10 only (UETR came to pain.002 with the 2019 versions):
                 the fallback when AcctSvcrRef is missing or empty. v03 has no UETR, and an
                 OrgnlUETR in a v03 file is not read (with a schema it is refused).
    TxId         pain.002 has none in either version (OrgnlTxRef holds no TxId; the
                 transaction id of pacs.002 and camt is not part of this message), so it is not
                 looked for. ClrSysRef (the clearing system's reference) is not read either.

A record with neither reads back with ``bank_ref`` "". The beneficiary's name the bank states
is OrgnlTxRef/Cdtr, a Party40Choice in v10 (the name in Pty/Nm) and a PartyIdentification32
in v03 (Nm), Max140Text in both; the writer writes a non-empty ``name`` there, before
CdtrAcct as both schemas order them.
"""
from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator
from typing import BinaryIO

from lxml import etree
from lxml.etree import tostring

from bank_formats.base import Skipped, WrittenFile, guarded, why
from bank_formats.iso20022._common import (
    CURRENCY,
    FLUSH_PIECES,
    MAX_FEN,
    NEEDS_CARE,
    PAIN001_V09,
    PAIN002_V03,
    PAIN002_V10,
    PLAIN,
    REASON_TO_CODE,
    XML_DECLARATION,
    ByteSink,
    Problems,
    Variant,
    check_root,
    chunks,
    escape,
    format_amount,
    format_datetime,
    literal,
    maker,
    open_stream,
    parse_amount,
    parse_count,
    parse_datetime,
    parse_seq,
    reason_for_code,
    tags,
    xml_refusal,
)
from bank_formats.iso20022.pain001 import (
    _check_text,
    _header_texts,
    _where,
    format_amount_safe,
)
from bank_formats.iso20022.status_report import is_status_code
from domain.model import FailureReason, PaymentOutcome, ResultFileHeader, ResultRecord
from i18n import Named, Phrase

PAID_STATUS = "ACSC"  # AcceptedSettlementCompleted
FAILED_STATUS = "RJCT"  # Rejected
_STATUS_OUTCOME = {
    "ACSC": PaymentOutcome.PAID,
    "ACCC": PaymentOutcome.PAID,  # AcceptedSettlementCompletedCreditorAccount
    "RJCT": PaymentOutcome.FAILED,
}
TEXT_PIECE = 105  # AddtlInf is Max105Text


def _failure_codes(rec: ResultRecord) -> tuple[str, str | None]:
    """(Rsn/Cd, Rsn/Prtry or None) for a failed record; see the module docstring."""
    reason = rec.reason or FailureReason.OTHER
    reason_code = REASON_TO_CODE[reason]
    code = rec.bank_code
    if not code:
        return reason_code, None
    if len(code) <= 4 and reason_for_code(code) == reason:
        return code, None
    return reason_code, code


def _check_header(header: ResultFileHeader, problems: Problems) -> dict[str, str]:
    out: dict[str, str] = {}
    if _check_text(problems, "GrpHdr", "MsgId", header.file_id, 35):
        out["file_id"] = header.file_id
    if _check_text(problems, "OrgnlGrpInfAndSts", "OrgnlMsgId", header.original_file_id, 35):
        out["original_file_id"] = header.original_file_id
    if _check_text(problems, "OrgnlPmtInfAndSts", "OrgnlPmtInfId", header.batch_id, 35):
        out["batch_id"] = header.batch_id
    try:
        out["created_at"] = format_datetime(header.created_at)
    except (ValueError, AttributeError, TypeError) as exc:
        problems.add("GrpHdr", "CreDtTm", why(exc))
    for key, field in (("count", "OrgnlNbOfTxs"), ("paid_count", "DtldNbOfTxs"),
                       ("failed_count", "DtldNbOfTxs")):
        value = getattr(header, key)
        if type(value) is int and 0 <= value < 10**15:
            out[key] = str(value)
        else:
            problems.add("OrgnlGrpInfAndSts", field,
                         Phrase.of("format.iso.field_not_count", field=Named("field", key), value=repr(value)))
    for key in ("paid_fen", "failed_fen"):
        try:
            out[key] = format_amount(getattr(header, key))
        except ValueError as exc:
            problems.add("OrgnlGrpInfAndSts", "DtldCtrlSum",
                         Phrase.of("format.iso.field_problem", field=Named("field", key), problem=why(exc)))
    if "count" in out and "paid_count" in out and "failed_count" in out:
        if header.count != header.paid_count + header.failed_count:
            problems.add("OrgnlGrpInfAndSts", "OrgnlNbOfTxs",
                         Phrase.of("format.count_not_sum", count=header.count, paid=header.paid_count,
                                   failed=header.failed_count))
    return out


_HEADER_FIELDS = {
    "file_id": ("GrpHdr", "MsgId"), "original_file_id": ("OrgnlGrpInfAndSts", "OrgnlMsgId"),
    "batch_id": ("OrgnlPmtInfAndSts", "OrgnlPmtInfId"),
}


def _head(h: dict[str, str], variant: Variant, answers: Variant) -> str:
    """Everything before the first record: declaration, GrpHdr, OrgnlGrpInfAndSts."""
    g = h.get
    per = "".join(
        f"<NbOfTxsPerSts><DtldNbOfTxs>{g(n, '')}</DtldNbOfTxs><DtldSts>{status}</DtldSts>"
        f"<DtldCtrlSum>{g(fen, '')}</DtldCtrlSum></NbOfTxsPerSts>"
        for status, n, fen in ((PAID_STATUS, "paid_count", "paid_fen"),
                               (FAILED_STATUS, "failed_count", "failed_fen")))
    return (
        f'{XML_DECLARATION}<Document xmlns="{variant.namespace}">\n<CstmrPmtStsRpt>\n'
        f"<GrpHdr><MsgId>{g('file_id', '')}</MsgId><CreDtTm>{g('created_at', '')}</CreDtTm>"
        f"</GrpHdr>\n<OrgnlGrpInfAndSts><OrgnlMsgId>{g('original_file_id', '')}</OrgnlMsgId>"
        f"<OrgnlMsgNmId>{answers.name}</OrgnlMsgNmId><OrgnlNbOfTxs>{g('count', '')}"
        f"</OrgnlNbOfTxs>{per}</OrgnlGrpInfAndSts>\n"
        f"<OrgnlPmtInfAndSts><OrgnlPmtInfId>{g('batch_id', '')}</OrgnlPmtInfId>\n"
    )


_TAIL = "</OrgnlPmtInfAndSts></CstmrPmtStsRpt></Document>"


def _reason(code_tag: str, code: str, text, prtry: str | None) -> bytes:
    """The StsRsnInf elements of a record (their texts escaped already)."""
    out = ""
    if code_tag or text:
        out = ("<StsRsnInf>" + (f"<Rsn><{code_tag}>{code}</{code_tag}></Rsn>" if code_tag else "")
               + "".join(f"<AddtlInf>{t}</AddtlInf>" for t in text) + "</StsRsnInf>")
    if prtry is not None:
        out += f"<StsRsnInf><Rsn><Prtry>{prtry}</Prtry></Rsn></StsRsnInf>"
    return out.encode()


# one record; the reasons and the account are put in whole, or left empty
_TX = (b"<TxInfAndSts><OrgnlInstrId>%d</OrgnlInstrId><OrgnlEndToEndId>%b%d</OrgnlEndToEndId>"
       b'<TxSts>%b</TxSts>%b<OrgnlTxRef><Amt><InstdAmt Ccy="CNY">%d.%02d</InstdAmt></Amt>%b'
       b"</OrgnlTxRef></TxInfAndSts>\n")
# the same with the bank's reference and the creditor's name (put in whole, or left empty)
_TX_REF = (b"<TxInfAndSts><OrgnlInstrId>%d</OrgnlInstrId><OrgnlEndToEndId>%b%d</OrgnlEndToEndId>"
           b'<TxSts>%b</TxSts>%b%b<OrgnlTxRef><Amt><InstdAmt Ccy="CNY">%d.%02d</InstdAmt></Amt>'
           b"%b%b</OrgnlTxRef></TxInfAndSts>\n")
REF_MAX = 35  # AcctSvcrRef is Max35Text
NAME_MAX = 140  # Cdtr's Nm is Max140Text


def has_uetr(variant: Variant) -> bool:
    """Whether the version's TxInfAndSts has OrgnlUETR (v10 does, ISO's v03 does not)."""
    return variant != PAIN002_V03


def creditor_in_party(variant: Variant) -> bool:
    """Whether the version's OrgnlTxRef/Cdtr is a Party40Choice (the name in Cdtr/Pty/Nm, v10)
    rather than a PartyIdentification32 (Cdtr/Nm, v03)."""
    return variant != PAIN002_V03


def _cdtr_tags(variant: Variant) -> tuple[bytes, bytes]:
    """What goes before and after the creditor's name in the version's OrgnlTxRef/Cdtr."""
    if creditor_in_party(variant):
        return b"<Cdtr><Pty><Nm>", b"</Nm></Pty></Cdtr>"
    return b"<Cdtr><Nm>", b"</Nm></Cdtr>"


def write_results(
    out: BinaryIO, header: ResultFileHeader, records: Iterable[ResultRecord],
    file_name: str = "<result file>", variant: Variant = PAIN002_V10,
    answers: Variant = PAIN001_V09,
) -> WrittenFile:
    """Writes a ``variant`` status report answering a payment file of version ``answers``.

    Each record is one line of text put together from its escaped values, as in pain.001.
    """
    problems = Problems()
    h = _check_header(header, problems)
    batch_id = h.get("batch_id", "")
    h = _header_texts(h, problems, _HEADER_FIELDS)
    e2e = (h.get("batch_id", "") + "-").encode()
    max_seq = 34 - len(batch_id)
    cdtr_open, cdtr_close = _cdtr_tags(variant)
    counts = {PaymentOutcome.PAID: 0, PaymentOutcome.FAILED: 0}
    sums = {PaymentOutcome.PAID: 0, PaymentOutcome.FAILED: 0}
    count = 0
    sink = ByteSink(out)
    sink.write(_head(h, variant, answers))
    pieces = sink.pieces
    append = pieces.append
    flush = sink.flush
    care = NEEDS_CARE.search
    PAID = PaymentOutcome.PAID
    FAILED = PaymentOutcome.FAILED
    for rec in records:
        count += 1
        seq = rec.seq
        outcome = rec.outcome
        amount = rec.amount_fen
        account_no = rec.account_no
        bank_code = rec.bank_code
        bank_text = rec.bank_text
        bank_ref = rec.bank_ref
        name = rec.name
        plain = bank_ref == "" == name  # neither: written as every record was before them
        if outcome in counts:
            counts[outcome] += 1
            if type(amount) is int:
                sums[outcome] += amount
        if not (
            type(seq) is int and 0 < seq and len(str(seq)) <= max_seq
            and type(amount) is int and 0 <= amount <= MAX_FEN
            and (outcome == FAILED or (outcome == PAID and rec.reason is None))
            and type(account_no) is str and len(account_no) <= 34
            and type(bank_code) is str and len(bank_code) <= 35
            and type(bank_text) is str
            and (plain or (type(bank_ref) is str and len(bank_ref) <= REF_MAX
                           and type(name) is str and len(name) <= NAME_MAX))
            and (rec.reason is None or rec.reason in REASON_TO_CODE)
        ):
            _record_problems(rec, f"TxInfAndSts[{count}]", batch_id, problems)
            continue
        if outcome == FAILED:
            code, prtry = _failure_codes(rec)
            code_tag = "Cd"
            status = b"RJCT"
        else:
            code, prtry = bank_code, None
            code_tag = ("Cd" if len(code) <= 4 else "Prtry") if code else ""
            status = b"ACSC"
        text = chunks(bank_text, TEXT_PIECE) if bank_text else ()
        if care(f"{account_no}{bank_code}{bank_text}" if plain
                else f"{account_no}{bank_code}{bank_text}{bank_ref}{name}") is not None:
            values = [(code_tag, code)] if code_tag else []
            values += [("AddtlInf", t) for t in text]
            if prtry is not None:
                values.append(("Prtry", prtry))
            if account_no:
                values.append(("Id", account_no))
            if bank_ref:
                values.append(("AcctSvcrRef", bank_ref))
            if name:
                values.append(("Nm", name))
            bad = False
            for field, value in values:
                try:
                    escape(value)
                except (ValueError, TypeError) as exc:
                    bad = True
                    problems.add(f"TxInfAndSts[{count}]", field,
                                 xml_refusal(exc))
            if bad:
                continue
            code = escape(code)
            text = [escape(t) for t in text]
            prtry = None if prtry is None else escape(prtry)
            account_no = escape(account_no)
            bank_ref = escape(bank_ref)
            name = escape(name)
        if plain:
            append(_TX % (
                seq, e2e, seq, status,
                _reason(code_tag, code, text, prtry) if code_tag or text or prtry else b"",
                amount // 100, amount % 100,
                f"<CdtrAcct><Id><Othr><Id>{account_no}</Id></Othr></Id></CdtrAcct>".encode()
                if account_no else b"",
            ))
        else:
            append(_TX_REF % (
                seq, e2e, seq, status,
                _reason(code_tag, code, text, prtry) if code_tag or text or prtry else b"",
                f"<AcctSvcrRef>{bank_ref}</AcctSvcrRef>".encode() if bank_ref else b"",
                amount // 100, amount % 100,
                cdtr_open + name.encode() + cdtr_close if name else b"",
                f"<CdtrAcct><Id><Othr><Id>{account_no}</Id></Othr></Id></CdtrAcct>".encode()
                if account_no else b"",
            ))
        if len(pieces) >= FLUSH_PIECES:
            flush()
    sink.write(_TAIL)
    sink.flush()
    if type(header.count) is int and count != header.count:
        problems.add("OrgnlGrpInfAndSts", "OrgnlNbOfTxs",
                     Phrase.of("format.iso.records_given", stated=header.count, given=count))
    for outcome, n_key, fen_key, status in (
        (PAID, "paid_count", "paid_fen", PAID_STATUS),
        (FAILED, "failed_count", "failed_fen", FAILED_STATUS),
    ):
        n = getattr(header, n_key)
        fen = getattr(header, fen_key)
        if type(n) is int and n != counts[outcome]:
            problems.add(f"NbOfTxsPerSts[{status}]", "DtldNbOfTxs",
                         Phrase.of("format.iso.status_records_given", stated=n, status=status, given=counts[outcome]))
        if type(fen) is int and fen != sums[outcome]:
            problems.add(f"NbOfTxsPerSts[{status}]", "DtldCtrlSum",
                         Phrase.of("format.iso.status_sum_differs", stated=format_amount_safe(fen), status=status,
                                   actual=format_amount_safe(sums[outcome])))
    if problems:
        raise problems.error(file_name)
    return WrittenFile(count=count, total_fen=sums[PAID] + sums[FAILED], size=sink.size)


def _record_problems(rec: ResultRecord, where: str, batch_id: str, problems: Problems) -> None:
    seq = rec.seq
    if type(seq) is not int or seq < 1:
        problems.add(where, "OrgnlInstrId", Phrase.of("format.not_positive", field=Named("field", "seq"),
                                                      number=repr(seq)))
    elif len(f"{batch_id}-{seq}") > 35:
        problems.add(where, "OrgnlEndToEndId", Phrase.of("format.iso.e2e_too_long", e2e=f"{batch_id}-{seq}"))
    try:
        format_amount(rec.amount_fen)
    except ValueError as exc:
        problems.add(where, "InstdAmt", why(exc))
    if rec.outcome not in (PaymentOutcome.PAID, PaymentOutcome.FAILED):
        problems.add(where, "TxSts", Phrase.of("format.unknown_outcome", outcome=repr(rec.outcome)))
    elif rec.outcome == PaymentOutcome.PAID and rec.reason is not None:
        problems.add(where, "Rsn", Phrase.of("format.paid_with_reason", reason=Named("reason", f"{rec.reason}")))
    if rec.reason is not None and rec.reason not in REASON_TO_CODE:
        problems.add(where, "Rsn", Phrase.of("format.unknown_reason", reason=repr(rec.reason)))
    _check_text(problems, where, "CdtrAcct/Id", rec.account_no, 34, required=False)
    _check_text(problems, where, "Rsn", rec.bank_code, 35, required=False)
    _check_text(problems, where, "AddtlInf", rec.bank_text, 10**9, required=False)
    _check_text(problems, where, "AcctSvcrRef", getattr(rec, "bank_ref", ""), REF_MAX,
                required=False)
    _check_text(problems, where, "Cdtr/Nm", getattr(rec, "name", ""), NAME_MAX, required=False)


# --- reader --------------------------------------------------------------------------------

_TAGS = {
    "DOCUMENT": "Document",
    "RPT": "CstmrPmtStsRpt",
    "GRPHDR": "GrpHdr",
    "ORGNLGRP": "OrgnlGrpInfAndSts",
    "ORGNLPMT": "OrgnlPmtInfAndSts",
    "TX": "TxInfAndSts",
    "MSGID": "MsgId",
    "CREDTTM": "CreDtTm",
    "ORGNLMSGID": "OrgnlMsgId",
    "ORGNLMSGNMID": "OrgnlMsgNmId",
    "ORGNLNBOFTXS": "OrgnlNbOfTxs",
    "NBOFTXSPERSTS": "NbOfTxsPerSts",
    "DTLDNBOFTXS": "DtldNbOfTxs",
    "DTLDSTS": "DtldSts",
    "DTLDCTRLSUM": "DtldCtrlSum",
    "ORGNLPMTINFID": "OrgnlPmtInfId",
    "ORGNLINSTRID": "OrgnlInstrId",
    "ORGNLE2E": "OrgnlEndToEndId",
    "TXSTS": "TxSts",
    "STSRSNINF": "StsRsnInf",
    "RSN": "Rsn",
    "CD": "Cd",
    "PRTRY": "Prtry",
    "ADDTLINF": "AddtlInf",
    "ORGNLTXREF": "OrgnlTxRef",
    "AMT": "Amt",
    "INSTDAMT": "InstdAmt",
    "CDTRACCT": "CdtrAcct",
    "ID": "Id",
    "OTHR": "Othr",
    "ACCTSVCRREF": "AcctSvcrRef",
    "ORGNLUETR": "OrgnlUETR",
    "CDTR": "Cdtr",
    "PTY": "Pty",
    "NM": "Nm",
}

_GRP_PATH = "/Document/CstmrPmtStsRpt/OrgnlGrpInfAndSts"
_TX_PATH = "/Document/CstmrPmtStsRpt/OrgnlPmtInfAndSts/TxInfAndSts"


@functools.cache
def _fast_tx_re(namespace: str, party: bool = True) -> re.Pattern[str]:
    """A TxInfAndSts exactly as the writer lays it out, serialized by lxml; ``party``: the
    creditor's name is in Cdtr/Pty/Nm (v10), else in Cdtr/Nm (v03).

    Empty elements come out as <X/>, so every group below that matched is non-empty.
    """
    cdtr = (r"(?:<Cdtr><Pty><Nm>([^<]+)</Nm></Pty></Cdtr>)?+" if party
            else r"(?:<Cdtr><Nm>([^<]+)</Nm></Cdtr>)?+")
    return re.compile(
        r'<TxInfAndSts xmlns="' + re.escape(namespace) + r'">'
        r"<OrgnlInstrId>([^<]+)</OrgnlInstrId><OrgnlEndToEndId>([^<]+)</OrgnlEndToEndId>"
        r"<TxSts>(ACSC|RJCT)</TxSts>"
        r"(?:<StsRsnInf>(?:<Rsn><(Cd|Prtry)>([^<]+)</(?:Cd|Prtry)></Rsn>)?"
        r"((?:<AddtlInf>[^<]+</AddtlInf>)*)</StsRsnInf>)?"
        r"(?:<StsRsnInf><Rsn><Prtry>([^<]+)</Prtry></Rsn></StsRsnInf>)?"
        r"(?:<AcctSvcrRef>([^<]+)</AcctSvcrRef>)?+"
        r'<OrgnlTxRef><Amt><InstdAmt Ccy="CNY">([^<]+)</InstdAmt></Amt>'
        + cdtr +
        r"(?:<CdtrAcct><Id><Othr><Id>([^<]+)</Id></Othr></Id></CdtrAcct>)?+</OrgnlTxRef>"
        r"</TxInfAndSts>\Z"
    )


_ADDTLINF_RE = re.compile(r"<AddtlInf>([^<]+)</AddtlInf>")


@functools.lru_cache(maxsize=32)
def _line_re(batch: bytes, party: bool = True) -> re.Pattern[bytes]:
    """One whole text line holding a TxInfAndSts exactly as the writer writes it, answering
    the batch ``batch`` (a pattern literal), with plain texts: see ``FastStream``. ``party``:
    the creditor's name is in Cdtr/Pty/Nm (v10), else in Cdtr/Nm (v03).

    Everything the reader checks of such a record is in the pattern: a canonical
    OrgnlInstrId, OrgnlEndToEndId "<batch>-<OrgnlInstrId>", a final status, an amount with
    two decimals in CNY. The optional AcctSvcrRef, Cdtr and CdtrAcct are possessive (``?+``):
    what follows each cannot begin where it begins, so no match is lost, and the engine saves
    no marks to backtrack into them (with the two groups more, that saving was 4 % of the
    reading time).
    """
    v = PLAIN
    t = b"(" + v + b")"
    cdtr = (rb"(?:<Cdtr><Pty><Nm>" + t + rb"</Nm></Pty></Cdtr>)?+" if party
            else rb"(?:<Cdtr><Nm>" + t + rb"</Nm></Cdtr>)?+")
    return re.compile(
        rb"<TxInfAndSts><OrgnlInstrId>([1-9][0-9]{0,17})</OrgnlInstrId>"
        rb"<OrgnlEndToEndId>" + batch + rb"-\1</OrgnlEndToEndId><TxSts>(ACSC|RJCT)</TxSts>"
        rb"(?:<StsRsnInf>(?:<Rsn><(Cd|Prtry)>" + t + rb"</\3></Rsn>)?"
        rb"(?:<AddtlInf>" + t + rb"</AddtlInf>((?:<AddtlInf>" + v + rb"</AddtlInf>)*))?"
        rb"</StsRsnInf>)?"
        rb"(?:<StsRsnInf><Rsn><Prtry>" + t + rb"</Prtry></Rsn></StsRsnInf>)?"
        rb"(?:<AcctSvcrRef>" + t + rb"</AcctSvcrRef>)?+"
        rb'<OrgnlTxRef><Amt><InstdAmt Ccy="CNY">([0-9]{1,16})\.([0-9]{2})</InstdAmt></Amt>'
        + cdtr +
        rb"(?:<CdtrAcct><Id><Othr><Id>" + t + rb"</Id></Othr></Id></CdtrAcct>)?+</OrgnlTxRef>"
        rb"</TxInfAndSts>\n"
    )


_new_record = maker(ResultRecord)  # for the lines taken by the pattern


class Pain002Reader:
    """Reads a pain.002 file; ``header`` is read on construction (FormatError if bad).

    Iterating yields the records and, at the end, checks them against the header's counts and
    sums per status, raising FormatError when they differ (a file cut short but well-formed).
    """

    def __init__(self, src: BinaryIO, name: str, schema: etree.XMLSchema | None,
                 variant: Variant = PAIN002_V10, answers: Variant = PAIN001_V09) -> None:
        self._t = T = tags(variant.namespace, _TAGS)
        self._fast_tx = _fast_tx_re(variant.namespace, creditor_in_party(variant))
        self._cdtr_in_party = creditor_in_party(variant)
        # a version without OrgnlUETR has no tag to read it from (with a schema it is refused)
        self._uetr_tag = T.ORGNLUETR if has_uetr(variant) else None
        self._answers = answers.name  # the OrgnlMsgNmId expected
        self.name = name
        self.skipped: list[Skipped] = []  # statuses still in progress (the reading report)
        self._problems = Problems()
        # only the elements at their places count: a TxInfAndSts in SplmtryData/Envlp is not
        # a status record of this report (see _common.Places)
        d, r = T.DOCUMENT, T.RPT
        paths = {d: (d,), T.GRPHDR: (d, r, T.GRPHDR), T.ORGNLGRP: (d, r, T.ORGNLGRP),
                 T.ORGNLPMT: (d, r, T.ORGNLPMT), T.TX: (d, r, T.ORGNLPMT, T.TX)}
        self._stream = open_stream(src, paths, schema, self._problems, T.TX, b"<TxInfAndSts>")
        self._grp: dict | None = None
        self._orgnl: dict | None = None
        self._batch_id: str | None = None  # known even when the rest of the header is bad
        self._root_checked = False
        self.header: ResultFileHeader = None  # type: ignore[assignment]
        self._gen = guarded(self._read(), self._problems, name)
        next(self._gen)

    def __iter__(self) -> Iterator[ResultRecord]:
        return self._gen

    def _check_root(self, el: etree._Element) -> bool:
        T = self._t
        self._root_checked = True
        return check_root(el.getroottree().getroot(), T.DOCUMENT, self._problems)

    def _read_grphdr(self, g: etree._Element) -> dict:
        T = self._t
        p = self._problems
        out: dict = {}
        where = _where(g, "/Document/CstmrPmtStsRpt/GrpHdr")
        el = g.find(T.MSGID)
        if el is None or not el.text:
            p.add(where, "MsgId", Phrase.of("format.iso.missing", path="GrpHdr/MsgId"))
        else:
            out["file_id"] = el.text
        el = g.find(T.CREDTTM)
        try:
            out["created_at"] = parse_datetime(None if el is None else el.text)
        except ValueError as exc:
            p.add(_where(el, where), "CreDtTm", why(exc))
        return out

    def _read_orgnl(self, o: etree._Element) -> dict:
        T = self._t
        p = self._problems
        out: dict = {}
        where = _where(o, _GRP_PATH)
        el = o.find(T.ORGNLMSGID)
        if el is None or not el.text:
            p.add(where, "OrgnlMsgId", Phrase.of("format.iso.missing", path="OrgnlGrpInfAndSts/OrgnlMsgId"))
        else:
            out["original_file_id"] = el.text
        el = o.find(T.ORGNLMSGNMID)
        if el is None or el.text != self._answers:
            p.add(_where(el, where), "OrgnlMsgNmId",
                  Phrase.of("format.not_constant", raw=repr(None if el is None else el.text), expected=self._answers))
        el = o.find(T.ORGNLNBOFTXS)
        try:
            out["count"] = parse_count(None if el is None else el.text)
        except ValueError as exc:
            p.add(_where(el, where), "OrgnlNbOfTxs", why(exc))
        per = {PaymentOutcome.PAID: [0, 0], PaymentOutcome.FAILED: [0, 0]}
        in_progress = 0
        ok = True
        for entry in o.iterchildren(T.NBOFTXSPERSTS):
            ew = _where(entry, where)
            status = entry.findtext(T.DTLDSTS)
            outcome = _STATUS_OUTCOME.get(status or "")
            if outcome is None and is_status_code(status):
                try:  # transactions still in progress: not booked, not counted per outcome
                    in_progress += parse_count(entry.findtext(T.DTLDNBOFTXS))
                except ValueError as exc:
                    p.add(ew, "DtldNbOfTxs", why(exc))
                    ok = False
                continue
            if outcome is None:
                p.add(ew, "DtldSts", Phrase.of("format.iso.not_final", status=repr(status)))
                ok = False
                continue
            try:
                per[outcome][0] += parse_count(entry.findtext(T.DTLDNBOFTXS))
            except ValueError as exc:
                p.add(ew, "DtldNbOfTxs", why(exc))
                ok = False
            try:
                per[outcome][1] += parse_amount(entry.findtext(T.DTLDCTRLSUM))
            except ValueError as exc:
                p.add(ew, "DtldCtrlSum", why(exc))
                ok = False
        if ok:
            out["paid_count"], out["paid_fen"] = per[PaymentOutcome.PAID]
            out["failed_count"], out["failed_fen"] = per[PaymentOutcome.FAILED]
            if "count" in out and out["count"] != out["paid_count"] + out["failed_count"] + in_progress:
                p.add(where, "OrgnlNbOfTxs", Phrase.of("format.iso.count_not_paid_failed", count=out["count"],
                                                       paid=out["paid_count"], failed=out["failed_count"]))
                ok = False
        out["ok"] = ok
        return out

    def _build_header(self, pmt: etree._Element | None) -> ResultFileHeader | None:
        T = self._t
        p = self._problems
        before = len(p)
        vals: dict = {}
        if self._grp is None:
            p.add("/Document/CstmrPmtStsRpt", "GrpHdr", Phrase.of("format.iso.missing", path="GrpHdr"))
        else:
            vals.update(self._grp)
        if self._orgnl is None:
            p.add("/Document/CstmrPmtStsRpt", "OrgnlGrpInfAndSts", Phrase.of("format.iso.missing", path="OrgnlGrpInfAndSts"))
        else:
            vals.update(self._orgnl)
        if pmt is None:
            p.add("/Document/CstmrPmtStsRpt", "OrgnlPmtInfAndSts", Phrase.of("format.iso.missing", path="OrgnlPmtInfAndSts"))
        else:
            el = pmt.find(T.ORGNLPMTINFID)
            if el is None or not el.text:
                p.add(_where(el if el is not None else pmt, _GRP_PATH), "OrgnlPmtInfId",
                      Phrase.of("format.iso.missing", path="OrgnlPmtInfAndSts/OrgnlPmtInfId"))
            else:
                vals["batch_id"] = self._batch_id = el.text
        keys = ("file_id", "original_file_id", "batch_id", "created_at", "count", "paid_count",
                "paid_fen", "failed_count", "failed_fen")
        if len(p) > before or not vals.get("ok") or any(k not in vals for k in keys):
            if not p:
                p.add(_GRP_PATH, "OrgnlGrpInfAndSts", Phrase.of("format.iso.header_incomplete"))
            return None
        return ResultFileHeader(**{k: vals[k] for k in keys})

    def _read(self) -> Iterator[ResultRecord | None]:
        """Yields None once the header is read, then the records; FormatError at the end."""
        T = self._t
        problems = self._problems
        header: ResultFileHeader | None = None
        header_tried = False
        pmts = 0
        seen = 0
        parsed = 0  # elements the parser read
        good = 0
        counts = {PaymentOutcome.PAID: 0, PaymentOutcome.FAILED: 0}
        sums = {PaymentOutcome.PAID: 0, PaymentOutcome.FAILED: 0}
        complete = False  # the end of the root element was seen
        parse_tx = self._parse_tx
        stream = self._stream
        Match = re.Match
        PAID, FAILED = PaymentOutcome.PAID, PaymentOutcome.FAILED
        addtlinf = _ADDTLINF_RE.findall
        new_record = _new_record
        fast_paid = fast_paid_fen = fast_failed = fast_failed_fen = 0  # taken by the pattern
        for el in stream:
            if el.__class__ is Match:
                # a line as the writer writes it, taken without the parser (see FastStream);
                # the pattern has checked everything but the UTF-8 of the texts
                (seq, status, code_tag, code, text, more, prtry, ref, whole, frac, name,
                 account) = el.groups()
                amount = int(whole + frac)
                try:
                    if status == b"ACSC" and code is None and text is None and prtry is None:
                        rec = new_record(int(seq), PAID, amount,
                                         account.decode() if account else "", None, "", "",
                                         ref.decode() if ref else "",
                                         name.decode() if name else "")
                    else:
                        code = code.decode() if code else ""
                        if code_tag == b"Prtry":
                            cd, prtry = "", code
                        else:
                            cd, prtry = code, prtry.decode() if prtry else ""
                        failed = status != b"ACSC"
                        rec = new_record(
                            int(seq), FAILED if failed else PAID, amount,
                            account.decode() if account else "",
                            reason_for_code(cd or prtry) if failed else None, prtry or cd,
                            (text.decode() + "".join(addtlinf(more.decode())) if more
                             else text.decode()) if text else "",
                            ref.decode() if ref else "", name.decode() if name else "")
                except UnicodeDecodeError:
                    stream.defer()  # the parser says what is wrong with it
                    continue
                seen += 1
                good += 1
                if rec.outcome is PAID:
                    fast_paid += 1
                    fast_paid_fen += amount
                else:
                    fast_failed += 1
                    fast_failed_fen += amount
                yield rec
                continue
            tag = el.tag
            if tag == T.TX:
                if not header_tried:
                    header_tried = True
                    if not self._root_checked and not self._check_root(el):
                        break
                    header = self._build_header(el.getparent())
                    if header is not None:
                        self.header = header
                        batch = literal(header.batch_id)
                        stream.fast = (None if batch is None
                                       else _line_re(batch, self._cdtr_in_party))
                        yield None
                seen += 1
                skipped = len(self.skipped)
                rec = parse_tx(el, header)
                if len(self.skipped) > skipped:
                    good += 1  # read, and skipped: still in progress (not counted per status)
                if rec is not None:
                    good += 1
                    counts[rec.outcome] += 1
                    sums[rec.outcome] += rec.amount_fen
                    if header is not None:
                        yield rec
                el.clear(keep_tail=True)
                parsed += 1
                if parsed & 255 == 0:
                    # drop what was read before (the header's elements, cleared records)
                    parent = el.getparent()
                    if parent is not None:
                        del parent[: parent.index(el)]
            elif tag == T.GRPHDR:
                if not self._root_checked and not self._check_root(el):
                    break
                self._grp = self._read_grphdr(el)
            elif tag == T.ORGNLGRP:
                if not self._root_checked and not self._check_root(el):
                    break
                self._orgnl = self._read_orgnl(el)
            elif tag == T.ORGNLPMT:
                pmts += 1
                if pmts == 2:
                    problems.add(_where(el, "OrgnlPmtInfAndSts[2]"), "OrgnlPmtInfAndSts",
                                 Phrase.of("format.iso.two_batches"))
                if not header_tried:
                    header_tried = True
                    if not self._root_checked and not self._check_root(el):
                        break
                    header = self._build_header(el)
                    if header is not None:
                        self.header = header
                        yield None
                el.clear(keep_tail=True)
            elif tag == T.DOCUMENT:
                complete = True
                if not header_tried:
                    header_tried = True
                    if self._root_checked or self._check_root(el):
                        header = self._build_header(None)
                        if header is not None:
                            self.header = header
                            yield None
        counts[PAID] += fast_paid
        sums[PAID] += fast_paid_fen
        counts[FAILED] += fast_failed
        sums[FAILED] += fast_failed_fen
        if not self._root_checked and not stream.broken:
            root = stream.root
            if root is not None:
                check_root(root, T.DOCUMENT, problems)
            self._root_checked = True
        stream.check_complete(complete)
        if header is None:
            if not problems:
                problems.add("/Document", "CstmrPmtStsRpt", Phrase.of("format.iso.no_report_in_file"))
            raise self._problems.error(self.name)
        if complete:
            if seen != header.count:
                problems.add(f"{_GRP_PATH}/OrgnlNbOfTxs", "OrgnlNbOfTxs",
                             Phrase.of("format.iso.tx_count_differs", stated=header.count, seen=seen))
            if good == seen:
                for outcome, status, n, fen in (
                    (PaymentOutcome.PAID, PAID_STATUS, header.paid_count, header.paid_fen),
                    (PaymentOutcome.FAILED, FAILED_STATUS, header.failed_count,
                     header.failed_fen),
                ):
                    path = f"{_GRP_PATH}/NbOfTxsPerSts[DtldSts={status}]"
                    if counts[outcome] != n:
                        problems.add(f"{path}/DtldNbOfTxs", "DtldNbOfTxs",
                                     Phrase.of("format.iso.status_count_differs", stated=n, status=status,
                                               seen=counts[outcome]))
                    if sums[outcome] != fen:
                        problems.add(f"{path}/DtldCtrlSum", "DtldCtrlSum",
                                     Phrase.of("format.iso.status_sum_differs", stated=format_amount(fen),
                                               status=status, actual=format_amount(sums[outcome])))
        if problems:
            raise problems.error(self.name)

    def _parse_tx(self, tx: etree._Element, header: ResultFileHeader | None) -> ResultRecord | None:
        """The record in ``tx``, or None after recording its problems.

        As in the pain.001 reader, a record laid out exactly as the writer writes it is read
        from its serialization by one regular expression; anything else by visiting elements.
        """
        text = tostring(tx, encoding="unicode", with_tail=False)
        m = self._fast_tx.match(text) if "&" not in text else None
        if m is not None:
            (seq_text, e2e, status, code_tag, code, texts, prtry, ref, amount_text, name,
             account_no) = m.groups()
            if (seq_text.isascii() and seq_text.isdigit() and seq_text[0] != "0"
                    and len(seq_text) <= 18
                    and (header is None or e2e == f"{header.batch_id}-{seq_text}")):
                try:
                    amount = parse_amount(amount_text)
                except ValueError:
                    pass
                else:
                    if code_tag == "Prtry":
                        cd = None
                        prtry = code
                    else:
                        cd = code
                    if status == "ACSC":
                        outcome = PaymentOutcome.PAID
                        reason = None
                    else:
                        outcome = PaymentOutcome.FAILED
                        reason = reason_for_code(cd or prtry or "")
                    return ResultRecord(
                        int(seq_text), outcome, amount, account_no or "", reason,
                        prtry or cd or "",
                        "".join(_ADDTLINF_RE.findall(texts)) if texts else "",
                        ref or "", name or "",
                    )
        return self._walk_tx(tx, header)

    def _walk_tx(self, tx: etree._Element, header: ResultFileHeader | None) -> ResultRecord | None:
        T = self._t
        seq_text = e2e = status = amount_text = ccy = None
        account_no = name = acct_ref = uetr = ""
        cd = prtry = None
        texts: list[str] = []
        for c in tx:
            t = c.tag
            if t == T.ORGNLINSTRID:
                seq_text = c.text
            elif t == T.ORGNLE2E:
                e2e = c.text
            elif t == T.ACCTSVCRREF:
                acct_ref = c.text or ""
            elif t == self._uetr_tag:
                uetr = c.text or ""
            elif t == T.TXSTS:
                status = c.text
            elif t == T.STSRSNINF:
                for d in c:
                    if d.tag == T.RSN:
                        for x in d:
                            if x.tag == T.CD:
                                if cd is None:
                                    cd = x.text or ""
                            elif x.tag == T.PRTRY:
                                if prtry is None:
                                    prtry = x.text or ""
                    elif d.tag == T.ADDTLINF:
                        texts.append(d.text or "")
            elif t == T.ORGNLTXREF:
                for d in c:
                    if d.tag == T.AMT:
                        for x in d:
                            if x.tag == T.INSTDAMT:
                                amount_text = x.text
                                ccy = x.get("Ccy")
                    elif d.tag == T.CDTR:
                        party = d.find(T.PTY) if self._cdtr_in_party else d
                        if party is not None:
                            el = party.find(T.NM)
                            if el is not None:
                                name = el.text or ""
                    elif d.tag == T.CDTRACCT:
                        for x in d:
                            if x.tag == T.ID:
                                for o in x:
                                    if o.tag == T.OTHR:
                                        for y in o:
                                            if y.tag == T.ID:
                                                account_no = y.text or ""
        if status is not None and status not in _STATUS_OUTCOME and is_status_code(status):
            # still in progress (ACSP, PDNG, ...): not booked, listed (issue 15); the line stays
            # pending and a later final status books it
            fen = None
            if ccy == CURRENCY:
                try:
                    fen = parse_amount(amount_text)
                except ValueError:
                    fen = None
            said = Phrase.of("format.skip.not_final", label=e2e or seq_text, status=status)
            self.skipped.append(Skipped.of(_where(tx, _TX_PATH), "NOT_FINAL", said, fen))
            return None
        try:
            batch_id = header.batch_id if header is not None else self._batch_id
            if seq_text is None and e2e is not None and batch_id is not None:
                prefix = batch_id + "-"
                if e2e.startswith(prefix):
                    seq_text = e2e[len(prefix):]
            seq = parse_seq(seq_text)
            amount = parse_amount(amount_text)
            outcome = _STATUS_OUTCOME[status]
            if ccy != CURRENCY:
                raise ValueError
            if header is not None and e2e is not None and e2e != f"{header.batch_id}-{seq}":
                raise ValueError
        except (ValueError, KeyError):
            self._tx_problems(tx, seq_text, e2e, status, amount_text, ccy, header)
            return None
        bank_code = prtry if prtry else (cd or "")
        if outcome == PaymentOutcome.PAID:
            reason = None
        else:
            reason = reason_for_code(cd if cd else (prtry or ""))
        return ResultRecord(
            seq=seq, outcome=outcome, amount_fen=amount, account_no=account_no, reason=reason,
            bank_code=bank_code, bank_text="".join(texts), bank_ref=acct_ref or uetr, name=name,
        )

    def _tx_problems(self, tx, seq_text, e2e, status, amount_text, ccy, header) -> None:
        p = self._problems
        where = _where(tx, _TX_PATH)
        seq = None
        if seq_text is None:
            p.add(where, "OrgnlInstrId", Phrase.of("format.iso.missing", path="OrgnlInstrId"))
        else:
            try:
                seq = parse_seq(seq_text)
            except ValueError as exc:
                p.add(where, "OrgnlInstrId", why(exc))
        if header is not None and seq is not None and e2e is not None \
                and e2e != f"{header.batch_id}-{seq}":
            p.add(where, "OrgnlEndToEndId", Phrase.of("format.iso.e2e_differs", e2e=repr(e2e),
                                                      expected=f"{header.batch_id}-{seq}"))
        if status is None:
            p.add(where, "TxSts", Phrase.of("format.iso.missing", path="TxSts"))
        elif status not in _STATUS_OUTCOME:
            p.add(where, "TxSts", Phrase.of("format.iso.not_final", status=repr(status)))
        if amount_text is None:
            p.add(where, "InstdAmt", Phrase.of("format.iso.missing", path="OrgnlTxRef/Amt/InstdAmt"))
        else:
            try:
                parse_amount(amount_text)
            except ValueError as exc:
                p.add(where, "InstdAmt", why(exc))
            if ccy != CURRENCY:
                p.add(where, "InstdAmt", Phrase.of("format.iso.currency", ccy=repr(ccy), expected=CURRENCY))
