"""The delimited format family: ``|``-separated text lines, a header line and a digest line.

    fmt = DelimitedFormat()                       # UTF-8, SHA-256, "\\n", integer fen
    fmt = DelimitedFormat(encoding="gbk", digest="sm3", line_ending="\\r\\n",
                          amount_style="yuan")
    fmt.write_payments(out, header, lines)        # the service
    reader = fmt.read_payments(src)               # the bank simulator
    fmt.write_results(out, result_header, records)
    reader = fmt.read_results(src)                # the service
    fmt.write_statement(out, statement_header, entries)   # the bank simulator
    reader = fmt.read_statement(src)              # the service
    fmt.detect(first_bytes)                       # "payments", "results", "statement" or None

Options: ``encoding`` ``"utf-8"`` (default), ``"gbk"`` or ``"gb18030"``; ``digest`` ``"sha256"``
(default) or ``"sm3"`` (GB/T 32905, through ``cryptography``); ``line_ending`` ``"\\n"``
(default) or ``"\\r\\n"`` for writing (the readers take either, even mixed); ``amount_style``
``"fen"`` (default) or ``"yuan"`` for every amount field of every kind of file (see Values). A
wrong option raises ValueError naming it.

Payment and result files are written and read by the declared-layout engine
(:mod:`bank_formats.layout`) from this family's declaration, ``bank_formats/layout/builtin/
delimited.toml``, with the format's encoding, digest, line ending and amount style applied
(``bank_formats.layout.declaration.shipped``); the declaration states the family's rules below
(``numbers = "counted"``, ``seq_in = "message"``, ``wording = "delimited"``, ``lines =
"strict"``, ``max_line = 1048576``). The statement is not declared and stays with this package.

Modules: ``core`` (options, amount styles, values, the statement writer's sink),
``lines`` (the line scanner and base of the readers of digest-line files: the statement reader
and the declared layouts' strict reader), ``layout`` (the payment and result fields as problems
name them, from the declaration, and the reason codes), ``statements`` (the statement writer and
reader) and ``detect``.

Payment file (one batch)::

    line   record  fields, in order (| between them)
    1      H       H | file_id | batch_id | payer_account | payer_name | bank_code | count |
                   total_fen | created_at | requested_date | purpose
    2..    D       D | seq | account_no | name | amount_fen | id_number | account_kind |
                   bank_name | subsidy_item | remark | phone | address | household_no
    last   S       S | SHA256 | <64 hex digits>        (or S | SM3 | <64 hex digits>)

Result file (answers one payment file)::

    line   record  fields, in order
    1      H       H | file_id | original_file_id | batch_id | created_at | count |
                   paid_count | paid_fen | failed_count | failed_fen
    2..    D       D | seq | account_no | amount_fen | status | bank_code | bank_text
                   [| bank_ref | name]     (the bank's reference of the payment, 银行流水号,
                                            and the beneficiary's name as the bank states it)
    last   S       S | SHA256 | <64 hex digits>        (or S | SM3 | <64 hex digits>)

A result detail line carries the two trailing fields only when the record has a bank_ref or a
name: a record with neither is written in 7 fields, exactly as before there were any, and the
reader takes 7 or 9 on every line (a 7-field line reads back with both empty). The layout has
no version and no spare field, so the count of fields is what tells them apart.

Statement (对账单: the movements on one account, the agency clearing account, in a period)::

    line   record  fields, in order
    1      H       H | statement_id | account | created_at | from_date | to_date |
                   opening_balance_fen | closing_balance_fen | count | credit_fen | debit_fen |
                   currency
    2..    D       D | seq | side | amount_fen | booking_date | reference | batch_id | line_seq |
                   counterparty_name | counterparty_account | remark
    last   S       S | SHA256 | <64 hex digits>        (or S | SM3 | <64 hex digits>)

The headers have 11 (payment), 10 (result) and 12 (statement) fields and the detail lines 13,
7 or 9, and 11, so no kind of file reads as another. A statement's balances must follow from its sums
(closing = opening + credit - debit) and its entries must add up to count, credit_fen (the
entries of side C) and debit_fen (side D); the writer refuses, and the reader reports, anything
else. ``write_statement`` reports credit_fen + debit_fen as ``total_fen``.

Values::

    field                  written as                               read as
    count, *_count         decimal digits                           1-18 ASCII digits
    amount_fen, total_fen, amount_style "fen": integer fen,         1-18 ASCII digits
      paid_fen, failed_fen,  decimal digits, no sign, no point      (leading zeros allowed)
      credit_fen, debit_fen  (0 .. 10**18-1); never float
                           amount_style "yuan": yuan with exactly   1-16 ASCII digits, ".",
                             two decimals, 1234.56, 0.05, 0.00;     2 ASCII digits (leading
                             converted by integer arithmetic only   zeros allowed)
    opening_balance_fen,   as an amount, "-" in front when          same, "-" allowed
      closing_balance_fen    negative (-(10**18-1) .. 10**18-1)
    amount_fen of an entry > 0                                      same
    seq                    positive integer; strictly increasing    same
    line_seq               positive integer, or empty (None);       same
                           only with a batch_id
    side                   C = CREDIT (into the account),           same
                           D = DEBIT (out of it)
    booking_date           yyyy-mm-dd, from_date .. to_date         same
    from_date, to_date     yyyy-mm-dd, from_date <= to_date         same
    currency               3 letters A-Z (CNY)                      same
    created_at             yyyy-mm-ddThh:mm:ss, then +hh:mm / -hh:mm  same, or Z for UTC;
                           when the datetime has a time zone;       no offset = naive datetime
                           microseconds are dropped (to the second)
    requested_date         yyyy-mm-dd                               same
    account_kind           CARD | PASSBOOK | SOCIAL_SECURITY_CARD   same (exactly)
    status                 S = PAID, F = FAILED                     same
    required texts         file_id, batch_id, payer_account, payer_name, bank_code,
                           original_file_id, statement_id, account, and on payment lines
                           account_no, name, id_number, on entries reference
    optional texts         purpose, bank_name, subsidy_item, remark, phone, address,
                           household_no, result account_no, bank_code, bank_text, bank_ref,
                           name, entry batch_id, counterparty_name, counterparty_account: may
                           be empty

No escaping exists (the banks' parsers have none): a value holding ``|``, CR or LF cannot be
written, nor a character the encoding lacks (e.g. a CJK Extension B character in GBK; GB18030
and UTF-8 take every character). The writer raises FormatError naming the line and the field.

The digest line carries the digest of every byte of the file before it (header and detail
lines, with their line endings). Writers compute it while streaming and write it only when
the file had no problem, so a file whose writer failed never looks complete. Readers compute it
while reading; a file without a digest line is incomplete (truncated), one whose digest differs
was changed or damaged, and anything after the digest line is refused. The algorithm named in
the digest line must be the one the format was configured with.

Bank reason codes of result files (``status`` F)::

    code  reason              bank text
    E01   ACCOUNT_NOT_FOUND   账户不存在
    E02   NAME_MISMATCH       户名不符
    E03   ACCOUNT_CLOSED      账户已销户
    E04   ACCOUNT_FROZEN      账户冻结
    E05   ID_MISMATCH         证件号码不符
    E06   CARD_LOST           卡已挂失
    E99   OTHER               其他原因
    any other code, or none: OTHER; the code and text are kept verbatim (bank_code, bank_text)

Writing a failed record: its ``bank_code`` is written as it is; with no ``bank_code`` the code of
its reason (above; E99 when it has no reason either) is written, so it reads back as bank_code.
A ``bank_code`` that the reader would map to another reason than the record's (e.g. E01 with
NAME_MISMATCH, or an unlisted code with ACCOUNT_FROZEN) cannot be read back as written and is
refused; with no reason, the code's reason is what reads back. A paid record has no reason; its
code and text, if any, are written and read back verbatim.

Readers also accept: CRLF or LF line endings (mixed), a UTF-8 byte order mark, a digest line
without a line ending, the digest in upper case, leading zeros in numbers. They do not require
seq to start at 1 or to have no gaps, only to increase.

The side is C or D, a letter like a result's status (S or F); the model's EntrySide (CRDT,
DBIT) is what the reader yields. Field names stay ``*_fen`` in the yuan style: they name the
model's field an amount is read into, and problems name them so.

``detect`` looks at the header line only: it must end within the bytes given (at most
DETECT_BYTES; every file of the family has a digest line after it), start with ``H|`` (after a
UTF-8 byte order mark, if any), decode in the format's encoding or another of the family's, have
a kind's number of fields and a date and time where that kind has created_at. Anything else,
whatever the bytes, is None.

Problems name ``"line N"`` (the 1-based line of the file; a writer counts the header as line 1
and the n-th line or record given as line n+1) and the field by its name above (or
``record_type``, ``fields`` for a wrong number of fields, ``digest``, ``algorithm``). Readers
stream in constant memory (lines are limited to 1 MiB), collect every problem and raise one
FormatError at the end of iteration (when the header itself is bad, from the constructor, after
reading the whole file); an OSError from the source propagates.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import BinaryIO

from bank_formats.base import FileKind, WrittenFile
from bank_formats.carriage import LINE_TEXTS, Carriage, TextField
from bank_formats.delimited.core import MAX_FEN, MAX_NUMBER, SEP, Options, encoding_name, new_hasher
from bank_formats.delimited.detect import detect
from bank_formats.delimited.layout import CODE_TEXT, CODE_TO_REASON, REASON_TO_CODE
from bank_formats.delimited.statements import StatementReader, write_statement
from bank_formats.layout.declaration import shipped
from domain.model import (
    PaymentFileHeader,
    PaymentLine,
    ResultFileHeader,
    ResultRecord,
    StatementEntry,
    StatementHeader,
)

__all__ = [
    "CODE_TEXT",
    "CODE_TO_REASON",
    "REASON_TO_CODE",
    "DelimitedFormat",
    "StatementReader",
    "new_hasher",
]


class DelimitedFormat:
    """``|``-separated payment files, result files and statements with a digest line; see the
    module docstring."""

    name = "delimited"
    file_suffix = ".txt"

    def __init__(self, schema_dir: object = None, *, encoding: str = "utf-8",
                 digest: str = "sha256", line_ending: str = "\n",
                 amount_style: str = "fen") -> None:
        # schema_dir is accepted like every format's; this format has no schema
        self.schema_dir = schema_dir
        self.options = Options.checked(encoding, digest, line_ending, amount_style)
        self.encoding = self.options.encoding
        self.digest = self.options.digest
        self.line_ending = self.options.line_ending
        self.amount_style = self.options.amounts.name
        # payment and result files are the declared layout's, with this format's options (the engine
        # imports this package's core, so it is imported here, on first use)
        from bank_formats.layout.format import LayoutFormat

        self._layout = LayoutFormat(declaration=shipped(
            "delimited", encoding=self.encoding, line_ending="CRLF" if self.line_ending == "\r\n" else "LF",
            unit=self.amount_style, digest=self.digest))

    def carriage(self) -> Carriage:
        """What a payment file carries: any text its encoding writes, without ``|`` (no escaping;
        line breaks no carriage takes), of any length; account_no, name, id_number, file_id,
        batch_id, payer_account, payer_name and bank_code not empty (see
        :mod:`bank_formats.carriage`)."""
        made = self.__dict__.get("_carriage")
        if made is None:
            required = {"account_no", "name", "id_number", "file_id", "batch_id", "payer_account", "payer_name",
                        "bank_code"}
            made = self._carriage = Carriage(
                family=self.name, encoding=self.encoding, encoding_label=encoding_name(self.encoding).upper(),
                in_bytes=True, line=[TextField(n, None, n in required) for n in LINE_TEXTS],
                header=[TextField(n, None, n in required) for n in (
                    "file_id", "batch_id", "payer_account", "payer_name", "bank_code", "purpose")],
                max_amount_fen=MAX_FEN, max_total_fen=MAX_FEN, max_count=MAX_NUMBER,
                separators={SEP: "the field separator"})
        return made

    def __repr__(self) -> str:
        return (f"DelimitedFormat(encoding={self.encoding!r}, digest={self.digest!r}, "
                f"line_ending={self.line_ending!r}, amount_style={self.amount_style!r})")

    def write_payments(
        self, out: BinaryIO, header: PaymentFileHeader, lines: Iterable[PaymentLine]
    ) -> WrittenFile:
        return self._layout.write_payments(out, header, lines)

    def read_payments(self, src: BinaryIO, name: str = "<payment file>"):
        return self._layout.read_payments(src, name)

    def write_results(
        self, out: BinaryIO, header: ResultFileHeader, records: Iterable[ResultRecord]
    ) -> WrittenFile:
        return self._layout.write_results(out, header, records)

    def read_results(self, src: BinaryIO, name: str = "<result file>"):
        return self._layout.read_results(src, name)

    def write_statement(
        self, out: BinaryIO, header: StatementHeader, entries: Iterable[StatementEntry]
    ) -> WrittenFile:
        return write_statement(out, header, entries, self.options)

    def read_statement(self, src: BinaryIO, name: str = "<statement>") -> StatementReader:
        return StatementReader(src, name, self.options)

    def detect(self, head: bytes) -> FileKind | None:
        return detect(head, self.encoding)
