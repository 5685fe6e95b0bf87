"""Bulk writes and bounded chunks, shared by the other modules: ``bulk_insert`` (``COPY`` or
multi-row ``INSERT``), ``CHUNK`` (rows a page or an ``executemany``), and the helpers that
split seqs and keys into lists small enough to bind.
"""
from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from itertools import chain

from sqlalchemy import Connection

from ledger.schema import lines

CHUNK = 5000
_SQLITE_ROWS = 2000  # rows per INSERT at most, however many SQLite could bind


def bulk_insert(conn: Connection, table, columns: Sequence[str], rows: Iterable[tuple]) -> None:
    """Insert many rows fast, inside the caller's transaction.

    PostgreSQL gets ``COPY``; SQLite multi-row ``INSERT`` statements at the driver, each as
    many rows as SQLite binds at once. Both are several times faster than row dictionaries
    through SQLAlchemy, which matters at a million lines. Many rows a statement rather than an
    ``executemany`` of one row each because Python's sqlite3 lets go of the GIL only while a
    statement runs: a long statement lets another thread work meanwhile (a submission checks
    its next chunk while this one is written, see ``service/submission.py``).
    """
    names = ", ".join(columns)
    dbapi = conn.connection.dbapi_connection
    if conn.dialect.name == "postgresql":
        with dbapi.cursor() as cur:
            with cur.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        return
    rows = rows if isinstance(rows, list) else list(rows)
    per = max(1, min(_SQLITE_ROWS, dbapi.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) // len(columns)))
    row_marks = f"({', '.join('?' * len(columns))})"
    for start in range(0, len(rows), per):
        part = rows[start:start + per]
        conn.exec_driver_sql(f"INSERT INTO {table.name} ({names}) VALUES {', '.join([row_marks] * len(part))}",
                             tuple(chain.from_iterable(part)))


def _seq_chunks(seqs: Iterable[int]) -> Iterator[list[int]]:
    """Sorted distinct seqs in lists small enough to bind."""
    return _bounded(sorted(set(seqs)))


def _bounded(values: list) -> Iterator[list]:
    """``values`` in lists small enough to bind in one statement (SQLite takes at most 999)."""
    for start in range(0, len(values), 900):
        yield values[start:start + 900]


def _for_seqs(conn: Connection, query, seqs: Sequence[int] | None, raw: bool = False) -> list:
    """Run a query over a batch's lines, for all of them or only ``seqs`` (in bounded chunks)."""
    shape = (lambda r: r) if raw else tuple
    if seqs is None:
        return [shape(r) for r in conn.execute(query)]
    out = []
    for chunk in _seq_chunks(seqs):
        out += [shape(r) for r in conn.execute(query.where(lines.c.seq.in_(chunk)))]
    return out
