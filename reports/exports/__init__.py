"""Exports of issued reports, one module per format behind one interface, and the registry.

Each format module has ``SUFFIX`` and ``write(doc, out)``, writing a
:class:`reports.documents.Document` to a binary stream; all but JSON and text render the one
layout of :mod:`reports.layout`. To hand one party only its own copy, export
``documents.for_party(doc, party)``.
"""
from __future__ import annotations

import os
import re
from pathlib import Path
from types import ModuleType

from reports.documents import Document
from reports.exports import csvfile, jsonfile, pdf, txt, xlsx

FORMATS: dict[str, ModuleType] = {"pdf": pdf, "xlsx": xlsx, "csv": csvfile, "json": jsonfile, "txt": txt}
_UNSAFE = re.compile(r"[^\w.-]+")


def get(name: str) -> ModuleType:
    try:
        return FORMATS[name]
    except KeyError:
        raise ValueError(f"unknown export format {name!r} (known: {', '.join(FORMATS)})") from None


def stem(doc: Document) -> str:
    """A file name for the document without suffix: what it covers, its kind, and the party
    when it holds one copy only."""
    c = doc.content
    if "batch" in c:
        scope = [c["batch"]["id"]]
    else:
        s = c["scope"]
        scope = [s["region"], s.get("period") or s.get("month"), s["program"]]
    parts = [*scope, doc.kind] + ([doc.copies[0].party] if len(doc.copies) == 1 else [])
    return _UNSAFE.sub("-", "_".join(parts))


def export(doc: Document, name: str, folder: Path) -> Path:
    """Write ``doc`` in format ``name`` into ``folder``; a file appears whole or not at all."""
    fmt = get(name)
    folder.mkdir(parents=True, exist_ok=True)
    final = folder / f"{stem(doc)}.{fmt.SUFFIX}"
    partial = final.with_name(f".{final.name}.part")
    try:
        with partial.open("wb") as out:
            fmt.write(doc, out)
        os.replace(partial, final)
    finally:
        partial.unlink(missing_ok=True)
    return final
