"""Amounts in capital numerals (中文大写金额), the way they are written on vouchers and forms.

Follows the rules for filling in bills and settlement vouchers (《正确填写票据和结算凭证的基本规定》):

* digits 零壹贰叁肆伍陆柒捌玖, units 拾佰仟万亿, then 元角分; a leading ten is 壹拾 (never 拾);
* an amount that ends at 元 ends in 整, and one ending at 角 too (allowed, and it stops anyone
  adding a 分); an amount ending at 分 has no 整;
* a run of zeros between two non-zero digits is one 零 (1,409.50 → 壹仟肆佰零玖元伍角整;
  100,200.00 → 壹拾万零贰佰元整); a zero 元 digit with 角 or 分 after it is written 零
  (1,680.32 → 壹仟陆佰捌拾元零叁角贰分); a zero 角 with 分 after it is 零 (10.05 → 壹拾元零伍分);
* below one yuan the 元 is left out (0.01 → 壹分); nothing at all is 零元整; a negative amount
  starts with 负.

Money arrives as integer fen and is taken apart with integer arithmetic only.
"""
from __future__ import annotations

DIGITS = "零壹贰叁肆伍陆柒捌玖"
_IN_GROUP = ("仟", "佰", "拾", "")
_GROUPS = ("", "万", "亿", "万亿")


def _group(n: int) -> str:
    """0 < n < 10000, read with its zeros: 1010 → 壹仟零壹拾; leading zeros are not read."""
    out, zero = [], False
    for unit, digit in zip(_IN_GROUP, f"{n:04d}"):
        if digit == "0":
            zero = bool(out)
            continue
        if zero:
            out.append("零")
            zero = False
        out.append(DIGITS[int(digit)] + unit)
    return "".join(out)


def _yuan(n: int) -> str:
    """n > 0 whole yuan in capitals, without 元."""
    groups = []
    while n:
        n, part = divmod(n, 10000)
        groups.append(part)
    if len(groups) > len(_GROUPS):
        raise ValueError("amount too large for capital numerals")
    out: list[str] = []
    zero = False
    for level in range(len(groups) - 1, -1, -1):
        part = groups[level]
        if part == 0:
            zero = bool(out)
            continue
        if out and (zero or part < 1000):
            out.append("零")
        zero = False
        out.append(_group(part) + _GROUPS[level])
    return "".join(out)


def capitals(fen: int) -> str:
    """``10020000`` → ``壹拾万零贰佰元整``: integer fen in capital numerals."""
    if not isinstance(fen, int) or isinstance(fen, bool):
        raise TypeError(f"amount must be integer fen, not {type(fen).__name__}")
    if fen < 0:
        return "负" + capitals(-fen)
    whole, cents = divmod(fen, 100)
    jiao, fen_digit = divmod(cents, 10)
    if fen == 0:
        return "零元整"
    out = _yuan(whole) + "元" if whole else ""
    if cents == 0:
        return out + "整"
    if whole and whole % 10 == 0:
        out += "零"  # a zero 元 digit before 角 or 分
    if jiao:
        out += DIGITS[jiao] + "角"
    elif whole:
        out += "" if out.endswith("零") else "零"  # a zero 角 between 元 and 分
    if fen_digit:
        return out + DIGITS[fen_digit] + "分"
    return out + "整"
