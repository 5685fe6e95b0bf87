"""SWIFT MT940 customer statements (对账单 in the format European banks send), read with ``mt-940``.

    fmt = Mt940Format(encoding="utf-8", account="")   # the profile's [statements] options
    reader = fmt.read_statement(src, name)
    for entry in reader: ...                      # StatementEntry, statement by statement
    reader.header                                 # the file's figures (see below)
    reader.skipped                                # what was read and not yielded, and why

An MT940 file is one or more statements, each a run of tags: ``:20:`` reference, ``:25:``
account, ``:28C:`` statement number, ``:60F:``/``:60M:`` opening balance, then per movement a
``:61:`` statement line and its ``:86:`` details, then ``:62F:``/``:62M:`` closing balance and
optional ``:64:``, ``:65:`` and a closing ``:86:``. Banks wrap them in SWIFT blocks
(``{1:...}{2:...}{4:`` ... ``-}``), or a ``:940:`` line, or nothing; all are taken.

The library (``mt940.tags``) parses each tag's value: its grammar of the ``:61:`` line (value
date, entry date with the year crossing, debit/credit mark with reversals, amount, type, the
customer and bank references, supplementary details) and of balances. The tags themselves are
split here, line by line, so that a file of any size is read in constant memory and every
problem names its line; the library's whole-file parser keeps every transaction in a list and
gives a statement-level ``:86:`` to the last transaction.

What becomes of the statements: the file is one :class:`StatementHeader` for one account in one
currency, the account and currency of its first statement (or the profile's ``account``). Its
statements must follow each other (each opening balance is the previous closing balance) and
each must add up (opening + credits - debits = closing). The header's opening balance is the
first statement's, its closing balance the last one's, its period the first to the last booking
or balance day, its statement id ``:20:/:28C:`` of the first statement (``..:28C:`` of the
last when there are several). A statement without a closing balance (a bank that leaves
``:62F:`` out of the day's last page) closes with what its entries add up to, and the reader
says so in ``notes``.

Entries (StatementEntry)::

    side            C, RD (reversal of a debit): CREDIT; D, RC: DEBIT
    amount_fen      the :61: amount, decimal comma, exact to the fen (more decimals only as 0)
    booking_date    the :61: entry date (MMDD, its year from the value date), else the value date
    reference       the :61: bank reference (after //), else its customer reference, else
                    "<:20:>/<n>"; at most 35 characters
    batch_id,       from :86: /EREF/<batch>-<seq>/ (the end-to-end reference of our payment
    line_seq        file), else /PREF/<batch>/ (payment information: our batch); else the
                    :61: customer reference when it has the form <batch>-<seq>
    counterparty    :86: /CNTP/account/bic/name/, or /BENM/ or /ORDP/ //NAME/, or the account on
                    the :61: line's second line
    remark          the :86: text, its 65-character pieces joined

Skipped, never yielded (``reader.skipped``): every entry of a statement of another account or
in another currency (OTHER_ACCOUNT, FOREIGN_CURRENCY), and entries of amount zero (ZERO_AMOUNT:
a bank's notice, not a movement). Problems (a tag the grammar refuses, text outside any tag, an
amount with a fraction of a fen, a statement that does not add up or does not follow the one
before, no statement at all) are collected with their line and raised as one FormatError when
iteration ends.
"""
from __future__ import annotations

import decimal
import functools
import logging
import re
from collections.abc import Iterator
from datetime import date
from typing import BinaryIO

import mt940

from bank_formats.base import FileKind, FormatError, Problem, Refused, Skipped, why
from bank_formats.statement_common import ReadThenStated, Tally, fen, our_reference
from domain.model import EntrySide, StatementEntry
from domain.money import plain_yuan
from i18n import Named, Phrase
from i18n.stored import message as stored_message

_TAG_LINE = re.compile(r":(\d\d[A-Z]?|NS):")
_ACCOUNT_LIKE = re.compile(r"(?=.*\d)[A-Z0-9]{8,34}")
MAX_PROBLEMS = 200
ENCODINGS = ("utf-8", "latin-1", "cp1252", "ascii", "gbk", "gb18030")

_STATEMENT_LINE = mt940.tags.Tags.STATEMENT.value
# Banks that put the counterparty's IBAN (longer than SWIFT's 16 characters) in the customer
# reference, as SNS and ASN do: the library's grammar for them, tried when the standard refuses.
_LONG_REFERENCE_LINE = mt940.tags.StatementASNB()
_BALANCE = mt940.tags.Tags.FINAL_OPENING_BALANCE.value
_NUMBER = mt940.tags.Tags.STATEMENT_NUMBER.value
_OPENING = {"60F", "60M", "60"}
_CLOSING = {"62F", "62M", "62"}
# The library logs a value its grammar refuses at ERROR, whole: it may hold names and accounts,
# which our logs never show unmasked. The refusal reaches the caller as a FormatError instead.
logging.getLogger("mt940").setLevel(logging.CRITICAL)
_INFO = {"13", "13D", "21", "34F", "64", "65", "90C", "90D", "NS"}  # read, not needed


class Mt940Format:
    """Statement-only format: reads MT940; writes it for the bank simulator (round trips)."""

    name = "mt940"
    file_suffix = ".940"

    def __init__(self, encoding: str = "utf-8", account: str = ""):
        if encoding not in ENCODINGS:
            raise Refused("format.declaration.at", path="encoding", why=Phrase.of(
                "format.declaration.not_one_of", got=repr(encoding), allowed=", ".join(ENCODINGS)))
        if not isinstance(account, str):
            raise Refused("format.declaration.at", path="account",
                          why=Phrase.of("format.declaration.text", got=repr(account)))
        self.encoding, self.account = encoding, account

    def read_statement(self, src: BinaryIO, name: str = "<statement>") -> Mt940Reader:
        return Mt940Reader(src, name, self.encoding, self.account)

    def write_statement(self, out, header, entries):
        from bank_formats.statement_mt940_writer import write_statement

        return write_statement(out, header, entries, self.encoding)

    def detect(self, head: bytes) -> FileKind | None:
        text = head.lstrip(b"\xef\xbb\xbf\r\n ")
        if text.startswith(b"{1:") and b"{2:" in text[:200] and b"940" in text[:200]:
            return "statement"
        if text.startswith((b":940:", b":20:")) and b"\n:25:" in text[:400].replace(b"\r", b""):
            return "statement"
        return None


class _Statement:
    """One statement of the file as it is read."""

    def __init__(self, line: int, reference: str):
        self.line, self.reference = line, reference
        self.account = self.number = self.currency = ""
        self.opening: int | None = None
        self.opening_day: date | None = None
        self.closing: int | None = None
        self.closing_day: date | None = None
        self.net = 0  # credits - debits of its entries, skipped ones too
        self.entries = 0
        self.ours: bool | None = None  # of the file's account and currency (decided at the first entry)
        self.why_not = ""


class Mt940Reader(ReadThenStated):
    """Iterates a statement file's entries; ``header`` once read (see the module docstring)."""

    def __init__(self, src: BinaryIO, name: str, encoding: str, account: str):
        super().__init__(src, name)
        self.encoding, self.want_account = encoding, account
        self._ctx = mt940.models.Transactions()

    # --- the tags, line by line -------------------------------------------------------------

    def _tags(self, problems: list[Problem]) -> Iterator[tuple[int, str, str]]:
        """(line, tag, value) of every tag, continuation lines joined with \\n; ("end") at the
        end of a SWIFT block."""
        tag, value, at = None, [], 0
        for n, raw in enumerate(self.src, 1):
            try:
                line = raw.decode(self.encoding).rstrip("\r\n")
            except UnicodeDecodeError as exc:
                problems.append(Problem.of(f"line {n}", "encoding", Phrase.of(
                    "format.not_encoding_at", encoding=self.encoding, reason=exc.reason, at=exc.start)))
                line = raw.decode(self.encoding, "replace").rstrip("\r\n")
            if n == 1:
                line = line.lstrip("\ufeff")
            m = _TAG_LINE.match(line)
            if m is not None and line != ":940:":
                if tag is not None:
                    yield at, tag, "\n".join(value)
                tag, value, at = m.group(1), [line[m.end():]], n
                continue
            bare = line.strip()
            if bare.startswith("{") or bare == ":940:":  # a SWIFT block header: {1:..}{2:..}{4:
                if tag is not None:
                    yield at, tag, "\n".join(value)
                    tag = None
                rest = bare.split("{4:", 1)[1] if "{4:" in bare else ""
                if rest.strip():
                    problems.append(Problem.of(f"line {n}", "{4:", Phrase.of("format.mt940.after_block_start")))
                if "{4:" in bare:  # the text block, where the statement is ({1:}, {2:}... are envelope)
                    yield n, "start", ""
                continue
            if bare == "-" and tag == "86":  # a wrapped "-" of the details (the library drops it)
                value.append(line)
                continue
            if bare.startswith("-}") or bare == "-":  # the end of block 4, or of a statement
                if tag is not None:
                    yield at, tag, "\n".join(value)
                    tag = None
                yield n, "end" if bare == "-" else "end-block", ""
                continue
            if tag is not None:
                value.append(line)
            elif bare:
                problems.append(Problem.of(f"line {n}", "tag", Phrase.of("format.mt940.outside_tag",
                                                                         text=repr(bare[:40]))))
        if tag is not None:
            yield at, tag, "\n".join(value)

    # --- the statements ----------------------------------------------------------------------

    def __iter__(self) -> Iterator[StatementEntry]:
        problems: list[Problem] = []
        self.skipped, self.notes = [], []
        tally = Tally()
        stmts: list[_Statement] = []
        st: _Statement | None = None
        pending = None  # (line, fields) of a :61: waiting for its :86:
        account = currency = ""
        first_open = last_close = None
        first_open_day = last_close_day = None
        first_id = last_number = ""
        seq = 0

        def problem(where: int, field: str, message: str | Phrase) -> None:
            if len(problems) < MAX_PROBLEMS:
                problems.append(Problem.of(f"line {where}", field, message))

        def finish_entry(details: str) -> StatementEntry | None:
            nonlocal pending, seq
            line, f = pending
            pending = None
            info = _details(details)
            amount, side = f["fen"], f["side"]
            st.net += amount if side is EntrySide.CREDIT else -amount
            st.entries += 1
            if st.ours is None:
                decide(st, line)
            if not st.ours or amount == 0:
                self.skipped.append(_skipped(line, st, side, amount, f["reference"], currency))
                return None
            batch_id, line_seq = our_reference(info.get("EREF", ""), info.get("PREF", ""))
            if not batch_id:
                batch_id, line_seq = our_reference(f["customer"])
                if line_seq is None:
                    batch_id = ""
            seq += 1
            tally.add(side, amount, f["day"])
            return StatementEntry(seq, side, amount, f["day"], f["reference"][:35] or f"{st.reference}/{seq}"[:35],
                                  batch_id, line_seq, info.get("name", ""),
                                  info.get("account", "") or f["account"], info.get("text", ""))

        def decide(s: _Statement, line: int) -> None:
            nonlocal account, currency
            if not account:
                if self.want_account and _norm(s.account) != _norm(self.want_account):
                    s.ours, s.why_not = False, "OTHER_ACCOUNT"
                    return
                account, currency = s.account, s.currency
            if _norm(s.account) != _norm(account):
                s.ours, s.why_not = False, "OTHER_ACCOUNT"
            elif s.currency != currency:
                s.ours, s.why_not = False, "FOREIGN_CURRENCY"
            else:
                s.ours = True

        def close(s: _Statement, at: int, ended: bool = True) -> None:
            nonlocal first_open, last_close, first_open_day, last_close_day, first_id, last_number
            if s.opening is None:
                problem(s.line, ":60F:", Phrase.of("format.mt940.no_opening", statement=s.reference))
                return
            if s.ours is None:
                decide(s, s.line)
            if s.closing is None and not ended:
                problem(at, ":62F:", Phrase.of("format.mt940.ends_in_statement",
                                               statement=f"{s.reference}/{s.number}"))
                return
            if s.closing is None:
                s.closing, s.closing_day = s.opening + s.net, None
                self.notes.append(stored_message("format.mt940.note_no_closing", line=s.line,
                                                 statement=f"{s.reference}/{s.number}",
                                                 closing=plain_yuan(s.closing), currency=s.currency))
            elif s.opening + s.net != s.closing:
                problem(at, ":62F:", Phrase.of("format.mt940.does_not_add_up",
                                               statement=f"{s.reference}/{s.number}", opening=plain_yuan(s.opening),
                                               net=plain_yuan(s.net), closing=plain_yuan(s.closing)))
            if not s.ours:
                return
            if first_open is None:
                first_open, first_open_day, first_id = s.opening, s.opening_day, f"{s.reference}/{s.number}"
            elif s.opening != last_close:
                problem(s.line, ":60F:", Phrase.of("format.mt940.does_not_follow",
                                                   statement=f"{s.reference}/{s.number}",
                                                   opening=plain_yuan(s.opening),
                                                   closing=plain_yuan(last_close)))
            last_close, last_number = s.closing, s.number
            last_close_day = s.closing_day or last_close_day
            stmts.append(s)

        in_block = 0  # the line of an open SWIFT block, 0 outside one
        for at, tag, value in self._tags(problems):
            if tag == "start":
                if in_block:
                    problem(at, "{1:", Phrase.of("format.mt940.block_in_block", line=in_block))
                in_block = at
                continue
            if pending is not None and tag != "86":
                entry = finish_entry("")
                if entry is not None:
                    yield entry
            if tag in ("end", "end-block", "20"):
                if tag == "end-block":
                    in_block = 0
                if st is not None:
                    close(st, at)
                    st = None
                if tag == "20":
                    st = _Statement(at, value.strip())
                continue
            if st is None:
                problem(at, f":{tag}:", Phrase.of("format.mt940.before_20"))
                continue
            try:
                if tag == "25":
                    st.account = _account(value)
                elif tag in ("28C", "28"):
                    number = value.replace("\n", "").strip()
                    st.number = number if _NUMBER.re.match(number) else number[:16]
                elif tag in _OPENING:
                    st.opening, st.opening_day, st.currency = _balance(value)
                    tail = st.account[-3:]
                    if tail == st.currency and len(st.account) > 3 and not st.account[-4].isalpha():
                        st.account = st.account[:-3].rstrip()
                elif tag in _CLOSING:
                    st.closing, st.closing_day, cur = _balance(value)
                    if st.currency and cur != st.currency:
                        problem(at, f":{tag}:", Phrase.of("format.mt940.closing_currency", closing=cur,
                                                          opening=st.currency))
                elif tag == "61":
                    if st.opening is None:
                        problem(at, ":61:", Phrase.of("format.mt940.line_before_opening"))
                    pending = (at, self._line(value))
                elif tag == "86":
                    if pending is not None:
                        entry = finish_entry(value)
                        if entry is not None:
                            yield entry
                    # else: statement-level information (e.g. /SUM/), not a movement
                elif tag not in _INFO:
                    pass  # a bank's own tag: the library knows no grammar for it, nothing to book
            except (ValueError, RuntimeError, decimal.InvalidOperation) as exc:
                problem(at, f":{tag}:", _reason(exc))
                pending = None
        if pending is not None:
            entry = finish_entry("")
            if entry is not None:
                yield entry
        if st is not None:  # no block end, no next statement: complete only with its closing balance
            close(st, st.line, ended=False)
        if in_block:
            problem(in_block, "-}", Phrase.of("format.ends_in_block"))
        if not stmts and not problems:
            none = (Phrase.of("format.mt940.no_statement_of", account=self.want_account) if self.want_account
                    else Phrase.of("format.mt940.no_statement"))
            problems.append(Problem.of("file", ":20:", none))
        if problems:
            raise FormatError(self.name, problems)
        statement_id = first_id + (f"..{last_number}" if len(stmts) > 1 else "")
        self._header = tally.header(statement_id, account, first_open, last_close, currency,
                                    stmts[0].closing_day if tally.count == 0 else None, last_close_day)

    def _line(self, value: str) -> dict:
        """The fields of a ``:61:`` statement line, by the library's grammar."""
        first, *rest = value.split("\n")
        if rest:  # the supplementary details, however the bank wrapped them: one line
            value = f"{first}\n{''.join(part.strip() for part in rest)}"
        grammar = _STATEMENT_LINE
        try:
            groups = grammar.parse(self._ctx, value)
        except RuntimeError:
            grammar = _LONG_REFERENCE_LINE
            try:
                groups = grammar.parse(self._ctx, value)
            except RuntimeError:
                raise Refused("format.mt940.not_statement_line", raw=repr(value[:80])) from None
        mark = (groups["status"] or "").upper()
        side = EntrySide.CREDIT if mark in ("C", "RD") else EntrySide.DEBIT
        amount = fen(groups["amount"], decimal=",")
        day = _booking_day(groups["year"], groups["month"], groups["day"], groups.get("entry_month"),
                           groups.get("entry_day"))
        extra = (groups.get("extra_details") or "").strip()
        customer = (groups.get("customer_reference") or "").strip()
        bank = (groups.get("bank_reference") or "").strip()
        return {"side": side, "fen": amount, "day": day, "customer": customer,
                "reference": bank or ("" if customer.upper() == "NONREF" else customer),
                "account": extra.split()[0] if _ACCOUNT_LIKE.fullmatch(extra.split()[0] if extra else "") else ""}


def _skipped(line: int, st: _Statement, side: EntrySide, amount: int, reference: str, currency: str) -> Skipped:
    """The entry at ``line`` skipped: of another account or currency (``st.why_not``; its amount
    kept when in the file's ``currency``), else of amount zero (a notice, no movement)."""
    named, yuan = Named("format.side", side.value), plain_yuan(amount)
    if not st.ours:
        said = Phrase.of("format.mt940.skipped_other", side=named, amount=yuan, currency=st.currency,
                         reference=reference, statement=st.reference, account=st.account)
        return Skipped.of(f"line {line}", st.why_not, said, amount if st.currency == currency else None)
    said = Phrase.of("format.mt940.skipped_zero", side=named, amount=yuan, currency=st.currency, reference=reference)
    return Skipped.of(f"line {line}", "ZERO_AMOUNT", said, 0)


def _reason(exc: Exception) -> Phrase:
    """Why a tag's value was refused, in words: ours, or the words of the library's grammar or of
    Python's date and decimal checks (a RuntimeError of the library carries its text first)."""
    reason = str(exc.args[0]) if isinstance(exc, RuntimeError) else why(exc)
    if isinstance(reason, Phrase):
        return reason
    # the library names its tag by the object's repr, whose address differs on every run
    return Phrase.of("format.mt940.grammar", error=_OBJECT_AT.sub(r"<\1>", reason))


_OBJECT_AT = re.compile(r"<([\w.]+) object at 0x[0-9a-fA-F]+>")


@functools.lru_cache(maxsize=4096)
def _booking_day(year: str, month: str, day: str, entry_month: str | None, entry_day: str | None) -> date:
    """The entry (booking) date of a ``:61:`` line, else its value date: the entry date has no
    year, so it takes the value date's, one more or less when the two lie across a new year
    (the library's rule, ``mt940.tags.Statement``: 330 days or more apart). Cached: a statement
    has few distinct days, and building them was a fifth of the reading time."""
    value = date(2000 + int(year), int(month), int(day))
    if not (entry_month and entry_day and entry_month.isdigit() and entry_day.isdigit()):
        return value
    entry = date(value.year, int(entry_month), int(entry_day))
    if value > entry and (value - entry).days >= 330:
        entry = date(value.year + 1, entry.month, entry.day)
    elif entry > value and (entry - value).days >= 330:
        entry = date(value.year - 1, entry.month, entry.day)
    return entry


def _norm(account: str) -> str:
    return account.replace(" ", "").upper()


def _account(value: str) -> str:
    """The ``:25:`` account: ``BIC/account``, ``account CCY`` or ``accountCCY`` (the currency is
    cut once the opening balance names it)."""
    text = value.replace("\n", "").strip()
    groups = mt940.tags.Tags.ACCOUNT_IDENTIFICATION.value.parse(None, text)
    text = (groups["account_identification"] or "").strip()
    if "/" in text:
        text = text.rsplit("/", 1)[1]
    if not text:
        raise Refused("format.mt940.no_account")
    return text


def _balance(value: str) -> tuple[int, date, str]:
    """(signed fen, date, currency) of a balance tag, by the library's grammar."""
    text = value.strip()
    groups = _BALANCE.parse(None, text)
    if _BALANCE.re.match(text).end() != len(text):
        raise Refused("format.mt940.not_balance", raw=repr(text))
    amount = fen(groups["amount"], decimal=",")
    day = mt940.models.Date(year=groups["year"], month=groups["month"], day=groups["day"])
    currency = groups["currency"]
    if not currency.isalpha() or not currency.isupper():
        raise Refused("format.mt940.not_currency", raw=repr(currency))
    return (amount if groups["status"] == "C" else -amount), date(day.year, day.month, day.day), currency


def _details(text: str) -> dict[str, str]:
    """What a ``:86:`` says: its text (pieces joined) and, when structured (``/CODE/value``),
    the references and the counterparty."""
    if not text:
        return {}
    parts = text.split("\n")
    if text.lstrip().startswith("/"):  # structured: wrapped at 65 characters, joined as one
        joined = "".join(p.strip() for p in parts)
    else:
        joined = " ".join(p.strip() for p in parts if p.strip())
    out = {"text": joined}
    if joined.startswith("/"):
        fields = _structured(joined)
        for code in ("EREF", "PREF"):
            if fields.get(code):
                out[code] = fields[code].split("/")[0]
        if "CNTP" in fields:  # account/bic/name/
            parts = fields["CNTP"].split("/")
            out["account"] = parts[0] if parts else ""
            out["name"] = parts[2] if len(parts) > 2 else ""
        for code in ("BENM", "ORDP"):
            if code in fields and "NAME" in fields:
                out.setdefault("name", fields["NAME"])
    return out


def _structured(text: str) -> dict[str, str]:
    """``/EREF/x//CNTP/a/b/c///REMI/...``: each known code and the text up to the next one."""
    fields: dict[str, str] = {}
    marks = list(_KNOWN_CODE.finditer(text))
    for i, m in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(text)
        fields.setdefault(m.group(1), text[m.end():end].strip("/"))
    return fields


_CODES = ("EREF", "PREF", "KREF", "MARF", "CSID", "CNTP", "REMI", "RTRN", "BENM", "ORDP", "NAME", "ADDR",
          "ISDT", "TRCD", "SUM", "PURP", "ULTC", "ULTD", "IBAN", "BIC")
_KNOWN_CODE = re.compile("/(" + "|".join(_CODES) + ")/")
