"""Words for the reading report (issue 15 item 5): why a reader skipped a record.

``skip_reason.<CODE>`` → (zh, en); the codes are the readers' ``Skipped.reason``. A code without
words here is shown as the code itself (``i18n.name``), never hidden.
"""
from __future__ import annotations

WORDS = {
    "skip_reason.FOREIGN_CURRENCY": ("外币记录", "foreign currency"),
    "skip_reason.OTHER_ACCOUNT": ("他户记录", "another account"),
    "skip_reason.NOT_FINAL": ("未终态（处理中）", "not final (in progress)"),
    "skip_reason.ZERO_AMOUNT": ("零金额通知", "amount zero (a notice)"),
    "skip_reason.NOT_OURS": ("非本方付款", "not one of our payments"),
    "reading.read": ("读入 {records} 笔，合计 {total}", "read {records} records, total {total}"),
    "reading.skipped": ("跳过 {count} 笔，合计 {total}", "skipped {count}, total {total}"),
}
