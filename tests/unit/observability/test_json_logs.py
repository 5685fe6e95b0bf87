"""JSON log lines: one object per line, personal numbers masked, the request id of the call."""
from __future__ import annotations

import io
import json
import logging

import pytest

from domain.idnumber import check_character
from domain.masking import mask_account, mask_id
from observability import logs

ID_NUMBER = "11010519491231002" + check_character("11010519491231002")
ACCOUNT = "6222020200112233445"


@pytest.fixture
def captured():
    """A logger whose one handler writes into a buffer, set up as ``ykt serve --log-json`` does."""
    stream = io.StringIO()
    logger = logging.getLogger("test.json_logs")
    logger.handlers[:] = [logging.StreamHandler(stream)]
    logger.propagate = False
    logger.setLevel(logging.INFO)
    logs.configure(json_lines=True, logger=logger)
    yield logger, stream
    logger.handlers.clear()


def _records(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_each_record_is_one_json_line_with_personal_numbers_masked(captured):
    logger, stream = captured
    logger.warning("line for %s paid into %s\nsecond line", ID_NUMBER, ACCOUNT)
    try:
        raise ValueError(f"bad account {ACCOUNT}")
    except ValueError:
        logger.exception("failed for %s", ID_NUMBER)
    text = stream.getvalue()
    assert ID_NUMBER not in text and ACCOUNT not in text
    first, second = _records(stream)  # two records, two lines: the newline stays inside the JSON
    assert first["message"] == f"line for {mask_id(ID_NUMBER)} paid into {mask_account(ACCOUNT)}\nsecond line"
    assert first["level"] == "WARNING" and first["logger"] == "test.json_logs"
    assert "request_id" not in first
    assert second["level"] == "ERROR" and "ValueError: bad account " + mask_account(ACCOUNT) in second["exception"]


def test_records_within_a_request_scope_carry_its_id(captured):
    logger, stream = captured
    with logs.request_scope("req-7"):
        logger.info("inside")
    logger.info("outside")
    inside, outside = _records(stream)
    assert inside["request_id"] == "req-7"
    assert "request_id" not in outside


@pytest.mark.parametrize(("metadata", "kept"), [
    ((("x-request-id", "abc-123"),), "abc-123"),
    ((("X-Request-Id", "abc-123"),), "abc-123"),
    ((("x-request-id", "has space"),), None),
    ((("x-request-id", "x" * 129),), None),
    ((("x-request-id", "é"),), None),
    ((), None),
])
def test_a_usable_request_id_is_kept_else_a_new_one_is_made(metadata, kept):
    found = logs.request_id_from(metadata)
    if kept is not None:
        assert found == kept
    else:
        assert len(found) == 32 and found != logs.request_id_from(metadata)


def test_an_identity_number_sent_as_request_id_is_masked():
    assert logs.request_id_from((("x-request-id", ID_NUMBER),)) == mask_id(ID_NUMBER)
