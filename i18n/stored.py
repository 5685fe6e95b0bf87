"""Messages the ledger keeps, stored as a code and its arguments and said when they are read.

A text the service stores and shows later (a file's quarantine reasons and ``last_error``, an
exception's detail, the audit log's detail, an ingest's problems) is written when it happens
but read later, by someone whose language is not known yet. So it is stored as a message, not
a sentence: compact JSON in the existing text column,

    {"m":"ingest.batch_unknown","a":{"batch":"B1","file":"F1"}}

(``m`` a catalogue key, ``a`` its arguments), or a JSON list of such messages and plain texts
for a reason with several parts (``[{"m":...}, "line 3: amount: not a number"]``). The reader's
language is chosen where it is shown, by :func:`shown`: the gRPC call's, the command's; logs say
English. An argument may be a :class:`~i18n.Named` code (``{"n":"line_status","c":"PAID"}``), a
:class:`~i18n.Phrase` (a message inside a message), or a list of them. Texts stored before there
were messages are plain sentences and are shown as they are; a code nobody has words for is shown
as the code and its arguments, never dropped and never a crash.
"""
from __future__ import annotations

import json
import string
from functools import lru_cache

from i18n import WORDS, Named, Phrase, current, say

_LIST_SEPARATOR = {"zh": "；", "en": "; "}


def message(key: str, /, **args) -> str:
    """The stored form of the catalogue message ``key`` with ``args``. Refuses a key with no
    words, or args that are not exactly the message's placeholders, so an incomplete message
    fails where it is made (and in the tests that make it), not when somebody reads it."""
    check(key, args)
    return _dump(_encode(Phrase(key, tuple(args.items()))))


def messages(parts: list) -> str:
    """One stored text of several parts, each a stored text (from :func:`message`, or a plain
    text: a bank format's own problem sentence, say), kept in their order."""
    out = []
    for part in parts:
        value = _decoded(part)
        out.extend(value if isinstance(value, list) else [value])
    return _dump(out)


def as_phrase(text: str):
    """A stored message as a :class:`~i18n.Phrase`, to be an argument of another message (an
    exception's detail inside an ingest problem); any other text as it is."""
    value = _decoded(text)
    return _value(value) if isinstance(value, dict) else text


def check(key: str, args: dict) -> None:
    """Raise ValueError unless ``key`` has words whose placeholders are exactly ``args``."""
    wanted = placeholders(key)
    if set(args) != wanted:
        raise ValueError(f"message {key}: arguments {sorted(args)} but its words use {sorted(wanted)}")


@lru_cache(maxsize=None)
def placeholders(key: str) -> frozenset[str]:
    """The placeholder names of ``key``'s words, the same in both languages (else ValueError)."""
    words = WORDS.get(key)
    if words is None:
        raise ValueError(f"message {key} has no words in the catalogue")
    found = [frozenset(name.split(".")[0].split("[")[0] for _, name, _, _ in string.Formatter().parse(text)
                       if name) for text in words]
    if found[0] != found[1]:
        raise ValueError(f"message {key}: the Chinese words use {sorted(found[0])}, the English {sorted(found[1])}")
    return found[0]


def shown(text: str | None, lang: str | None = None) -> str:
    """A stored text said in ``lang`` (default: this context's language). A plain sentence (stored
    by an older version, or by a bank format) is shown as it is; a message whose words cannot be
    filled (an unknown code, arguments that changed) as its code and arguments."""
    if not text:
        return ""
    value = _decoded(text)
    if isinstance(value, str):
        return value
    lang = lang or current()
    if isinstance(value, list):
        return _LIST_SEPARATOR.get(lang, "; ").join(_said(part, lang) for part in value)
    return _said(value, lang)


def fit(text: str, limit: int) -> str:
    """``text`` within ``limit`` characters (a column's width): a stored message keeps its form,
    its longest texts shortened with "…" (by what they take in the JSON, escapes included); a
    list of messages too long even then keeps its first parts that fit, so what is stored is
    always said in words, never shown as cut JSON. A plain text is cut."""
    if len(text) <= limit:
        return text
    value = _decoded(text)
    if isinstance(value, str):
        return text[:limit]
    while (excess := len(_dump(value)) - limit) > 0:
        leaves = [leaf for leaf in _text_leaves(value) if len(leaf[2]) > 1]
        if not leaves:
            return _dump(_first_parts(value, limit))
        holder, key, longest = max(leaves, key=lambda leaf: len(leaf[2]))
        holder[key] = _shortened(longest, len(_dump(longest)) - excess)
    return _dump(value)


def _shortened(text: str, room: int) -> str:
    """The longest start of ``text`` that, with "…", takes at most ``room`` characters as JSON
    ("…" alone when none does)."""
    low, high = 0, len(text) - 1
    while low < high:
        mid = (low + high + 1) // 2
        if len(_dump(text[:mid] + "…")) <= room:
            low = mid
        else:
            high = mid - 1
    return text[:low] + "…"


def _first_parts(value, limit: int):
    """A message of codes only, too long for ``limit``: a list's first parts that fit (at least
    its first), a single message its code alone (said as the code)."""
    if isinstance(value, list):
        while len(value) > 1 and len(_dump(value)) > limit:
            value = value[:-1]
        if len(_dump(value)) <= limit:
            return value
        return [_first_parts(value[0], limit - 2)] if isinstance(value[0], dict) else value
    return {"m": value["m"]}


def _said(value, lang: str) -> str:
    if isinstance(value, str):
        return value
    key, args = value.get("m"), value.get("a", {})
    fields = {name: _value(arg) for name, arg in args.items()}
    if key in WORDS:
        try:
            if placeholders(key) == set(fields):
                return say(key, lang, **fields)
        except (ValueError, KeyError, IndexError):
            pass
    return f"{key} {_dump(args)}" if args else str(key)


def _value(arg):
    if isinstance(arg, dict) and "m" in arg:
        return Phrase(arg["m"], tuple((k, _value(v)) for k, v in arg.get("a", {}).items()))
    if isinstance(arg, dict) and "n" in arg:
        return Named(arg["n"], arg.get("c", ""))
    if isinstance(arg, list):
        return tuple(_value(v) for v in arg)
    return arg


def _encode(value):
    if isinstance(value, Phrase):
        check(value.key, dict(value.fields))
        out = {"m": value.key}
        if value.fields:
            out["a"] = {k: _encode(v) for k, v in value.fields}
        return out
    if isinstance(value, Named):
        return {"n": value.kind, "c": value.code}
    if isinstance(value, (list, tuple)):
        return [_encode(v) for v in value]
    if value is None or isinstance(value, (str, int)):
        return value
    raise TypeError(f"a stored message cannot keep {type(value).__name__} {value!r}")


def _decoded(text: str):
    """A stored text as JSON data (a message dict or a list), or the text itself if it is a
    plain sentence."""
    if not text.startswith(("{", "[")):
        return text
    try:
        value = json.loads(text)
    except ValueError:
        return text
    if isinstance(value, dict) and isinstance(value.get("m"), str) and isinstance(value.get("a", {}), dict):
        return value
    if isinstance(value, list) and all(isinstance(p, str) or isinstance(p, dict) and isinstance(p.get("m"), str)
                                       for p in value):
        return value
    return text


def _dump(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _text_leaves(value):
    """(container, key, text) for every text argument of a message, codes excepted."""
    if isinstance(value, list):
        for i, v in enumerate(value):
            if isinstance(v, str):
                yield value, i, v
            else:
                yield from _text_leaves(v)
    elif isinstance(value, dict):
        for k, v in value.get("a", {}).items():
            if isinstance(v, str):
                yield value["a"], k, v
            elif isinstance(v, (dict, list)):
                yield from _text_leaves(v)
