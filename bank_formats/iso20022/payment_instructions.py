"""pain.001 (CustomerCreditTransferInitiation) as other systems write it, read into plain data:
every version v03-v12, national variants (SIX ``pain.001.001.03.ch.02``), no namespace.

The service writes pain.001 and the bank simulator reads our own with the strict
``pain001.Pain001Reader``; this reads any payment file for what it says (issue 15 item 6), so a
bank's or another system's file can be looked at and checked: one ``Instruction`` per
/Document/CstmrCdtTrfInitn/PmtInf/CdtTrfTxInf, with its payment information's id and debtor
account. The group's NbOfTxs and CtrlSum, and each PmtInf's, when given, are checked against
the transactions (a CtrlSum only when every amount is in one currency); a problem names its
line.

    pmt_inf_id     PmtInf/PmtInfId             debtor_account  PmtInf/DbtrAcct/Id/IBAN|Othr/Id
    instr_id       CdtTrfTxInf/PmtId/InstrId   end_to_end_id   PmtId/EndToEndId
    amount_fen     Amt/InstdAmt, else Amt/EqvtAmt/Amt (whole fen, more decimals when exact)
    currency       its @Ccy
    creditor       Cdtr/Nm                     account         CdtrAcct/Id/IBAN|Othr/Id
    remittance     RmtInf/Ustrd joined
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from lxml import etree

from bank_formats.base import why
from bank_formats.iso20022._common import Problems, local_name, parse_count
from bank_formats.iso20022._tolerant import Message, amount_fen, first, where
from bank_formats.iso20022.status_report import _parsed_only
from i18n import Phrase


@dataclass(frozen=True, slots=True)
class Instruction:
    where: str
    pmt_inf_id: str
    debtor_account: str
    instr_id: str
    end_to_end_id: str
    amount_fen: int | None
    currency: str
    creditor: str
    account: str
    remittance: str


class PaymentInstructions:
    """The transactions of a pain.001 in file order; problems collect in ``problems``."""

    def __init__(self, src: BinaryIO, message: Message, problems: Problems) -> None:
        t = message.tag
        self._t = t
        self.problems = problems
        d, b = t("Document"), t("CstmrCdtTrfInitn")
        self._doc, self._grp, self._pmt, self._tx = d, t("GrpHdr"), t("PmtInf"), t("CdtTrfTxInf")
        paths = {d: (d,), self._grp: (d, b, self._grp), self._pmt: (d, b, self._pmt),
                 self._tx: (d, b, self._pmt, self._tx)}
        self._stream = _parsed_only(src, paths, problems)
        self.declared: tuple[int | None, int | None] = (None, None)  # GrpHdr NbOfTxs, CtrlSum
        self.complete = False

    def _path(self, el, *names: str):
        for n in names:
            if el is None:
                return None
            el = first(el, self._t(n))
        return el

    def _text(self, el, *names: str) -> str:
        e = self._path(el, *names)
        return "" if e is None else (e.text or "").strip()

    def _account(self, el) -> str:
        return self._text(el, "Id", "IBAN") or self._text(el, "Id", "Othr", "Id")

    def _declared(self, el, at: str) -> tuple[int | None, int | None]:
        count = total = None
        try:
            text = self._text(el, "NbOfTxs")
            count = parse_count(text) if text else None
            text = self._text(el, "CtrlSum")
            total = amount_fen(text) if text else None
        except ValueError as exc:
            self.problems.add(at, "NbOfTxs/CtrlSum", why(exc))
        return count, total

    def __iter__(self) -> Iterator[Instruction]:
        pmt_el = None
        pmt: tuple = ("", "", (None, None))
        n_all = fen_all = n_pmt = fen_pmt = 0
        ccys_all: set[str] = set()
        ccys_pmt: set[str] = set()
        self._grp_el_at = "/Document/CstmrCdtTrfInitn/GrpHdr"
        for el in self._stream:
            tag = el.tag
            if tag == self._tx:
                parent = el.getparent()
                if parent is not pmt_el:  # its header, read once (the read transactions go)
                    pmt_el = parent
                    pmt = (self._text(parent, "PmtInfId"), self._account(self._path(parent, "DbtrAcct")),
                           self._declared(parent, where(parent, "/Document/CstmrCdtTrfInitn/PmtInf")))
                at = where(el, "/Document/CstmrCdtTrfInitn/PmtInf/CdtTrfTxInf")
                amt = self._path(el, "Amt", "InstdAmt")
                if amt is None:
                    amt = self._path(el, "Amt", "EqvtAmt", "Amt")
                fen, ccy = None, ""
                if amt is None:
                    self.problems.add(at, "Amt", Phrase.of("format.iso.no_amount_or_equivalent"))
                else:
                    ccy = (amt.get("Ccy") or "").strip()
                    try:
                        fen = amount_fen(amt.text)
                    except ValueError as exc:
                        self.problems.add(where(amt, at), "InstdAmt", why(exc))
                rmt = self._path(el, "RmtInf")
                yield Instruction(at, pmt[0], pmt[1], self._text(el, "PmtId", "InstrId"),
                                  self._text(el, "PmtId", "EndToEndId"), fen, ccy,
                                  self._text(el, "Cdtr", "Nm"), self._account(self._path(el, "CdtrAcct")),
                                  "" if rmt is None else "".join(
                                      u.text or "" for u in rmt.iterchildren(self._t("Ustrd"))))
                n_all += 1
                n_pmt += 1
                fen_all += fen or 0
                fen_pmt += fen or 0
                ccys_all.add(ccy)
                ccys_pmt.add(ccy)
                el.clear(keep_tail=True)
                if n_all & 255 == 0 and parent is not None:
                    del parent[: parent.index(el)]
            elif tag == self._pmt:
                declared = pmt[2] if pmt_el is el else self._declared(el, where(el, "PmtInf"))
                self._check(el, declared, n_pmt, fen_pmt, ccys_pmt)
                n_pmt = fen_pmt = 0
                ccys_pmt = set()
                pmt_el = None
                el.clear(keep_tail=True)
            elif tag == self._grp:
                self._grp_el_at = where(el, "/Document/CstmrCdtTrfInitn/GrpHdr")
                self.declared = self._declared(el, self._grp_el_at)
            elif tag == self._doc:
                self.complete = True
                count, total = self.declared
                at = self._grp_el_at
                if count is not None and count != n_all:
                    self.problems.add(at, "NbOfTxs", Phrase.of("format.iso.grphdr_count_differs",
                                                                count=count, seen=n_all))
                if total is not None and len(ccys_all) == 1 and total != fen_all:
                    self.problems.add(at, "CtrlSum", Phrase.of("format.iso.grphdr_fen_differs",
                                                                total=total, actual=fen_all))
        if not self._stream.broken:
            root = self._stream.root
            if root is not None and root.tag != self._doc:
                self.problems.add("/", local_name(root.tag), Phrase.of("format.iso.root_not_document"))
        self._stream.check_complete(self.complete)

    def _check(self, pmt: etree._Element, declared: tuple, n: int, fen: int, ccys: set[str]) -> None:
        at = where(pmt, "/Document/CstmrCdtTrfInitn/PmtInf")
        count, total = declared
        if count is not None and count != n:
            self.problems.add(at, "NbOfTxs", Phrase.of("format.iso.pmtinf_has", count=count, seen=n))
        if total is not None and len(ccys) == 1 and total != fen:
            self.problems.add(at, "CtrlSum", Phrase.of("format.iso.pmtinf_fen_differs", total=total,
                                                                actual=fen))
