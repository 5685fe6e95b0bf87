"""The names people read for the stable codes a report's signed content holds — a thin layer over
:mod:`i18n`, where the words live (i18n/catalogue_codes.py), so a report, a gRPC message and the
command line call a code by the same name.

The content keeps the codes (``CLOSED``, ``NAME_MISMATCH``, ``LEDGER_ONLY``, check names such as
``bank_paid_equals_ledger_paid``) for machines; every rendering for people (PDF, XLSX, CSV,
text) shows the name from here, in the language of the call (Chinese unless it asked for
English). A code nobody named is shown as it is, never dropped.
"""
from __future__ import annotations

import re

import i18n


def name(kind: str, code: str | None, lang: str | None = None) -> str:
    """The name of ``code`` among the codes of ``kind`` (``batch_status``, ``line_status``,
    ``reason``, ``follow_up``, ``disposition``, ``break``, ``check``); the code itself when it
    has none."""
    if not code:
        return ""
    return i18n.name(kind, code, lang)


_REASONS = sorted((key.split(".", 1)[1] for key in i18n.WORDS if key.startswith("reason.")), key=len, reverse=True)
_REASON_CODE = re.compile(r"\b(" + "|".join(_REASONS) + r")\b")


def reasons_in(text: str, lang: str | None = None) -> str:
    """A text with any failure-reason code in it named, as a whole word (``NAME_MISMATCH`` →
    户名不符; ``OTHER_ACCOUNT`` is not ``OTHER``)."""
    return _REASON_CODE.sub(lambda m: i18n.name("reason", m[1], lang), text)
