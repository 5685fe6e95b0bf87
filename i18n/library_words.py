"""A library's error in catalogue words, so that an operator reads why a file would not load in
Chinese as well as English: ``said(exc)`` for ``why=`` of a start-up error.

Python's libraries write English only (tomllib's "Expected '=' after a key in a key/value pair (at
line 3, column 5)", an ``OSError``'s "[Errno 2] No such file or directory: 'x.toml'", a
``UnicodeDecodeError``'s "'utf-8' codec can't decode byte 0xb5 in position 3: invalid start byte").
The words (i18n/catalogue_library.py) are those sentences with their data as fields; the data are
read back from the exception, and the words are used only when their English is the exception's
text byte for byte: another Python version's or platform's sentence keeps its own text rather than
being said wrongly.
"""
from __future__ import annotations

import errno
import functools
import re
import string
import tomllib

import i18n
from i18n import Phrase

__all__ = ["briefly", "said"]


def said(exc: BaseException) -> Phrase | str:
    """Why ``exc`` was raised, as words said in the reader's language: the exception's own
    catalogue words (``exc.phrase``, as a refusal of ours carries them) or a library's sentence read
    back into words; else its text, as it is."""
    text = str(exc)
    words = getattr(exc, "phrase", None) or _read_back(exc)
    return words if isinstance(words, Phrase) and str(words) == text else text


def briefly(exc: BaseException) -> Phrase | str:
    """The reason alone, for a message that names the file itself: an ``OSError``'s system reason
    ("No such file or directory") in words, without its errno and file name; anything else as
    :func:`said` says it."""
    if isinstance(exc, OSError) and exc.strerror:
        key = f"library.os.why.{errno.errorcode.get(exc.errno, '?')}"
        return Phrase(key) if key in i18n.WORDS and i18n.say(key, "en") == exc.strerror else exc.strerror
    return said(exc)


def _read_back(exc: BaseException) -> Phrase | None:
    if isinstance(exc, tomllib.TOMLDecodeError):
        return _unparsable(str(exc))
    if isinstance(exc, UnicodeDecodeError):
        return _undecodable(exc)
    if isinstance(exc, OSError):
        return _unopenable(exc)
    return None


def _unparsable(text: str) -> Phrase | None:
    """tomllib's sentence and where it is (tomllib keeps no parts: its text is all there is)."""
    at = _matching("library.toml.at.", text)
    if at is None:
        return None
    fields = dict(at.fields)
    what = _matching("library.toml.what.", fields.pop("what"))
    return None if what is None else Phrase.of(at.key, what=what, **fields)


def _unopenable(exc: OSError) -> Phrase | None:
    """The system's error by its errno; the file as Python shows it (its repr)."""
    why = f"library.os.why.{errno.errorcode.get(exc.errno, '?')}"
    if why not in i18n.WORDS:
        return None
    if exc.filename is None:
        return Phrase.of("library.os.error", why=Phrase(why), errno=exc.errno)
    return Phrase.of("library.os.error_file", why=Phrase(why), errno=exc.errno, file=repr(exc.filename))


def _undecodable(exc: UnicodeDecodeError) -> Phrase:
    """Python names one bad byte by its value, several by the positions of the first and last."""
    reason = _matching("library.decode.reason.", exc.reason) or exc.reason
    if exc.end == exc.start + 1 and exc.start < len(exc.object):
        return Phrase.of("library.decode.byte", encoding=exc.encoding, byte=f"0x{exc.object[exc.start]:02x}",
                         position=exc.start, reason=reason)
    return Phrase.of("library.decode.bytes", encoding=exc.encoding, start=exc.start, end=exc.end - 1, reason=reason)


def _matching(prefix: str, text: str) -> Phrase | None:
    """The words under ``prefix`` whose English is ``text``, each ``{field}`` standing for any text
    (what it stands for becomes the field); the most literal words first, so that tomllib's
    "Expected '=' after a key..." is not read as its "Expected {text}"."""
    for key, pattern in _patterns(prefix):
        found = pattern.fullmatch(text)
        if found:
            return Phrase(key, tuple(found.groupdict().items()))
    return None


@functools.cache
def _patterns(prefix: str) -> list[tuple[str, re.Pattern[str]]]:
    found = sorted(((key, en) for key, (_, en) in i18n.WORDS.items() if key.startswith(prefix)),
                   key=lambda item: -len(_literal(item[1])))
    return [(key, _pattern(en)) for key, en in found]


def _parts(words: str):
    return [(literal, name) for literal, name, _, _ in string.Formatter().parse(words)]


def _literal(words: str) -> str:
    return "".join(literal for literal, _ in _parts(words))


def _pattern(words: str) -> re.Pattern[str]:
    return re.compile("".join(re.escape(literal) + (f"(?P<{name}>.+)" if name else "") for literal, name in
                              _parts(words)), re.DOTALL)
