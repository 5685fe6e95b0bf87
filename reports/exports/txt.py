"""Plain-text export: the terminal rendering of :mod:`reports.text`, UTF-8."""
from __future__ import annotations

from typing import BinaryIO

from reports.documents import Document
from reports.text import render

SUFFIX = "txt"


def write(doc: Document, out: BinaryIO) -> None:
    out.write(render(doc).encode("utf-8"))
