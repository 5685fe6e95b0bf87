"""An error's words in both languages, for the tests of errors that carry catalogue words
(privacy, report signing): one reading of ``i18n.library_words.said`` for them all."""
from __future__ import annotations

import i18n
from i18n.library_words import said


def words(exc: Exception) -> tuple[str, str, str]:
    """(str(exc), its words in Chinese, its words in English)."""
    reason = said(exc)
    assert isinstance(reason, i18n.Phrase), f"no words for {exc}"
    fields = dict(reason.fields)
    return str(exc), i18n.say(reason.key, "zh", **fields), i18n.say(reason.key, "en", **fields)


def refused(exc: Exception, english: str, chinese: str) -> None:
    """``exc`` says ``english`` as it always did, and its words say ``chinese`` and the same English."""
    assert words(exc) == (english, chinese, english)
