"""Line checks and batch checks of a submitted roster: exact reason codes."""
from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal
from random import Random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain import idnumber, validation as v
from domain.masking import mask_account
from domain.model import AccountKind, PaymentLine
from domain.validation import BatchChecker, LineError, check_batch, check_line

TODAY = date(2025, 6, 1)
ID_A = "11010519491231002X"
ID_B = idnumber.compose("652301", date(1980, 5, 17), 123)
ID_C = idnumber.compose("652301", date(1975, 1, 2), 456)


def card(body18: str) -> str:
    return body18 + v.luhn_check_digit(body18)


CARD_A = card("622848000000000001")
CARD_B = card("622848000000000002")
CARD_C = card("622848000000000003")


def make(**changes: object) -> PaymentLine:
    base = PaymentLine(
        seq=1,
        name="张三",
        id_number=ID_A,
        account_no=CARD_A,
        amount_fen=12_345,
        account_kind=AccountKind.CARD,
        bank_name="中国农业银行",
        subsidy_item="耕地地力保护补贴",
        remark="耕地地力保护补贴",
        phone="13800138000",
    )
    return dataclasses.replace(base, **changes)


def codes(line: PaymentLine, **kw: object) -> list[str]:
    return [e.code for e in check_line(line, today=TODAY, **kw)]


def reference_luhn_ok(digits: str) -> bool:
    total = 0
    for i, c in enumerate(reversed(digits)):
        d = int(c)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def test_a_good_line_has_no_problems() -> None:
    assert check_line(make(), today=TODAY) == []
    assert check_line(make(phone=""), today=TODAY) == []
    assert check_line(make(id_number=ID_A.lower()), today=TODAY) == []


def test_reason_codes_are_stable_strings() -> None:
    for name in v.__all__:
        value = getattr(v, name)
        if isinstance(value, str) and name.isupper() and name not in ("ERROR", "WARNING"):
            assert value == name
            assert value in v.REASON_CODES
    assert len(v.REASON_CODES) == 28
    assert v.BATCH_CODES <= v.REASON_CODES


# --- id_number -----------------------------------------------------------------------------------


def test_id_message_names_line_and_field() -> None:
    errors = check_line(make(seq=17, id_number="110105194912310023"), today=TODAY)
    assert errors == [
        LineError(17, "id_number", v.ID_CHECKSUM, "line 17: id_number: check character is 3, expected X", "error")
    ]


@pytest.mark.parametrize(
    ("id_number", "code"),
    [
        ("110105491231002", v.ID_LEGACY_15),
        ("11010519491231002", v.ID_LENGTH),
        ("", v.ID_LENGTH),
        ("11010519491231002Z", v.ID_FORMAT),
        ("99010519491231002X", v.ID_REGION),
        (idnumber.compose("110105", "19900230", 1), v.ID_BIRTH_DATE),
        (idnumber.compose("110105", "20250602", 1), v.ID_BIRTH_DATE),  # born after TODAY
        ("110105194912310021", v.ID_CHECKSUM),
    ],
)
def test_id_codes(id_number: str, code: str) -> None:
    assert codes(make(id_number=id_number)) == [code]


# --- name ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    ["张三", "欧阳娜娜", "买买提·艾力", "阿依古丽·买买提·吐尔逊", "王〇", "𠀀𠀁", "龘䶮", "李" * 20],
)
def test_good_names(name: str) -> None:
    assert codes(make(name=name)) == []


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("买买提•艾力", v.NAME_DOT_LOOKALIKE),  # U+2022 bullet
        ("买买提・艾力", v.NAME_DOT_LOOKALIKE),  # U+30FB katakana middle dot
        ("买买提.艾力", v.NAME_DOT_LOOKALIKE),
        ("买买提．艾力", v.NAME_DOT_LOOKALIKE),
        ("·艾力", v.NAME_DOT_POSITION),
        ("艾力·", v.NAME_DOT_POSITION),
        ("艾力··买买", v.NAME_DOT_POSITION),
        ("张 三", v.NAME_SPACE),
        ("张\u3000三", v.NAME_SPACE),
        (" 张三", v.NAME_SPACE),
        ("张三1", v.NAME_DIGIT),
        ("张三１", v.NAME_DIGIT),
        ("Zhang", v.NAME_CHARSET),
        ("张A", v.NAME_CHARSET),
        ("张三(", v.NAME_CHARSET),
        ("张", v.NAME_LENGTH),
        ("", v.NAME_LENGTH),
        ("李" * 21, v.NAME_LENGTH),
        (None, v.NAME_CHARSET),
    ],
)
def test_bad_names(name: object, code: str) -> None:
    assert codes(make(name=name)) == [code]


def test_lookalike_dot_message_asks_for_u00b7() -> None:
    for dot in ("\u2022", "\u30fb"):
        [error] = check_line(make(seq=4, name=f"买买提{dot}艾力"), today=TODAY)
        assert error.message.startswith("line 4: name: ")
        assert "U+00B7" in error.message
        assert f"U+{ord(dot):04X}" in error.message


# --- account -------------------------------------------------------------------------------------


def test_luhn_failure_on_a_card_is_only_a_warning() -> None:
    bad = CARD_A[:-1] + str((int(CARD_A[-1]) + 1) % 10)
    [warning] = check_line(make(seq=3, account_no=bad), today=TODAY)
    assert (warning.seq, warning.field, warning.code, warning.severity) == (3, "account_no", v.ACCOUNT_LUHN, "warning")
    assert not warning.is_error
    assert bad not in warning.message
    assert mask_account(bad) in warning.message


def test_passbooks_and_social_security_cards_are_not_luhn_checked() -> None:
    bad = CARD_A[:-1] + str((int(CARD_A[-1]) + 1) % 10)
    assert codes(make(account_no=bad, account_kind=AccountKind.PASSBOOK)) == []
    assert codes(make(account_no=bad, account_kind=AccountKind.SOCIAL_SECURITY_CARD)) == []
    assert codes(make(account_no="12345678", account_kind=AccountKind.PASSBOOK)) == []
    assert codes(make(account_no="1" * 25, account_kind="PASSBOOK")) == []  # plain strings work too


@pytest.mark.parametrize(
    ("account_no", "kind", "code"),
    [
        (card("62284800000"), AccountKind.CARD, v.ACCOUNT_LENGTH),  # 12 digits: fine
        (card("6228480000"), AccountKind.CARD, v.ACCOUNT_LENGTH),  # 11
        (card("6228480000000000000"), AccountKind.CARD, v.ACCOUNT_LENGTH),  # 20
        (card("6228480000"), AccountKind.SOCIAL_SECURITY_CARD, v.ACCOUNT_LENGTH),
        ("1234567", AccountKind.PASSBOOK, v.ACCOUNT_LENGTH),
        ("1" * 26, AccountKind.PASSBOOK, v.ACCOUNT_LENGTH),
        ("", AccountKind.CARD, v.ACCOUNT_LENGTH),
        ("6228 4800 0000 0000 01", AccountKind.CARD, v.ACCOUNT_FORMAT),
        ("62284800000000000A", AccountKind.CARD, v.ACCOUNT_FORMAT),
        ("６２２８４８００００００００００００１", AccountKind.CARD, v.ACCOUNT_FORMAT),
        (6228480000000000001, AccountKind.CARD, v.ACCOUNT_FORMAT),
        (CARD_A, "SAVINGS", v.ACCOUNT_KIND),
    ],
)
def test_account_codes(account_no: object, kind: object, code: str) -> None:
    expected = [] if isinstance(account_no, str) and len(account_no) == 12 else [code]
    assert codes(make(account_no=account_no, account_kind=kind)) == expected


def test_account_kind_error_names_its_field() -> None:
    [error] = check_line(make(account_kind="SAVINGS"), today=TODAY)
    assert error.field == "account_kind"


@given(st.text(alphabet="0123456789", min_size=1, max_size=30))
def test_luhn_matches_reference(digits: str) -> None:
    assert v.luhn_ok(digits) == reference_luhn_ok(digits)
    full = digits + v.luhn_check_digit(digits)
    assert v.luhn_ok(full) and reference_luhn_ok(full)


def test_luhn_rejects_non_digits() -> None:
    assert not v.luhn_ok("")
    assert not v.luhn_ok("79927398a3")
    assert v.luhn_ok("79927398713")
    with pytest.raises(ValueError):
        v.luhn_check_digit("12a")


# --- phone ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("phone", "ok"),
    [
        ("13800138000", True),
        ("19912345678", True),
        ("", True),
        ("12800138000", False),
        ("10800138000", False),
        ("1380013800", False),
        ("138001380000", False),
        ("+8613800138000", False),
        ("138-0013-8000", False),
        ("１３８００１３８０００", False),
        ("01012345678", False),
    ],
)
def test_phone(phone: str, ok: bool) -> None:
    assert codes(make(phone=phone)) == ([] if ok else [v.PHONE_FORMAT])


# --- amount and seq ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "code"),
    [
        (1.5, v.AMOUNT_TYPE),
        (100.0, v.AMOUNT_TYPE),
        (True, v.AMOUNT_TYPE),
        (Decimal("100"), v.AMOUNT_TYPE),
        ("100", v.AMOUNT_TYPE),
        (None, v.AMOUNT_TYPE),
        (0, v.AMOUNT_NOT_POSITIVE),
        (-5, v.AMOUNT_NOT_POSITIVE),
    ],
)
def test_bad_amounts(amount: object, code: str) -> None:
    assert codes(make(amount_fen=amount)) == [code]


def test_amount_standard() -> None:
    assert codes(make(amount_fen=100_000), max_amount_fen=100_000) == []
    [error] = check_line(make(seq=9, amount_fen=100_001), max_amount_fen=100_000, today=TODAY)
    assert error.code == v.AMOUNT_ABOVE_STANDARD
    assert error.message == (
        "line 9: amount_fen: 100001 fen (1000.01 yuan) is above the standard 100000 fen (1000.00 yuan)"
    )
    assert codes(make(amount_fen=10**12)) == []  # no standard: no upper bound


@pytest.mark.parametrize("seq", [0, -1, 1.0, "1", None])
def test_bad_seq(seq: object) -> None:
    errors = check_line(make(seq=seq), today=TODAY)
    assert [e.code for e in errors] == [v.SEQ_INVALID]
    assert type(errors[0].seq) is int


def test_several_problems_on_one_line() -> None:
    line = make(name="张", id_number="110105491231002", account_no="abc", phone="1", amount_fen=0.5)
    assert codes(line) == [v.ID_LEGACY_15, v.NAME_LENGTH, v.ACCOUNT_FORMAT, v.PHONE_FORMAT, v.AMOUNT_TYPE]


@given(
    st.text(alphabet="0123456789Xx ", max_size=20),
    st.text(alphabet="0123456789a ", max_size=26),
    st.sampled_from(list(AccountKind)),
)
def test_messages_never_contain_full_numbers(id_number: str, account_no: str, kind: AccountKind) -> None:
    lines = [make(id_number=id_number, account_no=account_no, account_kind=kind), make(seq=2, id_number=id_number, account_no=account_no)]
    errors = check_batch(lines, 2, 24_690, today=TODAY)
    for e in errors:
        assert e.seq in (0, 1, 2)
        assert e.message.startswith(f"line {e.seq}: {e.field}: " if e.seq else "batch: ")
        if len(id_number) >= 8:
            assert id_number not in e.message
        if len(account_no) >= 8:
            assert account_no not in e.message


# --- BatchChecker --------------------------------------------------------------------------------


def feed(lines: list[PaymentLine], **kw: object) -> tuple[BatchChecker, list[LineError]]:
    checker = BatchChecker(today=TODAY, **kw)
    out: list[LineError] = []
    for line in lines:
        out.extend(checker.check(line))
    return checker, out


def test_clean_batch_and_control_totals() -> None:
    lines = [
        make(seq=1, id_number=ID_A, account_no=CARD_A, amount_fen=100),
        make(seq=2, id_number=ID_B, account_no=CARD_B, amount_fen=250),
        make(seq=3, id_number=ID_C, account_no=CARD_C, amount_fen=1),
    ]
    checker, out = feed(lines)
    assert out == []
    assert (checker.count, checker.total_fen) == (3, 351)
    assert checker.finish(3, 351) == []
    assert check_batch(lines, 3, 351, today=TODAY) == []


def test_control_count_and_total_mismatch() -> None:
    lines = [make(seq=1, amount_fen=100), make(seq=2, id_number=ID_B, account_no=CARD_B, amount_fen=200)]
    checker, _ = feed(lines)
    errors = checker.finish(3, 301)
    assert [(e.seq, e.field, e.code) for e in errors] == [
        (0, "control_count", v.CONTROL_COUNT),
        (0, "control_total_fen", v.CONTROL_TOTAL),
    ]
    assert errors[0].message == "batch: control_count: the header says 3 lines, the batch has 2"
    assert all(e.severity == "error" for e in errors)
    assert [e.code for e in feed(lines)[0].finish(2, 301)] == [v.CONTROL_TOTAL]
    assert [e.code for e in feed(lines)[0].finish(1, 300)] == [v.CONTROL_COUNT]
    assert [e.code for e in feed(lines)[0].finish(2, 300.0)] == [v.CONTROL_TOTAL]  # type: ignore[arg-type]


def test_empty_batch() -> None:
    checker = BatchChecker(today=TODAY)
    assert checker.finish(0, 0) == []
    assert [e.code for e in checker.finish(1, 0)] == [v.CONTROL_COUNT]


def test_float_amounts_are_not_added_to_the_total() -> None:
    lines = [make(seq=1, amount_fen=100), make(seq=2, id_number=ID_B, account_no=CARD_B, amount_fen=1.5)]
    checker, out = feed(lines)
    assert [e.code for e in out] == [v.AMOUNT_TYPE]
    assert checker.total_fen == 100


def test_same_person_twice_same_account() -> None:
    lines = [
        make(seq=1, id_number=ID_A, account_no=CARD_A),
        make(seq=2, id_number=ID_B, account_no=CARD_B),
        make(seq=3, id_number=ID_A.lower(), account_no=CARD_A),
    ]
    _, out = feed(lines)
    assert [(e.seq, e.field, e.code) for e in out] == [(3, "id_number", v.DUPLICATE_PERSON)]
    assert out[0].message == "line 3: id_number: same person (110***********002x) as line 1"  # as written on line 3


def test_same_person_with_two_accounts() -> None:
    lines = [make(seq=1, id_number=ID_A, account_no=CARD_A), make(seq=2, id_number=ID_A, account_no=CARD_B)]
    _, out = feed(lines)
    assert [(e.seq, e.field, e.code) for e in out] == [
        (2, "id_number", v.DUPLICATE_PERSON),
        (2, "account_no", v.PERSON_TWO_ACCOUNTS),
    ]
    assert "line 1" in out[1].message


def test_account_shared_by_two_people() -> None:
    lines = [
        make(seq=1, id_number=ID_A, account_no=CARD_A),
        make(seq=2, id_number=ID_B, account_no=CARD_B),
        make(seq=3, id_number=ID_C, account_no=CARD_A),
    ]
    _, out = feed(lines)
    assert [(e.seq, e.field, e.code) for e in out] == [(3, "account_no", v.ACCOUNT_SHARED)]
    assert out[0].message == f"line 3: account_no: account {mask_account(CARD_A)} is also on line 1 for a different person"
    assert CARD_A not in out[0].message


def test_all_three_cross_checks_at_once() -> None:
    lines = [
        make(seq=1, id_number=ID_A, account_no=CARD_A),
        make(seq=2, id_number=ID_B, account_no=CARD_B),
        make(seq=3, id_number=ID_A, account_no=CARD_B),
    ]
    _, out = feed(lines)
    assert [(e.seq, e.code, e.message.rsplit("line ", 1)[1][:1]) for e in out] == [
        (3, v.DUPLICATE_PERSON, "1"),
        (3, v.PERSON_TWO_ACCOUNTS, "1"),
        (3, v.ACCOUNT_SHARED, "2"),
    ]


def test_later_line_with_the_accounts_second_holder_is_still_shared() -> None:
    # line 2 gives A a second account Y; line 3 has A with Y again: not "shared"
    y = CARD_B
    lines = [
        make(seq=1, id_number=ID_A, account_no=CARD_A),
        make(seq=2, id_number=ID_A, account_no=y),
        make(seq=3, id_number=ID_A, account_no=y),
    ]
    _, out = feed(lines)
    assert [(e.seq, e.code) for e in out] == [
        (2, v.DUPLICATE_PERSON),
        (2, v.PERSON_TWO_ACCOUNTS),
        (3, v.DUPLICATE_PERSON),
        (3, v.PERSON_TWO_ACCOUNTS),
    ]


def test_empty_ids_and_accounts_are_not_duplicates_of_each_other() -> None:
    lines = [make(seq=1, id_number="", account_no=""), make(seq=2, id_number="", account_no="")]
    _, out = feed(lines)
    assert v.DUPLICATE_PERSON not in {e.code for e in out}
    assert v.ACCOUNT_SHARED not in {e.code for e in out}


def test_duplicate_seq_and_gaps() -> None:
    people = [(ID_A, CARD_A), (ID_B, CARD_B), (ID_C, CARD_C)]
    dup = [make(seq=s, id_number=i, account_no=a) for s, (i, a) in zip((1, 2, 2), people)]
    checker, out = feed(dup)
    assert [(e.seq, e.field, e.code) for e in out] == [(2, "seq", v.DUPLICATE_SEQ)]
    assert checker.finish(3, 3 * 12_345) == []  # the duplicate is not reported twice

    gap = [make(seq=s, id_number=i, account_no=a) for s, (i, a) in zip((1, 2, 4), people)]
    checker, out = feed(gap)
    assert out == []
    assert [(e.seq, e.code) for e in checker.finish(3, 3 * 12_345)] == [(0, v.SEQ_NOT_CONTIGUOUS)]
    checker, _ = feed(gap, require_contiguous_seq=False)
    assert checker.finish(3, 3 * 12_345) == []

    shuffled = [make(seq=s, id_number=i, account_no=a) for s, (i, a) in zip((3, 1, 2), people)]
    checker, out = feed(shuffled)
    assert out == []
    assert checker.finish(3, 3 * 12_345) == []


@given(st.lists(st.integers(min_value=1, max_value=40), max_size=40))
def test_duplicate_seq_matches_a_set(seqs: list[int]) -> None:
    rng = Random(0)
    checker = BatchChecker(today=TODAY)
    seen: set[int] = set()
    for s in seqs:
        line = make(seq=s, id_number=idnumber.generate(rng), account_no=card(f"622848{rng.randrange(10**12):012d}"))
        got = [e.code for e in checker.add(line)]
        assert got == ([v.DUPLICATE_SEQ] if s in seen else [])
        seen.add(s)
    contiguous = sorted(seqs) == list(range(1, len(seqs) + 1))
    gap_reported = v.SEQ_NOT_CONTIGUOUS in {e.code for e in checker.finish(len(seqs), checker.total_fen)}
    assert gap_reported == (not contiguous and len(set(seqs)) == len(seqs))


def test_huge_seqs_use_the_set() -> None:
    checker = BatchChecker(today=TODAY, require_contiguous_seq=False)
    assert checker.add(make(seq=10**12)) == []
    assert [e.code for e in checker.add(make(seq=10**12, id_number=ID_B, account_no=CARD_B))] == [v.DUPLICATE_SEQ]


def test_counters() -> None:
    bad_luhn = CARD_A[:-1] + str((int(CARD_A[-1]) + 1) % 10)
    checker, _ = feed([make(seq=1, account_no=bad_luhn), make(seq=2, id_number=ID_B, account_no=CARD_B, amount_fen=0)])
    assert (checker.errors, checker.warnings) == (1, 1)


def test_unknown_kind_is_reported_whatever_the_account() -> None:
    assert codes(make(account_no="", account_kind=None)) == [v.ACCOUNT_KIND, v.ACCOUNT_LENGTH]
    assert codes(make(account_no="12x", account_kind="card")) == [v.ACCOUNT_KIND, v.ACCOUNT_FORMAT]
