"""Checks of a submitted payment roster (发放名册), line by line and across the batch.

:func:`check_line` checks one :class:`~domain.model.PaymentLine` on its own;
:class:`BatchChecker` is fed the lines of a batch one at a time (streaming: a batch can have
millions of lines), checks them, finds duplicates across lines, and finally compares the batch
with its control totals.

Every problem is a :class:`LineError` with a stable reason code (the module-level constants,
all listed in :data:`REASON_CODES`), the field it concerns and a message that names the line and
the field, e.g. ``"line 17: id_number: check character is 3, expected X"``.  Messages never
contain a full identity number, account number, phone number or name: where a value helps, it is
masked with :mod:`domain.masking`.  Batch-level problems have ``seq == 0``.

Rules (severity ``error`` unless stated):

* ``seq``: an ``int`` >= 1 (``SEQ_INVALID``); unique in the batch (``DUPLICATE_SEQ``); and, unless
  disabled, the batch's sequence numbers are exactly 1..N (``SEQ_NOT_CONTIGUOUS``, batch level).
* ``id_number``: :func:`domain.idnumber.validate`; its ``ID_*`` codes are used unchanged.  A
  lower-case final ``x`` is accepted.  The same identity number twice in a batch is
  ``DUPLICATE_PERSON`` on the later line (naming the earlier one); if the later line also has a
  different account, ``PERSON_TWO_ACCOUNTS`` as well (one card per person).
* ``name``: 2..20 characters (``NAME_LENGTH``), Chinese characters (CJK ideographs including the
  extensions, and 〇) and the middle dot ``·`` U+00B7 of minority names such as ``买买提·艾力``.
  Look-alike dots (U+2022 ``•``, U+30FB ``・``, U+FF65, U+2027, U+2219, U+22C5, U+0387, U+FF0E,
  ASCII ``.``, and U+2024, U+2E31, U+2E33, U+A78F, U+1427, U+16EB, U+10101, U+FE52, U+3002 ``。``)
  are ``NAME_DOT_LOOKALIKE`` with a message asking for U+00B7; a dot at the start, at
  the end or two in a row is ``NAME_DOT_POSITION``; any space is ``NAME_SPACE``; any digit
  ``NAME_DIGIT``; anything else ``NAME_CHARSET``.
* ``account_no``: ASCII digits only (``ACCOUNT_FORMAT``); 12..19 digits for ``CARD`` and
  ``SOCIAL_SECURITY_CARD`` (bank card numbers, ISO/IEC 7812), 8..25 digits for ``PASSBOOK``
  (passbook account numbers vary by bank and are not card numbers) (``ACCOUNT_LENGTH``).  A
  ``CARD`` number failing the Luhn check is a *warning* ``ACCOUNT_LUHN``, never an error: some
  banks issue account numbers without a Luhn digit.  Passbooks and social-security cards are not
  Luhn-checked.  An unknown ``account_kind`` is ``ACCOUNT_KIND``.  The same account on lines with
  different identity numbers is ``ACCOUNT_SHARED`` on the later line.
* ``phone``: optional; when given, a mainland mobile number, 11 ASCII digits ``1[3-9]xxxxxxxxx``
  (``PHONE_FORMAT``).
* ``amount_fen``: must be an ``int`` (``bool``, ``float``, ``Decimal``, ``str``... are
  ``AMOUNT_TYPE``), > 0 (``AMOUNT_NOT_POSITIVE``), and <= the program standard when one is given
  (``AMOUNT_ABOVE_STANDARD``).
* control totals (batch level, :meth:`BatchChecker.finish`): the number of lines fed
  (``CONTROL_COUNT``) and the sum of the ``int`` amounts (``CONTROL_TOTAL``).

This module is pure: no I/O.
"""
from __future__ import annotations

import re
from array import array
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from hashlib import blake2b
from typing import Literal

from domain import idnumber
from domain.idnumber import InvalidIdNumber
from domain.idnumber import _quick_ok as _id_quick_ok
from domain.masking import mask_account, mask_id
from domain.model import AccountKind, PaymentLine

__all__ = [
    "ACCOUNT_FORMAT",
    "ACCOUNT_KIND",
    "ACCOUNT_LENGTH",
    "ACCOUNT_LENGTHS",
    "ACCOUNT_LUHN",
    "ACCOUNT_SHARED",
    "AMOUNT_ABOVE_STANDARD",
    "AMOUNT_NOT_POSITIVE",
    "AMOUNT_TYPE",
    "BATCH_CODES",
    "CONTROL_COUNT",
    "CONTROL_TOTAL",
    "DUPLICATE_PERSON",
    "DUPLICATE_SEQ",
    "ERROR",
    "ID_BIRTH_DATE",
    "ID_CHECKSUM",
    "ID_FORMAT",
    "ID_LEGACY_15",
    "ID_LENGTH",
    "ID_REGION",
    "NAME_CHARSET",
    "NAME_DIGIT",
    "NAME_DOT_LOOKALIKE",
    "NAME_DOT_POSITION",
    "NAME_LENGTH",
    "NAME_SPACE",
    "PERSON_TWO_ACCOUNTS",
    "PHONE_FORMAT",
    "REASON_CODES",
    "SEQ_INVALID",
    "SEQ_NOT_CONTIGUOUS",
    "WARNING",
    "BatchChecker",
    "LineError",
    "check_batch",
    "check_line",
    "luhn_check_digit",
    "luhn_ok",
]

# --- reason codes (stable strings) -------------------------------------------------------------

ID_LENGTH = idnumber.ID_LENGTH
ID_LEGACY_15 = idnumber.ID_LEGACY_15
ID_FORMAT = idnumber.ID_FORMAT
ID_REGION = idnumber.ID_REGION
ID_BIRTH_DATE = idnumber.ID_BIRTH_DATE
ID_CHECKSUM = idnumber.ID_CHECKSUM

SEQ_INVALID = "SEQ_INVALID"
NAME_LENGTH = "NAME_LENGTH"
NAME_CHARSET = "NAME_CHARSET"
NAME_DIGIT = "NAME_DIGIT"
NAME_SPACE = "NAME_SPACE"
NAME_DOT_LOOKALIKE = "NAME_DOT_LOOKALIKE"
NAME_DOT_POSITION = "NAME_DOT_POSITION"
ACCOUNT_FORMAT = "ACCOUNT_FORMAT"
ACCOUNT_LENGTH = "ACCOUNT_LENGTH"
ACCOUNT_LUHN = "ACCOUNT_LUHN"  # warning
ACCOUNT_KIND = "ACCOUNT_KIND"
PHONE_FORMAT = "PHONE_FORMAT"
AMOUNT_TYPE = "AMOUNT_TYPE"
AMOUNT_NOT_POSITIVE = "AMOUNT_NOT_POSITIVE"
AMOUNT_ABOVE_STANDARD = "AMOUNT_ABOVE_STANDARD"

# across lines
DUPLICATE_SEQ = "DUPLICATE_SEQ"
DUPLICATE_PERSON = "DUPLICATE_PERSON"
ACCOUNT_SHARED = "ACCOUNT_SHARED"
PERSON_TWO_ACCOUNTS = "PERSON_TWO_ACCOUNTS"
# batch level (seq 0)
SEQ_NOT_CONTIGUOUS = "SEQ_NOT_CONTIGUOUS"
CONTROL_COUNT = "CONTROL_COUNT"
CONTROL_TOTAL = "CONTROL_TOTAL"

BATCH_CODES: frozenset[str] = frozenset({SEQ_NOT_CONTIGUOUS, CONTROL_COUNT, CONTROL_TOTAL})

REASON_CODES: frozenset[str] = frozenset(
    {
        ID_LENGTH, ID_LEGACY_15, ID_FORMAT, ID_REGION, ID_BIRTH_DATE, ID_CHECKSUM,
        SEQ_INVALID,
        NAME_LENGTH, NAME_CHARSET, NAME_DIGIT, NAME_SPACE, NAME_DOT_LOOKALIKE, NAME_DOT_POSITION,
        ACCOUNT_FORMAT, ACCOUNT_LENGTH, ACCOUNT_LUHN, ACCOUNT_KIND,
        PHONE_FORMAT,
        AMOUNT_TYPE, AMOUNT_NOT_POSITIVE, AMOUNT_ABOVE_STANDARD,
        DUPLICATE_SEQ, DUPLICATE_PERSON, ACCOUNT_SHARED, PERSON_TWO_ACCOUNTS,
        SEQ_NOT_CONTIGUOUS, CONTROL_COUNT, CONTROL_TOTAL,
    }
)  # fmt: skip

ERROR: Literal["error"] = "error"
WARNING: Literal["warning"] = "warning"

#: Allowed account number lengths (inclusive) by account kind.
ACCOUNT_LENGTHS: dict[str, tuple[int, int]] = {
    AccountKind.CARD: (12, 19),
    AccountKind.SOCIAL_SECURITY_CARD: (12, 19),
    AccountKind.PASSBOOK: (8, 25),
}


@dataclass(frozen=True, slots=True)
class LineError:
    """One problem found in a batch.  ``seq`` is 0 for batch-level problems."""

    seq: int
    field: str
    code: str
    message: str
    severity: Literal["error", "warning"] = ERROR

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR


_CARD = AccountKind.CARD
_SSC = AccountKind.SOCIAL_SECURITY_CARD
_PASSBOOK = AccountKind.PASSBOOK
_CARD_LENGTHS = ACCOUNT_LENGTHS[_CARD]
_PASSBOOK_LENGTHS = ACCOUNT_LENGTHS[_PASSBOOK]

# --- Luhn --------------------------------------------------------------------------------------

_DOUBLE = bytes.maketrans(b"0123456789", b"0246813579")  # 2d, minus 9 when above 9


def _luhn_sum(b: bytes) -> int:
    """Luhn sum of ASCII digits ``b`` whose last digit is the check digit."""
    return sum(b[-2::-2].translate(_DOUBLE)) + sum(b[-1::-2]) - 48 * len(b)


def luhn_ok(digits: str) -> bool:
    """Whether a string of ASCII digits (check digit last) passes the Luhn (mod 10) check."""
    if not (digits and digits.isascii() and digits.isdigit()):
        return False
    return _luhn_sum(digits.encode("ascii")) % 10 == 0


def luhn_check_digit(body: str) -> str:
    """The Luhn check digit to append to the ASCII digits ``body``."""
    if not (body and body.isascii() and body.isdigit()):
        raise ValueError("luhn_check_digit needs ASCII digits")
    b = body.encode("ascii")
    s = sum(b[-1::-2].translate(_DOUBLE)) + sum(b[-2::-2]) - 48 * len(b)
    return str(-s % 10)


# --- per-field checks --------------------------------------------------------------------------

_CJK = "\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U000323af"
_NAME_OK = re.compile(f"[{_CJK}]+(?:\u00b7[{_CJK}]+)*")
_CJK_CHAR = re.compile(f"[{_CJK}]")
_DOT = "\u00b7"
_DOT_LOOKALIKES = frozenset(
    "\u2022\u30fb\uff65\u2027\u2219\u22c5\u0387\uff0e."
    # Unicode confusables of U+00B7 and the full stops an input method may produce instead
    "\u2024\u2e31\u2e33\ua78f\u1427\u16eb\U00010101\ufe52\u3002"
)
_PHONE_OK = re.compile(r"1[3-9][0-9]{9}")
_NAME_MIN, _NAME_MAX = 2, 20


def _msg(seq: object, field: str, detail: str) -> str:
    return f"line {seq}: {field}: {detail}"


_LONG_DIGITS = re.compile(r"\d{7,}[Xx]?")


def _shown(value: object) -> str:
    """A malformed seq, amount or control value as it may appear in a message.

    Such a value can be personal data from a shifted column (an account, identity or phone
    number where the amount belongs), so text longer than 6 characters is not shown (only its
    type and length), and any run of 7 or more digits in the ``repr`` of other values is masked
    like an identity number.
    """
    if isinstance(value, (str, bytes, bytearray)) and len(value) > 6:
        return f"{type(value).__name__} of length {len(value)}"
    try:
        text = repr(value)
    except Exception:  # a broken __repr__ must not break error reporting
        return type(value).__name__
    return _LONG_DIGITS.sub(lambda m: mask_id(m.group()), text)


def _name_problem(name: object) -> tuple[str, str] | None:
    """Why a name is not acceptable (slow path; None when it is)."""
    if not isinstance(name, str):
        return NAME_CHARSET, f"must be a string, not {type(name).__name__}"
    if not name:
        return NAME_LENGTH, "is empty"
    for ch in name:
        if ch.isspace():
            return NAME_SPACE, f"contains a space (U+{ord(ch):04X}); write the name without spaces"
    for ch in name:
        if ch.isdigit() or ch.isnumeric() and not _CJK_CHAR.fullmatch(ch):
            return NAME_DIGIT, f"contains the digit {ch!r}; a name has no digits"
    for ch in name:
        if ch in _DOT_LOOKALIKES:
            return (
                NAME_DOT_LOOKALIKE,
                f"contains {ch!r} (U+{ord(ch):04X}); separate the parts of a minority name "
                f"with the middle dot '\u00b7' (U+00B7)",
            )
    for ch in name:
        if ch != _DOT and not _CJK_CHAR.fullmatch(ch):
            return NAME_CHARSET, f"contains {ch!r} (U+{ord(ch):04X}), which is not a Chinese character"
    if name[0] == _DOT or name[-1] == _DOT:
        return NAME_DOT_POSITION, "must not start or end with the middle dot"
    if _DOT + _DOT in name:
        return NAME_DOT_POSITION, "has two middle dots in a row"
    if not (_NAME_MIN <= len(name) <= _NAME_MAX):
        return NAME_LENGTH, f"has {len(name)} characters, expected {_NAME_MIN}..{_NAME_MAX}"
    return None


def _fen(v: int) -> str:
    sign = "-" if v < 0 else ""
    return f"{v} fen ({sign}{abs(v) // 100}.{abs(v) % 100:02d} yuan)"


def _check_line(
    line: PaymentLine, max_amount_fen: int | None, today_str: str, out: list[LineError]
) -> None:
    """Append the problems of one line to ``out`` (shared by check_line and BatchChecker)."""
    seq = line.seq
    if type(seq) is not int or seq < 1:
        shown = _shown(seq)
        seq = seq if type(seq) is int else 0  # LineError.seq is always an int
        out.append(LineError(seq, "seq", SEQ_INVALID, _msg(seq, "seq", f"must be an integer >= 1, not {shown}")))

    # id_number
    id_number = line.id_number
    if not _id_quick_ok(id_number, today_str):
        try:
            idnumber._validate(id_number, today_str)
        except InvalidIdNumber as e:
            out.append(LineError(seq, "id_number", e.code, _msg(seq, "id_number", e.message)))

    # name
    name = line.name
    if not (type(name) is str and _NAME_MIN <= len(name) <= _NAME_MAX and _NAME_OK.fullmatch(name)):
        problem = _name_problem(name)
        if problem is not None:
            out.append(LineError(seq, "name", problem[0], _msg(seq, "name", problem[1])))

    # account_kind and account_no
    acct = line.account_no
    kind = line.account_kind
    # identity tests first: AccountKind's __hash__ is Python code, a dict lookup is slow
    if kind is _CARD or kind is _SSC:
        bounds: tuple[int, int] | None = _CARD_LENGTHS
    elif kind is _PASSBOOK:
        bounds = _PASSBOOK_LENGTHS
    else:
        bounds = ACCOUNT_LENGTHS.get(kind) if isinstance(kind, str) else None
        if bounds is None:
            out.append(LineError(seq, "account_kind", ACCOUNT_KIND,
                                 _msg(seq, "account_kind", f"unknown account kind {kind!r}")))  # fmt: skip
    if type(acct) is not str:
        out.append(LineError(seq, "account_no", ACCOUNT_FORMAT,
                             _msg(seq, "account_no", f"must be a string, not {type(acct).__name__}")))  # fmt: skip
    elif not acct:
        out.append(LineError(seq, "account_no", ACCOUNT_LENGTH, _msg(seq, "account_no", "is empty")))
    elif not (acct.isascii() and acct.isdigit()):
        what = "a space" if any(c.isspace() for c in acct) else "a character other than 0-9"
        out.append(LineError(seq, "account_no", ACCOUNT_FORMAT,
                             _msg(seq, "account_no", f"contains {what}; only digits 0-9 are allowed")))  # fmt: skip
    elif bounds is not None:
        lo, hi = bounds
        n = len(acct)
        if n < lo or n > hi:
            out.append(LineError(seq, "account_no", ACCOUNT_LENGTH,
                                 _msg(seq, "account_no", f"has {n} digits, expected {lo}..{hi} for {kind}")))  # fmt: skip
        elif kind == _CARD and _luhn_sum(acct.encode("ascii")) % 10:
            out.append(LineError(seq, "account_no", ACCOUNT_LUHN,
                                 _msg(seq, "account_no",
                                      f"card number {mask_account(acct)} fails the Luhn check; "
                                      "check it with the bank"),
                                 WARNING))  # fmt: skip

    # phone (optional)
    phone = line.phone
    if phone and (type(phone) is not str or _PHONE_OK.fullmatch(phone) is None):
        out.append(LineError(seq, "phone", PHONE_FORMAT,
                             _msg(seq, "phone", "must be an 11-digit mainland mobile number 1[3-9]xxxxxxxxx")))  # fmt: skip

    # amount_fen
    amount = line.amount_fen
    if type(amount) is not int:
        out.append(LineError(seq, "amount_fen", AMOUNT_TYPE,
                             _msg(seq, "amount_fen",
                                  f"must be an integer number of fen, not {type(amount).__name__} {_shown(amount)}")))  # fmt: skip
    elif amount <= 0:
        out.append(LineError(seq, "amount_fen", AMOUNT_NOT_POSITIVE,
                             _msg(seq, "amount_fen", f"{_fen(amount)} is not positive")))  # fmt: skip
    elif max_amount_fen is not None and amount > max_amount_fen:
        out.append(LineError(seq, "amount_fen", AMOUNT_ABOVE_STANDARD,
                             _msg(seq, "amount_fen",
                                  f"{_fen(amount)} is above the standard {_fen(max_amount_fen)}")))  # fmt: skip


_today_cache: tuple[date, str] | None = None


def _today_str(today: date | None) -> str:
    global _today_cache
    d = today or date.today()
    cached = _today_cache
    if cached is not None and cached[0] == d:
        return cached[1]
    s = d.strftime("%Y%m%d")
    _today_cache = (d, s)
    return s


def check_line(
    line: PaymentLine, *, max_amount_fen: int | None = None, today: date | None = None
) -> list[LineError]:
    """The problems of one line on its own (empty when it is fine).

    ``max_amount_fen`` is the program's standard, if any; ``today`` (default: the current date)
    bounds the birth date in the identity number.  Never raises for bad field values.
    """
    out: list[LineError] = []
    _check_line(line, max_amount_fen, _today_str(today), out)
    return out


# --- across lines ------------------------------------------------------------------------------

_BITMAP_LIMIT = 1 << 27  # seqs below this are tracked in a bitmap (at most 16 MiB), others in a set


# Longer values get a digest key: no number is this long, and int() of a few thousand digits is
# slow, then refused (Python's limit on converting long strings to int).
_INT_KEY_MAX = 64


def _key(value: object) -> object:
    """A compact, case-insensitive key for an identity or account number (None: not tracked).

    Alphanumeric ASCII values of at most 64 characters (every well-formed number) map exactly
    and injectively to an ``int`` (base 36 behind a leading 1, so leading zeros count); anything
    else to a 16-byte BLAKE2b digest.  Ints and bytes never compare equal, so the two kinds cannot collide.
    """
    if type(value) is not str or not value:
        return None
    if len(value) <= _INT_KEY_MAX and value.isascii() and value.isalnum():
        return int("1" + value, 36)
    return blake2b(value.encode("utf-8", "surrogatepass"), digest_size=16).digest()


class BatchChecker:
    """Checks a batch fed one line at a time, in bounded memory per line.

    Usage::

        checker = BatchChecker(max_amount_fen=header.max_amount_fen)
        for line in lines:
            problems = checker.check(line)       # check_line + duplicates
        problems = checker.finish(header.control_count, header.control_total_fen)

    No strings are kept: per line it keeps a compact key of the identity number and of the
    account number (an ``int`` of about 40 bytes, exact, or a 16-byte digest for malformed
    values), the line's seq (8 bytes) and, once seqs arrive out of order, one bit of a seq
    bitmap: about 250 bytes a line in all, including the two dictionaries (250 MB for a million
    lines).  :meth:`add` does the cross-line checks only, for callers that run
    :func:`check_line` themselves.  Lines with an empty (or non-string) identity or
    account number are not tracked for duplicates of that field (they already have an error).
    Identity numbers are compared case-insensitively (a final ``x`` equals ``X``).
    """

    __slots__ = (
        "_max_amount_fen", "_today_str", "_require_contiguous", "_ids", "_accts", "_seqs",
        "_id_keys", "_acct_keys", "_bitmap", "_big_seqs", "_max_seq", "_bad_seqs",
        "_dup_seqs", "_in_order", "count", "total_fen", "errors", "warnings",
    )  # fmt: skip

    def __init__(
        self,
        *,
        max_amount_fen: int | None = None,
        today: date | None = None,
        require_contiguous_seq: bool = True,
    ) -> None:
        self._max_amount_fen = max_amount_fen
        self._today_str = _today_str(today)
        self._require_contiguous = require_contiguous_seq
        self._ids: dict[object, int] = {}  # id key -> arrival index of its first line
        self._accts: dict[object, int] = {}  # account key -> arrival index of its first line
        self._seqs = array("q")  # arrival index -> seq (0 when invalid)
        self._id_keys: list[object] = []  # arrival index -> id key (shared with _ids)
        self._acct_keys: list[object] = []  # arrival index -> account key (shared with _accts)
        self._bitmap = bytearray()
        self._big_seqs: set[int] = set()
        self._max_seq = 0
        self._bad_seqs = 0
        self._dup_seqs = 0
        self._in_order = True  # every seq so far equalled its position: the bitmap is not kept
        #: lines fed so far
        self.count = 0
        #: sum of the ``int`` amounts fed so far
        self.total_fen = 0
        #: problems returned so far, by severity
        self.errors = 0
        self.warnings = 0

    def check(self, line: PaymentLine) -> list[LineError]:
        """:func:`check_line` plus the cross-line checks of :meth:`add`."""
        out: list[LineError] = []
        _check_line(line, self._max_amount_fen, self._today_str, out)
        self._add(line, out)
        if out:
            for e in out:
                if e.severity == ERROR:
                    self.errors += 1
                else:
                    self.warnings += 1
        return out

    def add(self, line: PaymentLine) -> list[LineError]:
        """Record a line and return its cross-line problems (duplicates) only."""
        out: list[LineError] = []
        self._add(line, out)
        self.errors += len(out)
        return out

    def _add(self, line: PaymentLine, out: list[LineError]) -> None:
        i = self.count
        self.count = i + 1
        amount = line.amount_fen
        if type(amount) is int:
            self.total_fen += amount

        seqs = self._seqs
        seq = line.seq
        if type(seq) is not int:
            seq = 0
        if seq == i + 1 and self._in_order:
            # every line so far had seq == its position: no duplicate possible, no bitmap needed
            seqs.append(seq)
            self._max_seq = seq
        elif seq >= 1:
            if self._in_order:
                self._start_bitmap()
            seqs.append(seq)
            if seq > self._max_seq:
                self._max_seq = seq
            if seq < _BITMAP_LIMIT:
                bm = self._bitmap
                byte = seq >> 3
                bit = 1 << (seq & 7)
                if byte >= len(bm):
                    bm.extend(bytes(max(byte + 1 - len(bm), len(bm), 4096)))
                duplicate = bm[byte] & bit
                bm[byte] |= bit
            else:
                duplicate = seq in self._big_seqs
                self._big_seqs.add(seq)
            if duplicate:
                self._dup_seqs += 1
                out.append(LineError(seq, "seq", DUPLICATE_SEQ,
                                     _msg(seq, "seq", f"sequence number {seq} appears more than once")))  # fmt: skip
        else:
            if self._in_order:
                self._start_bitmap()
            seqs.append(0)
            self._bad_seqs += 1

        # keys, as in _key() (inlined: this runs a million times per batch)
        id_number = line.id_number
        if type(id_number) is str and len(id_number) <= _INT_KEY_MAX and id_number.isalnum() and id_number.isascii():
            idk: object = int("1" + id_number, 36)
        else:
            idk = _key(id_number)
        acct = line.account_no
        if type(acct) is str and len(acct) <= _INT_KEY_MAX and acct.isalnum() and acct.isascii():
            ak: object = int("1" + acct, 36)
        else:
            ak = _key(acct)
        id_keys = self._id_keys
        acct_keys = self._acct_keys
        id_keys.append(idk)
        acct_keys.append(ak)

        if idk is not None:
            j = self._ids.setdefault(idk, i)
            if j != i:
                earlier = seqs[j]
                out.append(LineError(seq, "id_number", DUPLICATE_PERSON,
                                     _msg(seq, "id_number",
                                          f"same person ({mask_id(id_number)}) as line {earlier}")))  # fmt: skip
                if ak is not None:
                    earlier_ak = acct_keys[j]
                    if earlier_ak is not None and earlier_ak != ak:
                        out.append(LineError(seq, "account_no", PERSON_TWO_ACCOUNTS,
                                             _msg(seq, "account_no",
                                                  f"person ({mask_id(id_number)}) has a different account "
                                                  f"on line {earlier}; one card per person")))  # fmt: skip
        if ak is not None:
            j = self._accts.setdefault(ak, i)
            if j != i and idk is not None:
                earlier_idk = id_keys[j]
                if earlier_idk is not None and earlier_idk != idk:
                    out.append(LineError(seq, "account_no", ACCOUNT_SHARED,
                                         _msg(seq, "account_no",
                                              f"account {mask_account(acct)} is also on line "
                                              f"{seqs[j]} for a different person")))  # fmt: skip

    def _start_bitmap(self) -> None:
        """Leave the in-order fast path: mark seqs 1..count-1 (seen so far) in the bitmap."""
        self._in_order = False
        seen = self.count - 1  # lines before the current one had seqs 1..seen
        if seen >= _BITMAP_LIMIT:  # not reached in practice: 134 million lines
            self._bitmap = bytearray(_BITMAP_LIMIT >> 3)
            self._bitmap[:] = b"\xff" * (_BITMAP_LIMIT >> 3)
            self._bitmap[0] &= 0xFE  # bit 0 (seq 0) is never set
            self._big_seqs.update(range(_BITMAP_LIMIT, seen + 1))
            return
        bm = bytearray((seen >> 3) + 1)
        full = (seen + 1) >> 3  # bytes whose 8 seqs (8k..8k+7) are all in 0..seen
        bm[:full] = b"\xff" * full
        for seq in range(full << 3, seen + 1):
            bm[seq >> 3] |= 1 << (seq & 7)
        bm[0] &= 0xFE  # seq 0 is not a seq
        self._bitmap = bm

    def finish(self, control_count: int, control_total_fen: int) -> list[LineError]:
        """Batch-level problems: control count and total, and seqs not 1..N (all with seq 0)."""
        out: list[LineError] = []
        n = self.count
        if (
            self._require_contiguous
            and n
            and not self._bad_seqs
            and not self._dup_seqs
            and self._max_seq != n
        ):
            out.append(LineError(0, "seq", SEQ_NOT_CONTIGUOUS,
                                 f"batch: seq: sequence numbers must be 1..{n}, "
                                 f"but the highest is {self._max_seq}"))  # fmt: skip
        if type(control_count) is not int or control_count != n:
            out.append(LineError(0, "control_count", CONTROL_COUNT,
                                 f"batch: control_count: the header says {_shown(control_count)} lines, "
                                 f"the batch has {n}"))  # fmt: skip
        if type(control_total_fen) is not int or control_total_fen != self.total_fen:
            stated = _fen(control_total_fen) if type(control_total_fen) is int else _shown(control_total_fen)
            out.append(LineError(0, "control_total_fen", CONTROL_TOTAL,
                                 f"batch: control_total_fen: the header says {stated}, "
                                 f"the lines add up to {_fen(self.total_fen)}"))  # fmt: skip
        self.errors += len(out)
        return out


def check_batch(
    lines: Iterable[PaymentLine],
    control_count: int,
    control_total_fen: int,
    *,
    max_amount_fen: int | None = None,
    today: date | None = None,
    require_contiguous_seq: bool = True,
) -> list[LineError]:
    """All problems of a batch: every line's, the duplicates' and the batch-level ones."""
    checker = BatchChecker(
        max_amount_fen=max_amount_fen, today=today, require_contiguous_seq=require_contiguous_seq
    )
    out: list[LineError] = []
    for line in lines:
        out.extend(checker.check(line))
    out.extend(checker.finish(control_count, control_total_fen))
    return out
