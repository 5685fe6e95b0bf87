"""What the writers and readers of the fixed-width GBK family share: dates, texts, limits (their
Problems are bank_formats.base's)."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from bank_formats.base import Refused

CHUNK = 256 * 1024  # how much a reader reads at a time
MAX_LINE = 8192  # a longer line is reported without being kept in memory
SP = b" "
SEP = "<"  # joins a line's texts so that they are encoded in one call (see write_payments)
BSEP = b"<"
# the bytes of control characters; GBK and GB18030 never use them inside a multibyte character
CONTROL_BYTES = bytes(range(0x20)) + b"\x7f"
ENCODINGS = {"gbk": "GBK", "gb18030": "GB18030"}
LINE_ENDINGS = {"\r\n": "CRLF", "\n": "LF"}


def control_char(text: str) -> str | None:
    for ch in text:
        if ch < " " or ch == "\x7f":
            return ch
    return None


def format_datetime(value: object) -> str:
    """``YYYYMMDDHHMMSS+HHMM`` (or five spaces for no time zone); ValueError when impossible."""
    if not isinstance(value, datetime):
        raise Refused("format.layouts.must_be_date_and_time", type=type(value).__name__)
    offset = value.utcoffset()
    if offset is None:
        zone = "     "
    else:
        if offset.microseconds or offset.seconds % 60:
            raise Refused("format.layouts.offset_minutes", offset=str(offset))
        minutes = int(offset.total_seconds()) // 60
        sign = "+" if minutes >= 0 else "-"
        minutes = abs(minutes)
        zone = f"{sign}{minutes // 60:02d}{minutes % 60:02d}"
    v = value
    return (f"{v.year:04d}{v.month:02d}{v.day:02d}{v.hour:02d}{v.minute:02d}{v.second:02d}"
            f"{zone}")


def parse_datetime(raw: bytes) -> datetime:
    digits, zone = raw[:14], raw[14:]
    if not (digits.isdigit() and len(digits) == 14):
        raise Refused("format.not_datetime", raw=show(raw), shape="YYYYMMDDHHMMSS+HHMM")
    d = digits.decode("ascii")
    try:
        value = datetime(int(d[0:4]), int(d[4:6]), int(d[6:8]), int(d[8:10]), int(d[10:12]),
                         int(d[12:14]))
    except ValueError:
        raise Refused("format.invalid_datetime", raw=show(raw)) from None
    if zone == b"     ":
        return value
    if len(zone) != 5 or zone[:1] not in (b"+", b"-") or not zone[1:].isdigit():
        raise Refused("format.not_offset", raw=show(zone))
    hours, minutes = int(zone[1:3]), int(zone[3:5])
    if hours > 23 or minutes > 59:
        raise Refused("format.invalid_offset", raw=show(zone))
    offset = timedelta(hours=hours, minutes=minutes)
    return value.replace(tzinfo=timezone(-offset if zone[:1] == b"-" else offset))


def format_date(value: object) -> str:
    if isinstance(value, datetime) or not isinstance(value, date):
        raise Refused("format.layouts.must_be_date", type=type(value).__name__)
    return f"{value.year:04d}{value.month:02d}{value.day:02d}"


def parse_date(raw: bytes) -> date:
    if not (raw.isdigit() and len(raw) == 8):
        raise Refused("format.not_date", raw=show(raw), shape="YYYYMMDD")
    try:
        return date(int(raw[0:4]), int(raw[4:6]), int(raw[6:8]))
    except ValueError:
        raise Refused("format.invalid_date", raw=show(raw)) from None


def show(raw: bytes) -> str:
    """How a piece of a file is quoted in a message: as text when it is ASCII."""
    if raw.isascii():
        return repr(raw.decode("ascii"))
    return repr(raw)


class TextCache(dict):
    """Decoded texts by their padded bytes, for fields whose values repeat (bank, item...)."""

    __slots__ = ("_decode",)

    def __init__(self, decode) -> None:
        super().__init__()
        self._decode = decode

    def __missing__(self, raw: bytes) -> str:
        text = self._decode(raw.rstrip(SP))[0]  # UnicodeDecodeError: the caller looks closer
        if len(self) >= 4096:
            self.clear()
        self[raw] = text
        return text


class Overlong(bytes):
    """The first bytes of a line longer than MAX_LINE (the rest was skipped)."""



class DateCache(dict):
    """Dates by their 8 bytes (a statement books on a few dates, each many times).

    A value that is not a date raises ValueError: the reader then looks at its line closely.
    """

    __slots__ = ()

    def __missing__(self, raw: bytes) -> date:
        value = parse_date(raw)
        if len(self) >= 4096:
            self.clear()
        self[raw] = value
        return value


class DateBytesCache(dict):
    """The 8 bytes of dates, by date: the writer's side of :class:`DateCache`."""

    __slots__ = ()

    def __missing__(self, value: date) -> bytes:
        raw = format_date(value).encode("ascii")  # ValueError for what is not a date
        if len(self) >= 4096:
            self.clear()
        self[value] = raw
        return raw
