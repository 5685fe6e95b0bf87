"""Identity numbers (GB 11643-1999): validation codes, normalisation and generation."""
from __future__ import annotations

from datetime import date, timedelta
from random import Random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain import idnumber
from domain.idnumber import (
    ID_BIRTH_DATE,
    ID_CHECKSUM,
    ID_FORMAT,
    ID_LEGACY_15,
    ID_LENGTH,
    ID_REGION,
    InvalidIdNumber,
)

TODAY = date(2025, 6, 1)
PROVINCES = {11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46,
             50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82}  # fmt: skip


def reference_check(first17: str) -> str:
    """Independent ISO 7064 MOD 11-2 implementation (weights 2**(17-i) mod 11)."""
    total = sum(int(c) * (2 ** (17 - i) % 11) for i, c in enumerate(first17))
    return "10X98765432"[total % 11]


def code_of(value: object, today: date = TODAY) -> str | None:
    try:
        idnumber.validate(value, today=today)
    except InvalidIdNumber as e:
        return e.code
    return None


def real_date(yyyymmdd: str) -> date | None:
    try:
        return date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:]))
    except ValueError:
        return None


valid_ids = st.builds(
    lambda seed: idnumber.generate(Random(seed)), st.integers(min_value=0, max_value=2**64)
)


def test_known_numbers() -> None:
    assert idnumber.check_character("11010519491231002") == "X"
    assert idnumber.validate("11010519491231002X", today=TODAY) == "11010519491231002X"
    assert idnumber.check_character("44052418800101001") == reference_check("44052418800101001")


def test_lowercase_x_is_normalised() -> None:
    assert idnumber.validate("11010519491231002x", today=TODAY) == "11010519491231002X"


def test_check_character_rejects_bad_input() -> None:
    for bad in ("1101051949123100", "110105194912310021", "1101051949123100X", "1_010519491231002"):
        with pytest.raises(ValueError):
            idnumber.check_character(bad)


@given(st.text(alphabet="0123456789", min_size=17, max_size=17))
def test_check_character_matches_reference(first17: str) -> None:
    assert idnumber.check_character(first17) == reference_check(first17)


@given(valid_ids)
def test_generated_numbers_are_valid(value: str) -> None:
    assert idnumber.validate(value, today=TODAY) == value
    assert int(value[:2]) in PROVINCES
    assert value[17] == reference_check(value[:17])


@given(valid_ids, st.integers(min_value=0, max_value=17), st.integers(min_value=1, max_value=9))
def test_one_changed_digit_is_always_caught_with_the_right_code(value: str, pos: int, delta: int) -> None:
    if pos == 17:
        chars = "0123456789X"
        new = chars[(chars.index(value[17]) + delta) % 11]
    else:
        new = str((int(value[pos]) + delta) % 10)
    corrupted = value[:pos] + new + value[pos + 1 :]
    if pos < 2 and int(corrupted[:2]) not in PROVINCES:
        expected = ID_REGION
    elif 6 <= pos < 14:
        born = real_date(corrupted[6:14])
        ok = born is not None and date(1900, 1, 1) <= born <= TODAY
        expected = ID_CHECKSUM if ok else ID_BIRTH_DATE
    else:
        expected = ID_CHECKSUM
    assert code_of(corrupted) == expected


def test_checksum_message_names_both_characters() -> None:
    with pytest.raises(InvalidIdNumber) as e:
        idnumber.validate("110105194912310023", today=TODAY)
    assert e.value.code == ID_CHECKSUM
    assert e.value.message == "check character is 3, expected X"
    assert "110105194912310023" not in str(e.value)


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("110105491231002", ID_LEGACY_15),
        ("", ID_LENGTH),
        ("11010519491231002", ID_LENGTH),
        ("11010519491231002X1", ID_LENGTH),
        (" 11010519491231002X", ID_LENGTH),
        ("11010519491231002X ", ID_LENGTH),
        ("11010519491231 02X", ID_FORMAT),
        ("1101051949123100XX", ID_FORMAT),
        ("11010519491231002Y", ID_FORMAT),
        ("１1010519491231002X", ID_FORMAT),  # full-width digit
        ("11010519491231002-", ID_FORMAT),
        (None, ID_FORMAT),
        (110105194912310020, ID_FORMAT),
        ("99010519491231002X", ID_REGION),
        ("00010519491231002X", ID_REGION),
    ],
)
def test_shape_and_region_codes(value: object, code: str) -> None:
    assert code_of(value) == code


def with_check(first17: str) -> str:
    return first17 + reference_check(first17)


def test_region_prefixes() -> None:
    for p in range(100):
        value = with_check(f"{p:02d}0101" + "19800101" + "123")
        assert code_of(value) == (None if p in PROVINCES else ID_REGION), p
    # 83 (Taiwan residence permits) is not in the province list on purpose
    assert code_of(with_check("830000" + "19800101" + "123")) == ID_REGION


@pytest.mark.parametrize(
    ("birth", "code"),
    [
        ("19900230", ID_BIRTH_DATE),  # 30 February
        ("19900431", ID_BIRTH_DATE),
        ("19901301", ID_BIRTH_DATE),
        ("19900001", ID_BIRTH_DATE),
        ("19900100", ID_BIRTH_DATE),
        ("19000229", ID_BIRTH_DATE),  # 1900 is not a leap year
        ("18991231", ID_BIRTH_DATE),  # before 1900
        ("00000101", ID_BIRTH_DATE),
        ("19000101", None),
        ("20000229", None),
        ("20040229", None),
        ("20250601", None),  # born today
        ("20250602", ID_BIRTH_DATE),  # tomorrow
        ("20991231", ID_BIRTH_DATE),
    ],
)
def test_birth_dates(birth: str, code: str | None) -> None:
    assert code_of(with_check("110105" + birth + "123")) == code


def test_today_defaults_to_the_current_date() -> None:
    tomorrow = date.today() + timedelta(days=1)
    value = idnumber.compose("110105", tomorrow, 123)
    assert code_of(value, today=tomorrow) is None
    with pytest.raises(InvalidIdNumber) as e:
        idnumber.validate(value)
    assert e.value.code == ID_BIRTH_DATE


def test_birth_date_and_region() -> None:
    assert idnumber.birth_date("11010519491231002X") == date(1949, 12, 31)
    assert idnumber.birth_date("11010519491231002x") == date(1949, 12, 31)
    assert idnumber.region("11010519491231002X") == "110105"
    with pytest.raises(InvalidIdNumber) as e:
        idnumber.birth_date(with_check("110105" + "19900230" + "123"))
    assert e.value.code == ID_BIRTH_DATE
    with pytest.raises(InvalidIdNumber) as e:
        idnumber.region("110105491231002")
    assert e.value.code == ID_LEGACY_15


@settings(max_examples=50)
@given(st.integers(min_value=0, max_value=2**32), st.dates(date(1900, 1, 1), TODAY))
def test_generate_with_region_and_birth(seed: int, birth: date) -> None:
    value = idnumber.generate(Random(seed), region="652301", birth=birth)
    assert idnumber.validate(value, today=TODAY) == value
    assert idnumber.region(value) == "652301"
    assert idnumber.birth_date(value) == birth


def test_generate_is_reproducible_and_checks_its_arguments() -> None:
    assert idnumber.generate(Random(7)) == idnumber.generate(Random(7))
    with pytest.raises(ValueError):
        idnumber.generate(Random(1), region="990101")
    with pytest.raises(ValueError):
        idnumber.generate(Random(1), region="6523")
    with pytest.raises(ValueError):
        idnumber.generate(Random(1), birth=date(1899, 12, 31))


@given(st.text(max_size=25))
def test_validate_only_raises_invalid_id_number(value: str) -> None:
    try:
        result = idnumber.validate(value, today=TODAY)
    except InvalidIdNumber as e:
        assert e.code in {ID_LENGTH, ID_LEGACY_15, ID_FORMAT, ID_REGION, ID_BIRTH_DATE, ID_CHECKSUM}
        if len(value) >= 8:
            assert value not in e.message
    else:
        assert result == value.upper()
