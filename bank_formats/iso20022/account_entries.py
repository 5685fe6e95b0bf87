"""The entries of camt.052 (account report), camt.053 (statement) and camt.054 (debit and
credit notification), as banks write them: versions 02 to 13, with or without a namespace.

The three messages share their entries: ``Ntry`` under ``Rpt`` (052), ``Stmt`` (053) or
``Ntfctn`` (054), several of those a file. ``AccountEntries`` reads them into plain data
(``Section`` per Rpt/Stmt/Ntfctn, ``Entry`` per Ntry with its ``Tx`` per NtryDtls/TxDtls),
records taken only at /Document/<message>/<section>/Ntry (``_common.Places``). Readers on top:

``TolerantStatementReader`` (StatementReader) and ``NotificationResultReader``
(ResultFileReader: camt.054 as a result source, see its doc).

Where each value is taken (every version; where versions differ, both places)::

    section id          Stmt|Rpt|Ntfctn/Id
    account             Acct/Id/IBAN, else Acct/Id/Othr/Id; currency Acct/Ccy
    created_at          <section>/CreDtTm, else GrpHdr/CreDtTm (a date alone is midnight)
    from, to            FrToDt/FrDtTm, ToDtTm (their dates)
    balances            Bal: Tp/CdOrPrtry/Cd (or Prtry), Amt (DBIT negative), Dt/Dt or Dt/DtTm
    summary             TxsSummry/TtlNtries/NbOfNtries, TtlCdtNtries and TtlDbtNtries
                        /NbOfNtries and /Sum (all optional)
    entry amount, side  Ntry/Amt[@Ccy], Ntry/CdtDbtInd; RvslInd "true" is a reversal
    entry status        Ntry/Sts (v02-v06: the code as text) or Ntry/Sts/Cd|Prtry (v08-)
    booking date        Ntry/BookgDt/Dt, or the date of BookgDt/DtTm
    reference           Ntry/AcctSvcrRef, else NtryRef
    batch booking       NtryDtls/Btch: MsgId, PmtInfId, NbOfTxs, TtlAmt
    transaction         NtryDtls/TxDtls: Refs/MsgId, AcctSvcrRef, PmtInfId, InstrId,
                        EndToEndId, TxId, UETR; amount TxDtls/Amt (v04-) or
                        AmtDtls/TxAmt/Amt or AmtDtls/InstdAmt/Amt (v02), else the entry's
                        when it is the only one; the counterparty RltdPties/Cdtr (a debit) or
                        Dbtr (a credit): Nm or Pty/Nm, and CdtrAcct or DbtrAcct /Id (IBAN or
                        Othr/Id); RmtInf/Ustrd joined; RtrInf/Rsn/Cd|Prtry for a return
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from operator import itemgetter
from typing import BinaryIO, NamedTuple

from lxml import etree

from bank_formats.base import Skipped, why
from bank_formats.iso20022._common import (
    CURRENCY,
    Problems,
    local_name,
    parse_count,
    reason_for_code,
)
from bank_formats.iso20022._tolerant import (
    LineShapes,
    Message,
    Planner,
    Shape,
    amount_fen,
    first,
    loose_date,
    loose_datetime,
    where,
)
from bank_formats.iso20022.status_report import _SEQ_MAX, _lines, line_of
from bank_formats.maker import maker
from domain.model import (
    EntrySide,
    PaymentOutcome,
    ResultFileHeader,
    ResultRecord,
    StatementEntry,
    StatementHeader,
)
from i18n import Phrase

SECTIONS = {"camt.052": "Rpt", "camt.053": "Stmt", "camt.054": "Ntfctn"}
BOOKED = "BOOK"
OPENING = ("OPBD", "PRCD")  # opening booked, else the previous closing booked
CLOSING = ("CLBD",)
CREDIT, DEBIT = EntrySide.CREDIT, EntrySide.DEBIT  # (an enum member looked up once)
_SIDES = {"CRDT": CREDIT, "DBIT": DEBIT}


@dataclass(frozen=True, slots=True)
class Section:
    """One Stmt, Rpt or Ntfctn: an account over a period."""

    index: int  # 1-based, in file order
    where: str
    id: str
    account: str
    currency: str  # Acct/Ccy, "" when not given
    created_at: datetime | None
    from_date: date | None
    to_date: date | None
    balances: dict  # code -> (signed fen or None when not whole fen, currency, date or None)
    summary: dict  # "count", "credit_count", "credit_fen", "debit_count", "debit_fen" as given
    summary_where: str  # where TxsSummry is


class Tx(NamedTuple):
    """One NtryDtls/TxDtls. (A named tuple, as ``Entry``: made with ``tuple.__new__`` it costs
    0.2 us where a frozen dataclass cost 1.1 us even through ``maker``, and a reader makes a
    million of each.)"""

    amount_fen: int | None
    currency: str
    msg_id: str
    pmt_inf_id: str
    instr_id: str
    end_to_end_id: str
    tx_id: str
    uetr: str
    acct_svcr_ref: str
    name: str
    account: str
    remark: str
    return_code: str  # RtrInf/Rsn/Cd, else Rsn/Prtry: the code of a payment that came back
    return_iso: str  # RtrInf/Rsn/Cd alone (ExternalReturnReason1Code)
    return_text: str  # RtrInf/AddtlInf, joined


class Entry(NamedTuple):
    """One Ntry (a named tuple: see ``Tx``)."""

    section: int
    where: str
    amount_fen: int | None
    currency: str
    side: EntrySide | None
    reversal: bool
    status: str
    booking_date: date | None
    reference: str  # AcctSvcrRef, else NtryRef
    servicer_ref: str  # AcctSvcrRef alone (the bank's reference of the booking)
    batch: tuple[str, str, int | None, int | None] | None  # Btch: MsgId, PmtInfId, NbOfTxs, fen
    txs: tuple[Tx, ...]


_TAGS = ("GrpHdr", "CreDtTm", "Id", "Acct", "IBAN", "Othr", "Ccy", "FrToDt", "FrDtTm", "ToDtTm",
         "Bal", "Tp", "CdOrPrtry", "Cd", "Prtry", "Amt", "CdtDbtInd", "Dt", "DtTm", "TxsSummry",
         "TtlNtries", "TtlCdtNtries", "TtlDbtNtries", "NbOfNtries", "Sum", "RvslInd", "Sts",
         "BookgDt", "AcctSvcrRef", "NtryRef", "NtryDtls", "Btch", "MsgId", "PmtInfId", "NbOfTxs",
         "TtlAmt", "TxDtls", "Refs", "InstrId", "EndToEndId", "TxId", "UETR", "AmtDtls", "TxAmt",
         "InstdAmt", "RltdPties", "Cdtr", "Dbtr", "CdtrAcct", "DbtrAcct", "Pty", "Nm", "RmtInf",
         "Ustrd", "RtrInf", "Rsn", "AddtlInf")


class AccountEntries:
    """Sections and entries of a camt.052/053/054, in file order (a Section comes before its
    entries); problems collect in ``problems`` (with lines), iteration does not raise. Entries
    one a line in a layout learned from one parsed are read without the parser (``_fast``, see
    ``_tolerant.LineShapes``): the same entries, 3 to 4 times as fast."""

    def __init__(self, src: BinaryIO, message: Message, problems: Problems) -> None:
        t = message.tag
        self.message = message
        self.problems = problems
        self._T = {k: t(k) for k in _TAGS}
        self._names: dict[str, str] = {}  # tag -> local name
        d, b = t("Document"), t(message.body)
        self._doc = d
        self._sec = t(SECTIONS[message.name])
        paths = {d: (d,), t("GrpHdr"): (d, b, t("GrpHdr")), self._sec: (d, b, self._sec),
                 t("Ntry"): (d, b, self._sec, t("Ntry"))}
        self._ntry = t("Ntry")
        self._stream = _lines(src, paths, problems, t("Ntry"), b"<Ntry>")
        self._shapes = LineShapes(t("Ntry"), self._stream)
        self._day: tuple[str, date] = ("", date.min)  # the last booking date read fast
        self.message_id = ""
        self.created_at: datetime | None = None
        self.complete = False
        self.sections = 0

    @property
    def broken(self) -> bool:
        return self._stream.broken

    def _child(self, el, *path: str):
        for key in path:
            if el is None:
                return None
            el = first(el, self._T[key])
        return el

    def _text(self, el, *path: str) -> str:
        c = self._child(el, *path)
        return (c.text or "").strip() if c is not None else ""

    def _amount(self, el, at: str, field: str) -> tuple[int | None, str]:
        if el is None:
            return None, ""
        try:
            return amount_fen(el.text), (el.get("Ccy") or "").strip()
        except ValueError as exc:
            self.problems.add(where(el, at), field, why(exc))
            return None, (el.get("Ccy") or "").strip()

    def _date(self, el, at: str, field: str, *, dated: bool = True) -> date | None:
        """Dt or DtTm under ``el`` (or ``el`` itself a date-time when not ``dated``)."""
        if el is None:
            return None
        text = (self._text(el, "Dt") or self._text(el, "DtTm")) if dated else (el.text or "")
        try:
            return loose_date(text)
        except ValueError as exc:
            self.problems.add(where(el, at), field, why(exc))
            return None

    def __iter__(self) -> Iterator[Section | Entry]:
        current = None  # the section element whose header was read
        entries_in = 0
        parsed = 0
        stream = self._stream
        fast = self._fast
        Match = re.Match
        for el in stream:
            if el.__class__ is Match:
                # a line of a layout learned, taken without the parser (LineShapes); it stands
                # beside the last Ntry parsed, in the section ``current``
                entry = fast(el) if current is not None else None
                if entry is None:
                    stream.defer()  # the parser reads it: the usual path says what is wrong
                    continue
                entries_in += 1
                yield entry
                continue
            tag = el.tag
            if tag == self._ntry:
                parent = el.getparent()
                if parent is not current:
                    current = parent
                    self.sections += 1
                    entries_in = 0
                    yield self._section(parent)
                entries_in += 1
                self._shapes.learn(el, self._plan)
                yield self._entry(el)
                el.clear(keep_tail=True)
                parsed += 1
                if parsed & 255 == 0 and parent is not None:
                    del parent[: parent.index(el)]
            elif tag == self._sec:
                if el is not current:
                    self.sections += 1
                    yield self._section(el)
                current = None
                el.clear(keep_tail=True)
            elif tag == self._T["GrpHdr"]:
                self.message_id = self._text(el, "MsgId")
                try:
                    self.created_at = loose_datetime(self._text(el, "CreDtTm"))
                except ValueError as exc:
                    self.problems.add(where(el, "GrpHdr"), "CreDtTm", why(exc))
            elif tag == self._doc:
                self.complete = True
        if not self._stream.broken:
            root = self._stream.root
            if root is not None and root.tag != self._doc:
                self.problems.add("/", local_name(root.tag), Phrase.of("format.iso.root_not_document"))
        self._stream.check_complete(self.complete)

    def _section(self, s: etree._Element) -> Section:
        at = where(s, f"/Document/{self.message.body}/{local_name(self._sec)}")
        account = self._text(s, "Acct", "Id", "IBAN") or self._text(s, "Acct", "Id", "Othr", "Id")
        created = self.created_at
        text = self._text(s, "CreDtTm")
        if text:
            try:
                created = loose_datetime(text)
            except ValueError as exc:
                self.problems.add(at, "CreDtTm", why(exc))
        period = self._child(s, "FrToDt")
        from_date = self._date(self._child(period, "FrDtTm"), at, "FrDtTm", dated=False)
        to_date = self._date(self._child(period, "ToDtTm"), at, "ToDtTm", dated=False)
        balances: dict = {}
        for bal in s.iterchildren(self._T["Bal"]):
            code = (self._text(bal, "Tp", "CdOrPrtry", "Cd")
                    or self._text(bal, "Tp", "CdOrPrtry", "Prtry"))
            fen, ccy = self._amount(self._child(bal, "Amt"), at, "Bal/Amt")
            side = self._text(bal, "CdtDbtInd")
            if side not in _SIDES:
                self.problems.add(where(bal, at), "Bal/CdtDbtInd", Phrase.of("format.iso.not_side", raw=repr(side)))
            if fen is not None and side == "DBIT":
                fen = -fen
            if code and code not in balances:
                balances[code] = (fen, ccy, self._date(self._child(bal, "Dt"), at, "Bal/Dt"))
        summary: dict = {}
        sm = self._child(s, "TxsSummry")
        if sm is not None:
            for key, path in (("count", ("TtlNtries", "NbOfNtries")),
                              ("credit_count", ("TtlCdtNtries", "NbOfNtries")),
                              ("debit_count", ("TtlDbtNtries", "NbOfNtries"))):
                text = self._text(sm, *path)
                if text:
                    try:
                        summary[key] = parse_count(text)
                    except ValueError as exc:
                        self.problems.add(where(sm, at), "/".join(path), why(exc))
            for key, path in (("credit_fen", ("TtlCdtNtries", "Sum")),
                              ("debit_fen", ("TtlDbtNtries", "Sum"))):
                el = self._child(sm, *path)
                if el is not None:
                    fen, _ = self._amount(el, at, "/".join(path))
                    if fen is not None:
                        summary[key] = fen
        return Section(self.sections, at, self._text(s, "Id"), account, self._text(s, "Acct", "Ccy"),
                       created, from_date, to_date, balances, summary, where(sm, at))

    def _name(self, tag) -> str:
        name = self._names.get(tag)
        if name is None:
            name = self._names[tag] = local_name(tag) if isinstance(tag, str) else ""
        return name

    def _entry(self, n: etree._Element) -> Entry:
        """One Ntry, visiting the children it needs only, each once (a find per value cost
        5 us each, a walk of the whole entry more than its parse)."""
        at = where(n, f"/Document/{self.message.body}/{local_name(self._sec)}/Ntry")
        name_of = self._name
        amt = side_text = None
        status = servicer = entry_ref = reversal = ""
        booked = None
        details = []
        for c in n:
            k = name_of(c.tag)
            if k == "Amt":
                if amt is None:
                    amt = c
            elif k == "CdtDbtInd":
                side_text = (c.text or "").strip()
            elif k == "Sts":
                status = (c.text or "").strip()
                if not status and len(c):
                    status = (c[0].text or "").strip()  # v08 on: Sts/Cd (or Prtry)
            elif k == "BookgDt":
                text = (c[0].text or "") if len(c) else ""
                try:
                    booked = loose_date(text)
                except ValueError as exc:
                    self.problems.add(where(c, at), "BookgDt", why(exc))
            elif k == "AcctSvcrRef":
                servicer = (c.text or "").strip()
            elif k == "NtryRef":
                entry_ref = (c.text or "").strip()
            elif k == "RvslInd":
                reversal = (c.text or "").strip()
            elif k == "NtryDtls":
                details.append(c)
        fen, ccy = self._amount(amt, at, "Amt")
        if amt is None:
            self.problems.add(at, "Amt", Phrase.of("format.iso.missing", path="Ntry/Amt"))
        side = _SIDES.get(side_text or "")
        if side is None:
            self.problems.add(at, "CdtDbtInd", Phrase.of("format.iso.not_side", raw=repr(side_text)))
        batch = None
        tx_els = []
        for d in details:
            for c in d:
                k = name_of(c.tag)
                if k == "TxDtls":
                    tx_els.append(c)
                elif k == "Btch" and batch is None:
                    batch = self._batch(c, at)
        txs = [self._tx(tx, at, fen, ccy, side, len(tx_els) == 1) for tx in tx_els]
        return Entry(self.sections, at, fen, ccy, side, reversal.lower() in ("true", "1"),
                     status, booked, servicer or entry_ref, servicer, batch, tuple(txs))

    def _plan(self, shape: Shape) -> _EntryPlan | None:
        """Where ``_entry`` finds each value in an Ntry of this layout; None for a layout not
        read without the parser (a value ``_entry`` takes the last of given twice, a booking
        date or amount that cannot be one)."""
        p = Planner(shape)
        t = p.at
        kids = shape.kids
        plan = _EntryPlan()
        once = {}
        for name in ("CdtDbtInd", "Sts", "BookgDt", "AcctSvcrRef", "NtryRef", "RvslInd"):
            found = kids("", name)
            if len(found) > 1:
                return None
            once[name] = found[0] if found else None
        if not shape.has("Amt") or once["CdtDbtInd"] is None:
            return None
        plan.amt, plan.ccy, plan.side = t("Amt"), t("Amt@Ccy"), t("CdtDbtInd")
        sts = once["Sts"]
        plan.status = 0 if sts is None else (t(sts) if sts in shape.slots else t(shape.children[sts][0]))
        booked = once["BookgDt"]
        plan.booked = None
        if booked is not None:
            inner = shape.children[booked]
            plan.booked = t(inner[0]) if inner else 0
            if not plan.booked:
                return None
        plan.servicer, plan.ref, plan.reversal = t("AcctSvcrRef"), t("NtryRef"), t("RvslInd")
        plan.batch = None
        txs = []
        for d in kids("", "NtryDtls"):
            for c in shape.children[d]:
                name = _name_of_path(c)
                if name == "TxDtls":
                    txs.append(c)
                elif name == "Btch" and plan.batch is None:
                    total = f"{c}/TtlAmt"
                    plan.batch = (t(f"{c}/MsgId"), t(f"{c}/PmtInfId"), t(f"{c}/NbOfTxs"),
                                  t(total) if shape.has(total) else None)
        plan.txs = tuple(self._plan_tx(shape, t, x) for x in txs)
        plan.only = len(txs) == 1
        # (the entry's own values in one call: a subscript each cost more)
        plan.head = itemgetter(plan.amt, plan.ccy, plan.side, plan.status, plan.servicer, plan.ref, plan.reversal)
        plan.groups = p.finish()
        return plan

    @staticmethod
    def _plan_tx(shape: Shape, t, x: str) -> tuple:
        kids = shape.kids

        def last(name: str) -> str | None:
            found = kids(x, name)
            return found[-1] if found else None

        last_ref = {}  # (a later one of a name is taken, as _tx's dict takes it)
        for refs in kids(x, "Refs"):
            for r in shape.children[refs]:
                last_ref[_name_of_path(r)] = r
        refs = tuple(t(last_ref[name]) if name in last_ref else 0 for name in _REFS)
        amt, dtls = last("Amt"), last("AmtDtls")
        if amt is None and dtls is not None:
            amt = next((a for a in (f"{dtls}/TxAmt/Amt", f"{dtls}/InstdAmt/Amt") if shape.has(a)), None)
        amount = None if amt is None else (t(amt), t(amt + "@Ccy"))
        sides = tuple(t(c) for c in kids(x, "CdtDbtInd"))
        parties = last("RltdPties")
        who = None
        if parties is not None:
            who = tuple((t(f"{parties}/{party}/Nm"), t(f"{parties}/{party}/Pty/Nm"),
                         t(f"{parties}/{acct}/Id/IBAN"), t(f"{parties}/{acct}/Id/Othr/Id"))
                        for party, acct in (("Cdtr", "CdtrAcct"), ("Dbtr", "DbtrAcct")))
        rmt, rtr = last("RmtInf"), last("RtrInf")
        remark = () if rmt is None else tuple(t(u) for u in kids(rmt, "Ustrd"))
        ret = None if rtr is None else (t(f"{rtr}/Rsn/Cd"), t(f"{rtr}/Rsn/Prtry"),
                                         tuple(t(a) for a in kids(rtr, "AddtlInf")))
        return itemgetter(*refs), amount, sides, who, remark, ret

    def _fast(self, m: re.Match[bytes]) -> Entry | None:
        """``_entry`` of a line a learned layout took; None when anything in it is not as an
        entry is read at once (the parser then reads it, and says what is wrong).

        Values are stripped as ``_entry`` strips them only when one of the line has white space
        around it (``LineShapes.trimmed``): a strip for each of 16 values was a tenth of an
        entry's cost. The remittance and return texts are taken as written (``raw``), as
        ``_entry`` takes them."""
        shapes = self._shapes
        try:
            p, raw = shapes.take(m)
            v = raw if shapes.trimmed else [x.strip() for x in raw]
            amount_text, ccy, side_text, status, servicer, ref, reversal = p.head(v)
            fen = amount_fen(amount_text)
            side = _SIDES.get(side_text)
            if side is None:
                return None
            booked = None
            if p.booked is not None:
                text = v[p.booked]
                day = self._day
                if day[0] != text:
                    day = self._day = (text, loose_date(text))
                booked = day[1]
            batch = None
            if p.batch is not None:
                msg_id, pmt_id, count, total = p.batch
                text = v[count]
                batch = (v[msg_id], v[pmt_id], parse_count(text) if text else None,
                         None if total is None else amount_fen(v[total]))
            only = p.only
            txs = []
            for refs_of, amount, sides, who, remark, ret in p.txs:
                msg_id, pmt_id, instr, e2e, tx_id, uetr, svcr = refs_of(v)
                if amount is not None:
                    text = v[amount[0]]  # (mostly the entry's own amount again)
                    tx_fen, tx_ccy = fen if text == amount_text else amount_fen(text), v[amount[1]]
                elif only:
                    tx_fen, tx_ccy = fen, ccy
                else:
                    tx_fen, tx_ccy = None, ""
                tx_side = side
                for i in sides:
                    tx_side = _SIDES.get(v[i], side)
                name = account = ""
                if who is not None:
                    nm, pty_nm, iban, othr = who[0] if tx_side is DEBIT else who[1]
                    name = v[nm] or v[pty_nm]
                    account = v[iban] or v[othr]
                code = iso = returned = ""
                if ret is not None:
                    iso = v[ret[0]]
                    code = iso or v[ret[1]]
                    returned = "".join([raw[a] for a in ret[2]])
                # (one Ustrd, the usual, without the join's list: a tenth of a microsecond)
                remark_text = raw[remark[0]] if len(remark) == 1 else "".join([raw[u] for u in remark])
                txs.append(_new(Tx, (tx_fen, tx_ccy, msg_id, pmt_id, instr, e2e, tx_id, uetr, svcr, name,
                                     account, remark_text, code, iso, returned)))
        except ValueError:  # UnicodeDecodeError too
            return None
        return _new(Entry, (self.sections, f"line {self._stream.line}", fen, ccy, side,
                            reversal.lower() in ("true", "1"), status, booked,
                            servicer or ref, servicer, batch, tuple(txs)))

    def _batch(self, b: etree._Element, at: str) -> tuple:
        count = None
        text = self._text(b, "NbOfTxs")
        if text:
            try:
                count = parse_count(text)
            except ValueError as exc:
                self.problems.add(where(b, at), "Btch/NbOfTxs", why(exc))
        total, _ = self._amount(self._child(b, "TtlAmt"), at, "Btch/TtlAmt")
        return (self._text(b, "MsgId"), self._text(b, "PmtInfId"), count, total)

    def _tx(self, tx: etree._Element, at: str, fen, ccy, side, only: bool) -> Tx:
        name_of = self._name
        refs: dict[str, str] = {}
        amt = amt_dtls = None
        tx_side = side
        parties = rmt = rtr = None
        for c in tx:
            k = name_of(c.tag)
            if k == "Refs":
                for r in c:
                    refs[name_of(r.tag)] = (r.text or "").strip()
            elif k == "Amt":
                amt = c
            elif k == "AmtDtls":
                amt_dtls = c
            elif k == "CdtDbtInd":
                tx_side = _SIDES.get((c.text or "").strip(), side)
            elif k == "RltdPties":
                parties = c
            elif k == "RmtInf":
                rmt = c
            elif k == "RtrInf":
                rtr = c
        if amt is None and amt_dtls is not None:
            amt = self._child(amt_dtls, "TxAmt", "Amt")
            if amt is None:
                amt = self._child(amt_dtls, "InstdAmt", "Amt")
        if amt is not None:
            tx_fen, tx_ccy = self._amount(amt, at, "TxDtls/Amt")
        elif only:
            tx_fen, tx_ccy = fen, ccy
        else:
            tx_fen, tx_ccy = None, ""
        name = account = ""
        if parties is not None:
            party, acct = ("Cdtr", "CdtrAcct") if tx_side is DEBIT else ("Dbtr", "DbtrAcct")
            name = self._text(parties, party, "Nm") or self._text(parties, party, "Pty", "Nm")
            account = (self._text(parties, acct, "Id", "IBAN")
                       or self._text(parties, acct, "Id", "Othr", "Id"))
        remark = "" if rmt is None else "".join(  # (pieces of one text, as written)
            u.text or "" for u in rmt.iterchildren(self._T["Ustrd"]))
        code = iso = returned = ""
        if rtr is not None:
            iso = self._text(rtr, "Rsn", "Cd")
            code = iso or self._text(rtr, "Rsn", "Prtry")
            returned = "".join(a.text or "" for a in rtr.iterchildren(self._T["AddtlInf"]))
        g = refs.get
        return Tx(tx_fen, tx_ccy, g("MsgId", ""), g("PmtInfId", ""), g("InstrId", ""), g("EndToEndId", ""),
                  g("TxId", ""), g("UETR", ""), g("AcctSvcrRef", ""), name, account, remark, code, iso, returned)


_REFS = ("MsgId", "PmtInfId", "InstrId", "EndToEndId", "TxId", "UETR", "AcctSvcrRef")  # Tx's order
_new = tuple.__new__  # (an Entry or Tx made from a tuple of its fields, skipping NamedTuple's __new__)
_new_statement_entry = maker(StatementEntry)
_new_record = maker(ResultRecord)
PAID, FAILED = PaymentOutcome.PAID, PaymentOutcome.FAILED


class _EntryPlan:
    """Positions (see ``_tolerant.Planner``) of an Ntry layout's values."""

    __slots__ = ("groups", "amt", "ccy", "side", "status", "booked", "servicer", "ref", "reversal", "batch",
                 "txs", "only", "head")


def _name_of_path(path: str) -> str:
    return path.rpartition("/")[2].partition("[")[0]


def _batch_and_line(entry: Entry) -> tuple[str, int | None]:
    """The payment file (PmtInfId, our batch id) and line an entry names: one transaction's
    references (see status_report.line_of), else the batch booking's PmtInfId, else the
    PmtInfId all its transactions share."""
    if len(entry.txs) == 1:
        tx = entry.txs[0]
        # (funding and refunds carry the batch id alone as their EndToEndId, as in camt053.py)
        batch = (tx.pmt_inf_id or (entry.batch[1] if entry.batch else "")
                 or _batch_of(tx.end_to_end_id) or tx.end_to_end_id)
        try:
            return batch, line_of(batch, tx.instr_id, tx.end_to_end_id) if batch else None
        except ValueError:
            return batch, None
    if entry.batch and entry.batch[1]:
        return entry.batch[1], None
    ids = {tx.pmt_inf_id for tx in entry.txs}
    return (ids.pop() if len(ids) == 1 else ""), None


def _batch_named(entry: Entry, tx: Tx) -> str:
    """The batch a notification's transaction names: PmtInfId, else its entry's batch booking's,
    else the batch of its EndToEndId (our pain.001's "<batch_id>-<seq>"); "" for none."""
    return tx.pmt_inf_id or (entry.batch[1] if entry.batch else "") or _batch_of(tx.end_to_end_id)


def _first_named(entry: Entry, wanted: str | None) -> tuple[str, str] | None:
    """(batch, MsgId) of the first transaction of ``entry`` naming a batch (``wanted``, when
    given), else of its batch booking; None when it names none."""
    for tx in entry.txs:
        named = _batch_named(entry, tx)
        if named and (wanted is None or named == wanted):
            return named, tx.msg_id
    if entry.batch and entry.batch[1] and (wanted is None or entry.batch[1] == wanted):
        return entry.batch[1], entry.batch[0]
    return None


def _batch_of(end_to_end_id: str) -> str:
    """The batch of an EndToEndId "<batch_id>-<seq>" (our pain.001's), or ""."""
    batch, dash, seq = end_to_end_id.rpartition("-")
    return batch if dash and batch and seq.isascii() and seq.isdigit() else ""


def own_balances(s: Section) -> tuple[dict, list[str]]:
    """The section's balances in its account's currency (Acct/Ccy, else that of its first
    balance), and the codes of those in another (not read: a closing balance in SEK is no
    closing balance of an account kept in EUR)."""
    currency = s.currency or next((v[1] for v in s.balances.values() if v[1]), "")
    own = {k: v for k, v in s.balances.items() if not v[1] or v[1] == currency}
    return own, [k for k in s.balances if k not in own]


class TolerantStatementReader:
    """A camt.052/053/054 as a statement of one account (StatementReader).

    Entries: booked (Sts BOOK) entries in CNY of the first section's account, one
    StatementEntry each (batch_id and line_seq from its references, a batch booking's
    PmtInfId ties it to our payment file). Skipped, with a reason: NOT_FINAL (pending or
    informational entries), FOREIGN_CURRENCY, OTHER_ACCOUNT (a section of another account).

    ``header`` is the first section's on construction (count and sums as its TxsSummry
    declares them, 0 when it has none); once iteration ends it covers every
    section of that account: ``to_date`` and the closing balance of the last, count and sums
    of the entries yielded; its currency Acct/Ccy, else a balance's, else the first entry's
    (CNY when there is none at all). Balances: opening OPBD, else PRCD; closing CLBD; one missing is
    derived from the other and the entries, both missing (notifications, intraday reports
    without balances) gives 0 and the movement; a balance in another currency than the
    account's is not read (listed in ``skipped``, FOREIGN_CURRENCY). Problems (FormatError at the end, as the
    StatementReader contract says): a declared TxsSummry that the section's entries do not
    add up to, opening + booked credits - debits that is not the closing balance (both per
    section, in the section's own currency), and every value that cannot be read.
    """

    def __init__(self, src: BinaryIO, name: str, message: Message) -> None:
        self.name = name
        self.skipped: list[Skipped] = []
        self._problems = Problems()
        self._entries = AccountEntries(src, message, self._problems)
        self._it = iter(self._entries)
        first = next(self._it, None)
        if not isinstance(first, Section):
            if not self._problems:
                self._problems.add("/Document", message.body,
                                   Phrase.of("format.iso.no_section", section=SECTIONS[message.name]))
            raise self._problems.error(name)
        self._first = first
        self._foreign_balances(first)
        self._seen_ccy = ""  # the entries' currency, for a statement that states none
        self.header = self._header(first, None)
        self._gen = self._run()

    def __iter__(self) -> Iterator[StatementEntry]:
        return self._gen

    def _header(self, s: Section, last: Section | None, totals=None) -> StatementHeader:
        if totals is None:  # before reading: as the summary declares them
            sm = s.summary
            totals = (sm.get("count", sm.get("credit_count", 0) + sm.get("debit_count", 0)),
                      sm.get("credit_fen", 0), sm.get("debit_fen", 0))
        count, credit, debit = totals
        end = last or s
        first_bal, end_bal = own_balances(s)[0], own_balances(end)[0]
        opening = next((first_bal[c][0] for c in OPENING if c in first_bal), None)
        closing = next((end_bal[c][0] for c in CLOSING if c in end_bal), None)
        if opening is None and closing is not None:
            opening = closing - credit + debit
        if opening is None:
            opening = 0
        if closing is None:
            closing = opening + credit - debit
        created = s.created_at or self._entries.created_at or datetime(1970, 1, 1)
        bal_dates = [v[2] for v in s.balances.values() if v[2] is not None]
        from_date = s.from_date or (min(bal_dates) if bal_dates else created.date())
        end_dates = [v[2] for v in end.balances.values() if v[2] is not None]
        to_date = end.to_date or (max(end_dates) if end_dates else (end.created_at or created).date())
        currency = s.currency or next((v[1] for v in s.balances.values() if v[1]), "") or self._seen_ccy
        return StatementHeader(s.id or self._entries.message_id, s.account, created, from_date, to_date,
                               opening, closing, count, credit, debit, currency or CURRENCY)

    def _run(self) -> Iterator[StatementEntry]:
        p = self._problems
        first = self._first
        last = first
        seq = credit = debit = 0
        # per section: entries and sums as they stand (all currencies), booked movement
        state = _SectionSums(first)
        add = state.add
        own = True  # the section is of the first section's account
        for e in self._it:
            if e.__class__ is not Entry:  # a Section
                self._check(state)
                self._foreign_balances(e)
                state = _SectionSums(e)
                add = state.add
                own = e.account == first.account
                if own:
                    last = e
                continue
            fen, side, status, ccy = e.amount_fen, e.side, e.status, e.currency
            # (_SectionSums.add inline for the usual entry: booked, whole fen, in the section's
            # currency or one not stated; the method call was a tenth of the layer's cost)
            if fen is not None and side is not None and status == BOOKED and (ccy == state.ccy or not state.ccy):
                state.count += 1
                if side is DEBIT:
                    state.debit_count += 1
                    state.debit_fen += fen
                    state.booked_net -= fen
                else:
                    state.credit_count += 1
                    state.credit_fen += fen
                    state.booked_net += fen
            else:
                add(e)
            if not self._seen_ccy:
                self._seen_ccy = ccy
            if not own:
                s = state.section
                self._skip(e, "OTHER_ACCOUNT", Phrase.of("format.skip.other_account", account=s.account,
                                                         expected=first.account))
                continue
            if status != BOOKED:
                self._skip(e, "NOT_FINAL", Phrase.of("format.skip.entry_not_booked", booked=BOOKED,
                                                     status=status or Phrase.of("format.skip.missing")))
                continue
            if ccy != CURRENCY:
                self._skip(e, "FOREIGN_CURRENCY", Phrase.of("format.skip.foreign_entry", currency=ccy,
                                                            expected=CURRENCY))
                continue
            if fen is None or side is None:
                continue  # a problem already
            if e.booking_date is None:
                p.add(e.where, "BookgDt", Phrase.of("format.iso.no_booking_date"))
                continue
            txs = e.txs
            seq += 1
            if side is CREDIT:
                credit += fen
            else:
                debit += fen
            if len(txs) == 1:
                tx = txs[0]
                batch, instr = tx.pmt_inf_id, tx.instr_id
                if (batch and tx.end_to_end_id == f"{batch}-{instr}" and instr.isdigit()
                        and instr.isascii() and instr[0] != "0" and len(instr) <= _SEQ_MAX):
                    line = int(instr)  # (our pain.001's references, as line_of reads them)
                else:
                    batch, line = _batch_and_line(e)
                yield _new_statement_entry(seq, side, fen, e.booking_date, e.reference, batch, line,
                                           tx.name, tx.account, tx.remark)
            else:
                batch, line = _batch_and_line(e)
                yield _new_statement_entry(seq, side, fen, e.booking_date, e.reference, batch, line, "", "", "")
        self._check(state)
        self.header = self._header(first, last, (seq, credit, debit))
        if p:
            raise p.error(self.name)

    def _foreign_balances(self, s: Section) -> None:
        for code in own_balances(s)[1]:
            fen, ccy, _ = s.balances[code]
            said = Phrase.of("format.skip.foreign_balance", id=s.id, code=code, currency=ccy)
            self.skipped.append(Skipped.of(s.where, "FOREIGN_CURRENCY", said))

    def _skip(self, e: Entry, reason: str, detail: Phrase) -> None:
        """``e`` skipped, its detail named by the entry's reference (``entry`` when it has none)."""
        fen = e.amount_fen if e.currency == CURRENCY else None
        said = Phrase.of("format.skip.of_entry", entry=e.reference or Phrase.of("format.skip.entry"), detail=detail)
        self.skipped.append(Skipped.of(e.where, reason, said, fen))

    def _check(self, st: _SectionSums) -> None:
        s = st.section
        if not self._entries.complete:
            return
        want = s.summary
        got = {"count": st.count, "credit_count": st.credit_count, "credit_fen": st.credit_fen,
               "debit_count": st.debit_count, "debit_fen": st.debit_fen}
        for key, value in want.items():
            if got[key] != value:
                self._differ(s, "TxsSummry", Phrase.of("format.iso.summary_differs", what=Phrase.of(f"format.iso.sum.{key}"),
                                                       stated=value, actual=got[key]), s.summary_where)
        own, _ = own_balances(s)
        opening = next((own[c] for c in OPENING if c in own), None)
        closing = next((own[c] for c in CLOSING if c in own), None)
        if (opening and closing and opening[0] is not None and closing[0] is not None
                and st.comparable and opening[1] == closing[1]):
            if opening[0] + st.booked_net != closing[0]:
                self._differ(s, "Bal", Phrase.of("format.iso.balances_differ", opening=opening[0], net=st.booked_net,
                                                 closing=closing[0]))

    def _differ(self, s: Section, field: str, detail: Phrase, at: str | None = None) -> None:
        """Totals the entries do not add up to: entries missing from the file, or a bank's
        slip. Refused, as the StatementReader contract says (what is missing cannot be told)."""
        self._problems.add(at or s.where, field, Phrase.of("format.iso.of_statement", id=s.id, detail=detail))


class _SectionSums:
    __slots__ = ("section", "ccy", "count", "credit_count", "credit_fen", "debit_count", "debit_fen",
                 "booked_net", "comparable")

    def __init__(self, section: Section) -> None:
        self.section = section
        self.ccy = section.currency
        self.count = self.credit_count = self.credit_fen = self.debit_count = self.debit_fen = 0
        self.booked_net = 0
        self.comparable = True  # every amount known and in the balances' currency

    def add(self, e: Entry) -> None:
        self.count += 1
        fen = e.amount_fen
        if fen is None:
            self.comparable = False
            return
        if e.side is CREDIT:
            self.credit_count += 1
            self.credit_fen += fen
        elif e.side is DEBIT:
            self.debit_count += 1
            self.debit_fen += fen
        if e.status == BOOKED:
            self.booked_net += fen if e.side is CREDIT else -fen
        cur = self.section.currency
        if cur and e.currency != cur:
            self.comparable = False


@dataclass(slots=True)
class OtherBatch:
    """A batch other than the reader's that a notification's transactions name: the MsgId of the
    first of them (our payment file's, "" when the bank does not echo it) and their OTHER_BATCH
    skips (each also in the reader's ``skipped``)."""

    original_file_id: str
    skipped: list[Skipped]


class NotificationResultReader:
    """camt.054 (or the entries of a camt.052/053) as a result file: a bank that confirms our
    payments with debit notifications instead of a pain.002 (profile: ``[format] results =
    "camt.054.001.08"``, any version).

    Each transaction (NtryDtls/TxDtls) of a booked entry in CNY that names our line (Refs:
    PmtInfId = batch_id, EndToEndId "<batch_id>-<seq>", InstrId = seq, as our pain.001 writes
    them) is one ResultRecord:

        a debit                      PAID, its amount (TxDtls/Amt, else the entry's)
        a credit with RtrInf, or a   FAILED: the payment came back; reason from RtrInf/Rsn/Cd
        credit with RvslInd true     (AC01, AC04, ... as in pain.002), bank_code that code (or
                                     Rsn/Prtry, the bank's own, which the profile's
                                     reason_codes map), bank_text RtrInf/AddtlInf
        bank_ref                     Refs/AcctSvcrRef, else the entry's AcctSvcrRef, else TxId,
                                     else UETR
        account_no, name             RltdPties/CdtrAcct and Cdtr (the debit's beneficiary)

    Skipped, with a reason: NOT_FINAL (entry status not BOOK), FOREIGN_CURRENCY, CREDIT_ENTRY
    (money in that is no return of ours), OTHER_BATCH, NO_LINE_REFERENCE, NOT_A_PAYMENT (a
    batch booking without its transactions: no line can be told from it).

    One batch a reading: a notification lists the account's debits of a period, which may answer
    several of our payment files. The batch a transaction names is its PmtInfId, else its entry's
    batch booking's (NtryDtls/Btch/PmtInfId), else the batch of an EndToEndId "<batch>-<seq>".
    ``batch_id`` chooses the batch read; by default it is the first one the file names. The
    transactions of the others are skipped as OTHER_BATCH and listed by batch in
    ``other_batches`` (in order of first appearance, complete once iteration ends), so that the
    service can read the file again for each (``service.ingest``). ``unnamed`` counts the
    transactions that name a line but no batch (InstrId alone): taken as lines of the batch read,
    which is right only when the file names no other batch. ``others_known`` (set when
    iteration ends) is true when the file read soundly outside the batch's own transactions:
    then every other batch was seen, even when iteration raised for a problem of the batch read.

    Header: file_id GrpHdr/MsgId, created_at GrpHdr/CreDtTm, batch_id the batch read and
    original_file_id the MsgId (our pain.001's GrpHdr/MsgId, "" when the bank does not echo it)
    of the first transaction that names it within the first entries read ahead; the counts are 0
    (a notification states none).
    """

    _LOOK_AHEAD = 1000  # entries read before the header at most (kept in memory meanwhile)

    def __init__(self, src: BinaryIO, name: str, message: Message, batch_id: str | None = None) -> None:
        self.name = name
        self.skipped: list[Skipped] = []
        self.other_batches: dict[str, OtherBatch] = {}
        self.others_known = False
        self.unnamed = 0  # transactions naming a line but no batch: taken as lines of the batch read
        self._problems = Problems()  # the file's: its layout, entries and header
        self._own = Problems()  # the transactions of the batch read
        self._entries = AccountEntries(src, message, self._problems)
        self._it = iter(self._entries)
        self._ahead: list[Section | Entry] = []
        batch, original = batch_id or "", ""
        for item in self._it:
            self._ahead.append(item)
            if isinstance(item, Entry):
                named = _first_named(item, batch_id)
                if named is not None:
                    batch, original = named
                    break
                if len(self._ahead) >= self._LOOK_AHEAD:
                    break
        if self._entries.broken or (not self._ahead and self._entries.message_id == ""):
            if not self._problems:
                self._problems.add("/Document", message.body, Phrase.of("format.iso.no_notification"))
            raise self._problems.error(name)
        created = self._entries.created_at
        if created is None:
            self._problems.add("/Document/GrpHdr", "CreDtTm", Phrase.of("format.iso.missing", path="GrpHdr/CreDtTm"))
            created = datetime(1970, 1, 1)
        self.header = ResultFileHeader(self._entries.message_id, original, batch, created, 0, 0, 0, 0, 0)
        self._gen = self._run()

    def __iter__(self) -> Iterator[ResultRecord]:
        return self._gen

    def _all(self):
        yield from self._ahead
        self._ahead = []
        yield from self._it

    def _run(self) -> Iterator[ResultRecord]:
        batch = self.header.batch_id
        for item in self._all():
            if isinstance(item, Section):
                continue
            e = item
            if e.status != BOOKED:
                self._skip(e.where, "NOT_FINAL", Phrase.of("format.skip.entry_status", entry=e.reference,
                                                           status=e.status or Phrase.of("format.skip.missing")), e)
                continue
            if e.currency != CURRENCY:
                self._skip(e.where, "FOREIGN_CURRENCY", Phrase.of("format.skip.entry_currency", entry=e.reference,
                                                                  currency=e.currency, expected=CURRENCY))
                continue
            if not e.txs:
                what = (Phrase.of("format.skip.batch_booking", id=repr(e.batch[1])) if e.batch
                        else Phrase.of("format.skip.no_tx_details"))
                self._skip(e.where, "NOT_A_PAYMENT", Phrase.of("format.skip.entry_no_line", entry=e.reference,
                                                               what=what), e)
                continue
            for tx in e.txs:
                rec = self._record(e, tx, batch)
                if rec is not None:
                    yield rec
        self.others_known = not self._problems
        if self._own:
            for p in self._own.items:
                self._problems.add(p.where, p.field, p.said or p.message)
            self._problems.dropped += self._own.dropped
        if self._problems:
            raise self._problems.error(self.name)

    def _record(self, e: Entry, tx: Tx, batch: str) -> ResultRecord | None:
        fen = tx.amount_fen
        label = tx.end_to_end_id or tx.instr_id or e.reference
        if tx.currency != CURRENCY:
            self._skip(e.where, "FOREIGN_CURRENCY", Phrase.of("format.skip.currency", label=label,
                                                              currency=tx.currency, expected=CURRENCY))
            return None
        side = e.side
        returned = side is CREDIT and bool(tx.return_code or e.reversal)
        if side is CREDIT and not returned:
            self._skip(e.where, "CREDIT_ENTRY", Phrase.of("format.skip.credit_entry", label=label), fen=fen)
            return None
        if side is DEBIT and e.reversal:
            self._skip(e.where, "NOT_A_PAYMENT", Phrase.of("format.skip.credit_reversal", label=label), fen=fen)
            return None
        named = _batch_named(e, tx)
        if named and named != batch:
            said = Phrase.of("format.skip.other_batch", label=label, named=repr(named), batch=repr(batch))
            skip = Skipped.of(e.where, "OTHER_BATCH", said, fen)
            self.skipped.append(skip)
            other = self.other_batches.get(named)
            if other is None:
                other = self.other_batches[named] = OtherBatch(tx.msg_id, [])
            other.skipped.append(skip)
            return None
        instr = tx.instr_id
        if (batch and tx.end_to_end_id == f"{batch}-{instr}" and instr.isdigit() and instr.isascii()
                and instr[0] != "0" and len(instr) <= _SEQ_MAX):
            seq = int(instr)  # (our pain.001's references, as line_of reads them)
        else:
            try:
                seq = line_of(batch, instr, tx.end_to_end_id)
            except ValueError as exc:
                self.unnamed += not named
                self._own.add(e.where, "EndToEndId", why(exc))
                return None
        if seq is None:
            self._skip(e.where, "NO_LINE_REFERENCE", Phrase.of("format.skip.no_line", label=label), fen=fen)
            return None
        self.unnamed += not named
        if fen is None:
            self._own.add(e.where, "TxDtls/Amt", Phrase.of("format.iso.line_no_amount", seq=seq))
            return None
        ref = tx.acct_svcr_ref or e.servicer_ref or tx.tx_id or tx.uetr
        if returned:
            code = tx.return_code or "NARR"
            return _new_record(seq, FAILED, fen, tx.account, reason_for_code(tx.return_iso or code),
                                code, tx.return_text, ref, tx.name)
        return _new_record(seq, PAID, fen, tx.account, None, "", "", ref, tx.name)

    def _skip(self, at: str, reason: str, said: Phrase, e: Entry | None = None, fen: int | None = None) -> None:
        """The record at ``at`` skipped; its detail is ``said`` in English (logs and tests), its words kept."""
        if e is not None and e.currency == CURRENCY:
            fen = e.amount_fen
        self.skipped.append(Skipped.of(at, reason, said, fen))


__all__ = ["AccountEntries", "Entry", "NotificationResultReader", "OtherBatch", "Section",
           "TolerantStatementReader", "Tx"]
