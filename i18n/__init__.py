"""Words for people, codes for machines: Simplified Chinese by default, English on request.

Every human-facing text (CLI output, error messages, reason and check names, report labels) is
looked up here by a stable key; the key (a code) is what machines keep (``google.rpc`` details,
JSON). Catalogues are plain dicts ``key -> (zh, en)``, one module per area under
``i18n/catalogue_*.py``, merged at import so a duplicate key is an error, not a silent override.

    say("cli.batch.submitted", "en", batch="B-1")
    name("line_status", "PAID")          # 已发放
    language("en-GB,en;q=0.8")           # "en"
"""
from __future__ import annotations

import importlib
import pkgutil
from contextvars import ContextVar

LANGUAGES = ("zh", "en")
DEFAULT = "zh"

_current: ContextVar[str] = ContextVar("ykt_language", default=DEFAULT)


def _load() -> dict[str, tuple[str, str]]:
    merged: dict[str, tuple[str, str]] = {}
    for info in pkgutil.iter_modules(__path__):
        if not info.name.startswith("catalogue_"):
            continue
        words = importlib.import_module(f"{__name__}.{info.name}").WORDS
        clash = merged.keys() & words.keys()
        if clash:
            raise RuntimeError(f"i18n: {info.name} defines keys already defined: {sorted(clash)[:5]}")
        merged.update(words)
    return merged


WORDS = _load()


def language(requested: str | None) -> str:
    """The language to answer in for a request such as ``--lang en``, a setting, or an HTTP-style
    ``accept-language`` value (``en-US,en;q=0.9,zh;q=0.8``): the first one we speak, else Chinese."""
    if not requested:
        return DEFAULT
    for part in requested.split(","):
        tag = part.split(";", 1)[0].strip().lower().replace("_", "-")
        base = tag.split("-", 1)[0]
        if base in LANGUAGES:
            return base
    return DEFAULT


def use(lang: str | None):
    """Make ``lang`` the language of this context (a CLI run, a gRPC call); returns the token to reset."""
    return _current.set(language(lang))


def current() -> str:
    return _current.get()


def say(key: str, lang: str | None = None, /, **fields) -> str:
    """The text for ``key`` in ``lang`` (default: this context's language), with ``fields`` filled
    in. A key nobody wrote words for is shown as it is, never dropped."""
    words = WORDS.get(key)
    if words is None:
        text = key
    else:
        text = words[0] if (lang or _current.get()) == "zh" else words[1]
    return text.format(**fields) if fields else text


def name(kind: str, code: str | None, lang: str | None = None) -> str:
    """The name people read for a stable code of ``kind`` (``line_status``, ``reason``, ``check`` …)."""
    if code is None:
        return ""
    key = f"{kind}.{code}"
    return say(key, lang) if key in WORDS else code
