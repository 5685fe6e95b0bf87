"""A tiny JSON-lines bank format for tests: one header line, then one record per line.

Implements the :class:`bank_formats.base.BankFormat` interface so the bank simulator and the
SFTP end-to-end tests do not depend on a real format.
"""
from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path
from typing import BinaryIO

from bank_formats.base import FormatError, Problem, WrittenFile
from domain.model import (
    FailureReason,
    PaymentFileHeader,
    PaymentLine,
    PaymentOutcome,
    ResultFileHeader,
    ResultRecord,
)

__all__ = ["JsonLinesFormat", "make_lines", "write_payment_file"]


class _Reader:
    def __init__(self, src: BinaryIO, name: str, header_cls, item):
        self._src, self._name, self._item = src, name, item
        first = src.readline()
        try:
            raw = json.loads(first)
            for k in ("created_at",):
                raw[k] = datetime.fromisoformat(raw[k])
            if "requested_date" in raw:
                raw["requested_date"] = date.fromisoformat(raw["requested_date"])
            self.header = header_cls(**raw)
        except Exception as e:  # noqa: BLE001
            raise FormatError(name, [Problem("line 1", "header", f"unreadable: {type(e).__name__}")]) from None

    def __iter__(self):
        problems = []
        for n, raw in enumerate(self._src, start=2):
            try:
                yield self._item(json.loads(raw))
            except Exception as e:  # noqa: BLE001
                problems.append(Problem(f"line {n}", "record", f"unreadable: {type(e).__name__}"))
        if problems:
            raise FormatError(self._name, problems)


def _record(d: dict) -> ResultRecord:
    d["outcome"] = PaymentOutcome(d["outcome"])
    d["reason"] = FailureReason(d["reason"]) if d["reason"] else None
    return ResultRecord(**d)


class JsonLinesFormat:
    name = "jsonl"
    file_suffix = ".jsonl"

    @staticmethod
    def _dump(obj) -> bytes:
        return json.dumps(obj, default=str, ensure_ascii=False).encode() + b"\n"

    def write_payments(self, out, header: PaymentFileHeader, lines: Iterable[PaymentLine]) -> WrittenFile:
        out.write(self._dump(dataclasses.asdict(header)))
        count = total = 0
        for line in lines:
            out.write(self._dump(dataclasses.asdict(line)))
            count += 1
            total += line.amount_fen
        return WrittenFile(count, total, out.tell())

    def read_payments(self, src, name="<payment file>"):
        return _Reader(src, name, PaymentFileHeader, lambda d: PaymentLine(**d))

    def write_results(self, out, header: ResultFileHeader, records: Iterable[ResultRecord]) -> WrittenFile:
        out.write(self._dump(dataclasses.asdict(header)))
        count = total = 0
        for r in records:
            out.write(self._dump(dataclasses.asdict(r)))
            count += 1
            total += r.amount_fen
        return WrittenFile(count, total, out.tell())

    def read_results(self, src, name="<result file>"):
        return _Reader(src, name, ResultFileHeader, _record)


def make_lines(n: int) -> list[PaymentLine]:
    return [
        PaymentLine(seq=i, name=f"受益人{i}", id_number="110101199003078515",
                    account_no=f"62170000{i:011d}", amount_fen=10_000 + i)
        for i in range(1, n + 1)
    ]


def write_payment_file(fmt, path: Path, lines: list[PaymentLine], *, batch_id="B-2026-11-001",
                       count=None, total=None) -> PaymentFileHeader:
    header = PaymentFileHeader(
        file_id=f"F-{path.stem}", batch_id=batch_id, created_at=datetime(2026, 11, 20, 9, 30),
        requested_date=date(2026, 11, 23), payer_name="某县财政局", payer_account="1234567890",
        bank_code="SIM", count=len(lines) if count is None else count,
        total_fen=sum(x.amount_fen for x in lines) if total is None else total,
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as out:
        fmt.write_payments(out, header, lines)
    return header
