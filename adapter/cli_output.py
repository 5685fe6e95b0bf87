"""What ``ykt`` prints: aligned tables for people, JSON for scripts.

People get columns aligned by display width (a Chinese character takes two cells, so padding by
``len`` would skew every row holding a name), amounts in yuan written from integer fen by
:func:`domain.money.yuan`, times in Beijing time and codes by their names (:func:`i18n.name`).
Scripts get ``--json``: the messages as the API has them, codes as codes and money as integer
fen (never the strings protobuf's own JSON mapping makes of int64), one JSON document per call.
"""
from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC

from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message
from rich.cells import cell_len

import i18n
from domain.money import yuan

__all__ = ["amount", "emit", "emit_json", "plain", "say", "stream", "stream_json", "table", "to_data", "when"]


def table(headers: Sequence[str], rows: Iterable[Sequence[object]], right: Iterable[int] = ()) -> str:
    """Rows under their headers, each column as wide as its widest cell (in display cells);
    columns in ``right`` (amounts, counts) aligned right. Cells are made one line each."""
    shown = [[plain(cell) for cell in row] for row in rows]
    widths = [cell_len(h) for h in headers]
    for row in shown:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], cell_len(cell))
    right = set(right)

    def line(cells: Sequence[str]) -> str:
        out = []
        for i, cell in enumerate(cells):
            pad = " " * (widths[i] - cell_len(cell))
            out.append(pad + cell if i in right else cell + pad)
        return "  ".join(out).rstrip()

    return "\n".join([line(list(headers)), line(["-" * w for w in widths]), *(line(r) for r in shown)])


def stream(headers: Sequence[str], pages: Iterable[Iterable[Sequence[object]]], right: Iterable[int] = (),
           widths: Sequence[int] = ()) -> int:
    """Print a long listing page by page as it arrives (a million lines are never held at
    once): the columns are as wide as ``widths`` or the header, and a wider cell pushes only its
    own row. Returns the number of rows printed."""
    widths = [max(cell_len(h), w) for h, w in zip(headers, [*widths, *[0] * len(headers)], strict=False)]
    right, n = set(right), 0

    def line(cells: Sequence[str]) -> str:
        return "  ".join((" " * (widths[i] - cell_len(c)) + c) if i in right else c + " " * (widths[i] - cell_len(c))
                         for i, c in enumerate(cells)).rstrip()

    print(line(list(headers)))
    print(line(["-" * w for w in widths]))
    for page in pages:
        for row in page:
            print(line([plain(cell) for cell in row]))
            n += 1
    return n


def stream_json(pages: Iterable[Iterable[Message]]) -> int:
    """A JSON array written item by item as the pages arrive; returns the number of items."""
    n = 0
    sys.stdout.write("[")
    for page in pages:
        for item in page:
            sys.stdout.write((",\n  " if n else "\n  ") + json.dumps(to_data(item), ensure_ascii=False))
            n += 1
    sys.stdout.write("\n]\n" if n else "]\n")
    return n


def plain(cell: object) -> str:
    """A cell on one line: a value's line breaks and tabs would break the table's columns."""
    return " ".join(str(cell).split()) if cell is not None else ""


def amount(fen: int) -> str:
    """Fen as yuan for people (``123456`` → ``1,234.56``): integer arithmetic only."""
    return yuan(int(fen))


def when(message: Message, field: str) -> str:
    """A timestamp field in Beijing time, or "" when the message does not carry it."""
    from domain import beijing

    if not message.HasField(field):
        return ""
    moment = getattr(message, field).ToDatetime(tzinfo=UTC)
    return beijing.local(moment).strftime("%Y-%m-%d %H:%M:%S")


def to_data(message: Message) -> dict:
    """A message as plain data for scripts: field names as in the proto, every field (a zero is
    an answer too), int64 as JSON numbers (fen stays exact: Python ints), timestamps as
    ISO 8601 UTC, repeated fields as lists."""
    out = {}
    for field in message.DESCRIPTOR.fields:
        value = getattr(message, field.name)
        if field.is_repeated:
            out[field.name] = [_value(field, v) for v in value]
        elif field.type == FieldDescriptor.TYPE_MESSAGE and not message.HasField(field.name):
            out[field.name] = None
        else:
            out[field.name] = _value(field, value)
    return out


def _value(field: FieldDescriptor, value):
    if field.type != FieldDescriptor.TYPE_MESSAGE:
        return value.hex() if isinstance(value, bytes) else value
    if field.message_type.full_name == "google.protobuf.Timestamp":
        return value.ToDatetime(tzinfo=UTC).isoformat().replace("+00:00", "Z")
    return to_data(value)


def emit_json(data) -> None:
    """One JSON document on stdout; Chinese as it is, not as escapes."""
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def emit(text: str) -> None:
    print(text)


def say(key: str, **fields) -> str:
    """Words for people in this run's language (``--lang``)."""
    return i18n.say(key, **fields)


def pages(fetch: Callable[[object], tuple[list, object]]) -> Iterator[list]:
    """Pages of a listing: ``fetch(cursor)`` returns the page and the next cursor (falsy: done;
    the first call gets None). One loop for every paged RPC, whatever its cursor is called."""
    cursor = None
    while True:
        page, cursor = fetch(cursor)
        yield page
        if not cursor:
            return
