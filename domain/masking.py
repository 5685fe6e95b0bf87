"""Masking of personal data for messages, logs, screens and public disclosure lists (公示名单).

Every function is total: it accepts any input (``None`` and non-strings are turned into text,
``None`` into ``""``), never raises, and keeps the length of the input so that columns line up.
Hidden characters become ``*``.

What is revealed, at most:

=================  =========================  ======================  =========================
function           kept                       example                 short input
=================  =========================  ======================  =========================
``mask_id``        first 3 and last 4         ``110***********123X``  see below
``mask_account``   first 4 and last 4         ``6222********5678``    see below
``mask_phone``     first 3 and last 4         ``138****5678``         see below
``mask_name``      first character            ``张*``, ``阿**``       one character: ``*``
=================  =========================  ======================  =========================

Short input: the head and tail are both kept only while at least 4 characters stay hidden;
otherwise only the tail is kept if at least 4 characters stay hidden; otherwise everything is
hidden.  So a masked value never shows more than the documented characters and never shows more
than ``len - 4`` of them.
"""
from __future__ import annotations

__all__ = ["mask_account", "mask_id", "mask_name", "mask_phone"]

_MIN_HIDDEN = 4


def _text(s: object) -> str:
    if s is None:
        return ""
    if isinstance(s, str):
        return s
    try:
        return str(s)
    except Exception:  # a broken __str__ must not break error reporting
        return ""


def _mask(s: object, head: int, tail: int) -> str:
    t = _text(s)
    n = len(t)
    if n - head - tail >= _MIN_HIDDEN:
        return t[:head] + "*" * (n - head - tail) + t[n - tail :]
    if n - tail >= _MIN_HIDDEN:
        return "*" * (n - tail) + t[n - tail :]
    return "*" * n


def mask_id(s: object) -> str:
    """Keep the first 3 and last 4 characters of an identity number: ``110***********123X``."""
    return _mask(s, 3, 4)


def mask_account(s: object) -> str:
    """Keep the first 4 and last 4 characters of an account number: ``6222********5678``."""
    return _mask(s, 4, 4)


def mask_phone(s: object) -> str:
    """Keep the first 3 and last 4 digits of a phone number: ``138****5678``."""
    return _mask(s, 3, 4)


def mask_name(s: object) -> str:
    """Keep the first character of a name: ``张*``, ``阿**``; a one-character name becomes ``*``."""
    t = _text(s)
    if len(t) < 2:
        return "*" * len(t)
    return t[0] + "*" * (len(t) - 1)
