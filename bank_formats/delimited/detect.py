"""Which kind of delimited file a file's first bytes start, for files handed in without a name."""
from __future__ import annotations

from bank_formats.base import DETECT_BYTES, FileKind
from bank_formats.delimited.core import DATETIME_RE, ENCODINGS, SEP
from bank_formats.delimited.layout import PAYMENT_HEADER_FIELDS, RESULT_HEADER_FIELDS
from bank_formats.delimited.statements import STATEMENT_HEADER_FIELDS

# each kind's header has its own number of fields; created_at, at its own place, confirms it
_KINDS: dict[int, tuple[FileKind, int]] = {
    len(fields): (kind, fields.index("created_at"))
    for kind, fields in (("payments", PAYMENT_HEADER_FIELDS), ("results", RESULT_HEADER_FIELDS),
                         ("statement", STATEMENT_HEADER_FIELDS))
}
_BOM = b"\xef\xbb\xbf"


def detect(head: object, encoding: str) -> FileKind | None:
    """The kind of file whose first bytes are ``head``, or None; never raises.

    The header line must end within ``head`` (every file of the family has a digest line after
    it). It is decoded in ``encoding`` first, then in the family's other encodings, because a
    GBK character can hold the byte of ``|`` and counting bytes would miscount the fields.
    """
    if not isinstance(head, (bytes, bytearray)):
        return None
    end = head.find(b"\n", 0, DETECT_BYTES)
    if end < 0:
        return None
    line = bytes(head[:end]).removeprefix(_BOM).removesuffix(b"\r")
    if not line.startswith(b"H|"):
        return None
    for name in dict.fromkeys((encoding, *ENCODINGS)):
        try:
            kind = _kind_of(line.decode(name).split(SEP))
        except UnicodeDecodeError:
            continue
        if kind is not None:
            return kind
    return None


def _kind_of(fields: list[str]) -> FileKind | None:
    kind, created_at = _KINDS.get(len(fields), (None, 0))
    if kind is None or DATETIME_RE.fullmatch(fields[created_at]) is None:
        return None
    return kind
