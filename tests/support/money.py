"""Bank files of the delimited family written and read by hand, for the money-rule tests.

Nothing here calls the product's format code: a result file is built from records listed in the
test, line by line, as the family's layout says (``bank_formats/delimited/__init__.py``), and a
payment file is split into its fields the same way. The digest line is computed here too
(SHA-256 from hashlib, SM3 from ``cryptography``).

Result file::

    H|file_id|original_file_id|batch_id|created_at|count|paid_count|paid_fen|failed_count|failed_fen
    D|seq|account_no|amount_fen|S or F|bank_code|bank_text[|bank_ref|name]
    S|SM3|<hex digest of every byte before this line>
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from cryptography.hazmat.primitives import hashes

__all__ = ["BEIJING", "Debit", "PaymentFile", "Rec", "bj", "digest_hex", "failed", "paid", "read_payment_file",
           "result_file", "statement_file"]

BEIJING = timezone(timedelta(hours=8))


def bj(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """An instant given as a Beijing wall-clock time."""
    return datetime(year, month, day, hour, minute, tzinfo=BEIJING)


def digest_hex(algorithm: str, data: bytes) -> str:
    if algorithm == "SHA256":
        return hashlib.sha256(data).hexdigest()
    if algorithm == "SM3":
        h = hashes.Hash(hashes.SM3())
        h.update(data)
        return h.finalize().hex()
    raise ValueError(algorithm)


@dataclass(frozen=True)
class Rec:
    """One detail record of a result file, as the bank writes it."""

    seq: int
    account: str
    fen: int
    status: str  # "S" paid, "F" failed
    code: str = ""
    text: str = ""
    ref: str = ""
    name: str = ""

    def line(self) -> str:
        fields = ["D", str(self.seq), self.account, str(self.fen), self.status, self.code, self.text]
        if self.ref or self.name:
            fields += [self.ref, self.name]
        return "|".join(fields)


def paid(line, *, fen: int | None = None, ref: str | None = None, account: str | None = None,
         name: str = "") -> Rec:
    """The bank reports ``line`` (a roster line) paid; by default its own account and amount,
    and the reference ``REF-<seq>``."""
    return Rec(line.seq, line.account_no if account is None else account,
               line.amount_fen if fen is None else fen, "S", ref=f"REF-{line.seq}" if ref is None else ref,
               name=name)


def failed(line, code: str, text: str) -> Rec:
    return Rec(line.seq, line.account_no, line.amount_fen, "F", code, text)


def result_file(file_id: str, original_file_id: str, batch_id: str, created: datetime, records: list[Rec], *,
                totals: tuple[int, int, int, int, int] | None = None, encoding: str = "gbk",
                algorithm: str = "SM3", eol: str = "\n") -> bytes:
    """The bytes of a result file carrying ``records`` in the order given, with header totals
    (count, paid count, paid fen, failed count, failed fen) summed from them unless ``totals``
    says otherwise, and the digest line."""
    ok = [r for r in records if r.status == "S"]
    bad = [r for r in records if r.status == "F"]
    if totals is None:
        totals = (len(records), len(ok), sum(r.fen for r in ok), len(bad), sum(r.fen for r in bad))
    head = "|".join(["H", file_id, original_file_id, batch_id, created.isoformat(timespec="seconds"),
                     *map(str, totals)])
    body = "".join(text + eol for text in [head, *(r.line() for r in records)]).encode(encoding)
    return body + f"S|{algorithm}|{digest_hex(algorithm, body)}{eol}".encode(encoding)


@dataclass(frozen=True)
class Debit:
    """A debit of the clearing account on the bank's statement, paying one line of a batch."""

    batch_id: str
    seq: int
    fen: int
    day: str  # yyyy-mm-dd
    ref: str


def statement_file(statement_id: str, account: str, created: datetime, from_day: str, to_day: str,
                   opening_fen: int, debits: list[Debit], *, encoding: str = "gbk", algorithm: str = "SM3",
                   eol: str = "\n") -> bytes:
    """The bytes of a statement (对账单) of ``account`` holding only ``debits``."""
    debit_fen = sum(d.fen for d in debits)
    head = "|".join(["H", statement_id, account, created.isoformat(timespec="seconds"), from_day, to_day,
                     str(opening_fen), str(opening_fen - debit_fen), str(len(debits)), "0", str(debit_fen), "CNY"])
    rows = ["|".join(["D", str(n), "D", str(d.fen), d.day, d.ref, d.batch_id, str(d.seq), "", "", "代发"])
            for n, d in enumerate(debits, start=1)]
    body = "".join(text + eol for text in [head, *rows]).encode(encoding)
    return body + f"S|{algorithm}|{digest_hex(algorithm, body)}{eol}".encode(encoding)


@dataclass(frozen=True)
class PaymentFile:
    """A payment file as the bank reads it: header fields and detail fields, split on ``|``."""

    header: list[str]
    details: list[list[str]]

    @property
    def message_id(self) -> str:
        return self.header[1]

    @property
    def seqs(self) -> list[int]:
        return [int(d[1]) for d in self.details]

    @property
    def count(self) -> int:
        return int(self.header[6])

    @property
    def total_fen(self) -> int:
        return int(self.header[7])

    def accounts(self) -> dict[int, str]:
        return {int(d[1]): d[2] for d in self.details}

    def amounts(self) -> dict[int, int]:
        return {int(d[1]): int(d[4]) for d in self.details}


def read_payment_file(path: Path, encoding: str = "gbk") -> PaymentFile:
    """Split a payment file of the delimited family and check its digest line."""
    data = path.read_bytes()
    end = data.rstrip(b"\r\n").rfind(b"\n") + 1
    body, trailer = data[:end], data[end:].decode(encoding).strip().split("|")
    assert trailer[0] == "S" and trailer[2].lower() == digest_hex(trailer[1], body), f"{path.name}: bad digest line"
    rows = [text.split("|") for text in body.decode(encoding).splitlines()]
    assert rows[0][0] == "H" and all(r[0] == "D" for r in rows[1:]), f"{path.name}: not header + details"
    return PaymentFile(rows[0], rows[1:])
