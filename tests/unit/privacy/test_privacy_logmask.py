"""Log masking with real logging records: personal numbers masked, digests, dates, amounts kept."""
from __future__ import annotations

import hashlib
import io
import logging
import uuid

import pytest

from domain.masking import mask_account, mask_id, mask_phone
from privacy.logmask import PersonalDataFilter, install, mask_text, uninstall

ID_NUMBER = "11010519491231002X"
ID_DIGITS = "110105194912310011"  # 18 digits with a valid check digit (1)
LEGACY_ID = "110105491231002"  # 15 digits: region, YYMMDD, sequence
ACCOUNT_NO = "6222021234567890123"
PHONE_NO = "13812345678"


@pytest.fixture
def log():
    """A logger writing through a handler with the filter installed; yields (logger, output)."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    logger = logging.getLogger(f"test.privacy.{uuid.uuid4().hex}")
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    logger.addHandler(handler)
    install(logger)
    yield logger, stream.getvalue
    logger.removeHandler(handler)


def test_identity_number_in_args_is_masked(log) -> None:
    logger, output = log
    logger.info("line 7 rejected: id %s", ID_NUMBER)
    assert output() == f"INFO line 7 rejected: id {mask_id(ID_NUMBER)}\n"
    assert "110***********002X" in output()


def test_numbers_written_into_the_message_are_masked(log) -> None:
    logger, output = log
    logger.warning(f"身份证号{ID_DIGITS}，卡号{ACCOUNT_NO}，手机{PHONE_NO}。旧证{LEGACY_ID}")
    text = output()
    for raw in (ID_DIGITS, ACCOUNT_NO, PHONE_NO, LEGACY_ID):
        assert raw not in text
    assert mask_id(ID_DIGITS) in text and mask_account(ACCOUNT_NO) in text
    assert mask_phone(PHONE_NO) in text and mask_id(LEGACY_ID) in text


def test_int_arguments_are_masked(log) -> None:
    logger, output = log
    logger.info("account %d phone %d", int(ACCOUNT_NO), int(PHONE_NO))
    assert output() == f"INFO account {mask_account(ACCOUNT_NO)} phone {mask_phone(PHONE_NO)}\n"


def test_arguments_inside_containers_are_masked(log) -> None:
    logger, output = log
    logger.info("problems: %s", [{"id_number": ID_NUMBER, "account": ACCOUNT_NO}])
    text = output()
    assert ID_NUMBER not in text and ACCOUNT_NO not in text
    assert f"'{mask_id(ID_NUMBER)}'" in text


def test_digests_dates_amounts_and_ids_are_left_alone(log) -> None:
    logger, output = log
    digest = hashlib.sha256(b"result file").hexdigest()
    digit_heavy = "a" + "12345678901234567890" + "b" * 43  # a 64-hex digest with a long digit run
    request = "123e4567-e89b-12d3-a456-426614174000"  # a UUID ending in 12 digits
    logger.info(
        "bank RCC01: booked R_%s.xml: 1000 lines, %d fen, batch %s (sha256 %s, %s), file B20261128A1B2C3D4P1, "
        "due %s, at 2026-11-28 02:23:27, total %d fen, largest %d, request %s",
        20261128, 12345678901, "B2026112812345678", digest, digit_heavy, "20261128", 13000000000,
        99999999999, request,
    )
    text = output()
    for kept in (digest, digit_heavy, "20261128", "12345678901 fen", "B2026112812345678", "13000000000 fen",
                 "99999999999", "B20261128A1B2C3D4P1", "2026-11-28 02:23:27", request):
        assert kept in text, kept
    assert "*" not in text


def test_traceback_and_stack_are_masked(log) -> None:
    logger, output = log
    try:
        raise ValueError(f"bad account {ACCOUNT_NO} for {ID_NUMBER}")
    except ValueError:
        logger.exception("booking failed for %s", PHONE_NO)
    logger.info("where", stack_info=True)
    text = output()
    assert "Traceback (most recent call last)" in text and "ValueError: bad account" in text
    assert ACCOUNT_NO not in text and ID_NUMBER not in text and PHONE_NO not in text
    assert mask_account(ACCOUNT_NO) in text and mask_phone(PHONE_NO) in text


def test_a_broken_record_does_not_leak_its_arguments(log, capsys) -> None:
    logger, output = log
    logger.info("id %s and %s", ID_NUMBER)  # one argument missing: logging would print it raw
    text = output() + capsys.readouterr().err
    assert ID_NUMBER not in text
    assert mask_id(ID_NUMBER) in text and "unformattable" in text


def test_a_filter_failure_withholds_the_record(log) -> None:
    class Hostile:
        def __str__(self) -> str:
            raise RuntimeError("no")

    logger, output = log
    logger.info(Hostile())  # type: ignore[arg-type]
    assert "withheld" in output()


def test_unchanged_records_keep_their_arguments() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "batch %s has %d lines", ("B1", 5), None)
    assert PersonalDataFilter().filter(record) is True
    assert record.args == ("B1", 5) and record.getMessage() == "batch B1 has 5 lines"
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "id %s", (ID_NUMBER,), None)
    PersonalDataFilter().filter(record)
    assert record.args == () and record.msg == f"id {mask_id(ID_NUMBER)}"
    PersonalDataFilter().filter(record)  # idempotent
    assert record.getMessage() == f"id {mask_id(ID_NUMBER)}"


def test_every_later_handler_sees_the_masked_record() -> None:
    first, second = io.StringIO(), io.StringIO()
    logger = logging.getLogger(f"test.privacy.{uuid.uuid4().hex}")
    logger.propagate = False
    masked, plain = logging.StreamHandler(first), logging.StreamHandler(second)
    logger.addHandler(masked)
    install(logger)
    logger.addHandler(plain)  # added after install(): has no filter of its own
    logger.warning("id %s", ID_NUMBER)
    assert ID_NUMBER not in first.getvalue() and ID_NUMBER not in second.getvalue()


def test_install_is_idempotent_and_uninstall_removes(log) -> None:
    logger, _ = log
    handler = logger.handlers[0]
    install(logger)
    assert sum(isinstance(f, PersonalDataFilter) for f in handler.filters) == 1
    uninstall(logger)
    assert not handler.filters
    with pytest.raises(ValueError, match="has no handlers"):
        install(f"test.privacy.{uuid.uuid4().hex}")


@pytest.fixture
def root_restored():
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    yield root
    uninstall()
    for h in root.handlers[:]:
        if h not in saved[0]:
            root.removeHandler(h)
    root.setLevel(saved[1])


def test_with_basic_config_on_the_root_logger(root_restored) -> None:
    stream = io.StringIO()
    logging.basicConfig(stream=stream, level=logging.INFO, format="%(name)s %(message)s", force=True)
    install()
    assert any(isinstance(f, PersonalDataFilter) for f in logging.lastResort.filters)
    logging.getLogger("ykt.ingest").info("line for %s", ID_NUMBER)  # propagated from a child logger
    assert stream.getvalue() == f"ykt.ingest line for {mask_id(ID_NUMBER)}\n"


# -- the text rules ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (ID_NUMBER, mask_id(ID_NUMBER)),
        (ID_NUMBER.lower(), mask_id(ID_NUMBER.lower())),
        (ID_DIGITS, mask_id(ID_DIGITS)),
        ("110105194912310022", mask_account("110105194912310022")),  # bad check digit: an account
        (LEGACY_ID, mask_id(LEGACY_ID)),
        ("110105491331002", mask_account("110105491331002")),  # month 13: not a legacy ID
        ("110105 19491231 002X", mask_id("110105 19491231 002X")),
        ("622202123456", mask_account("622202123456")),  # 12 digits
        ("1" * 25, mask_account("1" * 25)),
        ("1" * 37, mask_account("1" * 37)),  # an ID and an account glued together
        ("6222 0212 3456 7890 123", mask_account("6222 0212 3456 7890 123")),
        ("6222-0212-3456-7890", mask_account("6222-0212-3456-7890")),
        (PHONE_NO, mask_phone(PHONE_NO)),
        ("19912345678", mask_phone("19912345678")),
        ("138 1234 5678", mask_phone("138 1234 5678")),
        ("138-1234-5678", mask_phone("138-1234-5678")),
        ("+8613812345678", "+" + mask_account("8613812345678")),
        ("１３８１２３４５６７８", mask_phone("１３８１２３４５６７８")),  # full-width digits
        ("tel:13812345678;", f"tel:{mask_phone(PHONE_NO)};"),
        ("id_13812345678.txt", f"id_{mask_phone(PHONE_NO)}.txt"),
        ("a 1234567890123 fen", "a 1234567890123 fen"),  # an amount with its unit
        ("a 12345678901234 fen", f"a {mask_account('12345678901234')} fen"),  # too long for an amount
        ("12345678901", "12345678901"),  # 11 digits, not a mobile number
        ("10000000000", "10000000000"),
        ("2026 1128", "2026 1128"),
        ("1234 5678 9012", "1234 5678 9012"),  # three groups: not a card
        ("3.14159", "3.14159"),
        ("", ""),
        ("12345678901X", "12345678901X"),  # an X after 11 digits is no known number
    ],
)
def test_mask_text(text, expected) -> None:
    assert mask_text(text) == expected


def test_numbers_glued_to_ascii_letters_are_not_masked() -> None:
    """The documented price of leaving digests and batch ids alone."""
    assert mask_text(f"ID{ID_NUMBER}") == f"ID{ID_NUMBER}"
    assert mask_text(f"ID:{ID_NUMBER}") == f"ID:{mask_id(ID_NUMBER)}"
