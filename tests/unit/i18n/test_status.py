"""The gRPC status of a refusal in each language: the message changes, the code and details do
not (beyond each bad field's words, which lead with the same code)."""
from __future__ import annotations

from google.rpc import code_pb2, error_details_pb2

import i18n
from adapter.servicer import _status_of, error_reason
from i18n import Named
from service.errors import FailedPrecondition, InvalidInput, Violation


def _in(lang: str, exc):
    token = i18n.use(lang)
    try:
        return _status_of(exc)
    finally:
        i18n.reset(token)


def _details(status):
    bad, info, out = error_details_pb2.BadRequest(), error_details_pb2.ErrorInfo(), []
    for detail in status.details:
        if detail.Unpack(bad):
            out.append(("bad", [(v.field, v.description) for v in bad.field_violations]))
        elif detail.Unpack(info):
            out.append(("info", info.reason, info.domain, dict(info.metadata)))
    return out


def test_a_capped_list_of_bad_lines_in_both_languages():
    violations = [Violation(f"lines[{seq}].id_number", "ID_CHECKSUM", f"line {seq}: id_number: check character is 3, "
                            "expected X") for seq in (4, 9)]
    refused = InvalidInput("error.lines.reissue_refused", violations, total=5, batch="B7")
    zh, en = _in("zh", refused), _in("en", refused)
    assert zh.code == en.code == code_pb2.INVALID_ARGUMENT
    assert zh.message == "批次 B7：补发被拒绝，未做任何修改（仅列出 2 项）"
    assert en.message == "batch B7: re-issue refused; nothing was changed (showing 2)"
    assert _details(zh) == [("bad", [("lines[4].id_number", "ID_CHECKSUM: 第 4 行 证件号码：证件号码校验位错误"),
                                     ("lines[9].id_number", "ID_CHECKSUM: 第 9 行 证件号码：证件号码校验位错误")]),
                            ("info", "LINES_REISSUE_REFUSED", "ykt.v1", {"batch": "B7"})]
    assert _details(en) == [("bad", [("lines[4].id_number", "ID_CHECKSUM: line 4: id_number: check character is 3, "
                                                            "expected X"),
                                     ("lines[9].id_number", "ID_CHECKSUM: line 9: id_number: check character is 3, "
                                                            "expected X")]),
                            ("info", "LINES_REISSUE_REFUSED", "ykt.v1", {"batch": "B7"})]


def test_a_state_refusal_names_the_state_for_people_and_keeps_the_code_for_machines():
    refused = FailedPrecondition("error.batch.not_closed", batch="B7", status=Named("batch_status", "DISPATCHED"))
    zh, en = _in("zh", refused), _in("en", refused)
    assert zh.message == "批次 B7 的状态是「已发送银行」；批次结束后才有退款报告"
    assert en.message == "batch B7 is DISPATCHED; the refund report exists once it is closed"
    assert _details(zh) == _details(en) == [("info", "BATCH_NOT_CLOSED", "ykt.v1", {"batch": "B7", "status": "DISPATCHED"})]


def test_a_plain_text_refusal_has_no_reason_and_is_shown_as_written():
    refused = FailedPrecondition("written in place")
    assert _in("zh", refused).message == "written in place" and _details(_in("zh", refused)) == []


def test_reasons_are_the_keys_in_upper_case():
    assert error_reason("error.batch.state") == "BATCH_STATE"
    assert error_reason("error.change.not_pending.approve") == "CHANGE_NOT_PENDING_APPROVE"
