"""Property tests of the line checks: valid values pass, corrupted ones fail with the exact code.

The generators build numbers independently of the code under test (their own MOD 11-2 and Luhn),
from real region codes, birth dates 1900-01-01..today and any sequence code; the corruptions
are single changed characters, adjacent transpositions, impossible or future birth dates, the
15-digit legacy form, look-alike dots and malformed phones.  Finally, no message produced for
any corrupted line contains the raw identity, account or phone number.
"""
from __future__ import annotations

import dataclasses
import re
from datetime import date, timedelta

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from domain import idnumber, validation as v
from domain.masking import mask_account
from domain.model import AccountKind, PaymentLine
from domain.validation import LineError, check_batch, check_line

TODAY = date.today()
EPOCH = date(1900, 1, 1)
FAST = settings(max_examples=300, deadline=None)
MEDIUM = settings(max_examples=150, deadline=None)

#: Real county-level codes (GB/T 2260), at least one per province-level division.
REGIONS = (
    "110101", "110105", "120101", "130102", "140105", "150102", "210102", "220102", "230102",
    "310101", "310115", "320102", "330106", "340102", "350102", "360102", "370102", "410102",
    "420102", "430102", "440103", "440305", "450102", "460105", "500101", "510104", "520102",
    "530102", "540102", "610102", "620102", "630102", "640104", "650102", "652301", "710000",
    "810000", "820000",
)  # fmt: skip
PROVINCES = frozenset({"11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34",
                       "35", "36", "37", "41", "42", "43", "44", "45", "46", "50", "51", "52",
                       "53", "54", "61", "62", "63", "64", "65", "71", "81", "82"})  # fmt: skip

#: U+00B7 look-alikes that must be NAME_DOT_LOOKALIKE.
LOOKALIKE_DOTS = "\u2022\u30fb\uff65\u2027\u2219\u22c5\u0387\uff0e.\u2024\u2e31\u2e33\ua78f\u1427\u16eb\U00010101\ufe52\u3002"
DOT = "\u00b7"


# --- independent reference implementations -------------------------------------------------------


def mod11_check(first17: str) -> str:
    """ISO 7064 MOD 11-2: the character c with sum(d_i * 2**(17-i)) + c = 1 (mod 11), X for 10."""
    total = sum(int(c) * 2 ** (17 - i) for i, c in enumerate(first17))
    c = (1 - total) % 11
    return "X" if c == 10 else str(c)


def luhn_digit(body: str) -> str:
    total = 0
    for i, c in enumerate(reversed(body)):
        d = int(c)
        if i % 2 == 0:  # doubled: the check digit will be appended to the right
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return str(-total % 10)


def is_luhn(digits: str) -> bool:
    return luhn_digit(digits[:-1]) == digits[-1]


def real_date(yyyymmdd: str) -> date | None:
    try:
        return date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:]))
    except ValueError:
        return None


def is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def expected_id_code(value: str) -> str | None:
    """What validate() must say about 18 ASCII digits (+ digit/X), by the rules in their order."""
    if value[:2] not in PROVINCES:
        return v.ID_REGION
    born = real_date(value[6:14])
    if born is None or not (EPOCH <= born <= TODAY):
        return v.ID_BIRTH_DATE
    if value[17] != mod11_check(value[:17]):
        return v.ID_CHECKSUM
    return None


# --- strategies ----------------------------------------------------------------------------------

births = st.dates(min_value=EPOCH, max_value=TODAY)
sequences = st.integers(min_value=0, max_value=999)


def make_id(region: str, birth: date | str, sequence: int) -> str:
    b = birth if isinstance(birth, str) else birth.strftime("%Y%m%d")
    first17 = f"{region}{b}{sequence:03d}"
    return first17 + mod11_check(first17)


valid_ids = st.builds(make_id, st.sampled_from(REGIONS), births, sequences)


@st.composite
def valid_cards(draw: st.DrawFn) -> str:
    n = draw(st.integers(min_value=16, max_value=19))
    prefix = draw(st.sampled_from(["62", "4", "5", "9"]))
    body = prefix + draw(st.text(alphabet="0123456789", min_size=n - 1 - len(prefix), max_size=n - 1 - len(prefix)))
    return body + luhn_digit(body)


valid_phones = st.builds(
    lambda second, rest: f"1{second}{rest}",
    st.sampled_from("3456789"),
    st.text(alphabet="0123456789", min_size=9, max_size=9),
)

# Chinese characters: common ones, extension A, the 〇 and extension B (outside the BMP).
cjk_chars = st.one_of(
    st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF),
    st.sampled_from("〇㐀䶮龘"),
    st.characters(min_codepoint=0x20000, max_codepoint=0x2A6DF),
)
name_parts = st.lists(st.text(cjk_chars, min_size=1, max_size=6), min_size=1, max_size=4)


@st.composite
def valid_names(draw: st.DrawFn) -> str:
    name = DOT.join(draw(name_parts))
    assume(2 <= len(name) <= 20)
    return name


def line(**changes: object) -> PaymentLine:
    base = PaymentLine(
        seq=1,
        name="张三",
        id_number="11010519491231002X",
        account_no="6228480000000000001"[:-1] + luhn_digit("622848000000000000"),
        amount_fen=12_345,
        account_kind=AccountKind.CARD,
        phone="13800138000",
    )
    return dataclasses.replace(base, **changes)


def problems(ln: PaymentLine, **kw: object) -> list[tuple[int, str, str, str]]:
    return [(e.seq, e.field, e.code, e.severity) for e in check_line(ln, today=TODAY, **kw)]


def id_code(value: object) -> str | None:
    try:
        idnumber.validate(value, today=TODAY)
    except idnumber.InvalidIdNumber as e:
        return e.code
    return None


def assert_id_problem(value: str, code: str, seq: int = 7) -> None:
    errors = check_line(line(seq=seq, id_number=value), today=TODAY)
    assert [(e.seq, e.field, e.code, e.severity) for e in errors] == [(seq, "id_number", code, "error")]
    assert errors[0].message.startswith(f"line {seq}: id_number: ")
    assert value not in errors[0].message
    assert id_code(value) == code


def test_reference_implementations_agree_with_known_values() -> None:
    assert mod11_check("11010519491231002") == "X"
    assert is_luhn("79927398713") and not is_luhn("79927398710")
    assert v.luhn_ok("79927398713")
    assert {r[:2] for r in REGIONS} == PROVINCES == idnumber.PROVINCE_CODES


# --- identity numbers ----------------------------------------------------------------------------


@FAST
@given(valid_ids)
def test_valid_ids_are_accepted(value: str) -> None:
    assert idnumber.validate(value, today=TODAY) == value
    assert check_line(line(id_number=value), today=TODAY) == []


@MEDIUM
@given(st.sampled_from(REGIONS), sequences)
def test_born_today_is_accepted_even_with_the_default_today(region: str, sequence: int) -> None:
    value = make_id(region, date.today(), sequence)
    assert idnumber.validate(value) == value
    assert check_line(line(id_number=value)) == []


@FAST
@given(valid_ids, st.integers(min_value=0, max_value=17), st.integers(min_value=1, max_value=10))
def test_one_changed_character_fails_with_the_code_of_its_position(value: str, pos: int, delta: int) -> None:
    alphabet = "0123456789X" if pos == 17 else "0123456789"
    assume(pos == 17 or delta < 10)
    new = alphabet[(alphabet.index(value[pos]) + delta) % len(alphabet)]
    corrupted = value[:pos] + new + value[pos + 1 :]
    assert corrupted != value
    if pos < 2:  # province digits: a real province still needs the right check character
        expected = v.ID_CHECKSUM if corrupted[:2] in PROVINCES else v.ID_REGION
    elif 6 <= pos < 14:  # birth date: still a real date 1900..today, or not
        born = real_date(corrupted[6:14])
        expected = v.ID_CHECKSUM if born is not None and EPOCH <= born <= TODAY else v.ID_BIRTH_DATE
    else:  # county digits, sequence code, check character
        expected = v.ID_CHECKSUM
    assert expected == expected_id_code(corrupted)
    assert_id_problem(corrupted, expected)


@FAST
@given(valid_ids, st.integers(min_value=0, max_value=16))
def test_transposed_adjacent_digits_fail(value: str, i: int) -> None:
    a, b = value[i], value[i + 1]
    assume(a != b and b != "X")  # a transposition of two different digits
    corrupted = value[:i] + b + a + value[i + 2 :]
    touched = {i, i + 1}
    if touched & {0, 1} and corrupted[:2] not in PROVINCES:
        expected = v.ID_REGION
    elif touched & set(range(6, 14)) and expected_id_code(corrupted) == v.ID_BIRTH_DATE:
        expected = v.ID_BIRTH_DATE
    else:  # the weights of neighbours differ mod 11: the check character always catches it
        expected = v.ID_CHECKSUM
    assert expected == expected_id_code(corrupted)
    assert_id_problem(corrupted, expected)


@FAST
@given(st.sampled_from(REGIONS), st.dates(min_value=TODAY + timedelta(days=1)), sequences)
def test_future_birth_dates_are_rejected(region: str, birth: date, sequence: int) -> None:
    assert_id_problem(make_id(region, birth, sequence), v.ID_BIRTH_DATE)


@FAST
@given(st.sampled_from(REGIONS), st.dates(max_value=EPOCH - timedelta(days=1), min_value=date(1000, 1, 1)), sequences)
def test_birth_dates_before_1900_are_rejected(region: str, birth: date, sequence: int) -> None:
    assert_id_problem(make_id(region, birth, sequence), v.ID_BIRTH_DATE)


@FAST
@given(st.sampled_from(REGIONS), st.integers(min_value=1900, max_value=TODAY.year), sequences)
def test_feb_29_only_in_leap_years(region: str, year: int, sequence: int) -> None:
    value = make_id(region, f"{year:04d}0229", sequence)
    if is_leap(year) and date(year, 2, 29) <= TODAY:
        assert id_code(value) is None
        assert check_line(line(id_number=value), today=TODAY) == []
    else:
        assert_id_problem(value, v.ID_BIRTH_DATE)


@FAST
@given(
    st.sampled_from(REGIONS),
    st.integers(min_value=1, max_value=12),
    st.integers(min_value=29, max_value=39),
    st.integers(min_value=1900, max_value=TODAY.year),
    sequences,
)
def test_days_past_the_end_of_the_month_are_rejected(region: str, month: int, day: int, year: int, sequence: int) -> None:
    value = make_id(region, f"{year:04d}{month:02d}{day:02d}", sequence)
    born = real_date(value[6:14])
    if born is not None and born <= TODAY:
        assert id_code(value) is None
    else:
        assert_id_problem(value, v.ID_BIRTH_DATE)


@FAST
@given(st.sampled_from(REGIONS), st.dates(min_value=EPOCH, max_value=date(1999, 12, 31)), sequences)
def test_the_15_digit_legacy_form_has_its_own_code(region: str, birth: date, sequence: int) -> None:
    legacy = f"{region}{birth:%y%m%d}{sequence:03d}"
    assert len(legacy) == 15
    assert_id_problem(legacy, v.ID_LEGACY_15)


@FAST
@given(st.sampled_from(REGIONS), births, sequences)
def test_lower_case_x_is_accepted_and_normalised(region: str, birth: date, start: int) -> None:
    for k in range(1000):  # the next sequence code whose check character is X
        value = make_id(region, birth, (start + k) % 1000)
        if value.endswith("X"):
            break
    else:  # pragma: no cover - every residue occurs among 1000 sequences
        raise AssertionError("no X found")
    lower = value[:17] + "x"
    assert idnumber.validate(lower, today=TODAY) == value
    assert check_line(line(id_number=lower), today=TODAY) == []
    # and the two spellings are the same person
    out = check_batch(
        [line(seq=1, id_number=value), line(seq=2, id_number=lower)], 2, 2 * 12_345, today=TODAY
    )
    assert [(e.seq, e.code) for e in out] == [(2, v.DUPLICATE_PERSON)]


@FAST
@given(st.integers(min_value=0, max_value=99).map(lambda p: f"{p:02d}"), st.sampled_from(REGIONS), births, sequences)
def test_region_prefix_must_be_a_province(prefix: str, region: str, birth: date, sequence: int) -> None:
    value = make_id(prefix + region[2:], birth, sequence)
    if prefix in PROVINCES:
        assert id_code(value) is None
    else:
        assert_id_problem(value, v.ID_REGION)


# --- account numbers -----------------------------------------------------------------------------


@FAST
@given(valid_cards(), st.sampled_from([AccountKind.CARD, AccountKind.SOCIAL_SECURITY_CARD, AccountKind.PASSBOOK]))
def test_valid_cards_are_accepted(card: str, kind: AccountKind) -> None:
    assert v.luhn_ok(card)
    assert problems(line(account_no=card, account_kind=kind)) == []


@FAST
@given(valid_cards(), st.data())
def test_a_card_with_one_changed_digit_is_only_a_luhn_warning(card: str, data: st.DataObject) -> None:
    pos = data.draw(st.integers(min_value=0, max_value=len(card) - 1))
    new = data.draw(st.sampled_from([d for d in "0123456789" if d != card[pos]]))
    bad = card[:pos] + new + card[pos + 1 :]
    assert not is_luhn(bad)  # Luhn catches every single-digit change
    errors = check_line(line(seq=5, account_no=bad), today=TODAY)
    assert [(e.seq, e.field, e.code, e.severity, e.is_error) for e in errors] == [
        (5, "account_no", v.ACCOUNT_LUHN, v.WARNING, False)
    ]
    assert errors[0].message.startswith("line 5: account_no: ")
    assert bad not in errors[0].message
    assert mask_account(bad) in errors[0].message


@FAST
@given(valid_cards(), st.integers(min_value=0, max_value=17))
def test_transposed_card_digits_are_never_an_error(card: str, i: int) -> None:
    assume(i + 1 < len(card) and card[i] != card[i + 1])
    swapped = card[:i] + card[i + 1] + card[i] + card[i + 2 :]
    expected = [] if is_luhn(swapped) else [(1, "account_no", v.ACCOUNT_LUHN, v.WARNING)]
    assert problems(line(account_no=swapped)) == expected
    if {card[i], card[i + 1]} != {"0", "9"}:  # the one transposition Luhn cannot see
        assert expected


@FAST
@given(st.text(alphabet="0123456789", min_size=8, max_size=25))
def test_passbooks_are_not_luhn_checked(account: str) -> None:
    bad = account if not is_luhn(account) else account[:-1] + str((int(account[-1]) + 1) % 10)
    assert problems(line(account_no=bad, account_kind=AccountKind.PASSBOOK)) == []


@FAST
@given(
    st.text(alphabet="0123456789", min_size=1, max_size=30),
    st.sampled_from([AccountKind.CARD, AccountKind.SOCIAL_SECURITY_CARD, AccountKind.PASSBOOK]),
)
def test_account_length_by_kind(account: str, kind: AccountKind) -> None:
    lo, hi = (8, 25) if kind is AccountKind.PASSBOOK else (12, 19)
    got = [c for _, _, c, sev in problems(line(account_no=account, account_kind=kind)) if sev == v.ERROR]
    assert got == ([] if lo <= len(account) <= hi else [v.ACCOUNT_LENGTH])


# --- names ---------------------------------------------------------------------------------------


@FAST
@given(valid_names())
def test_names_with_middle_dots_between_parts_are_accepted(name: str) -> None:
    assert problems(line(name=name)) == []


@FAST
@given(name_parts.filter(lambda parts: len(parts) >= 2), st.sampled_from(LOOKALIKE_DOTS), st.data())
def test_look_alike_dots_are_rejected_with_their_code(parts: list[str], dot: str, data: st.DataObject) -> None:
    k = data.draw(st.integers(min_value=0, max_value=len(parts) - 2))  # which separator is wrong
    name = DOT.join(parts[: k + 1]) + dot + DOT.join(parts[k + 1 :])
    errors = check_line(line(seq=3, name=name), today=TODAY)
    assert [(e.field, e.code) for e in errors] == [("name", v.NAME_DOT_LOOKALIKE)]
    assert errors[0].message.startswith("line 3: name: ")
    assert "U+00B7" in errors[0].message and f"U+{ord(dot):04X}" in errors[0].message


@FAST
@given(name_parts, st.sampled_from(["start", "end", "double"]))
def test_middle_dots_in_wrong_places_are_rejected(parts: list[str], where: str) -> None:
    body = DOT.join(parts)
    name = {"start": DOT + body, "end": body + DOT, "double": body + DOT + DOT + parts[0]}[where]
    assert [c for _, _, c, _ in problems(line(name=name))] == [v.NAME_DOT_POSITION]


@FAST
@given(valid_names(), st.sampled_from("0123456789０１２３４５６７８９٣"), st.data())
def test_names_with_digits_are_rejected(name: str, digit: str, data: st.DataObject) -> None:
    pos = data.draw(st.integers(min_value=0, max_value=len(name)))
    assert [c for _, _, c, _ in problems(line(name=name[:pos] + digit + name[pos:]))] == [v.NAME_DIGIT]


@FAST
@given(st.text(cjk_chars, min_size=0, max_size=30))
def test_name_length_bounds(name: str) -> None:
    assert [c for _, _, c, _ in problems(line(name=name))] == ([] if 2 <= len(name) <= 20 else [v.NAME_LENGTH])


# --- phones --------------------------------------------------------------------------------------


@FAST
@given(valid_phones)
def test_mainland_mobiles_are_accepted(phone: str) -> None:
    assert problems(line(phone=phone)) == []


@st.composite
def bad_phones(draw: st.DrawFn) -> str:
    phone = draw(valid_phones)
    kind = draw(st.sampled_from(["second", "first", "short", "long", "prefix", "dash", "space", "fullwidth"]))
    if kind == "second":
        return phone[0] + draw(st.sampled_from("012")) + phone[2:]
    if kind == "first":
        return draw(st.sampled_from("023456789")) + phone[1:]
    if kind == "short":
        return phone[:-1]
    if kind == "long":
        return phone + draw(st.sampled_from("0123456789"))
    if kind == "prefix":
        return draw(st.sampled_from(["+86", "86", "0086", "+86 "])) + phone
    if kind == "dash":
        return f"{phone[:3]}-{phone[3:7]}-{phone[7:]}"
    if kind == "space":
        return draw(st.sampled_from([f" {phone}", f"{phone} ", f"{phone[:3]} {phone[3:]}"]))
    return phone.translate(str.maketrans("0123456789", "０１２３４５６７８９"))


@FAST
@given(bad_phones())
def test_malformed_phones_are_rejected(phone: str) -> None:
    errors = check_line(line(seq=8, phone=phone), today=TODAY)
    assert [(e.seq, e.field, e.code) for e in errors] == [(8, "phone", v.PHONE_FORMAT)]
    assert errors[0].message.startswith("line 8: phone: ")
    assert phone not in errors[0].message and phone.strip() not in errors[0].message


# --- amounts and control totals ------------------------------------------------------------------


@FAST
@given(st.integers(min_value=-(10**12), max_value=10**12), st.one_of(st.none(), st.integers(min_value=1, max_value=10**9)))
def test_amount_positive_and_not_above_the_standard(amount: int, standard: int | None) -> None:
    got = [c for _, _, c, _ in problems(line(amount_fen=amount), max_amount_fen=standard)]
    if amount <= 0:
        assert got == [v.AMOUNT_NOT_POSITIVE]
    elif standard is not None and amount > standard:
        assert got == [v.AMOUNT_ABOVE_STANDARD]
    else:
        assert got == []


@FAST
@given(st.one_of(st.floats(allow_nan=False), st.booleans(), st.decimals(allow_nan=False), st.text(max_size=5)))
def test_amounts_must_be_integer_fen(amount: object) -> None:
    assert [c for _, _, c, _ in problems(line(amount_fen=amount))] == [v.AMOUNT_TYPE]


@MEDIUM
@given(st.lists(st.integers(min_value=1, max_value=10**7), min_size=0, max_size=20), st.integers(-2, 2), st.integers(-2, 2))
def test_control_totals_must_equal_the_lines(amounts: list[int], dcount: int, dtotal: int) -> None:
    lines = [
        line(seq=i + 1, id_number=make_id("110105", date(1950, 1, 1) + timedelta(days=i), i),
             account_no=f"622848{i:012d}" + luhn_digit(f"622848{i:012d}"), amount_fen=a)
        for i, a in enumerate(amounts)
    ]  # fmt: skip
    out = check_batch(lines, len(lines) + dcount, sum(amounts) + dtotal, today=TODAY)
    expected = ([(0, v.CONTROL_COUNT)] if dcount else []) + ([(0, v.CONTROL_TOTAL)] if dtotal else [])
    assert [(e.seq, e.code) for e in out] == expected


# --- no message reveals a raw number ------------------------------------------------------------


@st.composite
def corrupted_ids(draw: st.DrawFn) -> str:
    value = draw(valid_ids)
    how = draw(st.sampled_from(["digit", "swap", "legacy", "future", "space", "short", "letter"]))
    if how == "digit":
        pos = draw(st.integers(min_value=0, max_value=16))
        return value[:pos] + str((int(value[pos]) + draw(st.integers(1, 9))) % 10) + value[pos + 1 :]
    if how == "swap":
        i = draw(st.integers(min_value=0, max_value=15))
        assume(value[i] != value[i + 1])
        return value[:i] + value[i + 1] + value[i] + value[i + 2 :]
    if how == "legacy":
        return value[:6] + value[8:17]
    if how == "future":
        return make_id(value[:6], f"{TODAY.year + 1}0101", int(value[14:17]))
    if how == "space":
        return draw(st.sampled_from([f" {value}", f"{value} ", f"{value[:6]} {value[6:]}"]))
    if how == "short":
        return value[:-1]
    return value[:-1] + draw(st.sampled_from("ZYa"))  # not "x": a lower-case X check character is valid


@st.composite
def corrupted_accounts(draw: st.DrawFn) -> tuple[str, AccountKind]:
    card = draw(valid_cards())
    kind = draw(st.sampled_from(list(AccountKind)))
    how = draw(st.sampled_from(["digit", "long", "short", "space", "letter", "fullwidth"]))
    if how == "digit":
        pos = draw(st.integers(min_value=0, max_value=len(card) - 1))
        return card[:pos] + str((int(card[pos]) + 1) % 10) + card[pos + 1 :], kind
    if how == "long":
        return card + "0123456"[: draw(st.integers(1, 7))], kind
    if how == "short":
        return card[: draw(st.integers(8, 11))], kind
    if how == "space":
        return f"{card[:4]} {card[4:]}", kind
    if how == "letter":
        return card[:-1] + "A", kind
    return card.translate(str.maketrans("0123456789", "０１２３４５６７８９")), kind


@MEDIUM
@given(corrupted_ids(), corrupted_accounts(), st.one_of(valid_phones, bad_phones()), valid_ids, valid_cards())
def test_no_message_contains_a_raw_number(
    id_number: str, account: tuple[str, AccountKind], phone: str, other_id: str, other_card: str
) -> None:
    account_no, kind = account
    raw = [id_number, id_number.strip(), account_no, account_no.strip(), phone, phone.strip()]
    raw += [re.sub(r"\D", "", x) for x in (id_number, account_no, phone)]
    raw = [x for x in raw if len(x) >= 8]
    bad = line(seq=1, id_number=id_number, account_no=account_no, account_kind=kind, phone=phone)
    lines = [
        bad,
        # the same person again with another account, and the same account for someone else
        line(seq=2, id_number=id_number, account_no=other_card, phone=phone),
        line(seq=3, id_number=other_id, account_no=account_no, account_kind=kind, phone=phone),
        # a shifted column: the numbers where the seq and the amount belong
        line(seq=id_number, id_number=other_id, account_no=other_card, amount_fen=account_no),  # type: ignore[arg-type]
        line(seq=phone, id_number=other_id, account_no=other_card, amount_fen=phone),  # type: ignore[arg-type]
    ]
    assert any(e.field == "id_number" for e in check_line(bad, today=TODAY))  # every corrupted ID is caught
    errors: list[LineError] = check_batch(lines, id_number, account_no, today=TODAY)  # type: ignore[arg-type]
    assert errors
    for e in errors:
        assert e.code in v.REASON_CODES
        for x in raw:
            assert x not in e.message, (e.code, e.message)
            assert x.upper() not in e.message.upper(), (e.code, e.message)
