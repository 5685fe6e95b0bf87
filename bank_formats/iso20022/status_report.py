"""pain.002 as banks write it: every version from v03 to v14, national variants (SIX
``pain.002.001.03.ch.02``), no namespace, optional elements left out.

Two layers, so that what the file says is read (and tested) apart from what it books:

``StatusReport`` reads the file: its header (GrpHdr, OrgnlGrpInfAndSts) and one ``Status``
per ``TxInfAndSts`` at /Document/CstmrPmtStsRpt/OrgnlPmtInfAndSts/TxInfAndSts, plus one per
``OrgnlPmtInfAndSts`` without transactions and one for a group status without any
OrgnlPmtInfAndSts (a file that accepts or refuses a whole payment file at once). A
transaction's status is its own ``TxSts``, else its payment information's ``PmtInfSts``, else
the group's ``GrpSts``: the group status applies to every transaction it covers.

``TolerantPain002Reader`` turns those into the ``ResultRecord`` of our lines:

    whole file   a final GrpSts (or the PmtInfSts of our one payment information) with no
                 transaction listed covers every line the payment file instructed: the reader
                 cannot name them, it sets ``whole_file`` and the service books each such line
                 still pending (service.ingest); one that is not final is skipped NOT_FINAL.
    status       ACSC, ACCC = PAID; RJCT, CANC = FAILED (final). Every other code (ACSP, PDNG,
                 RCVC, ACTC, ACCP, ACWC, PART, ...) means "still in progress": not booked,
                 listed in ``skipped`` as NOT_FINAL, so the line stays pending (and shows in the
                 reading report) and a later final status books it as usual.
    answers      OrgnlMsgNmId: a report on another message than a pain.001 (a direct debit's
                 pain.008, say) books nothing: its transactions are skipped as NOT_A_PAYMENT.
                 The pain.001 version it names is not checked (banks write their variant's).
    seq          OrgnlEndToEndId "<batch_id>-<seq>" (as our pain.001 writes it), else
                 OrgnlInstrId when it is a line number; a status naming neither is skipped
                 (NO_LINE_REFERENCE), one of another payment information OTHER_BATCH.
    amount_fen   OrgnlTxRef/Amt/InstdAmt (or EqvtAmt/Amt) in CNY; another currency is skipped
                 (FOREIGN_CURRENCY), none NO_AMOUNT; more decimals are read when exact.
    bank_code    StsRsnInf/Rsn/Prtry (the bank's own code), else Rsn/Cd: the transaction's,
                 else its payment's, else the group's; ``reason`` the canonical reason of the
                 ISO code Rsn/Cd (else of Prtry); bank_text AddtlInf joined.
    bank_ref     AcctSvcrRef, else OrgnlUETR (v09 on: earlier schemas have none, it is not
                 read), else ClrSysRef.
    account_no   OrgnlTxRef/CdtrAcct/Id: Othr/Id or IBAN.  name  OrgnlTxRef/Cdtr/Pty/Nm (v09
                 on) or Cdtr/Nm (before; either without a namespace).

Header (``ResultFileHeader``): file_id GrpHdr/MsgId, created_at GrpHdr/CreDtTm (a date alone
is midnight), original_file_id OrgnlMsgId, batch_id the first OrgnlPmtInfId (else the batch of the first
OrgnlEndToEndId "<batch_id>-<seq>", else that of our MsgId "<batch_id>P<n>" in OrgnlMsgId),
count OrgnlNbOfTxs and the per-status figures of NbOfTxsPerSts as declared (0 when not: both
are optional, and forbidden in the German variant). They are checked against the records
only when the report lists as many transactions as OrgnlNbOfTxs (a report of the rejected
ones only is common, and is not incomplete); NbOfTxsPerSts must add up to OrgnlNbOfTxs. One
payment information reported on twice is refused.

No schema validation (the variants' schemas are not ISO's); every value taken is checked, and
problems are collected with their lines and raised as one FormatError at the end.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import BinaryIO

from lxml import etree

from bank_formats.base import FormatError, Refused, Skipped, why
from bank_formats.iso20022 import _common
from bank_formats.iso20022._common import (
    CURRENCY,
    FastStream,
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
    loose_datetime,
    where,
)
from bank_formats.maker import maker
from domain.model import PaymentOutcome, ResultFileHeader, ResultRecord
from i18n import Named, Phrase

PAID = PaymentOutcome.PAID
PAID_CODES = frozenset({"ACSC", "ACCC"})
FAILED_CODES = frozenset({"RJCT", "CANC"})
_SEQ_MAX = 18


def outcome_of(code: str) -> PaymentOutcome | None:
    """The final outcome a status code means, None for a status still in progress."""
    if code in PAID_CODES:
        return PaymentOutcome.PAID
    if code in FAILED_CODES:
        return PaymentOutcome.FAILED
    return None


def is_status_code(code: str | None) -> bool:
    """ExternalPaymentTransactionStatus1Code / group status: four capital letters."""
    return bool(code) and len(code) == 4 and code.isascii() and code.isalpha() and code.isupper()


@dataclass(frozen=True, slots=True)
class Status:
    """One status the report gives: of a transaction, or of a whole payment or file."""

    where: str
    level: str  # "transaction", "payment" (OrgnlPmtInfAndSts alone) or "group"
    pmt_inf_id: str
    instr_id: str
    end_to_end_id: str
    status: str  # the code that applies (TxSts, else PmtInfSts, else GrpSts); "" if none
    amount_fen: int | None  # None: no amount, or not a whole number of fen (a problem)
    currency: str
    reason_code: str  # Rsn/Cd of the applicable StsRsnInf (the ISO code)
    bank_code: str  # Rsn/Prtry (the bank's own code), else Rsn/Cd
    reason_text: str  # its AddtlInf, joined
    bank_ref: str
    account: str
    name: str


@dataclass(frozen=True, slots=True)
class ReportHeader:
    message_id: str
    created_at: datetime | None
    original_message_id: str
    original_message_name: str
    original_count: int | None
    group_status: str
    per_status: dict[str, tuple[int, int | None]]  # NbOfTxsPerSts: code -> (count, fen)


class StatusReport:
    """The statuses a pain.002 gives, in file order; see the module doc. ``header`` is set once
    OrgnlGrpInfAndSts has been read (before the first status); problems collect in
    ``problems`` and iteration ends without raising (the reader above raises). Transactions one
    a line in a layout learned from one parsed are read without the parser (``_fast``, see
    ``_tolerant.LineShapes``): the same statuses, about 4 times as fast."""

    def __init__(self, src: BinaryIO, message: Message, problems: Problems) -> None:
        t = message.tag
        self._t = t
        self.problems = problems
        d, r = t("Document"), t("CstmrPmtStsRpt")
        self._tags = {k: t(k) for k in (
            "GrpHdr", "OrgnlGrpInfAndSts", "OrgnlPmtInfAndSts", "TxInfAndSts", "MsgId", "CreDtTm",
            "OrgnlMsgId", "OrgnlMsgNmId", "OrgnlNbOfTxs", "GrpSts", "NbOfTxsPerSts", "DtldNbOfTxs",
            "DtldSts", "DtldCtrlSum", "OrgnlPmtInfId", "PmtInfSts", "StsRsnInf", "Rsn", "Cd",
            "Prtry", "AddtlInf", "OrgnlInstrId", "OrgnlEndToEndId", "TxSts", "AcctSvcrRef",
            "OrgnlUETR", "ClrSysRef", "OrgnlTxRef", "Amt", "InstdAmt", "EqvtAmt", "CdtrAcct",
            "Id", "IBAN", "Othr", "Cdtr", "Pty", "Nm")}
        paths = {d: (d,), t("GrpHdr"): (d, r, t("GrpHdr")),
                 t("OrgnlGrpInfAndSts"): (d, r, t("OrgnlGrpInfAndSts")),
                 t("OrgnlPmtInfAndSts"): (d, r, t("OrgnlPmtInfAndSts")),
                 t("TxInfAndSts"): (d, r, t("OrgnlPmtInfAndSts"), t("TxInfAndSts"))}
        self._stream = _lines(src, paths, problems, t("TxInfAndSts"), b"<TxInfAndSts>")
        self._shapes = LineShapes(t("TxInfAndSts"), self._stream)
        self._last_pmt: etree._Element | None = None  # the parent of the last parsed TxInfAndSts
        # what the version's schema has: OrgnlUETR and Cdtr as a Party40Choice (Pty/Nm) came
        # with v09 (2019); before, Cdtr/Nm. Without a namespace (no version) either is read.
        version = message.version
        self._uetr = version is None or version >= 9
        self._party = (True, False) if version is None else ((True,) if version >= 9 else (False,))
        self.header: ReportHeader | None = None
        self._grp: tuple[str, datetime | None] | None = None
        self._pmt: tuple | None = None  # (the OrgnlPmtInfAndSts element, what _payment read)
        self.complete = False

    @property
    def broken(self) -> bool:
        return self._stream.broken

    def _text(self, el: etree._Element | None, key: str) -> str:
        if el is None:
            return ""
        c = first(el, self._tags[key])
        return (c.text or "").strip() if c is not None else ""

    def _reason(self, el: etree._Element | None) -> tuple[str, str, str]:
        """The first Rsn/Cd and the first Rsn/Prtry of the StsRsnInf of ``el`` (a bank gives
        the ISO code and its own one in two, as our writer does), and every AddtlInf."""
        if el is None:
            return "", "", ""
        T = self._tags
        cd = prtry = ""
        texts = []
        for info in el.iterchildren(T["StsRsnInf"]):
            rsn = first(info, T["Rsn"])
            if rsn is not None:
                cd = cd or self._text(rsn, "Cd")
                prtry = prtry or self._text(rsn, "Prtry")
            texts += [a.text or "" for a in info.iterchildren(T["AddtlInf"])]
        return cd, prtry, "".join(texts)  # (pieces of one text, as the writer cuts it)

    def _read_grphdr(self, el: etree._Element) -> None:
        msg_id = self._text(el, "MsgId")
        if not msg_id:
            self.problems.add(where(el, "/Document/CstmrPmtStsRpt/GrpHdr"), "MsgId",
                              Phrase.of("format.iso.missing", path="GrpHdr/MsgId"))
        created = None
        text = self._text(el, "CreDtTm")
        try:
            created = loose_datetime(text)
        except ValueError as exc:
            self.problems.add(where(el, "GrpHdr"), "CreDtTm", why(exc))
        self._grp = (msg_id, created)

    def _read_orgnl(self, el: etree._Element) -> None:
        T = self._tags
        p = self.problems
        at = where(el, "/Document/CstmrPmtStsRpt/OrgnlGrpInfAndSts")
        count = None
        text = self._text(el, "OrgnlNbOfTxs")
        if text:
            try:
                count = parse_count(text)
            except ValueError as exc:
                p.add(at, "OrgnlNbOfTxs", why(exc))
        group = self._text(el, "GrpSts")
        if group and not is_status_code(group):
            p.add(at, "GrpSts", Phrase.of("format.iso.not_status_code", raw=repr(group)))
        per: dict[str, tuple[int, int | None]] = {}
        for entry in el.iterchildren(T["NbOfTxsPerSts"]):
            code = self._text(entry, "DtldSts")
            try:
                n = parse_count(self._text(entry, "DtldNbOfTxs"))
                sum_text = self._text(entry, "DtldCtrlSum")
                fen = amount_fen(sum_text) if sum_text else None
            except ValueError as exc:
                p.add(where(entry, at), "NbOfTxsPerSts", why(exc))
                continue
            if not is_status_code(code):
                p.add(where(entry, at), "DtldSts", Phrase.of("format.iso.not_status", raw=repr(code)))
                continue
            old = per.get(code, (0, 0))
            per[code] = (old[0] + n, None if fen is None or old[1] is None else old[1] + fen)
        if per and count is not None and sum(n for n, _ in per.values()) != count:
            p.add(at, "OrgnlNbOfTxs", Phrase.of("format.iso.count_not_per_status", count=count,
                                                parts=" + ".join(f"{n} {c}" for c, (n, _) in per.items())))
        if not self._text(el, "OrgnlMsgId"):
            p.add(at, "OrgnlMsgId", Phrase.of("format.iso.missing", path="OrgnlGrpInfAndSts/OrgnlMsgId"))
        msg_id, created = self._grp if self._grp is not None else ("", None)
        if self._grp is None:
            p.add("/Document/CstmrPmtStsRpt", "GrpHdr", Phrase.of("format.iso.missing", path="GrpHdr"))
        self.header = ReportHeader(msg_id, created, self._text(el, "OrgnlMsgId"),
                                   self._text(el, "OrgnlMsgNmId"), count, group, per)
        self._group_reason = self._reason(el)

    def _no_header(self) -> bool:
        if self.header is None:
            self.problems.add("/Document/CstmrPmtStsRpt", "OrgnlGrpInfAndSts", Phrase.of("format.iso.no_group_first"))
            self.header = ReportHeader("", None, "", "", None, "", {})
            self._group_reason = ("", "", "")
            return True
        return False

    def __iter__(self) -> Iterator[Status]:
        T = self._tags
        t = self._t
        pmts = 0
        pmt_ids: set[str] = set()
        txs_in_pmt = 0
        parsed = 0
        stream = self._stream
        fast = self._fast
        Match = re.Match
        for el in stream:
            if el.__class__ is Match:
                # a line of a layout learned, taken without the parser (LineShapes)
                status = fast(el)
                if status is None:
                    stream.defer()  # the parser reads it: the usual path says what is wrong
                    continue
                txs_in_pmt += 1
                yield status
                continue
            tag = el.tag
            if tag == T["TxInfAndSts"]:
                if self.header is None:
                    self._no_header()
                txs_in_pmt += 1
                pmt = self._last_pmt = el.getparent()
                self._shapes.learn(el, self._plan)
                yield self._transaction(el, pmt)
                el.clear(keep_tail=True)
                parsed += 1
                if parsed & 255 == 0:
                    parent = el.getparent()
                    if parent is not None:
                        del parent[: parent.index(el)]
            elif tag == T["OrgnlPmtInfAndSts"]:
                pmts += 1
                pmt_id = self._payment(el)[0]
                if pmt_id in pmt_ids:
                    self.problems.add(where(el, "OrgnlPmtInfAndSts"), "OrgnlPmtInfId",
                                      Phrase.of("format.iso.payment_twice", id=repr(pmt_id)))
                pmt_ids.add(pmt_id)
                if self.header is None:
                    self._no_header()
                if txs_in_pmt == 0:
                    status = self._text(el, "PmtInfSts") or self.header.group_status
                    cd, prtry, text = self._reason(el)
                    if not (cd or prtry) and not self._text(el, "PmtInfSts"):
                        cd, prtry, text = self._group_reason
                    yield Status(where(el, "OrgnlPmtInfAndSts"), "payment",
                                 self._text(el, "OrgnlPmtInfId"), "", "", status, None, "", cd,
                                 prtry or cd, text, "", "", "")
                txs_in_pmt = 0
                el.clear(keep_tail=True)
            elif tag == T["GrpHdr"]:
                self._read_grphdr(el)
            elif tag == T["OrgnlGrpInfAndSts"]:
                self._read_orgnl(el)
            elif tag == t("Document"):
                self.complete = True
                if self.header is None:
                    if self._grp is None:
                        self.problems.add("/Document", "CstmrPmtStsRpt", Phrase.of("format.iso.no_report_in_file"))
                        return
                    self._no_header()
                if pmts == 0 and self.header.group_status:
                    cd, prtry, text = self._group_reason
                    yield Status("/Document/CstmrPmtStsRpt/OrgnlGrpInfAndSts/GrpSts", "group", "",
                                 "", "", self.header.group_status, None, "", cd, prtry or cd, text,
                                 "", "", "")
        if not self._stream.broken:
            root = self._stream.root
            if root is not None and root.tag != t("Document"):
                self.problems.add("/", local_name(root.tag), Phrase.of("format.iso.root_not_document"))
        self._stream.check_complete(self.complete)

    def _payment(self, pmt: etree._Element | None) -> tuple:
        """(OrgnlPmtInfId, PmtInfSts, its reason) of a transaction's OrgnlPmtInfAndSts, read
        once (they come before its transactions, which are dropped as they are read)."""
        if pmt is None:
            return "", "", ("", "", "")
        if self._pmt is not None and self._pmt[0] is pmt:
            return self._pmt[1]
        info = (self._text(pmt, "OrgnlPmtInfId"), self._text(pmt, "PmtInfSts"), self._reason(pmt))
        self._pmt = (pmt, info)
        return info

    def _plan(self, shape: Shape) -> _TxPlan:
        """Where ``_transaction`` finds each value in a TxInfAndSts of this layout."""
        p = Planner(shape)
        t = p.at
        plan = _TxPlan()
        plan.own, plan.instr, plan.e2e = t("TxSts"), t("OrgnlInstrId"), t("OrgnlEndToEndId")
        plan.refs = (t("AcctSvcrRef"), t("OrgnlUETR") if self._uetr else 0, t("ClrSysRef"))
        plan.reasons = tuple((t(f"{info}/Rsn/Cd"), t(f"{info}/Rsn/Prtry"),
                              tuple(t(a) for a in shape.kids(info, "AddtlInf")))
                             for info in shape.kids("", "StsRsnInf"))
        amt = "OrgnlTxRef/Amt"
        value = (f"{amt}/InstdAmt" if shape.has(f"{amt}/InstdAmt")
                 else f"{amt}/EqvtAmt/Amt" if shape.has(f"{amt}/EqvtAmt/Amt") else None)
        plan.value = None if value is None else (t(value), t(value + "@Ccy"))
        ident = "OrgnlTxRef/CdtrAcct/Id"
        plan.account = (t(f"{ident}/IBAN"), t(f"{ident}/Othr/Id"))
        cdtr = "OrgnlTxRef/Cdtr"
        plan.names = (tuple(t(f"{cdtr}/Pty/Nm" if party else f"{cdtr}/Nm") for party in self._party)
                      if shape.has(cdtr) else ())
        plan.groups = p.finish()
        return plan

    def _fast(self, m: re.Match[bytes]) -> Status | None:
        """``_transaction`` of a line a learned layout took; None when anything in it is not
        as a record is read at once (the parser then reads it)."""
        pmt = self._last_pmt
        if self.header is None or pmt is None:
            return None
        try:
            p, v = self._shapes.take(m)
        except ValueError:  # UnicodeDecodeError too
            return None
        own = v[p.own].strip()
        if own and not is_status_code(own):
            return None
        pmt_id, pmt_status, pmt_reason = self._payment(pmt)
        status = own or pmt_status or self.header.group_status
        cd = prtry = ""
        texts: list[str] = []
        for c, pr, adds in p.reasons:
            cd = cd or v[c].strip()
            prtry = prtry or v[pr].strip()
            texts += [v[a] for a in adds]
        text = "".join(texts)
        if not (cd or prtry) and not own:
            cd, prtry, text = pmt_reason if pmt_status else self._group_reason
        amount, currency = None, ""
        if p.value is not None:
            currency = v[p.value[1]].strip()
            try:
                amount = amount_fen(v[p.value[0]])
            except ValueError:
                return None
        account = v[p.account[0]].strip() or v[p.account[1]].strip()
        name = ""
        for i in p.names:
            name = name or v[i].strip()
        s, u, c = p.refs
        return _new_status(f"line {self._stream.line}", "transaction", pmt_id, v[p.instr].strip(),
                      v[p.e2e].strip(), status, amount, currency, cd, prtry or cd, text,
                      v[s].strip() or v[u].strip() or v[c].strip(), account, name)

    def _transaction(self, tx: etree._Element, pmt: etree._Element | None) -> Status:
        T = self._tags
        at = where(tx, "/Document/CstmrPmtStsRpt/OrgnlPmtInfAndSts/TxInfAndSts")
        own = self._text(tx, "TxSts")
        pmt_id, pmt_status, pmt_reason = self._payment(pmt)
        status = own or pmt_status or self.header.group_status
        if own and not is_status_code(own):
            self.problems.add(at, "TxSts", Phrase.of("format.iso.not_status_code", raw=repr(own)))
        cd, prtry, text = self._reason(tx)
        if not (cd or prtry) and not own:
            cd, prtry, text = pmt_reason if pmt_status else self._group_reason
        amount, currency = None, ""
        ref = first(tx, T["OrgnlTxRef"])
        account = name = ""
        if ref is not None:
            amt = first(ref, T["Amt"])
            if amt is not None:
                value = first(amt, T["InstdAmt"])
                if value is None:
                    eqvt = first(amt, T["EqvtAmt"])
                    value = None if eqvt is None else first(eqvt, T["Amt"])
                if value is not None:
                    currency = (value.get("Ccy") or "").strip()
                    try:
                        amount = amount_fen(value.text)
                    except ValueError as exc:
                        self.problems.add(where(value, at), "InstdAmt", why(exc))
            acct = first(ref, T["CdtrAcct"])
            ident = None if acct is None else first(acct, T["Id"])
            if ident is not None:
                account = self._text(ident, "IBAN")
                if not account:
                    account = self._text(first(ident, T["Othr"]), "Id")
            cdtr = first(ref, T["Cdtr"])
            if cdtr is not None:
                for party in self._party:
                    name = name or self._text(first(cdtr, T["Pty"]) if party else cdtr, "Nm")
        bank_ref = (self._text(tx, "AcctSvcrRef") or (self._text(tx, "OrgnlUETR") if self._uetr else "")
                    or self._text(tx, "ClrSysRef"))
        return Status(at, "transaction", pmt_id,
                      self._text(tx, "OrgnlInstrId"), self._text(tx, "OrgnlEndToEndId"), status,
                      amount, currency, cd, prtry or cd, text, bank_ref, account, name)


def line_of(batch_id: str, instr_id: str, end_to_end_id: str) -> int | None:
    """Our line a payment's references name: EndToEndId "<batch_id>-<seq>" as our pain.001
    writes it, else an InstrId that is a line number; None when they name none. A ValueError
    when both name one and they differ."""
    from_e2e = None
    prefix = batch_id + "-"
    if batch_id and end_to_end_id.startswith(prefix):
        rest = end_to_end_id[len(prefix):]
        if rest.isascii() and rest.isdigit() and rest[0] != "0" and len(rest) <= _SEQ_MAX:
            from_e2e = int(rest)
    from_instr = None
    if instr_id.isascii() and instr_id.isdigit() and instr_id[0:1] != "0" and len(instr_id) <= _SEQ_MAX:
        from_instr = int(instr_id)
    if from_e2e is not None and from_instr is not None and from_e2e != from_instr:
        raise Refused("format.iso.references_differ", e2e=repr(end_to_end_id), line=from_e2e,
                      instr=repr(instr_id), other=from_instr)
    if from_e2e is not None:
        return from_e2e
    if end_to_end_id and not end_to_end_id.startswith(prefix) and batch_id:
        return None  # another payment's reference: an InstrId alone does not make it ours
    return from_instr


class TolerantPain002Reader:
    """Reads a pain.002 of any version or variant into ResultRecords of one batch; see the
    module doc. ``header`` is read on construction (FormatError if bad); ``skipped`` is complete
    once iteration ends; iteration raises FormatError at the end when anything was wrong."""

    def __init__(self, src: BinaryIO, name: str, message: Message) -> None:
        self.name = name
        self.message = message
        self.skipped: list[Skipped] = []
        # (outcome, ISO reason code, bank code, text, where) of a final status the report gives
        # the whole payment file without listing a transaction (GrpSts, or the PmtInfSts of its
        # one payment information): it covers every line that file instructed, which the reader
        # does not know; the service applies it (service.ingest). Set once iteration ends.
        self.whole_file: tuple | None = None
        self._problems = Problems()
        self._report = StatusReport(src, message, self._problems)
        self._statuses = iter(self._report)
        self._first: Status | None = None
        try:
            self._first = next(self._statuses)
        except StopIteration:
            self._first = None
        h = self._report.header
        if h is None or (self._problems and self._report.broken):
            if not self._problems:
                self._problems.add("/Document", "CstmrPmtStsRpt", Phrase.of("format.iso.no_report"))
            raise self._problems.error(name)
        per = h.per_status
        paid = [per.get(c, (0, 0)) for c in sorted(PAID_CODES)]
        failed = [per.get(c, (0, 0)) for c in sorted(FAILED_CODES)]
        self.header = ResultFileHeader(
            file_id=h.message_id, original_file_id=h.original_message_id,
            batch_id=_batch_of(self._first) or _batch_of_message(h.original_message_id),
            created_at=h.created_at or datetime(1970, 1, 1), count=h.original_count or 0,
            paid_count=sum(n for n, _ in paid), paid_fen=sum(f or 0 for _, f in paid),
            failed_count=sum(n for n, _ in failed), failed_fen=sum(f or 0 for _, f in failed))
        self._gen = self._run()

    def __iter__(self) -> Iterator[ResultRecord]:
        return self._gen

    def _skip_whole(self, whole: tuple) -> None:
        said = Phrase.of("format.skip.whole_file_status", outcome=Named("line_status", whole[0].value))
        self.skipped.append(Skipped.of(whole[4], "NO_LINE_REFERENCE", said))

    def _skip(self, s: Status, reason: str, said: Phrase, fen: int | None = None) -> None:
        """``s`` skipped; its detail is ``said`` in English (logs and tests), its words kept."""
        self.skipped.append(Skipped.of(s.where, reason, said, fen))

    def _run(self) -> Iterator[ResultRecord]:
        problems = self._problems
        batch = self.header.batch_id
        answers = self._report.header.original_message_name if self._report.header else ""
        listed = 0
        whole = None
        seen: dict[str, list[int]] = {}
        statuses = self._statuses if self._first is None else _chain(self._first, self._statuses)
        for s in statuses:
            if s.level == "transaction":
                listed += 1
                n = seen.get(s.status)  # (by code: added up by _tally's key at the end)
                if n is None:
                    n = seen[s.status] = [0, 0]
                n[0] += 1
                n[1] += s.amount_fen or 0
            outcome = outcome_of(s.status)
            cny = s.amount_fen if s.currency == CURRENCY else None
            if not s.status:
                problems.add(s.where, "TxSts", Phrase.of("format.iso.no_status"))
                continue
            if s.level != "transaction":
                what = (Phrase.of("format.skip.whole_file") if s.level == "group"
                        else Phrase.of("format.skip.payment_info", id=repr(s.pmt_inf_id)))
                ours = s.level == "group" or not batch or s.pmt_inf_id in ("", batch)
                if outcome is not None and ours and (not answers or answers.startswith("pain.001")) and not listed:
                    # the whole payment file at once: every line it instructed (the service
                    # books them, see whole_file)
                    whole = (outcome, s.reason_code, s.bank_code, s.reason_text, s.where)
                    continue
                self._skip(s, "NOT_FINAL" if outcome is None else "NO_LINE_REFERENCE",
                           Phrase.of("format.skip.status_no_transaction" if outcome is None
                                     else "format.skip.status_no_transaction_final", status=s.status, what=what))
                continue
            label = s.end_to_end_id or s.instr_id or Phrase.of("format.skip.a_transaction")
            if answers and not answers.startswith("pain.001"):
                self._skip(s, "NOT_A_PAYMENT", Phrase.of("format.skip.answers_other", label=label, answers=answers),
                           cny)
                continue
            if outcome is None:
                self._skip(s, "NOT_FINAL", Phrase.of("format.skip.not_final", label=label, status=s.status), cny)
                continue
            if s.currency != CURRENCY and s.amount_fen is not None:
                self._skip(s, "FOREIGN_CURRENCY", Phrase.of("format.skip.foreign_amount", label=label,
                                                            currency=s.currency, expected=CURRENCY))
                continue
            if batch and s.pmt_inf_id and s.pmt_inf_id != batch:
                self._skip(s, "OTHER_BATCH", Phrase.of("format.skip.other_batch", label=label,
                                                       named=repr(s.pmt_inf_id), batch=repr(batch)), cny)
                continue
            try:
                seq = line_of(batch, s.instr_id, s.end_to_end_id)
            except ValueError as exc:
                problems.add(s.where, "OrgnlEndToEndId", why(exc))
                continue
            if seq is None:
                self._skip(s, "NO_LINE_REFERENCE", Phrase.of("format.skip.no_line_refs", label=label,
                                                             e2e=repr(s.end_to_end_id), instr=repr(s.instr_id)), cny)
                continue
            if s.amount_fen is None:
                self._skip(s, "NO_AMOUNT", Phrase.of("format.skip.no_amount", seq=seq, status=s.status))
                continue
            paid = outcome is PAID
            yield _new_record(seq, outcome, s.amount_fen, s.account,
                               None if paid else reason_for_code(s.reason_code or s.bank_code),
                               s.bank_code, s.reason_text, s.bank_ref, s.name)
        by_code, seen = seen, {}
        for code, (count, fen) in by_code.items():
            n = seen.setdefault(_tally(code), [0, 0])
            n[0] += count
            n[1] += fen
        if whole is not None:
            if listed:  # (a file-wide status and transactions: the transactions say it)
                self._skip_whole(whole)
            else:
                self.whole_file = whole
        h = self._report.header
        if (self._report.complete and h is not None and h.original_count is not None
                and listed == h.original_count and h.per_status and not problems):
            declared: dict[str, list] = {}
            for code, (n, fen) in h.per_status.items():
                d = declared.setdefault(_tally(code), [0, 0])
                d[0] += n
                d[1] = None if fen is None or d[1] is None else d[1] + fen
            for key in seen:
                declared.setdefault(key, [0, 0])
            for key, (n, fen) in declared.items():
                got = seen.get(key, [0, 0])
                if got[0] != n or (fen is not None and got[1] != fen):
                    problems.add("/Document/CstmrPmtStsRpt/OrgnlGrpInfAndSts", "NbOfTxsPerSts",
                                 Phrase.of("format.iso.per_status_differs", status=key, count=n, fen=fen,
                                           seen=got[0], seen_fen=got[1]))
        if problems:
            raise problems.error(self.name)


def _batch_of(status: Status | None) -> str:
    """The batch a report answers: its first OrgnlPmtInfId, else the "<batch_id>" of the
    first status's OrgnlEndToEndId "<batch_id>-<seq>"."""
    if status is None:
        return ""
    if status.pmt_inf_id:
        return status.pmt_inf_id
    batch, dash, seq = status.end_to_end_id.rpartition("-")
    return batch if dash and seq.isascii() and seq.isdigit() else ""


def _batch_of_message(message_id: str) -> str:
    """The batch of our payment file's MsgId "<batch_id>P<n>" (domain.model.payment_message_id),
    for a report that names no payment information: "" for another."""
    m = re.fullmatch(r"(.+)P[1-9][0-9]{0,8}", message_id)
    return m.group(1) if m else ""


_new_status = maker(Status)  # (records made fast: see bank_formats.maker)
_new_record = maker(ResultRecord)


class _TxPlan:
    """Positions (see ``_tolerant.Planner``) of a TxInfAndSts layout's values."""

    __slots__ = ("groups", "own", "instr", "e2e", "refs", "reasons", "value", "account", "names")


def _lines(src: BinaryIO, paths: dict, problems: Problems, line_tag: str, start: bytes) -> FastStream:
    """The elements at ``paths``, and the lines of a layout the reader has learned (see
    ``_tolerant.LineShapes``) as matches: a line starting with ``start`` is a candidate."""
    stream = FastStream(src, paths, problems, line_tag, start)
    stream.arm = _common.FAST_LINES
    return stream


def _parsed_only(src: BinaryIO, paths: dict, problems: Problems) -> FastStream:
    """The elements at ``paths``, every line through the parser (a FastStream never armed:
    it counts lines, so hostile markup is reported with its line)."""
    stream = FastStream(src, paths, problems, "", b"\x00")
    stream.arm = False
    return stream


def _tally(code: str) -> str:
    """What NbOfTxsPerSts is compared by: the final outcome (ACSC and ACCC are both paid),
    else the code itself."""
    outcome = outcome_of(code)
    return code if outcome is None else outcome.value


def _chain(first, rest):
    yield first
    yield from rest


__all__ = ["FormatError", "Status", "StatusReport", "TolerantPain002Reader", "line_of",
           "outcome_of"]
