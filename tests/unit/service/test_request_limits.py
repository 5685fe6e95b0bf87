"""Limits of a request (issue 14 item 8), unit by unit: string caps before anything reads a
value, page sizes 1 to 1,000 (0: 100), and the hand-in cap in the settings (default 2 GiB),
from the file and from the environment. Through the real server: tests/e2e/test_input_limits.py."""
from __future__ import annotations

from pathlib import Path

import pytest

from adapter import convert, handed_in
from service import config
from service.errors import InvalidInput
from ykt.v1 import disbursement_pb2 as pb


@pytest.mark.parametrize(("asked", "given"), [(0, 100), (1, 1), (100, 100), (1000, 1000)])
def test_a_page_size_within_bounds_is_taken_and_zero_is_the_default(asked, given):
    assert convert.page_size(asked) == given


@pytest.mark.parametrize("asked", [-1, -1000, 1001, 10_000, 2**31 - 1])
def test_a_page_size_out_of_bounds_is_refused(asked):
    with pytest.raises(InvalidInput) as err:
        convert.page_size(asked)
    assert [(v.field, v.code) for v in err.value.violations] == [("page_size", "OUT_OF_RANGE")]


def test_every_string_over_its_cap_is_named_with_its_path():
    request = pb.CorrectLinesRequest(batch_id="B" * 65, lines=[
        pb.PaymentLine(seq=1, name="张" * 64, id_number="1" * 65),
        pb.PaymentLine(seq=2, remark="备" * 1025, address="某" * 1024)])
    with pytest.raises(InvalidInput) as err:
        convert.check_sizes(request)
    assert [(v.field, v.code) for v in err.value.violations] == [
        ("batch_id", "TOO_LONG"), ("lines[0].id_number", "TOO_LONG"), ("lines[1].remark", "TOO_LONG")]
    assert "65 characters, at most 64" in err.value.violations[0].description


def test_a_line_over_a_cap_is_refused_as_it_arrives_naming_its_seq():
    with pytest.raises(InvalidInput) as err:
        convert.line_from_pb(pb.PaymentLine(seq=17, account_no="6" * 4301))
    assert [(v.field, v.code) for v in err.value.violations] == [("lines[17].account_no", "TOO_LONG")]
    line = convert.line_from_pb(pb.PaymentLine(seq=17, name="张" * 64, remark="备" * 1024))
    assert (line.name, len(line.remark)) == ("张" * 64, 1024)


def test_a_header_over_a_cap_is_refused():
    with pytest.raises(InvalidInput) as err:
        convert.header_from_pb(pb.BatchHeader(region="6" * 65, program="补" * 256), "clerk")
    assert [(v.field, v.code) for v in err.value.violations] == [("header.region", "TOO_LONG")]


def _settings(tmp_path: Path, text: str = "", environ=None) -> config.Settings:
    path = tmp_path / "ykt.toml"
    path.write_text(text, encoding="utf-8")
    return config.load(path, environ=environ or {})


def test_the_hand_in_cap_is_two_gib_unless_the_settings_say_otherwise(tmp_path):
    assert _settings(tmp_path).handed_in_max_bytes == 2 * 1024**3 == config.HANDED_IN_MAX_BYTES
    assert _settings(tmp_path, "handed_in_max_bytes = 1048576\n").handed_in_max_bytes == 1 << 20
    assert _settings(tmp_path, environ={"YKT_HANDED_IN_MAX_BYTES": "4096"}).handed_in_max_bytes == 4096


@pytest.mark.parametrize("value", ["0", "-1", "\"2GiB\"", "1.5"])
def test_a_hand_in_cap_that_is_no_positive_number_of_bytes_is_refused(tmp_path, value):
    with pytest.raises(config.ConfigError) as err:
        _settings(tmp_path, f"handed_in_max_bytes = {value}\n")
    assert "handed_in_max_bytes" in str(err.value)


class _Chunks:
    def __init__(self, sizes):
        self._messages = iter([pb.IngestResultFileRequest(data=b"x" * n) for n in sizes])

    def __iter__(self):
        return self._messages


def test_the_cap_is_counted_while_the_file_streams_in_and_what_came_is_removed(tmp_path):
    pulled = []

    def messages():
        for n in (10, 10, 10, 10):
            pulled.append(n)
            yield pb.IngestResultFileRequest(data=b"x" * n)

    with pytest.raises(InvalidInput) as err:
        handed_in._receive(messages(), tmp_path, "r.xml", 25)
    assert [(v.field, v.code) for v in err.value.violations] == [("data", "FILE_TOO_LARGE")]
    assert pulled == [10, 10, 10]  # stopped at the message that went over, not at the end
    assert list(tmp_path.iterdir()) == []
    path = handed_in._receive(iter(_Chunks([10, 10, 5])), tmp_path, "r.xml", 25)
    assert path.read_bytes() == b"x" * 25


def test_a_stream_that_breaks_off_leaves_no_file(tmp_path):
    def messages():
        yield pb.IngestResultFileRequest(data=b"x" * 10)
        raise RuntimeError("the client went away")

    with pytest.raises(RuntimeError):
        handed_in._receive(messages(), tmp_path, "r.xml", 100)
    assert list(tmp_path.iterdir()) == []
