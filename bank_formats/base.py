"""The interface every bank file format implements, and the one error hierarchy they raise.

A format is an object with symmetric operations: the service writes payment files and reads
result files and statements; the bank simulator reads payment files and writes result files and
statements. ``detect`` tells from a file's first bytes whether, and as which kind, it is one of
this format's files, so a file handed in without a name can still be routed.
Writers stream: they take iterables and write to a binary file object. Readers stream too: they
yield records as they go and raise one :class:`FormatError` at the end listing every problem
found, so a caller stages what it read and commits only when the reader finished cleanly.
``carriage`` says what a payment file can carry, so that a submission refuses what would not
render.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, BinaryIO, Literal, Protocol

from domain.model import (
    PaymentFileHeader,
    PaymentLine,
    ResultFileHeader,
    ResultRecord,
    StatementEntry,
    StatementHeader,
)
from i18n import WORDS, Named, Phrase, Refused  # noqa: F401 - Refused: the readers take it from here
from i18n.library_words import said as why  # noqa: F401 - the readers say why(exc): its reason in words
from i18n.stored import message as stored_message

if TYPE_CHECKING:
    from bank_formats.carriage import Carriage


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong in a file: where (line number or XPath) and which field, and why.

    ``message`` is the English text (what logs, errors and tests read). ``said`` is the same
    message as catalogue words (a :class:`~i18n.Phrase` whose English is ``message``), when the
    format has words for it: the service stores it so that people read it in their language
    (:meth:`stored`). It is made only when a problem is reported, never per good record."""

    where: str
    field: str
    message: str
    said: Phrase | None = field(default=None, compare=False)

    @classmethod
    def of(cls, where: str, field: str, message: str | Phrase) -> Problem:
        """The problem with ``message`` as a text, or as catalogue words (said in English here)."""
        if isinstance(message, Phrase):
            return cls(where, field, str(message), message)
        return cls(where, field, message)

    def __str__(self) -> str:
        return f"{self.where}: {self.field}: {self.message}"

    def stored(self) -> str:
        """What the ledger keeps of this problem (i18n.stored): a ``format.problem`` message (the
        place, the field by its name, the words) when the format said it in catalogue words, else
        the English text, shown as it is."""
        if self.said is None:
            return str(self)
        return stored_message("format.problem", where=_place(self.where), field=_field(self.field),
                              problem=self.said)


_LINE = re.compile(r"line (\d+)(?: \(seq (.*)\))?")
_OF_COLUMN = re.compile(r"(\w+) \((.+)\)")
_FIELD_N = re.compile(r"field ([1-9]\d*)")


def _field(name: str) -> Named | Phrase:
    """``name`` by its words; an unnamed field by its place; a field named with the file's own column ("amount ('Betrag')", as a
    CSV statement's mapping names it) as the field's words and the column as written."""
    unnamed = _FIELD_N.fullmatch(name)
    if unnamed is not None:  # a field the layout leaves unnamed, by its place: "field 3"
        return Phrase.of("format.field_n", n=int(unnamed.group(1)))
    m = _OF_COLUMN.fullmatch(name)
    if m is None or f"field.{name}" in WORDS or f"field.{m.group(1)}" not in WORDS:
        return Named("field", name)
    return Phrase.of("format.field_of_column", field=Named("field", m.group(1)), column=m.group(2))


def _place(where: str) -> Phrase | Named:
    """``where`` in words: "line 3" (and "line 3 (seq 7)") as a line of the file, else a named
    place (the file, the header; an XPath is named by itself)."""
    m = _LINE.fullmatch(where)
    if m is None:
        return Named("format_place", where)
    if m.group(2) is None:
        return Phrase.of("format.where.line", line=int(m.group(1)))
    return Phrase.of("format.where.line_seq", line=int(m.group(1)), seq=m.group(2))


class FormatError(ValueError):
    """A file that cannot be read or written in its format. Lists every problem found."""

    def __init__(self, file: str, problems: list[Problem], count: int | None = None):
        self.file = file
        self.problems = list(problems)
        # every problem found: more than listed when Problems kept MAX_PROBLEMS and noted the rest
        self.count = len(self.problems) if count is None else count
        shown = "; ".join(str(p) for p in self.problems[:10])
        more = f" (and {len(self.problems) - 10} more)" if len(self.problems) > 10 else ""
        super().__init__(f"{file}: {shown}{more}")


MAX_PROBLEMS = 1000  # a file with a million bad lines keeps no million problems


class Problems:
    """An ordered list of problems that stops growing at MAX_PROBLEMS (and says how many more):
    what a reader or writer collects before raising its one FormatError."""

    __slots__ = ("items", "dropped")

    def __init__(self) -> None:
        self.items: list[Problem] = []
        self.dropped = 0

    def add(self, where: str, field: str, message: str | Phrase) -> None:
        """Keep a problem; ``message`` in catalogue words (a Phrase) where the format has them."""
        if len(self.items) < MAX_PROBLEMS:
            self.items.append(Problem.of(where, field, message))
        else:
            self.dropped += 1

    def __bool__(self) -> bool:
        return bool(self.items)

    def __len__(self) -> int:
        return len(self.items) + self.dropped

    def listed(self) -> list[Problem]:
        """The problems the error lists, in their order."""
        return list(self.items)

    def error(self, file: str) -> FormatError:
        items = self.listed()
        if self.dropped:
            items.append(Problem.of("file", "*", Phrase.of("format.more_not_listed", count=self.dropped)))
        return FormatError(file, items, len(self))


def guarded(records: Iterator, problems, file: str) -> Iterator:
    """``records`` (a reader's generator) as the readers' contract says: a reader raises nothing
    but FormatError (or OSError, when the source itself fails). Anything else raised while
    reading is a bug or a case not foreseen, reported as the file's problem rather than lost:
    ``problems`` (any of the readers' Problems) gets it and its FormatError is raised."""
    try:
        yield from records
    except (FormatError, OSError):
        raise
    except Exception as exc:  # noqa: BLE001 - a reader raises nothing but FormatError
        problems.add("file", "file", Phrase.of("format.unexpected", error=f"{type(exc).__name__}: {exc}"))
        raise problems.error(file) from exc


@dataclass(frozen=True, slots=True)
class Skipped:
    """A record a reader read and did not yield, and why: no record is dropped silently.

    Readers that can skip (foreign-currency entries, non-final statuses, entries of other
    accounts, a statement's non-payment lines) keep a ``skipped`` list of these, complete once
    iteration ends; the service stores them with the file as its reading report.
    """

    where: str  # line number or XPath of the record
    reason: str  # stable code, e.g. FOREIGN_CURRENCY, NOT_FINAL, OTHER_ACCOUNT
    detail: str  # for people: what the record was (English; logs and tests read it)
    amount_fen: int | None = None  # the record's amount, where it has one in our currency
    said: Phrase | None = field(default=None, compare=False)  # ``detail`` in catalogue words

    @classmethod
    def of(cls, where: str, reason: str, said: Phrase, amount_fen: int | None = None) -> Skipped:
        """The record skipped, its detail in catalogue words (``detail`` their English)."""
        return cls(where, reason, str(said), amount_fen, said=said)

    def stored(self) -> str:
        """What the reading report keeps of ``detail`` (i18n.stored): the catalogue words when
        the reader said them, else the English text, shown as it is."""
        return self.detail if self.said is None else stored_message(self.said.key, **dict(self.said.fields))


class PaymentFileReader(Protocol):
    """Iterates the lines of a payment file; ``header`` is available before the first line."""

    header: PaymentFileHeader

    def __iter__(self) -> Iterator[PaymentLine]: ...


class ResultFileReader(Protocol):
    """Iterates the records of a result file; ``header`` is available before the first record.

    Iteration raises :class:`FormatError` at the end (or as soon as reading cannot go on) when
    anything was wrong, including control totals that do not match the records.
    """

    header: ResultFileHeader

    def __iter__(self) -> Iterator[ResultRecord]: ...


class StatementReader(Protocol):
    """Iterates the entries of a statement; ``header`` is available before the first entry.

    Like a result file reader it raises :class:`FormatError` at the end when anything was wrong,
    including entries that do not add up to the header or balances that do not follow.
    """

    header: StatementHeader

    def __iter__(self) -> Iterator[StatementEntry]: ...


FileKind = Literal["payments", "results", "statement"]

DETECT_BYTES = 4096  # how much of a file's head ``detect`` is given


@dataclass(frozen=True, slots=True)
class WrittenFile:
    """What a writer reports about the file it wrote."""

    count: int
    total_fen: int
    size: int


class BankFormat(Protocol):
    name: str  # registry key, e.g. "iso20022"
    file_suffix: str  # e.g. ".xml"

    def write_payments(
        self, out: BinaryIO, header: PaymentFileHeader, lines: Iterable[PaymentLine]
    ) -> WrittenFile: ...

    def read_payments(self, src: BinaryIO, name: str = "<payment file>") -> PaymentFileReader: ...

    def write_results(
        self, out: BinaryIO, header: ResultFileHeader, records: Iterable[ResultRecord]
    ) -> WrittenFile: ...

    def read_results(self, src: BinaryIO, name: str = "<result file>") -> ResultFileReader: ...

    def write_statement(
        self, out: BinaryIO, header: StatementHeader, entries: Iterable[StatementEntry]
    ) -> WrittenFile: ...

    def read_statement(self, src: BinaryIO, name: str = "<statement>") -> StatementReader: ...

    def detect(self, head: bytes) -> FileKind | None:
        """The kind of this format's file that starts with ``head`` (at most DETECT_BYTES), or None."""

    def carriage(self) -> Carriage:
        """What this format's payment files can carry, field by field (encoding, widths,
        characters): the submission checks every line and header against it, so that a batch
        it accepts always renders (:mod:`bank_formats.carriage`)."""
