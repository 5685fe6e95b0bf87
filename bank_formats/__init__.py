"""Bank payment-file formats: one module per format family, one interface, a registry by name.

    fmt = bank_formats.get("iso20022", schema_dir=Path("schemas"))
    fmt.write_payments(out, header, lines)
"""
from __future__ import annotations

from pathlib import Path

from bank_formats.base import BankFormat, FormatError, Problem, WrittenFile

__all__ = ["BankFormat", "FormatError", "Problem", "WrittenFile", "get", "get_statement_format", "names",
           "statement_names"]


def _iso20022(schema_dir: Path | None, **options) -> BankFormat:
    from bank_formats.iso20022 import Iso20022Format

    return Iso20022Format(schema_dir=schema_dir, **options)


def _fixed_width_gbk(schema_dir: Path | None, **options) -> BankFormat:
    from bank_formats.fixed_width_gbk import FixedWidthGbkFormat

    return FixedWidthGbkFormat(schema_dir=schema_dir, **options)


def _delimited(schema_dir: Path | None, **options) -> BankFormat:
    from bank_formats.delimited import DelimitedFormat

    return DelimitedFormat(schema_dir=schema_dir, **options)


def _layout(schema_dir: Path | None, **options) -> BankFormat:
    from bank_formats.layout import LayoutFormat

    return LayoutFormat(schema_dir=schema_dir, **options)


_REGISTRY = {"iso20022": _iso20022, "fixed_width_gbk": _fixed_width_gbk, "delimited": _delimited,
             "layout": _layout}


def _mt940(**options):
    from bank_formats.statement_mt940 import Mt940Format

    return Mt940Format(**options)


def _csv(**options):
    from bank_formats.statement_csv import CsvStatementFormat

    return CsvStatementFormat(**options)


# Formats a bank may send its statements in whatever its payment files are (a profile's
# ``[statements] format``): they read statements only (and write them for the bank simulator).
_STATEMENT_REGISTRY = {"mt940": _mt940, "csv": _csv}


def statement_names() -> list[str]:
    return sorted(_STATEMENT_REGISTRY)


def get_statement_format(name: str, **options):
    """The statement-only format ``name`` set up with the profile's ``[statements.NAME]`` options;
    it has ``read_statement``, ``write_statement`` and ``detect`` like a :class:`BankFormat`. A
    wrong option raises ``ValueError`` naming it."""
    try:
        factory = _STATEMENT_REGISTRY[name]
    except KeyError:
        raise KeyError(f"unknown statement format {name!r}; known: {', '.join(statement_names())}") from None
    return factory(**options)


def names() -> list[str]:
    return sorted(_REGISTRY)


def get(name: str, *, schema_dir: Path | None = None, **options) -> BankFormat:
    """The format registered under ``name``, set up with the bank profile's ``options``.

    ``schema_dir`` holds the bank's own schemas, if its format has any. A wrong option raises
    ``ValueError`` naming it.
    """
    try:
        factory = _REGISTRY[name]
    except KeyError:
        raise KeyError(f"unknown bank format {name!r}; known: {', '.join(names())}") from None
    return factory(schema_dir, **options)
