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
    "reading.read": ("读入 {records} 笔，合计 {total} 元", "read {records} records, total {total} yuan"),
    "reading.skipped_none": ("未跳过任何记录", "nothing skipped"),
    "reading.skipped": ("跳过 {count} 笔（{reasons}）", "skipped {count} ({reasons})"),
    "reading.reason": ("{label} {count} 笔 {total} 元", "{label} {count}, {total} yuan"),
    "reading.unpriced": ("{count} 笔无人民币金额", "{count} without an amount in CNY"),
    "reading.item": ("  跳过 {where}：{label}：{detail}", "  skipped {where}: {label}: {detail}"),
    "reading.more": ("  另有 {count} 笔跳过记录未列出", "  and {count} more skipped records not listed"),
    "reading.note": ("说明：{note}", "note: {note}"),
}
