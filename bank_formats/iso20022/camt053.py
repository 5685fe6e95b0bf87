"""camt.053 (BankToCustomerStatement): the bank's statement of the agency clearing account.

Versions camt.053.001.08 (the default) and camt.053.001.02. One file holds one statement of
one account. The writer (used by the bank simulator) puts each ``Ntry`` on its own text line,
so a reader's line number points at it.

Header (StatementHeader)::

    statement_id         Stmt/Id                 (also GrpHdr/MsgId: one statement a message)
    created_at           Stmt/CreDtTm            (also GrpHdr/CreDtTm; the reader falls back
                                                  to it, Stmt/CreDtTm being optional in v08)
    from_date, to_date   Stmt/FrToDt/FrDtTm, ToDtTm   (written as <date>T00:00:00 and
                                                  <date>T23:59:59, the bank's local time;
                                                  the reader takes their dates)
    account              Stmt/Acct/Id/Othr/Id
    currency             Stmt/Acct/Ccy and the Ccy of every amount (checked by the reader)
    opening_balance_fen  Stmt/Bal[Tp/CdOrPrtry/Cd=OPBD]/Amt with CdtDbtInd (DBIT = negative;
    closing_balance_fen  Stmt/Bal[Tp/CdOrPrtry/Cd=CLBD]/Amt  zero is written CRDT); Bal/Dt/Dt
                                                  is from_date / to_date, not read back
    count                Stmt/TxsSummry/TtlNtries/NbOfNtries (Sum = credit + debit)
    credit_fen           Stmt/TxsSummry/TtlCdtNtries/Sum
    debit_fen            Stmt/TxsSummry/TtlDbtNtries/Sum

    The writer cannot know the number of entries per side before it has written them, so it
    writes no TtlCdtNtries/NbOfNtries or TtlDbtNtries/NbOfNtries; when a bank's file has them
    the reader checks them. A missing TtlCdtNtries or TtlDbtNtries reads as 0; a missing
    TxsSummry is a problem (the entries could not be checked).

Entry (StatementEntry), one ``Stmt/Ntry`` each - at that place only,
/Document/BkToCstmrStmt/Stmt/Ntry: an Ntry in supplementary data (SplmtryData/Envlp, of the
message or of a transaction) is no entry of this statement and is not read, one anywhere else
is refused (see ``_common.Places``)::

    seq                  the entry's position in the statement (not written)
    amount_fen           Ntry/Amt[@Ccy]          (> 0)
    side                 Ntry/CdtDbtInd          (CRDT, DBIT)
                         Ntry/Sts: v08 Sts/Cd = BOOK, v02 Sts = BOOK. An entry still in
                         progress (PDNG pending, INFO, FUTR) is no booking: it is not
                         yielded but listed in ``skipped`` (NOT_FINAL, with its amount), as
                         the tolerant reader does; any other status is refused
    booking_date         Ntry/BookgDt/Dt         (BookgDt/DtTm is read as its date)
    reference            Ntry/AcctSvcrRef
                         Ntry/BkTxCd/Domn: PMNT, family ICDT (DBIT) or RCDT (CRDT), sub-family
                         DMCT; required by the schema, not read back
    batch_id, line_seq   Ntry/NtryDtls/TxDtls/Refs: PmtInfId = batch_id, InstrId = line_seq,
                         EndToEndId = "<batch_id>-<line_seq>" (as in the pain.001), or the
                         batch_id alone for funding and refunds (no line_seq). The reader
                         checks that EndToEndId agrees; with an EndToEndId and no PmtInfId (a
                         bank that only echoes it) a trailing "-<digits>" is the line_seq.
    counterparty_name    TxDtls/RltdPties/Cdtr (DBIT: money went to it) or Dbtr (CRDT):
                         v08 Cdtr/Pty/Nm, v02 Cdtr/Nm
    counterparty_account TxDtls/RltdPties/CdtrAcct (DBIT) or DbtrAcct (CRDT) /Id/Othr/Id
    remark               TxDtls/RmtInf/Ustrd     (cut into pieces of 140, joined on reading)

    NtryDtls is written only for an entry with a batch, a counterparty or a remark.

The reader checks that the entries add up to the summary (count, credit and debit sums; the
summary counts every entry, those still in progress too, as the tolerant reader reads it) and
``closing = opening + credit - debit`` with the booked entries' sums (an entry in progress does
not move the booked balance), collects every problem (the line or XPath and the field) and
raises one FormatError at the end, like the pain.002 reader. ``header`` states the summary's
count and sums until the reading ends; then, when entries in progress were skipped, those of the
entries yielded (as the tolerant reader's does), so that the header agrees with the entries.
"""
from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Iterable, Iterator
from datetime import date
from typing import BinaryIO

from lxml import etree
from lxml.etree import tostring

from bank_formats.base import Refused, Skipped, WrittenFile, guarded, why
from bank_formats.iso20022._common import (
    CAMT053_V02,
    CAMT053_V08,
    FLUSH_PIECES,
    MAX_FEN,
    NEEDS_CARE,
    PLAIN,
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
    parse_date,
    parse_datetime,
    parse_seq,
    tags,
    xml_refusal,
)
from bank_formats.iso20022.pain001 import (
    _check_text,
    _header_texts,
    _where,
    format_amount_safe,
)
from domain.model import EntrySide, StatementEntry, StatementHeader
from i18n import Named, Phrase

BOOKED = "BOOK"
NOT_FINAL = frozenset({"PDNG", "INFO", "FUTR"})  # ExternalEntryStatus1Code: not booked (yet)
OPENING = "OPBD"  # OpeningBooked
CLOSING = "CLBD"  # ClosingBooked
REMARK_PIECE = 140
# ISO bank transaction codes: payments / issued or received credit transfers / domestic
_FAMILY = {EntrySide.DEBIT: "ICDT", EntrySide.CREDIT: "RCDT"}
_SIDES = {s.value: s for s in EntrySide}
_CURRENCY_RE = re.compile(r"[A-Z]{3}", re.ASCII)
_E2E_WITH_SEQ = re.compile(r"(.+)-([1-9][0-9]{0,17})", re.ASCII | re.S)

# --- writer --------------------------------------------------------------------------------


def _signed(fen: int) -> tuple[str, str]:
    """A signed balance as (amount, CdtDbtInd); raises ValueError when it cannot be written."""
    if type(fen) is not int:
        raise Refused("format.iso.balance_not_fen", got=repr(fen))
    return format_amount(abs(fen)), "CRDT" if fen >= 0 else "DBIT"


def _check_header(header: StatementHeader, problems: Problems) -> dict:
    """The header's texts as written, or problems."""
    out: dict = {}
    s = "Stmt"
    if _check_text(problems, s, "Id", header.statement_id, 35):
        out["id"] = header.statement_id
    if _check_text(problems, f"{s}/Acct", "Id", header.account, 34):
        out["account"] = header.account
    if isinstance(header.currency, str) and _CURRENCY_RE.fullmatch(header.currency):
        out["ccy"] = header.currency
    else:
        problems.add(f"{s}/Acct", "Ccy", Phrase.of("format.iso.currency_not_code", currency=repr(header.currency)))
    try:
        out["created_at"] = format_datetime(header.created_at)
    except (ValueError, AttributeError, TypeError) as exc:
        problems.add(s, "CreDtTm", why(exc))
    for key, field in (("from_date", "FrDtTm"), ("to_date", "ToDtTm")):
        value = getattr(header, key)
        if isinstance(value, date):
            out[key] = value.isoformat()
        else:
            problems.add(f"{s}/FrToDt", field,
                         Phrase.of("format.iso.field_not_date", field=Named("field", key), value=repr(value)))
    if "from_date" in out and "to_date" in out and header.from_date > header.to_date:
        problems.add(f"{s}/FrToDt", "ToDtTm",
                     Phrase.of("format.iso.period_backwards", last=str(header.to_date), first=str(header.from_date)))
    for key, code in (("opening_balance_fen", OPENING), ("closing_balance_fen", CLOSING)):
        try:
            out[key] = _signed(getattr(header, key))
        except ValueError as exc:
            problems.add(f"{s}/Bal[{code}]", "Amt", why(exc))
    if type(header.count) is int and 0 <= header.count < 10**15:
        out["count"] = str(header.count)
    else:
        problems.add(f"{s}/TxsSummry/TtlNtries", "NbOfNtries",
                     Phrase.of("format.iso.count_not_entries", count=repr(header.count)))
    for key, field in (("credit_fen", "TtlCdtNtries"), ("debit_fen", "TtlDbtNtries")):
        try:
            out[key] = format_amount(getattr(header, key))
        except ValueError as exc:
            problems.add(f"{s}/TxsSummry/{field}", "Sum",
                         Phrase.of("format.iso.field_problem", field=Named("field", key), problem=why(exc)))
    amounts = ("opening_balance_fen", "closing_balance_fen", "credit_fen", "debit_fen")
    if all(k in out for k in amounts):  # all of them ints that can be written
        try:
            out["sum"] = format_amount(header.credit_fen + header.debit_fen)
        except ValueError as exc:
            problems.add(f"{s}/TxsSummry/TtlNtries", "Sum", why(exc))
        follows = header.opening_balance_fen + header.credit_fen - header.debit_fen
        if header.closing_balance_fen != follows:
            problems.add(f"{s}/Bal[{CLOSING}]", "Amt",
                         Phrase.of("format.iso.closing_not_follows", closing=header.closing_balance_fen,
                                   opening=header.opening_balance_fen, credit=header.credit_fen,
                                   debit=header.debit_fen, follows=follows))
    return out


_HEADER_FIELDS = {"id": ("Stmt", "Id"), "account": ("Stmt/Acct", "Id")}


def _head(h: dict, variant: Variant) -> str:
    """Everything before the first entry: declaration, GrpHdr, Stmt's elements to TxsSummry."""
    g = h.get
    ccy = g("ccy", "")
    balances = "".join(
        f"<Bal><Tp><CdOrPrtry><Cd>{code}</Cd></CdOrPrtry></Tp><Amt Ccy=\"{ccy}\">{amount}</Amt>"
        f"<CdtDbtInd>{side}</CdtDbtInd><Dt><Dt>{g(day, '')}</Dt></Dt></Bal>\n"
        for key, code, day in (("opening_balance_fen", OPENING, "from_date"),
                               ("closing_balance_fen", CLOSING, "to_date"))
        for amount, side in (g(key, ("", "")),))
    return (
        f'{XML_DECLARATION}<Document xmlns="{variant.namespace}">\n<BkToCstmrStmt>\n'
        f"<GrpHdr><MsgId>{g('id', '')}</MsgId><CreDtTm>{g('created_at', '')}</CreDtTm>"
        f"</GrpHdr>\n<Stmt><Id>{g('id', '')}</Id><CreDtTm>{g('created_at', '')}</CreDtTm>"
        f"<FrToDt><FrDtTm>{g('from_date', '')}T00:00:00</FrDtTm>"
        f"<ToDtTm>{g('to_date', '')}T23:59:59</ToDtTm></FrToDt>"
        f"<Acct><Id><Othr><Id>{g('account', '')}</Id></Othr></Id><Ccy>{ccy}</Ccy></Acct>\n"
        f"{balances}<TxsSummry><TtlNtries><NbOfNtries>{g('count', '')}</NbOfNtries>"
        f"<Sum>{g('sum', '')}</Sum></TtlNtries><TtlCdtNtries><Sum>{g('credit_fen', '')}</Sum>"
        f"</TtlCdtNtries><TtlDbtNtries><Sum>{g('debit_fen', '')}</Sum></TtlDbtNtries>"
        f"</TxsSummry>\n"
    )


_TAIL = "</Stmt></BkToCstmrStmt></Document>"


def _entry_problems(e: StatementEntry, where: str, position: int, problems: Problems) -> None:
    """Lists what is wrong with an entry the quick check refused."""
    if e.seq != position:
        problems.add(where, "seq", Phrase.of("format.iso.seq_not_position", seq=repr(e.seq), position=position))
    if type(e.amount_fen) is not int or not 0 < e.amount_fen <= MAX_FEN:
        problems.add(where, "Amt", Phrase.of("format.iso.entry_amount_not_fen", got=repr(e.amount_fen),
                                             largest=MAX_FEN))
    if e.side not in _SIDES.values():
        problems.add(where, "CdtDbtInd", Phrase.of("format.layouts.unknown_side", side=repr(e.side)))
    if not isinstance(e.booking_date, date):
        problems.add(where, "BookgDt", Phrase.of("format.iso.booking_not_date", got=repr(e.booking_date)))
    _check_text(problems, where, "AcctSvcrRef", e.reference, 35)
    if _check_text(problems, where, "PmtInfId", e.batch_id, 35, required=False):
        if e.line_seq is not None:
            if type(e.line_seq) is not int or e.line_seq < 1:
                problems.add(where, "InstrId", Phrase.of("format.iso.line_seq_not_positive", got=repr(e.line_seq)))
            elif not e.batch_id:
                problems.add(where, "PmtInfId", Phrase.of("format.iso.line_seq_needs_batch"))
            elif len(f"{e.batch_id}-{e.line_seq}") > 35:
                problems.add(where, "EndToEndId",
                             Phrase.of("format.iso.e2e_too_long", e2e=f"{e.batch_id}-{e.line_seq}"))
    _check_text(problems, where, "Nm", e.counterparty_name, 140, required=False)
    _check_text(problems, where, "Acct/Id", e.counterparty_account, 34, required=False)
    _check_text(problems, where, "Ustrd", e.remark, 10**9, required=False)


def _remark(remark: str) -> bytes:
    """The RmtInf of an entry's remark (escaped here), cut into pieces of REMARK_PIECE."""
    if not remark:
        return b""
    pieces = (remark,) if len(remark) <= REMARK_PIECE else chunks(remark, REMARK_PIECE)
    return ("<RmtInf>" + "".join(f"<Ustrd>{escape(p)}</Ustrd>" for p in pieces)
            + "</RmtInf>").encode()


_REFS = b"<Refs><PmtInfId>%b</PmtInfId><EndToEndId>%b</EndToEndId></Refs>"
_REFS_SEQ = (b"<Refs><PmtInfId>%b</PmtInfId><InstrId>%d</InstrId><EndToEndId>%b-%d</EndToEndId>"
             b"</Refs>")


# the longest line_seq that fits EndToEndId "<batch_id>-<line_seq>" (Max35Text), by the
# batch_id's length: line_seq < _SEQ_LIMIT[len(batch_id)]
_SEQ_LIMIT = [10 ** (34 - n) if n <= 34 else 0 for n in range(36)]


def _bad_texts(e: StatementEntry, where: str, problems: Problems) -> None:
    """A problem for each text of ``e`` that XML cannot carry, named as its element."""
    values = [("AcctSvcrRef", e.reference)]
    if e.batch_id:
        values += [("PmtInfId", e.batch_id), ("EndToEndId", e.batch_id)]
    if e.counterparty_name:
        values.append(("Nm", e.counterparty_name))
    if e.counterparty_account:
        values.append(("Id", e.counterparty_account))
    if e.remark:
        values += [("Ustrd", x) for x in chunks(e.remark, REMARK_PIECE)]
    for field, value in values:
        try:
            escape(value)
        except (ValueError, TypeError) as exc:
            problems.add(where, field, xml_refusal(exc))


def write_statement(
    out: BinaryIO, header: StatementHeader, entries: Iterable[StatementEntry],
    file_name: str = "<statement>", variant: Variant = CAMT053_V08,
) -> WrittenFile:
    """Writes one statement; FormatError at the end listing everything that could not be.

    Each entry is one line of text put together from its escaped values, as in pain.001.
    """
    problems = Problems()
    h = _check_header(header, problems)
    h = _header_texts(h, problems, _HEADER_FIELDS)
    v02 = variant == CAMT053_V02
    ccy = h.get("ccy", "XXX")
    count = 0
    credit = debit = 0
    sink = ByteSink(out)
    sink.write(_head(h, variant))
    pieces = sink.pieces
    append = pieces.append
    flush = sink.flush
    care = NEEDS_CARE.search
    sides = _SIDES
    DEBIT = EntrySide.DEBIT
    status = "<Sts>BOOK</Sts>" if v02 else "<Sts><Cd>BOOK</Cd></Sts>"
    # an entry of each side: amount, booking date, reference, details
    template = {
        s: (f'<Ntry><Amt Ccy="{ccy}">'.replace("%", "%%") + "%d.%02d</Amt><CdtDbtInd>"
            f"{s.value}</CdtDbtInd>{status}<BookgDt><Dt>%b</Dt></BookgDt><AcctSvcrRef>%b"
            f"</AcctSvcrRef><BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>{_FAMILY[s]}</Cd><SubFmlyCd>"
            f"DMCT</SubFmlyCd></Fmly></Domn></BkTxCd>%b</Ntry>\n").encode()
        for s in EntrySide}
    party = {}  # the counterparty's name and account elements around their texts
    for s, p, a in ((EntrySide.DEBIT, "Cdtr", "CdtrAcct"), (EntrySide.CREDIT, "Dbtr", "DbtrAcct")):
        tags = ((f"<{p}><Nm>", f"</Nm></{p}>") if v02 else (f"<{p}><Pty><Nm>",
                f"</Nm></Pty></{p}>")) + (f"<{a}><Id><Othr><Id>", f"</Id></Othr></Id></{a}>")
        party[s] = tuple(t.encode() for t in tags)
    # the usual entry, a payment to a line of a batch: all of its parts in one template
    line_template = {
        s: template[s].replace(b"%b</Ntry>", b"<NtryDtls><TxDtls>" + _REFS_SEQ + b"<RltdPties>"
                               + party[s][0] + b"%b" + party[s][1] + party[s][2] + b"%b"
                               + party[s][3] + b"</RltdPties>%b</TxDtls></NtryDtls></Ntry>")
        for s in EntrySide}
    limit = MAX_FEN
    is_date = date
    seq_limit = _SEQ_LIMIT
    last_day = last_remark = last_batch = None
    day_text = remark_part = batch_text = b""
    for e in entries:
        count += 1
        side = sides.get(getattr(e, "side", None))
        amount = getattr(e, "amount_fen", None)
        if side is not None and type(amount) is int and amount > 0:
            if side is DEBIT:
                debit += amount
            else:
                credit += amount
        try:
            day = e.booking_date
            reference = e.reference
            batch = e.batch_id
            line_seq = e.line_seq
            name = e.counterparty_name
            account = e.counterparty_account
            remark = e.remark
            if not (
                e.seq == count and side is not None
                and type(amount) is int and 0 < amount <= limit
                and isinstance(day, is_date)
                and 0 < len(reference) <= 35 and len(batch) <= 35
                and (line_seq is None or (
                    type(line_seq) is int and 0 < line_seq < seq_limit[len(batch)] and batch))
                and len(name) <= 140
                and len(account) <= 34
            ):
                raise TypeError
            texts = "".join((reference, batch, name, account, remark))  # TypeError: not all str
        except (TypeError, AttributeError):
            _entry_problems(e, f"Ntry[{count}]", count, problems)
            continue
        if care(texts) is not None:
            try:
                reference = escape(reference)
                batch = escape(batch)
                name = escape(name)
                account = escape(account)
                escape(remark)
            except (ValueError, TypeError):
                _bad_texts(e, f"Ntry[{count}]", problems)
                continue
        # texts that often repeat from one entry to the next are made when they change
        if day is not last_day:
            day_text = day.isoformat().encode()
            last_day = day
        if remark is not last_remark:
            remark_part = _remark(remark)
            last_remark = remark
        if batch is not last_batch:
            batch_text = batch.encode()
            last_batch = batch
        if line_seq is not None and name and account:  # (and so a batch)
            append(line_template[side] % (
                amount // 100, amount % 100, day_text, reference.encode(), batch_text,
                line_seq, batch_text, line_seq, name.encode(), account.encode(), remark_part))
            if len(pieces) >= FLUSH_PIECES:
                flush()
            continue
        if batch:
            refs = (_REFS % (batch_text, batch_text) if line_seq is None else
                    _REFS_SEQ % (batch_text, line_seq, batch_text, line_seq))
        else:
            refs = b""
        if name or account:
            name_open, name_close, account_open, account_close = party[side]
            parties = (b"<RltdPties>" + (name_open + name.encode() + name_close if name else b"")
                       + (account_open + account.encode() + account_close if account else b"")
                       + b"</RltdPties>")
        else:
            parties = b""
        append(template[side] % (
            amount // 100, amount % 100, day_text, reference.encode(),
            b"<NtryDtls><TxDtls>" + refs + parties + remark_part + b"</TxDtls></NtryDtls>"
            if refs or parties or remark_part else b"",
        ))
        if len(pieces) >= FLUSH_PIECES:
            flush()
    sink.write(_TAIL)
    sink.flush()
    sums = {EntrySide.CREDIT: credit, EntrySide.DEBIT: debit}
    _check_totals(header, count, sums, problems)
    if problems:
        raise problems.error(file_name)
    return WrittenFile(count=count, total_fen=credit + debit, size=sink.size)


def _check_totals(header: StatementHeader, count: int, sums: dict, problems: Problems) -> None:
    if type(header.count) is int and count != header.count:
        problems.add("Stmt/TxsSummry/TtlNtries", "NbOfNtries",
                     Phrase.of("format.layouts.entries_given", stated=header.count, actual=count))
    for side, key, field in ((EntrySide.CREDIT, "credit_fen", "TtlCdtNtries"),
                             (EntrySide.DEBIT, "debit_fen", "TtlDbtNtries")):
        fen = getattr(header, key)
        if type(fen) is int and fen != sums[side]:
            problems.add(f"Stmt/TxsSummry/{field}", "Sum",
                         Phrase.of("format.iso.header_side_sum_differs", stated=format_amount_safe(fen),
                                   side=Phrase.of(f"format.iso.side.{side.name.lower()}"),
                                   actual=format_amount_safe(sums[side])))


# --- reader --------------------------------------------------------------------------------

_TAGS = {
    "DOCUMENT": "Document",
    "MSG": "BkToCstmrStmt",
    "GRPHDR": "GrpHdr",
    "STMT": "Stmt",
    "NTRY": "Ntry",
    "MSGID": "MsgId",
    "CREDTTM": "CreDtTm",
    "ID": "Id",
    "FRTODT": "FrToDt",
    "FRDTTM": "FrDtTm",
    "TODTTM": "ToDtTm",
    "ACCT": "Acct",
    "OTHR": "Othr",
    "CCY": "Ccy",
    "BAL": "Bal",
    "TP": "Tp",
    "CDORPRTRY": "CdOrPrtry",
    "CD": "Cd",
    "AMT": "Amt",
    "CDTDBTIND": "CdtDbtInd",
    "TXSSUMMRY": "TxsSummry",
    "TTLNTRIES": "TtlNtries",
    "TTLCDTNTRIES": "TtlCdtNtries",
    "TTLDBTNTRIES": "TtlDbtNtries",
    "NBOFNTRIES": "NbOfNtries",
    "SUM": "Sum",
    "STS": "Sts",
    "BOOKGDT": "BookgDt",
    "DT": "Dt",
    "DTTM": "DtTm",
    "ACCTSVCRREF": "AcctSvcrRef",
    "NTRYDTLS": "NtryDtls",
    "TXDTLS": "TxDtls",
    "REFS": "Refs",
    "PMTINFID": "PmtInfId",
    "INSTRID": "InstrId",
    "E2E": "EndToEndId",
    "RLTDPTIES": "RltdPties",
    "CDTR": "Cdtr",
    "DBTR": "Dbtr",
    "CDTRACCT": "CdtrAcct",
    "DBTRACCT": "DbtrAcct",
    "PTY": "Pty",
    "NM": "Nm",
    "RMTINF": "RmtInf",
    "USTRD": "Ustrd",
}
_STMT_PATH = "/Document/BkToCstmrStmt/Stmt"


@functools.cache
def _tags(namespace: str):
    return tags(namespace, _TAGS)


@functools.cache
def _fast_entry_re(namespace: str, v02: bool) -> re.Pattern[str]:
    """A Ntry exactly as the writer lays it out, serialized by lxml.

    Empty elements come out as <X/>, so every text group below that matched is non-empty.
    """
    status = "<Sts>BOOK</Sts>" if v02 else "<Sts><Cd>BOOK</Cd></Sts>"
    name = r"<(?P<p>Cdtr|Dbtr)><Nm>([^<]+)</Nm></(?P=p)>" if v02 else (
        r"<(?P<p>Cdtr|Dbtr)><Pty><Nm>([^<]+)</Nm></Pty></(?P=p)>")
    return re.compile(
        r'<Ntry xmlns="' + re.escape(namespace) + r'">'
        r'<Amt Ccy="([^"]*)">([^<]+)</Amt><CdtDbtInd>(CRDT|DBIT)</CdtDbtInd>' + status
        + r"<BookgDt><Dt>([0-9]{4}-[0-9]{2}-[0-9]{2})</Dt></BookgDt>"
        r"<AcctSvcrRef>([^<]+)</AcctSvcrRef>"
        r"<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>[A-Z]{4}</Cd><SubFmlyCd>DMCT</SubFmlyCd>"
        r"</Fmly></Domn></BkTxCd>"
        r"(?:<NtryDtls><TxDtls>"
        r"(?:<Refs><PmtInfId>([^<]+)</PmtInfId>(?:<InstrId>([1-9][0-9]{0,17})</InstrId>)?"
        r"<EndToEndId>([^<]+)</EndToEndId></Refs>)?"
        r"(?:<RltdPties>(?:" + name + r")?"
        r"(?:<(?P<a>Cdtr|Dbtr)Acct><Id><Othr><Id>([^<]+)</Id></Othr></Id></(?P=a)Acct>)?"
        r"</RltdPties>)?"
        r"(?:<RmtInf>((?:<Ustrd>[^<]+</Ustrd>)+)</RmtInf>)?"
        r"</TxDtls></NtryDtls>)?"
        r"</Ntry>\Z"
    )


_USTRD_RE = re.compile(r"<Ustrd>([^<]+)</Ustrd>")
_PARTY_OF = {"DBIT": "Cdtr", "CRDT": "Dbtr"}  # the counterparty's element for each side


@functools.lru_cache(maxsize=32)
def _line_re(v02: bool, ccy: bytes) -> re.Pattern[bytes]:
    """One whole text line holding a Ntry exactly as the writer writes it, in the currency
    ``ccy`` (a pattern literal), with plain texts: see ``FastStream``.

    The pattern checks the layout, the currency, a booked status, the EndToEndId against
    PmtInfId and InstrId; the reader checks the rest (the counterparty's side, an amount
    above 0, a real date) and hands back what it does not take.
    """
    v = PLAIN
    t = b"(" + v + b")"
    status = rb"<Sts>BOOK</Sts>" if v02 else rb"<Sts><Cd>BOOK</Cd></Sts>"
    name = (rb"<(?P<p>Cdtr|Dbtr)><Nm>" + t + rb"</Nm></(?P=p)>" if v02 else
            rb"<(?P<p>Cdtr|Dbtr)><Pty><Nm>" + t + rb"</Nm></Pty></(?P=p)>")
    return re.compile(
        rb'<Ntry><Amt Ccy="' + ccy + rb'">([0-9]{1,16})\.([0-9]{2})</Amt>'
        rb"<CdtDbtInd>(CRDT|DBIT)</CdtDbtInd>" + status
        + rb"<BookgDt><Dt>([0-9]{4}-[0-9]{2}-[0-9]{2})</Dt></BookgDt>"
        rb"<AcctSvcrRef>" + t + rb"</AcctSvcrRef>"
        rb"<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>[A-Z]{4}</Cd><SubFmlyCd>DMCT</SubFmlyCd>"
        rb"</Fmly></Domn></BkTxCd>"
        rb"(?:<NtryDtls><TxDtls>"
        rb"(?:<Refs><PmtInfId>(?P<b>" + v + rb")</PmtInfId>"
        rb"(?:<InstrId>(?P<i>[1-9][0-9]{0,17})</InstrId>"
        rb"<EndToEndId>(?P=b)-(?P=i)</EndToEndId>|<EndToEndId>(?P=b)</EndToEndId>)</Refs>)?"
        rb"(?:<RltdPties>(?:" + name + rb")?"
        rb"(?:<(?P<a>Cdtr|Dbtr)Acct><Id><Othr><Id>" + t + rb"</Id></Othr></Id></(?P=a)Acct>)?"
        rb"</RltdPties>)?"
        rb"(?:<RmtInf><Ustrd>" + t + rb"</Ustrd>((?:<Ustrd>" + v + rb"</Ustrd>)*)</RmtInf>)?"
        rb"</TxDtls></NtryDtls>)?"
        rb"</Ntry>\n"
    )


_SIDES_BYTES = {s.value.encode(): s for s in EntrySide}
_PARTY_BYTES = {b"DBIT": b"Cdtr", b"CRDT": b"Dbtr"}


def _child(el: etree._Element | None, *path: str) -> etree._Element | None:
    for tag in path:
        if el is None:
            return None
        el = el.find(tag)
    return el


_new_entry = maker(StatementEntry)  # for the lines taken by the pattern


class Camt053Reader:
    """Reads a camt.053 file; ``header`` is read on construction (FormatError if bad).

    Iterating yields the entries and, at the end, checks them against the summary, raising
    FormatError listing every problem found.
    """

    def __init__(self, src: BinaryIO, name: str, schema: etree.XMLSchema | None,
                 variant: Variant = CAMT053_V08) -> None:
        self._t = T = _tags(variant.namespace)
        self._v02 = variant == CAMT053_V02
        self._fast_entry = _fast_entry_re(variant.namespace, self._v02)
        self.name = name
        self.skipped: list[Skipped] = []  # entries still in progress (NOT_FINAL)
        self._pending = {EntrySide.CREDIT: [0, 0], EntrySide.DEBIT: [0, 0]}  # side: [count, fen]
        self._pending_unread = False  # an entry in progress whose amount or side is not known
        self._problems = Problems()
        # only the elements at their places count: an Ntry in SplmtryData/Envlp is not an
        # entry of this statement (see _common.Places)
        d, m = T.DOCUMENT, T.MSG
        paths = {d: (d,), T.GRPHDR: (d, m, T.GRPHDR), T.STMT: (d, m, T.STMT),
                 T.NTRY: (d, m, T.STMT, T.NTRY)}
        self._stream = open_stream(src, paths, schema, self._problems, T.NTRY, b"<Ntry>")
        self._grp: dict = {}
        self._ccy: str | None = None
        self._side_counts: dict[EntrySide, int] = {}  # NbOfNtries per side, when given
        self._root_state: bool | None = None  # whether the root is right, once checked
        self._bal_where: dict[str, str] = {}  # where the OPBD and CLBD balances are
        self.header: StatementHeader = None  # type: ignore[assignment]
        self._gen = guarded(self._read(), self._problems, name)
        next(self._gen)  # runs until the header is read

    def __iter__(self) -> Iterator[StatementEntry]:
        return self._gen

    # header ---------------------------------------------------------------------------------

    def _read_grphdr(self, g: etree._Element) -> None:
        el = g.find(self._t.CREDTTM)
        try:
            self._grp["created_at"] = parse_datetime(None if el is None else el.text)
        except ValueError as exc:
            self._problems.add(_where(el, _where(g, "/Document/BkToCstmrStmt/GrpHdr")),
                               "CreDtTm", why(exc))

    def _amount(self, el: etree._Element | None, where: str, field: str) -> int | None:
        """The amount in ``el`` in the statement's currency, or None after a problem."""
        if el is None:
            self._problems.add(where, field, Phrase.of("format.iso.missing", path=field))
            return None
        try:
            fen = parse_amount(el.text)
        except ValueError as exc:
            self._problems.add(_where(el, where), field, why(exc))
            return None
        ccy = el.get("Ccy")
        if self._ccy is None:
            self._ccy = ccy
        elif ccy != self._ccy:
            self._problems.add(_where(el, where), field,
                               Phrase.of("format.iso.not_statement_currency", ccy=repr(ccy), expected=self._ccy))
            return None
        return fen

    def _read_balances(self, stmt: etree._Element, where: str, vals: dict) -> None:
        T, p = self._t, self._problems
        found: set[str] = set()
        for bal in stmt.iterchildren(T.BAL):
            code = _child(bal, T.TP, T.CDORPRTRY, T.CD)
            code = None if code is None else code.text
            if code not in (OPENING, CLOSING):
                continue  # other balances (available, interim) are not needed
            bw = _where(bal, f"{_STMT_PATH}/Bal")
            if code in found:
                p.add(bw, "Bal", Phrase.of("format.iso.balance_twice", code=code))
                continue
            found.add(code)
            self._bal_where[code] = bw
            fen = self._amount(bal.find(T.AMT), bw, "Amt")
            side = bal.findtext(T.CDTDBTIND)
            if side not in _SIDES:
                p.add(bw, "CdtDbtInd", Phrase.of("format.iso.not_side", raw=repr(side)))
            elif fen is not None:
                key = "opening_balance_fen" if code == OPENING else "closing_balance_fen"
                vals[key] = fen if side == "CRDT" else -fen
        for code in (OPENING, CLOSING):
            if code not in found:
                p.add(where, "Bal", Phrase.of("format.iso.balance_missing", code=code))

    def _read_summary(self, stmt: etree._Element, where: str, vals: dict) -> None:
        T, p = self._t, self._problems
        summary = stmt.find(T.TXSSUMMRY)
        if summary is None:
            p.add(where, "TxsSummry", Phrase.of("format.iso.no_summary"))
            return
        sw = _where(summary, f"{_STMT_PATH}/TxsSummry")
        side_counts: dict[EntrySide, int] = {}  # a missing TtlCdtNtries says: no credits
        for side, tag, key in ((EntrySide.CREDIT, T.TTLCDTNTRIES, "credit_fen"),
                               (EntrySide.DEBIT, T.TTLDBTNTRIES, "debit_fen")):
            el = summary.find(tag)
            vals[key] = 0
            if el is None:
                side_counts[side] = 0
                continue
            n = el.find(T.NBOFNTRIES)
            if n is not None:
                try:
                    side_counts[side] = parse_count(n.text)
                except ValueError as exc:
                    p.add(_where(n, sw), "NbOfNtries", why(exc))
            s = el.find(T.SUM)
            try:
                vals[key] = parse_amount(None if s is None else s.text)
            except ValueError as exc:
                p.add(_where(s if s is not None else el, sw), "Sum", why(exc))
        self._side_counts = side_counts
        total = summary.find(T.TTLNTRIES)
        n = None if total is None else total.find(T.NBOFNTRIES)
        if n is not None:
            try:
                vals["count"] = parse_count(n.text)
            except ValueError as exc:
                p.add(_where(n, sw), "NbOfNtries", why(exc))
        elif len(self._side_counts) == 2:
            vals["count"] = sum(self._side_counts.values())
        else:
            p.add(sw, "TtlNtries", Phrase.of("format.iso.missing", path="TtlNtries/NbOfNtries"))
        if "count" in vals and len(self._side_counts) == 2 \
                and vals["count"] != sum(self._side_counts.values()):
            p.add(_where(n, sw), "NbOfNtries",
                  Phrase.of("format.iso.entries_not_sides", count=vals["count"],
                            credit=self._side_counts[EntrySide.CREDIT], debit=self._side_counts[EntrySide.DEBIT]))
        s = None if total is None else total.find(T.SUM)
        if s is not None and "credit_fen" in vals and "debit_fen" in vals:
            try:
                if parse_amount(s.text) != vals["credit_fen"] + vals["debit_fen"]:
                    p.add(_where(s, sw), "Sum",
                          Phrase.of("format.iso.sum_not_sides", sum=s.text, credit=format_amount(vals["credit_fen"]),
                                    debit=format_amount(vals["debit_fen"])))
            except ValueError as exc:
                p.add(_where(s, sw), "Sum", why(exc))

    def _read_stmt(self, stmt: etree._Element) -> StatementHeader | None:
        """The header from GrpHdr and the Stmt's elements before its first entry."""
        T, p = self._t, self._problems
        before = len(p)
        where = _where(stmt, _STMT_PATH)
        vals: dict = {}
        el = stmt.find(T.ID)
        if el is None or not el.text:
            p.add(_where(el, where), "Id", Phrase.of("format.iso.missing", path="Stmt/Id"))
        else:
            vals["statement_id"] = el.text
        el = stmt.find(T.CREDTTM)
        if el is not None:
            try:
                vals["created_at"] = parse_datetime(el.text)
            except ValueError as exc:
                p.add(_where(el, where), "CreDtTm", why(exc))
        elif "created_at" in self._grp:
            vals["created_at"] = self._grp["created_at"]
        else:
            p.add(where, "CreDtTm", Phrase.of("format.iso.no_created"))
        period = stmt.find(T.FRTODT)
        if period is None:
            p.add(where, "FrToDt", Phrase.of("format.iso.missing", path="Stmt/FrToDt"))
        for key, tag, field in (("from_date", T.FRDTTM, "FrDtTm"), ("to_date", T.TODTTM, "ToDtTm")):
            if period is None:
                break
            el = period.find(tag)
            try:
                vals[key] = parse_datetime(None if el is None else el.text).date()
            except ValueError as exc:
                p.add(_where(el if el is not None else period, where), field, why(exc))
        acct = stmt.find(T.ACCT)
        el = _child(acct, T.ID, T.OTHR, T.ID)
        if el is None or not el.text:
            p.add(_where(acct, where), "Id", Phrase.of("format.iso.missing", path="Stmt/Acct/Id/Othr/Id"))
        else:
            vals["account"] = el.text
        ccy = _child(acct, T.CCY)
        if ccy is not None:
            self._ccy = ccy.text
        self._read_balances(stmt, where, vals)
        self._read_summary(stmt, where, vals)
        if self._ccy is not None:
            vals["currency"] = self._ccy
        keys = ("statement_id", "account", "created_at", "from_date", "to_date",
                "opening_balance_fen", "closing_balance_fen", "count", "credit_fen",
                "debit_fen", "currency")
        if len(p) > before or any(k not in vals for k in keys):
            if not p:
                p.add(where, "Stmt", Phrase.of("format.iso.statement_incomplete"))
            return None
        return StatementHeader(**{k: vals[k] for k in keys})

    def _check_balance(self, header: StatementHeader) -> None:
        """closing = opening + credit - debit, of the booked entries: the summary's sums less
        those of the entries still in progress (not checked when one of those could not be read:
        its problem says why)."""
        if self._pending_unread:
            return
        credit = header.credit_fen - self._pending[EntrySide.CREDIT][1]
        debit = header.debit_fen - self._pending[EntrySide.DEBIT][1]
        follows = header.opening_balance_fen + credit - debit
        if header.closing_balance_fen != follows:
            pending = sum(n for n, _ in self._pending.values())
            booked = Phrase.of("format.iso.pending_left_out", pending=pending) if pending else ""
            self._problems.add(
                self._bal_where[CLOSING], "Amt",
                Phrase.of("format.iso.closing_differs", closing=_show(header.closing_balance_fen),
                          opening=_show(header.opening_balance_fen), credit=format_amount(credit),
                          debit=format_amount(debit), follows=_show(follows), booked=booked))

    # entries --------------------------------------------------------------------------------

    def _root_ok(self, el: etree._Element) -> bool:
        """Whether the root element is the expected Document (checked once, a problem if not)."""
        if self._root_state is None:
            root = el.getroottree().getroot()
            self._root_state = check_root(root, self._t.DOCUMENT, self._problems)
        return self._root_state

    def _start(self, el: etree._Element, stmt: etree._Element | None) -> StatementHeader | None:
        """The header, after checking the root; None (and problems) when it cannot be read."""
        if not self._root_ok(el):
            return None
        if stmt is None:
            self._problems.add("/Document/BkToCstmrStmt", "Stmt", Phrase.of("format.iso.no_statement"))
            return None
        return self._read_stmt(stmt)

    def _read(self) -> Iterator[StatementEntry | None]:
        """Yields None once the header is read, then the entries; FormatError at the end."""
        T, problems = self._t, self._problems
        header: StatementHeader | None = None
        started = False  # the header was tried
        stmts = 0
        seen = 0
        parsed = 0  # elements the parser read
        counts = {EntrySide.CREDIT: 0, EntrySide.DEBIT: 0}
        sums = {EntrySide.CREDIT: 0, EntrySide.DEBIT: 0}
        complete = False  # the end of the root element was seen
        stream = self._stream
        Match = re.Match
        sides = _SIDES_BYTES
        parties = _PARTY_BYTES
        ustrd = _USTRD_RE.findall
        new_entry = _new_entry
        CREDIT = EntrySide.CREDIT
        fast_credit = fast_credit_fen = fast_debit = fast_debit_fen = 0  # taken by the pattern
        last_day = last_batch = b""
        booking_date = None
        batch_id = ""
        for el in stream:
            if el.__class__ is Match:
                # a line as the writer writes it, taken without the parser (see FastStream)
                (whole, frac, side, day, reference, batch, instr, party, name, acct_party,
                 account, rmk, more) = el.groups()
                amount = int(whole + frac)
                expected = parties[side]
                try:
                    if (amount == 0 or (party is not None and party != expected)
                            or (acct_party is not None and acct_party != expected)):
                        raise ValueError
                    if day != last_day:
                        last_day = b""
                        booking_date = date.fromisoformat(day.decode())
                        last_day = day
                    if batch != last_batch:
                        batch_id = batch.decode() if batch else ""
                        last_batch = batch
                    entry = new_entry(
                        seen + 1, sides[side], amount, booking_date, reference.decode(),
                        batch_id, int(instr) if instr else None,
                        name.decode() if name else "", account.decode() if account else "",
                        (rmk.decode() + "".join(ustrd(more.decode())) if more else rmk.decode())
                        if rmk else "")
                except ValueError:  # UnicodeDecodeError too
                    last_batch = b""
                    stream.defer()  # the usual path says what is wrong with it
                    continue
                seen += 1
                if entry.side is CREDIT:
                    fast_credit += 1
                    fast_credit_fen += amount
                else:
                    fast_debit += 1
                    fast_debit_fen += amount
                yield entry
                continue
            tag = el.tag
            if tag == T.NTRY:
                if not started:
                    started = True
                    header = self._start(el, el.getparent())
                    if not self._root_ok(el):
                        break
                    if header is not None:
                        self.header = header
                        ccy = literal(self._ccy)
                        stream.fast = None if ccy is None else _line_re(self._v02, ccy)
                        yield None
                seen += 1
                entry = self._parse_entry(el, seen)
                if entry is not None:
                    counts[entry.side] += 1
                    sums[entry.side] += entry.amount_fen
                    if header is not None:
                        yield entry
                el.clear(keep_tail=True)
                parsed += 1
                if parsed & 255 == 0:
                    # drop what was read before (the header's elements, cleared entries)
                    parent = el.getparent()
                    if parent is not None:
                        del parent[: parent.index(el)]
            elif tag == T.GRPHDR:
                if not self._root_ok(el):
                    break
                self._read_grphdr(el)
            elif tag == T.STMT:
                stmts += 1
                if stmts == 2:
                    problems.add(_where(el, f"{_STMT_PATH}[2]"), "Stmt",
                                 Phrase.of("format.iso.two_statements"))
                if not started:
                    started = True
                    header = self._start(el, el)
                    if not self._root_ok(el):
                        break
                    if header is not None:
                        self.header = header
                        yield None
                el.clear(keep_tail=True)
            elif tag == T.DOCUMENT:
                complete = True
                if not started:
                    started = True
                    header = self._start(el, None)
        counts[EntrySide.CREDIT] += fast_credit
        sums[EntrySide.CREDIT] += fast_credit_fen
        counts[EntrySide.DEBIT] += fast_debit
        sums[EntrySide.DEBIT] += fast_debit_fen
        if self._root_state is None and not stream.broken and stream.root is not None:
            self._root_state = check_root(stream.root, T.DOCUMENT, problems)
        stream.check_complete(complete)
        if header is None:
            if not problems:
                problems.add("/Document/BkToCstmrStmt", "Stmt", Phrase.of("format.iso.no_statement_found"))
            raise problems.error(self.name)
        self._check_balance(header)
        booked = dict(counts), dict(sums)
        for side, (n, fen) in self._pending.items():
            counts[side] += n
            sums[side] += fen
        if complete and seen == counts[EntrySide.CREDIT] + counts[EntrySide.DEBIT]:
            self._check_summary(header, seen, counts, sums)
        elif complete and seen != header.count:
            problems.add(f"{_STMT_PATH}/TxsSummry/TtlNtries/NbOfNtries", "NbOfNtries",
                         Phrase.of("format.iso.entries_differ", stated=header.count, seen=seen))
        if problems:
            raise problems.error(self.name)
        if self.skipped:
            n, fen = booked
            self.header = dataclasses.replace(
                header, count=n[EntrySide.CREDIT] + n[EntrySide.DEBIT], credit_fen=fen[EntrySide.CREDIT],
                debit_fen=fen[EntrySide.DEBIT])

    def _check_summary(self, header: StatementHeader, seen: int, counts: dict,
                       sums: dict) -> None:
        p = self._problems
        base = f"{_STMT_PATH}/TxsSummry"
        if seen != header.count:
            p.add(f"{base}/TtlNtries/NbOfNtries", "NbOfNtries",
                  Phrase.of("format.iso.entries_differ", stated=header.count, seen=seen))
        for side, field, fen in ((EntrySide.CREDIT, "TtlCdtNtries", header.credit_fen),
                                 (EntrySide.DEBIT, "TtlDbtNtries", header.debit_fen)):
            if sums[side] != fen:
                p.add(f"{base}/{field}/Sum", "Sum",
                      Phrase.of("format.iso.side_sum_differs", stated=format_amount(fen),
                                side=Phrase.of(f"format.iso.side.{side.name.lower()}"), actual=format_amount(sums[side])))
            n = self._side_counts.get(side)
            if n is not None and n != counts[side]:
                p.add(f"{base}/{field}/NbOfNtries", "NbOfNtries",
                      Phrase.of("format.iso.side_count_differs", stated=n,
                                side=Phrase.of(f"format.iso.side.{side.name.lower()}"), seen=counts[side]))

    def _parse_entry(self, ntry: etree._Element, seq: int) -> StatementEntry | None:
        """The entry in ``ntry``, or None after recording every problem it has.

        As in the pain.001 reader, an entry laid out exactly as the writer writes it is read
        from its serialization by one regular expression (several times faster than finding
        its elements from Python); anything else - another layout, an escaped character, a
        value that is not right - is read by :meth:`_walk_entry`, which says what is wrong.
        """
        text = tostring(ntry, encoding="unicode", with_tail=False)
        m = self._fast_entry.match(text) if "&" not in text else None
        if m is not None:
            (ccy, amount_text, side, day, reference, batch, instr, e2e, party, name,
             acct_party, account, rmk) = m.groups()
            expected_party = _PARTY_OF[side]
            if (ccy == self._ccy and party in (None, expected_party)
                    and acct_party in (None, expected_party)
                    and (batch is None or e2e == (batch if instr is None else f"{batch}-{instr}"))):
                try:
                    amount = parse_amount(amount_text)
                    booking_date = date.fromisoformat(day)
                except ValueError:
                    amount = 0
                if amount > 0:
                    return StatementEntry(
                        seq, _SIDES[side], amount, booking_date, reference, batch or "",
                        None if instr is None else int(instr), name or "", account or "",
                        "".join(_USTRD_RE.findall(rmk)) if rmk else "")
        return self._walk_entry(ntry, seq)

    def _walk_entry(self, ntry: etree._Element, seq: int) -> StatementEntry | None:
        T, p = self._t, self._problems
        before = len(p)
        where = _where(ntry, f"{_STMT_PATH}/Ntry[{seq}]")
        amount = self._amount(ntry.find(T.AMT), where, "Amt")
        if amount == 0:
            p.add(where, "Amt", Phrase.of("format.iso.entry_zero"))
        side = _SIDES.get(ntry.findtext(T.CDTDBTIND) or "")
        if side is None:
            p.add(where, "CdtDbtInd", Phrase.of("format.iso.not_side", raw=repr(ntry.findtext(T.CDTDBTIND))))
        sts = ntry.find(T.STS)
        status = sts.text if self._v02 or sts is None else sts.findtext(T.CD)
        if status in NOT_FINAL:
            self._not_final(ntry, where, status, amount, side, len(p) > before)
            return None
        if status != BOOKED:
            p.add(where, "Sts", Phrase.of("format.iso.entry_status", status=repr(status), booked=BOOKED,
                                          pending=", ".join(sorted(NOT_FINAL))))
        booked = ntry.find(T.BOOKGDT)
        booking_date = None
        try:
            if booked is None:
                raise Refused("format.iso.missing", path="BookgDt")
            dt = booked.find(T.DT)
            dttm = booked.find(T.DTTM)
            if dt is None and dttm is not None:
                booking_date = parse_datetime(dttm.text).date()
            else:
                booking_date = parse_date(None if dt is None else dt.text)
        except ValueError as exc:
            p.add(where, "BookgDt", why(exc))
        reference = ntry.findtext(T.ACCTSVCRREF)
        if not reference:
            p.add(where, "AcctSvcrRef", Phrase.of("format.iso.no_servicer_ref"))
        tx = _child(ntry, T.NTRYDTLS, T.TXDTLS)
        batch_id, line_seq = self._refs(_child(tx, T.REFS), where)
        name, account = self._party(_child(tx, T.RLTDPTIES), side)
        rmt = _child(tx, T.RMTINF)
        remark = "" if rmt is None else "".join(x.text or "" for x in rmt.iterchildren(T.USTRD))
        if len(p) > before:
            return None
        return StatementEntry(seq, side, amount, booking_date, reference, batch_id, line_seq,
                              name, account, remark)

    def _not_final(self, ntry: etree._Element, where: str, status: str, amount: int | None,
                   side: EntrySide | None, bad: bool) -> None:
        """An entry still in progress: listed in ``skipped``, counted for the summary (unless its
        amount or side could not be read: its problem is recorded)."""
        if bad or amount is None or side is None:
            self._pending_unread = True
            return
        reference = ntry.findtext(self._t.ACCTSVCRREF) or Phrase.of("format.skip.entry")
        said = Phrase.of("format.skip.of_entry", entry=reference,
                         detail=Phrase.of("format.skip.entry_not_booked", status=status, booked=BOOKED))
        self.skipped.append(Skipped.of(where, "NOT_FINAL", said, amount))
        pending = self._pending[side]
        pending[0] += 1
        pending[1] += amount

    def _refs(self, refs: etree._Element | None, where: str) -> tuple[str, int | None]:
        """(batch_id, line_seq) from TxDtls/Refs; see the module docstring."""
        if refs is None:
            return "", None
        T, p = self._t, self._problems
        batch = refs.findtext(T.PMTINFID)
        instr = refs.findtext(T.INSTRID)
        e2e = refs.findtext(T.E2E)
        if not batch:
            m = _E2E_WITH_SEQ.fullmatch(e2e or "")
            if m is not None:
                return m.group(1), int(m.group(2))
            return e2e or "", None
        seq = None
        if instr is not None:
            try:
                seq = parse_seq(instr)
            except ValueError as exc:
                p.add(where, "InstrId", why(exc))
                return batch, None
        elif e2e is not None and e2e.startswith(batch + "-"):
            try:
                seq = parse_seq(e2e[len(batch) + 1:])
            except ValueError as exc:
                p.add(where, "EndToEndId", why(exc))
        expected = batch if seq is None else f"{batch}-{seq}"
        if e2e is not None and e2e != expected:
            p.add(where, "EndToEndId", Phrase.of("format.iso.e2e_differs", e2e=repr(e2e), expected=expected))
        return batch, seq

    def _party(self, parties: etree._Element | None, side: EntrySide | None) -> tuple[str, str]:
        """(name, account) of the counterparty: the creditor of a debit, the debtor of a credit."""
        if parties is None or side is None:
            return "", ""
        T = self._t
        party, acct = (T.CDTR, T.CDTRACCT) if side is EntrySide.DEBIT else (T.DBTR, T.DBTRACCT)
        el = parties.find(party)
        name = _child(el, T.NM) if self._v02 else _child(el, T.PTY, T.NM)
        account = _child(parties, acct, T.ID, T.OTHR, T.ID)
        return ("" if name is None else name.text or "",
                "" if account is None else account.text or "")


def _show(fen: int) -> str:
    """A signed amount of fen as text, e.g. -12.34."""
    return ("-" if fen < 0 else "") + format_amount(abs(fen))
