"""Which language a request asks for: ``--lang``, a setting, or gRPC ``accept-language`` metadata."""
from __future__ import annotations

import pytest

import i18n


@pytest.mark.parametrize(("requested", "expected"), [
    (None, "zh"),
    ("", "zh"),
    ("en", "en"),
    ("EN", "en"),
    ("zh", "zh"),
    ("en-US", "en"),
    ("en_GB", "en"),
    ("zh-CN", "zh"),
    ("zh-Hans-CN,zh;q=0.9", "zh"),
    ("en-US,en;q=0.9,zh;q=0.8", "en"),
    ("fr-FR,en;q=0.5", "en"),          # the one we speak, whatever its place and weight
    ("de", "zh"),                       # nothing we speak: the default
    ("en;q=0.2,zh;q=0.9", "zh"),       # the higher weight wins, not the first written
    ("zh;q=0,en", "en"),               # q=0: "not this one"
    ("zh;q=0", "zh"),                  # refused, and nothing else offered: the default still
    ("en;q=oops", "zh"),               # an unreadable weight counts as 0
    (" en ; q=1 ", "en"),
    ("*", "zh"),
])
def test_language_of_a_request(requested, expected):
    assert i18n.language(requested) == expected


def test_the_default_is_the_services_setting_when_the_request_names_nothing_we_speak():
    assert i18n.language(None, "en") == "en"
    assert i18n.language("de", "en") == "en"
    assert i18n.language("zh", "en") == "zh"


def test_use_sets_this_contexts_language_and_the_token_resets_it():
    assert i18n.current() == "zh"
    token = i18n.use("en-US")
    try:
        assert i18n.current() == "en"
        assert i18n.name("line_status", "PAID") == "paid"
    finally:
        i18n._current.reset(token)
    assert i18n.current() == "zh" and i18n.name("line_status", "PAID") == "已发放"


def test_a_named_code_in_a_message_is_its_name_in_chinese_and_the_code_in_english():
    fields = dict(batch="B1", status=i18n.Named("batch_status", "APPROVED"),
                  wanted=i18n.Named("batch_status", "FUNDED"), action=i18n.Phrase.of("action.be_dispatched"))
    assert i18n.say("error.batch.state", "zh", **fields) == "批次 B1 的状态是「已审核」；只有「已拨付」的批次可以发送银行"
    assert i18n.say("error.batch.state", "en", **fields) == "batch B1 is APPROVED; only a FUNDED batch can be dispatched"


@pytest.mark.parametrize(("path", "code", "zh", "en"), [
    ("lines[17].id_number", "ID_CHECKSUM", "第 17 行 证件号码：证件号码校验位错误",
     "line 17 ID number: the ID number's check character is wrong"),
    ("lines[#3].seq", "SEQ_INVALID", "请求中第 3 行 序号：序号须为不小于 1 的整数",
     "line #3 of the request sequence number: the sequence number must be an integer of at least 1"),
    ("header.region", "REGION_FORMAT", "地区代码：须为 6 位行政区划代码", "region: must be a 6-digit division code"),
    ("seqs[5]", "NO_SUCH_LINE", "第 5 行：批次中没有这一行", "line 5: the batch has no such line"),
    ("mystery", "NEVER_HEARD", "mystery：NEVER_HEARD", "mystery: NEVER_HEARD"),  # shown as they are
])
def test_a_problem_names_the_line_the_field_and_what_is_wrong(path, code, zh, en):
    assert i18n.problem(path, code, "zh") == zh
    assert i18n.problem(path, code, "en") == en
