"""The Chinese names people read for the stable codes a report's signed content holds.

The content keeps the codes (``CLOSED``, ``NAME_MISMATCH``, ``LEDGER_ONLY``, check names such as
``bank_paid_equals_ledger_paid``) for machines; every rendering for people (PDF, XLSX, CSV,
text) shows the name from here. A code nobody named is shown as it is, never dropped.
"""
from __future__ import annotations

import re

from domain.booking import Disposition
from domain.model import BatchStatus, FailureReason, LineStatus
from domain.reasons import LABEL_ZH, FollowUp
from domain.statement_match import LABELS as BREAK_LABELS

BATCH_STATUS = {
    BatchStatus.NEEDS_CORRECTION: "待更正",
    BatchStatus.SUBMITTED: "待审核",
    BatchStatus.APPROVED: "已审核",
    BatchStatus.FUNDED: "已拨付",
    BatchStatus.DISPATCHED: "已发送银行",
    BatchStatus.RESULTS_COMPLETE: "已全部回盘",
    BatchStatus.CLOSED: "已结束",
}

LINE_STATUS = {
    LineStatus.REJECTED: "校验未通过",
    LineStatus.HELD: "暂停发放(待核)",
    LineStatus.REMOVED: "已移出名册",
    LineStatus.PENDING: "待回盘",
    LineStatus.PAID: "已发放",
    LineStatus.FAILED: "发放失败",
    LineStatus.GIVEN_UP: "放弃补发",
    LineStatus.REFUNDED: "已退回财政",
}

REASON = {**{r.value: LABEL_ZH[r] for r in FailureReason}, "NO_RESULT": "银行未回盘", "PAID_SHORT": "少付"}

FOLLOW_UP = {
    FollowUp.REISSUE_AFTER_CORRECTION: "更正后补发",
    FollowUp.STOP: "停发待核",
    FollowUp.REFUND: "退回财政",
    "ASK_BANK": "向银行核实",
}

DISPOSITION = {
    Disposition.PAID: "已发放",
    Disposition.PAID_SHORT: "少付",
    Disposition.PAID_OVER: "多付",
    Disposition.FAILED: "失败",
    Disposition.NOT_INSTRUCTED: "未经指令的付款",
    Disposition.OTHER_ACCOUNT: "付入其他账户",
    Disposition.SECOND_PAYMENT: "重复付款",
    Disposition.REREPORT: "重复回盘",
    Disposition.CONFLICT: "回盘结果矛盾",
    Disposition.IGNORED_FAILURE: "已付后又报失败(不予处理)",
}

BREAK = {k.value: label.split(" ", 1)[0] for k, label in BREAK_LABELS.items()}

CHECK = {
    # the reconciliation
    "every_transaction_sums_to_zero": "每笔记账借贷平衡",
    "roster_equals_submission": "名册与报送一致",
    "instruction_equals_accepted_lines": "发放指令与受理名单一致",
    "funded_equals_instruction": "拨付金额与指令一致",
    "funded_equals_paid_refunded_outstanding": "拨付 = 已发放 + 已退回 + 在途",
    "bank_paid_equals_ledger_paid": "银行已发放与账簿一致",
    "bank_due_back_equals_ledger_due_back": "应收银行退回与账簿一致",
    "closed_clearing_is_zero": "结束批次清算户余额为零",
    "outcome_adds_up_to_instruction": "首发 + 补发 + 失败 + 未回盘 = 指令",
    # the refund report
    "surplus_equals_refund": "结余资金等于退回金额",
    "items_sum_to_refund": "退回明细合计等于退回金额",
    "due_back_listed": "应收银行退回逐笔列明",
    # the aggregate and monthly reports
    "every_batch_passes_its_checks": "各批次核对全部通过",
    "outstanding_equals_funded_less_paid_and_refunded": "月末在途 = 拨付 - 已发放 - 已退回",
    "outstanding_lines_not_negative": "在途笔数不为负",
}

_BY_KIND = {
    "batch_status": {k.value: v for k, v in BATCH_STATUS.items()},
    "line_status": {k.value: v for k, v in LINE_STATUS.items()},
    "reason": REASON,
    "follow_up": {str(k): v for k, v in FOLLOW_UP.items()},
    "disposition": {k.value: v for k, v in DISPOSITION.items()},
    "break": BREAK,
    "check": CHECK,
}


def name(kind: str, code: str | None) -> str:
    """The Chinese name of ``code`` among the codes of ``kind`` (``batch_status``, ``line_status``,
    ``reason``, ``follow_up``, ``disposition``, ``break``, ``check``); the code itself when it
    has none."""
    if not code:
        return ""
    return _BY_KIND[kind].get(code, code)


_REASON_CODE = re.compile(r"\b(" + "|".join(sorted(REASON, key=len, reverse=True)) + r")\b")


def reasons_in(text: str) -> str:
    """A text with any failure-reason code in it named, as a whole word (``NAME_MISMATCH`` →
    户名不符; ``OTHER_ACCOUNT`` is not ``OTHER``)."""
    return _REASON_CODE.sub(lambda m: REASON[m[1]], text)
