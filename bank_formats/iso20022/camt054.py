"""camt.054 (BankToCustomerDebitCreditNotification) written as a bank that confirms our
payments with notifications writes it: the bank simulator's result file for a bank profiled
with ``[format] results = "camt.054.001.08"`` (or another version). The service reads it with
``account_entries.NotificationResultReader``.

One notification (Ntfctn) per file, one entry (Ntry) per record, each on its own text line::

    GrpHdr/MsgId, Ntfctn/Id    file_id            GrpHdr/CreDtTm, Ntfctn/CreDtTm  created_at
    Ntfctn/Acct/Id/Othr/Id     the batch id, SchmeNm/Prtry BATCH (a ResultFileHeader names no
                               account; the reader does not look at it)
    Ntry/NtryRef               seq
    Ntry/Amt, TxDtls/Amt       amount_fen (CNY; v02 has no TxDtls/Amt: AmtDtls/TxAmt/Amt)
    Ntry/CdtDbtInd             DBIT for a paid record; CRDT (the money came back) for a failed one
    Ntry/Sts                   BOOK (v08 on: Sts/Cd)
    Ntry/BookgDt/Dt            the date of created_at
    Ntry/AcctSvcrRef           bank_ref, when there is one
    Ntry/BkTxCd/Domn           PMNT / ICDT / DMCT (paid), PMNT / ICDT / RRTN (returned)
    TxDtls/Refs                MsgId = original_file_id, PmtInfId = batch_id, InstrId = seq,
                               EndToEndId = "<batch_id>-<seq>" (as our pain.001 wrote them)
    TxDtls/RltdPties           Cdtr/Pty/Nm (v02-v06: Cdtr/Nm) = name, CdtrAcct/Id/Othr/Id =
                               account_no, when given (Dbtr, DbtrAcct for a failed record: the
                               money came back from the beneficiary's account)
    TxDtls/RtrInf              a failed record: Rsn/Cd the ISO code of its reason (or its bank
                               code when that is the reason's ISO code), Rsn/Prtry the bank's own
                               code otherwise (the profile's reason_codes map it back);
                               AddtlInf bank_text in pieces of 105
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import BinaryIO

from bank_formats.base import WrittenFile
from bank_formats.iso20022._common import (
    FLUSH_PIECES,
    MAX_FEN,
    REASON_TO_CODE,
    XML_DECLARATION,
    ByteSink,
    Problems,
    chunks,
    escape,
    format_amount,
    format_datetime,
    reason_for_code,
    xml_refusal,
)
from domain.model import FailureReason, PaymentOutcome, ResultFileHeader, ResultRecord
from i18n import Phrase

NS_PREFIX = "urn:iso:std:iso:20022:tech:xsd:"
DEFAULT_VERSION = "camt.054.001.08"
TEXT_PIECE = 105  # RtrInf/AddtlInf is Max105Text


def _return_reason(rec: ResultRecord) -> tuple[str, str]:
    """("Cd" or "Prtry", the code) of a failed record's RtrInf/Rsn."""
    reason = rec.reason or FailureReason.OTHER
    code = rec.bank_code
    if code and len(code) <= 4 and reason_for_code(code) == reason:
        return "Cd", code
    if code:
        return "Prtry", code
    return "Cd", REASON_TO_CODE.get(reason, "NARR")


def write_notification(out: BinaryIO, header: ResultFileHeader, records: Iterable[ResultRecord],
                       version: str = DEFAULT_VERSION, file_name: str = "<notification>") -> WrittenFile:
    """Writes ``records`` as one camt.054 ``version`` notification; FormatError at the end for
    a value that cannot be written or records that do not match the header's counts."""
    number = int(version.rsplit(".", 1)[1])
    party = number >= 8  # Cdtr as a Party40Choice (Pty/Nm) and Sts/Cd from v08 on
    tx_amount = number >= 4  # TxDtls/Amt from v04 on
    problems = Problems()

    def text(value: str, where: str, field: str) -> str:
        try:
            return escape(value)
        except (ValueError, TypeError) as exc:
            problems.add(where, field, xml_refusal(exc))
            return ""

    created = format_datetime(header.created_at)
    day = header.created_at.date().isoformat()
    batch = text(header.batch_id, "header", "PmtInfId")
    file_id = text(header.file_id, "header", "MsgId")
    original = text(header.original_file_id, "header", "MsgId")
    status = "<Sts><Cd>BOOK</Cd></Sts>" if party else "<Sts>BOOK</Sts>"
    sink = ByteSink(out)
    sink.write(f'{XML_DECLARATION}<Document xmlns="{NS_PREFIX}{version}">\n<BkToCstmrDbtCdtNtfctn>\n'
               f"<GrpHdr><MsgId>{file_id}</MsgId><CreDtTm>{created}</CreDtTm></GrpHdr>\n"
               f"<Ntfctn><Id>{file_id}</Id><CreDtTm>{created}</CreDtTm><Acct><Id><Othr><Id>{batch}</Id>"
               f"<SchmeNm><Prtry>BATCH</Prtry></SchmeNm></Othr></Id></Acct>\n")
    counts = {PaymentOutcome.PAID: [0, 0], PaymentOutcome.FAILED: [0, 0]}
    n = 0
    for rec in records:
        n += 1
        where = f"Ntry[{n}]"
        if not (type(rec.seq) is int and rec.seq > 0 and type(rec.amount_fen) is int
                and 0 <= rec.amount_fen <= MAX_FEN and rec.outcome in counts):
            problems.add(where, "Ntry", Phrase.of("format.iso.record_not_written", seq=repr(rec.seq)))
            continue
        counts[rec.outcome][0] += 1
        counts[rec.outcome][1] += rec.amount_fen
        amount = f'<Amt Ccy="CNY">{format_amount(rec.amount_fen)}</Amt>'
        paid = rec.outcome is PaymentOutcome.PAID
        side = "DBIT" if paid else "CRDT"
        ref = f"<AcctSvcrRef>{text(rec.bank_ref, where, 'AcctSvcrRef')}</AcctSvcrRef>" if rec.bank_ref else ""
        sub = "DMCT" if paid else "RRTN"
        refs = (f"<Refs>{f'<MsgId>{original}</MsgId>' if original else ''}<PmtInfId>{batch}</PmtInfId>"
                f"<InstrId>{rec.seq}</InstrId><EndToEndId>{batch}-{rec.seq}</EndToEndId></Refs>")
        tx_amt = (f"{amount}<CdtDbtInd>{side}</CdtDbtInd>" if tx_amount
                  else f"<AmtDtls><TxAmt>{amount}</TxAmt></AmtDtls>")
        parties = ""
        if rec.name or rec.account_no:
            # the beneficiary: the creditor of a payment, the debtor of the money coming back
            who = "Cdtr" if paid else "Dbtr"
            name = text(rec.name, where, "Nm")
            pty = (f"<{who}><Pty><Nm>{name}</Nm></Pty></{who}>" if party else f"<{who}><Nm>{name}</Nm></{who}>"
                   ) if rec.name else ""
            acct = (f"<{who}Acct><Id><Othr><Id>{text(rec.account_no, where, 'Acct')}</Id></Othr></Id>"
                    f"</{who}Acct>") if rec.account_no else ""
            parties = f"<RltdPties>{pty}{acct}</RltdPties>"
        returned = ""
        if not paid:
            tag, code = _return_reason(rec)
            info = "".join(f"<AddtlInf>{text(piece, where, 'AddtlInf')}</AddtlInf>"
                           for piece in chunks(rec.bank_text, TEXT_PIECE))
            returned = f"<RtrInf><Rsn><{tag}>{text(code, where, 'Rsn')}</{tag}></Rsn>{info}</RtrInf>"
        sink.write(f"<Ntry><NtryRef>{rec.seq}</NtryRef>{amount}<CdtDbtInd>{side}</CdtDbtInd>{status}"
                   f"<BookgDt><Dt>{day}</Dt></BookgDt>{ref}<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>ICDT</Cd>"
                   f"<SubFmlyCd>{sub}</SubFmlyCd></Fmly></Domn></BkTxCd><NtryDtls><TxDtls>{refs}{tx_amt}"
                   f"{parties}{returned}</TxDtls></NtryDtls></Ntry>\n")
        if len(sink.pieces) >= FLUSH_PIECES:
            sink.flush()
    sink.write("</Ntfctn></BkToCstmrDbtCdtNtfctn></Document>")
    sink.flush()
    if header.count != n:
        problems.add("header", "count", Phrase.of("format.iso.records_given", stated=header.count, given=n))
    for outcome, key in ((PaymentOutcome.PAID, "paid"), (PaymentOutcome.FAILED, "failed")):
        if (getattr(header, f"{key}_count"), getattr(header, f"{key}_fen")) != tuple(counts[outcome]):
            problems.add("header", key, Phrase.of(
                "format.iso.outcome_totals_differ", count=getattr(header, f"{key}_count"),
                outcome=Phrase.of(f"format.iso.outcome.{key}"), fen=getattr(header, f"{key}_fen"),
                seen=counts[outcome][0], seen_fen=counts[outcome][1]))
    if problems:
        raise problems.error(file_name)
    paid_n, paid_fen = counts[PaymentOutcome.PAID]
    failed_n, failed_fen = counts[PaymentOutcome.FAILED]
    return WrittenFile(count=paid_n + failed_n, total_fen=paid_fen + failed_fen, size=sink.size)
