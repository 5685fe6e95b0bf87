"""Resident identity numbers (公民身份号码) per GB 11643-1999.

An identity number has 18 characters::

    RRRRRR YYYYMMDD SSS C
    region birth    seq check

* ``RRRRRR`` is the administrative division code of the place of first registration.  Only the
  province-level prefix (the first two digits) is checked against the real set of province codes;
  county tables change every year and are not needed to catch typing errors.
* ``YYYYMMDD`` is the birth date.  It must be a real calendar date, not before 1900-01-01 and
  not after ``today``.
* ``SSS`` is the sequence code (odd for men, even for women); any three digits are accepted.
* ``C`` is the check character computed with ISO 7064 MOD 11-2: ``0``-``9`` or ``X`` for 10.

Normalisation: a lower-case ``x`` as check character is accepted and upper-cased, so
:func:`validate` returns the canonical form with ``X``.  Nothing else is normalised: surrounding
whitespace, full-width digits and the 15-digit legacy form (first-generation cards, no century
and no check character) are rejected.

This module is pure: no I/O, deterministic apart from the ``today`` default of :func:`validate`.
"""
from __future__ import annotations

import re
from datetime import date
from random import Random

__all__ = [
    "ID_BIRTH_DATE",
    "ID_CHECKSUM",
    "ID_FORMAT",
    "ID_LEGACY_15",
    "ID_LENGTH",
    "ID_REGION",
    "PROVINCE_CODES",
    "InvalidIdNumber",
    "birth_date",
    "check_character",
    "compose",
    "generate",
    "region",
    "validate",
]

# Stable reason codes.
ID_LENGTH = "ID_LENGTH"
ID_LEGACY_15 = "ID_LEGACY_15"
ID_FORMAT = "ID_FORMAT"
ID_REGION = "ID_REGION"
ID_BIRTH_DATE = "ID_BIRTH_DATE"
ID_CHECKSUM = "ID_CHECKSUM"

#: Province-level division codes (first two digits of every region code).
PROVINCE_CODES: frozenset[str] = frozenset(
    [f"{c}" for c in range(11, 16)]  # 北京 天津 河北 山西 内蒙古
    + [f"{c}" for c in range(21, 24)]  # 辽宁 吉林 黑龙江
    + [f"{c}" for c in range(31, 38)]  # 上海 江苏 浙江 安徽 福建 江西 山东
    + [f"{c}" for c in range(41, 47)]  # 河南 湖北 湖南 广东 广西 海南
    + [f"{c}" for c in range(50, 55)]  # 重庆 四川 贵州 云南 西藏
    + [f"{c}" for c in range(61, 66)]  # 陕西 甘肃 青海 宁夏 新疆
    + ["71", "81", "82"]  # 台湾 香港 澳门
)

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)  # 2**(17-i) mod 11
_CHECK_CHARS = "10X98765432"  # indexed by (sum of digit*weight) mod 11
_MIN_BIRTH = "19000101"
_MONTH_DAYS = frozenset(f"{m:02d}{d:02d}" for m in range(1, 13) for d in range(1, 32)) - {
    "0230", "0231", "0431", "0631", "0931", "1131"
}  # MMDD that exist in some year; 0229 needs a leap year

_ID18 = re.compile(r"[0-9]{17}[0-9X]")
_DIGITS17 = re.compile(r"[0-9]{17}")


class InvalidIdNumber(ValueError):
    """An identity number failed validation.

    ``code`` is one of the module's ``ID_*`` constants; ``message`` explains the problem without
    repeating the number (identity numbers are personal data and messages end up in logs).
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


def _mod11(first17: str) -> int:
    """Sum of digit * weight, modulo 11, for 17 ASCII digits (validated by the caller).

    The weights are 2**(17-i) mod 11 and 13 = 2 (mod 11), so reading the digits as a base-13
    number and doubling gives the same residue; ``int(s, 13)`` does it in C.
    """
    return 2 * int(first17, 13) % 11


def check_character(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character (``"0"``-``"9"`` or ``"X"``) for 17 digits.

    Raises :class:`ValueError` unless ``first17`` is exactly 17 ASCII digits.
    """
    if not isinstance(first17, str) or not _DIGITS17.fullmatch(first17):
        raise ValueError("check_character needs exactly 17 ASCII digits")
    return _CHECK_CHARS[_mod11(first17)]


def _today_str(today: date | None) -> str:
    return (today or date.today()).strftime("%Y%m%d")


def _explain_shape(value: str) -> InvalidIdNumber:
    """Why an 18-character string does not look like an identity number (slow path)."""
    if value != value.strip():
        return InvalidIdNumber(ID_FORMAT, "has leading or trailing whitespace")
    for i, ch in enumerate(value):
        if i == 17:
            return InvalidIdNumber(
                ID_FORMAT, f"character 18 must be a digit 0-9 or X, not {ch!r}"
            )
        if not ("0" <= ch <= "9"):
            what = "a space" if ch.isspace() else repr(ch)
            return InvalidIdNumber(
                ID_FORMAT, f"character {i + 1} is {what}; only ASCII digits 0-9 are allowed there"
            )
    return InvalidIdNumber(ID_FORMAT, "is not 17 digits followed by a digit or X")


def _check_shape(value: object) -> str:
    """Length and character checks; returns the upper-cased number."""
    if not isinstance(value, str):
        raise InvalidIdNumber(ID_FORMAT, f"must be a string, not {type(value).__name__}")
    n = len(value)
    if n != 18:
        if n == 15 and value.isascii() and value.isdigit():
            raise InvalidIdNumber(
                ID_LEGACY_15, "is a 15-digit first-generation number; the 18-digit number is required"
            )
        if n == 0:
            raise InvalidIdNumber(ID_LENGTH, "is empty")
        if value != value.strip():
            raise InvalidIdNumber(ID_LENGTH, f"length is {n}, expected 18 (remove surrounding whitespace)")
        raise InvalidIdNumber(ID_LENGTH, f"length is {n}, expected 18")
    if value[17] == "x":
        value = value[:17] + "X"
    if _ID18.fullmatch(value) is None:
        raise _explain_shape(value)
    return value


def _real_date(birth: str) -> bool:
    """Whether 8 ASCII digits YYYYMMDD are a real date (year 0000 is not)."""
    md = birth[4:]
    if md not in _MONTH_DAYS or birth[:4] == "0000":
        return False
    if md == "0229":
        y = int(birth[:4])
        return y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)
    return True


def _check_birth(birth: str, today_str: str) -> None:
    if not _real_date(birth):
        raise InvalidIdNumber(ID_BIRTH_DATE, "birth date (characters 7-14) is not a real date")
    if birth < _MIN_BIRTH:
        raise InvalidIdNumber(ID_BIRTH_DATE, "birth date (characters 7-14) is before 1900")
    if birth > today_str:
        raise InvalidIdNumber(ID_BIRTH_DATE, "birth date (characters 7-14) is in the future")


_QUICK_MONTH_DAYS = _MONTH_DAYS - {"0229"}


def _quick_ok(v: object, today_str: str) -> bool:
    """Whether ``v`` is a valid number already in canonical form (fast path, no diagnostics).

    False does not mean invalid: 29 February and a lower-case x take the full path.
    The last comparison also checks that character 18 is a digit or X.
    """
    return (
        type(v) is str
        and len(v) == 18
        and v.isascii()
        and (first17 := v[:17]).isdigit()
        and v[:2] in PROVINCE_CODES
        and _MIN_BIRTH <= (b := v[6:14]) <= today_str
        and b[4:] in _QUICK_MONTH_DAYS
        and _CHECK_CHARS[2 * int(first17, 13) % 11] == v[17]
    )


def _validate(value: object, today_str: str) -> str:
    if _quick_ok(value, today_str):
        return value  # type: ignore[return-value]
    v = _check_shape(value)
    if v[:2] not in PROVINCE_CODES:
        raise InvalidIdNumber(ID_REGION, f"region code starts with {v[:2]}, which is not a province code")
    _check_birth(v[6:14], today_str)
    expected = _CHECK_CHARS[_mod11(v[:17])]
    if v[17] != expected:
        raise InvalidIdNumber(ID_CHECKSUM, f"check character is {v[17]}, expected {expected}")
    return v


def validate(value: object, today: date | None = None) -> str:
    """Check an identity number and return it normalised (a final ``x`` becomes ``X``).

    The checks run in this order, and the first failure raises :class:`InvalidIdNumber`:
    ``ID_LEGACY_15`` / ``ID_LENGTH`` (not 18 characters), ``ID_FORMAT`` (not 17 ASCII digits and
    a digit or X; also non-strings), ``ID_REGION`` (unknown province), ``ID_BIRTH_DATE`` (not a
    real date, before 1900 or after ``today``, which defaults to the current date),
    ``ID_CHECKSUM``.
    """
    return _validate(value, _today_str(today))


def birth_date(value: str) -> date:
    """The birth date encoded in an 18-character number.

    Only the shape and the date itself are checked (no region, range or checksum check):
    raises :class:`InvalidIdNumber` with ``ID_LENGTH``/``ID_LEGACY_15``/``ID_FORMAT`` or
    ``ID_BIRTH_DATE``.
    """
    v = _check_shape(value)
    b = v[6:14]
    try:
        return date(int(b[:4]), int(b[4:6]), int(b[6:]))
    except ValueError:
        raise InvalidIdNumber(ID_BIRTH_DATE, "birth date (characters 7-14) is not a real date") from None


def region(value: str) -> str:
    """The 6-digit region code of an 18-character number (shape checked, nothing else)."""
    return _check_shape(value)[:6]


def compose(region_code: str, birth: date | str, sequence: int) -> str:
    """Build a number from its parts, appending the check character.

    ``birth`` is a :class:`date` or a ``YYYYMMDD`` string; ``sequence`` is 0..999.  The result is
    not validated beyond the check character (use :func:`validate`).
    """
    b = birth.strftime("%Y%m%d") if isinstance(birth, date) else birth
    if not (0 <= sequence <= 999):
        raise ValueError("sequence must be 0..999")
    first17 = f"{region_code}{b}{sequence:03d}"
    return first17 + check_character(first17)


_GEN_BIRTH_FIRST = date(1930, 1, 1).toordinal()
_GEN_BIRTH_LAST = date(2005, 12, 31).toordinal()


def generate(rng: Random, region: str | None = None, birth: date | None = None) -> str:
    """A random valid identity number, for demo data and tests.

    ``region`` is a 6-digit code whose first two digits are a province code (a random plausible
    one when omitted); ``birth`` defaults to a random date in 1930..2005.
    """
    if region is None:
        province = sorted(PROVINCE_CODES)[rng.randrange(len(PROVINCE_CODES))]
        region = f"{province}{rng.randrange(1, 30):02d}{rng.randrange(1, 40):02d}"
    elif not (len(region) == 6 and region.isascii() and region.isdigit() and region[:2] in PROVINCE_CODES):
        raise ValueError("region must be 6 digits starting with a province code")
    if birth is None:
        birth = date.fromordinal(rng.randint(_GEN_BIRTH_FIRST, _GEN_BIRTH_LAST))
    elif birth.year < 1900:
        raise ValueError("birth must not be before 1900")
    return compose(region, birth, rng.randrange(1000))
