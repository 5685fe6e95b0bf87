"""Fixtures for the bank format tests (helpers and sample data: iso20022_support.py)."""
from __future__ import annotations

from pathlib import Path

import pytest

from bank_formats.iso20022 import Iso20022Format
from tests.unit.bank_formats.iso20022_support import SCHEMA_DIR, XSD_001, XSD_002, official_schema


@pytest.fixture(scope="session")
def schema_dir() -> Path:
    official_schema(XSD_001)
    official_schema(XSD_002)
    return SCHEMA_DIR


@pytest.fixture(scope="session")
def fmt() -> Iso20022Format:
    """The format without schema validation in the readers."""
    return Iso20022Format()


@pytest.fixture(scope="session")
def vfmt(schema_dir: Path) -> Iso20022Format:
    """The format whose readers validate against the official schemas while parsing."""
    return Iso20022Format(schema_dir=schema_dir)


@pytest.fixture(params=["plain", "validating"])
def any_fmt(request, fmt, vfmt) -> Iso20022Format:
    return fmt if request.param == "plain" else vfmt
