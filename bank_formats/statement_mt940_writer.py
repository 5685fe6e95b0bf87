"""Writing an MT940 statement: what the bank simulator sends for a bank whose profile says
``[statements] format = "mt940"``, so that the service's reader is tested on a round trip.

One statement per file, streamed::

    :20:<statement id, 16>          :25:<account>          :28C:<00001>
    :60F:<C|D><yymmdd from_date><CCY><opening, decimal comma>
    per entry:
    :61:<yymmdd><mmdd><C|D><amount>NTRFNONREF//<reference, 16>
    :86:/EREF/<batch>-<seq>/ (a line) or /PREF/<batch>/ (the batch), /CNTP/<account>//<name>/,
        /REMI/<remark>/, wrapped at 65 characters
    :62F:<C|D><yymmdd to_date><CCY><closing>

SWIFT gives a reference 16 characters: a longer one is cut to its last 16 (the end of our
references is what tells them apart). The writer checks what the reader checks (entries add up
to the header, the balances follow) and raises FormatError naming the entry otherwise.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import BinaryIO

from bank_formats.base import FormatError, Problem, WrittenFile
from domain.model import EntrySide, StatementEntry, StatementHeader
from i18n import Phrase

WIDTH = 65


def _amount(fen: int) -> str:
    return f"{fen // 100},{fen % 100:02d}"


def _balance(fen: int, day, currency: str) -> str:
    return f"{'C' if fen >= 0 else 'D'}{day:%y%m%d}{currency}{_amount(abs(fen))}"


def _wrapped(text: str) -> list[str]:
    return [text[i:i + WIDTH] for i in range(0, len(text), WIDTH)] or [""]


def write_statement(out: BinaryIO, header: StatementHeader, entries: Iterable[StatementEntry],
                    encoding: str = "utf-8") -> WrittenFile:
    size = 0
    count = credit = debit = 0

    def put(text: str) -> None:
        nonlocal size
        data = (text + "\r\n").encode(encoding)
        out.write(data)
        size += len(data)

    for text in (f":20:{header.statement_id[:16]}", f":25:{header.account}", ":28C:00001",
                 f":60F:{_balance(header.opening_balance_fen, header.from_date, header.currency)}"):
        put(text)
    for e in entries:
        count += 1
        if e.amount_fen <= 0 or e.seq != count:
            raise FormatError("<statement>", [Problem.of(f"entry {count}", "amount_fen/seq", Phrase.of(
                "format.mt940.entry_out_of_order", seq=e.seq, amount=e.amount_fen))])
        mark = "C" if e.side is EntrySide.CREDIT else "D"
        if e.side is EntrySide.CREDIT:
            credit += e.amount_fen
        else:
            debit += e.amount_fen
        put(f":61:{e.booking_date:%y%m%d%m%d}{mark}{_amount(e.amount_fen)}NTRFNONREF//{e.reference[-16:]}")
        details = ""
        if e.batch_id and e.line_seq is not None:
            details += f"/EREF/{e.batch_id}-{e.line_seq}/"
        elif e.batch_id:
            details += f"/PREF/{e.batch_id}/"
        if e.counterparty_account or e.counterparty_name:
            details += f"/CNTP/{e.counterparty_account}//{e.counterparty_name}/"
        if e.remark:
            details += f"/REMI/{e.remark.replace('/', ' ')}/"
        if details:
            pieces = _wrapped(details)
            put(f":86:{pieces[0]}")
            for piece in pieces[1:]:
                put(piece)
    if (count, credit, debit) != (header.count, header.credit_fen, header.debit_fen) or (
            header.opening_balance_fen + credit - debit != header.closing_balance_fen):
        raise FormatError("<statement>", [Problem.of("header", "count/credit_fen/debit_fen", Phrase.of(
            "format.mt940.entries_not_header", count=count, credit=credit, debit=debit))])
    put(f":62F:{_balance(header.closing_balance_fen, header.to_date, header.currency)}")
    put("-")
    return WrittenFile(count, credit + debit, size)
