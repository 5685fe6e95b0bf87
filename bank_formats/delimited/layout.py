"""The payment and result records of the delimited family, taken from its declaration
(bank_formats/layout/builtin/delimited.toml): their field names in order, as problems name them
(the leading constant is ``record_type``, the outcome ``status``), and the bank's reason codes.

The payment and result files themselves are written and read by the declared-layout engine
(:mod:`bank_formats.layout`); what stays here is what detection and the words for people need.
"""
from __future__ import annotations

from bank_formats.layout.declaration import builtin
from domain.model import FailureReason

_DECLARED = builtin("delimited")


def _names(record: dict) -> tuple[str, ...]:
    return tuple(f.get("label") or f.get("name") or "record_type" for f in record["fields"])


PAYMENT_HEADER_FIELDS = _names(_DECLARED["payments"]["header"])
PAYMENT_LINE_FIELDS = _names(_DECLARED["payments"]["detail"])
RESULT_HEADER_FIELDS = _names(_DECLARED["results"]["header"])
# a result line has 7 fields, or 9 with the two optional trailing ones (bank_ref, name)
RESULT_RECORD_FIELDS_REF = _names(_DECLARED["results"]["detail"])
RESULT_RECORD_FIELDS = tuple(n for n, f in zip(RESULT_RECORD_FIELDS_REF, _DECLARED["results"]["detail"]["fields"])
                             if not f.get("optional"))

CODE_TO_REASON: dict[str, FailureReason] = {code: FailureReason(r) for code, r in
                                            _DECLARED["results"]["reasons"].items()}
REASON_TO_CODE: dict[FailureReason, str] = {r: code for code, r in CODE_TO_REASON.items()}
# the bank's text of each code (what the bank simulator writes beside it)
CODE_TEXT: dict[str, str] = {
    "E01": "账户不存在",
    "E02": "户名不符",
    "E03": "账户已销户",
    "E04": "账户冻结",
    "E05": "证件号码不符",
    "E06": "卡已挂失",
    "E99": "其他原因",
}


def reason_for_code(code: str) -> FailureReason:
    """The canonical reason of a bank code; OTHER for any code not in the table."""
    return CODE_TO_REASON.get(code, FailureReason.OTHER)
