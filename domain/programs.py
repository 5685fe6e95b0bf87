"""The program registry: which subsidy programs this county pays, and what each submission of
one must look like (issue 14 item 3).

A finance system names the program and period of a batch in its header. Without a registry any
name goes, and the header itself says what a person may receive at most — so a typing mistake
opens a new "program" and a careless header lifts the ceiling. With a registry (the settings'
``[programs.NAME]`` tables that give a ``code``), a batch must name a registered program, its
period must have the program's form (month ``2026-11``, quarter ``2026-Q4``, year ``2026``),
and no line may exceed the program's standard per person, whatever the header says.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

PeriodForm = Literal["month", "quarter", "year"]

_FORMS: dict[str, tuple[re.Pattern[str], str]] = {
    "month": (re.compile(r"(20\d\d)-(0[1-9]|1[0-2])"), "a month such as 2026-11"),
    "quarter": (re.compile(r"(20\d\d)-Q([1-4])"), "a quarter such as 2026-Q4"),
    "year": (re.compile(r"(20\d\d)"), "a year such as 2026"),
}
CODE = re.compile(r"[A-Z0-9_]{1,16}")


@dataclass(frozen=True, slots=True)
class Program:
    """One registered program: its name (as batches name it), a short code for machines, the
    department that runs it, the standard per person in fen (no line above it; None: none) and
    the form of its periods."""

    name: str
    code: str
    department: str
    period: PeriodForm
    standard_fen: int | None = None

    def __post_init__(self) -> None:
        if not CODE.fullmatch(self.code):
            raise ValueError(f"code {self.code!r}: 1 to 16 of A-Z, 0-9 and _")
        if self.period not in _FORMS:
            raise ValueError(f"period {self.period!r}: one of month, quarter, year")
        if self.standard_fen is not None and (type(self.standard_fen) is not int or self.standard_fen <= 0):
            raise ValueError(f"standard_fen {self.standard_fen!r}: a positive whole number of fen")


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why a header does not fit the registry: the header field, a stable code, words for people."""

    field: str
    code: str
    text: str


def check(registry: dict[str, Program], program: str, period: str, max_amount_fen: int | None) -> list[Refusal]:
    """What is wrong with a batch header's program, period and standard under ``registry``
    (nothing when the registry is empty: no registry is configured)."""
    if not registry:
        return []
    entry = registry.get(program)
    if entry is None:
        known = "、".join(sorted(registry)) or "none"
        return [Refusal("program", "PROGRAM_UNKNOWN",
                        f"{program!r} is not a registered program; registered: {known}")]
    refusals = []
    pattern, words = _FORMS[entry.period]
    if not pattern.fullmatch(period):
        refusals.append(Refusal("period", "PERIOD_FORMAT",
                                f"{period!r} is not a period of {entry.name} ({entry.code}): {words}"))
    if max_amount_fen is not None and max_amount_fen != entry.standard_fen:
        registered = f"{entry.standard_fen} fen" if entry.standard_fen is not None else "none"
        refusals.append(Refusal("max_amount_fen", "STANDARD_NOT_REGISTERED",
                                f"the header's standard {max_amount_fen} fen is not the registered standard of "
                                f"{entry.name} ({registered}); leave it out, the registry's applies"))
    return refusals


def standard(registry: dict[str, Program], program: str, header_standard: int | None) -> int | None:
    """The per-person ceiling lines are checked against: the registry's when the program is
    registered, else (no registry) the header's."""
    entry = registry.get(program)
    if entry is not None:
        return entry.standard_fen
    return None if registry else header_standard
