"""Words for people, codes for machines: Simplified Chinese by default, English on request.

Every human-facing text (CLI output, error messages, reason and check names, report labels) is
looked up here by a stable key; the key (a code) is what machines keep (``google.rpc`` details,
JSON). Catalogues are plain dicts ``key -> (zh, en)``, one module per area under
``i18n/catalogue_*.py``, merged at import so a duplicate key is an error, not a silent override.

    say("cli.batch.submitted", "en", batch="B-1")
    name("line_status", "PAID")          # 已发放
    language("en-GB,en;q=0.8")           # "en"
    problem("lines[17].id_number", "ID_CHECKSUM")   # 第 17 行 证件号码：证件号码校验位错误

A message's fields may hold :class:`Named` codes (``Named("batch_status", "APPROVED")``): the
Chinese text shows the code's name (已审核), the English text the code itself, as the English
messages always have, so a script or a log search keeps finding it; :class:`Phrase` parts,
texts of the catalogue themselves, said in the message's language; and :class:`Each` parts the
caller wrote once per language from catalogue words (a list of names).

Texts the ledger stores and shows later (a quarantine reason, an exception's detail, the audit
log) are kept as messages, a key and its arguments, and said when read: :mod:`i18n.stored`.
"""
from __future__ import annotations

import importlib
import pkgutil
import re
from contextvars import ContextVar
from dataclasses import dataclass

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


def language(requested: str | None, default: str = DEFAULT) -> str:
    """The language to answer in for a request such as ``--lang en``, a setting, or an HTTP-style
    ``accept-language`` value (``en-US,en;q=0.9,zh;q=0.8``): the one we speak with the highest
    weight (the first of equal weights; ``q=0`` means "not this one"), else ``default``."""
    if not requested:
        return default
    best, best_q = default, 0.0
    for part in requested.split(","):
        tag, *params = (p.strip() for p in part.split(";"))
        base = tag.lower().replace("_", "-").split("-", 1)[0]
        q = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if base in LANGUAGES and q > best_q:
            best, best_q = base, q
    return best


def use(lang: str | None):
    """Make ``lang`` the language of this context (a CLI run, a gRPC call); returns the token to reset."""
    return _current.set(language(lang))


def reset(token) -> None:
    """Back to the language before :func:`use` returned ``token``."""
    _current.reset(token)


def current() -> str:
    return _current.get()


@dataclass(frozen=True, slots=True)
class Named:
    """A code in a message's fields: named for people in Chinese, kept as the code in English."""

    kind: str
    code: str

    def __str__(self) -> str:
        return self.code


@dataclass(frozen=True, slots=True)
class Phrase:
    """A part of a message that is itself a text of the catalogue (``place.ledger`` → the ledger's
    database / 账簿数据库), said in the message's language."""

    key: str
    fields: tuple[tuple[str, object], ...] = ()

    @classmethod
    def of(cls, key: str, **fields) -> Phrase:
        return cls(key, tuple(fields.items()))

    def said(self, lang: str | None = None) -> str:
        """The words in ``lang`` (default: this context's language)."""
        return say(self.key, lang, **dict(self.fields))

    def __str__(self) -> str:
        return self.said("en")


class Refused(ValueError):
    """A ValueError whose reason is catalogue words (``key`` and its arguments): ``str()`` is the
    English text (what logs, tests and scripts read), :attr:`phrase` the words, said in the
    reader's language wherever the error is shown (``i18n.library_words.said``). The one way a
    module refuses a value in words; a module's own error may subclass it to be caught by name."""

    def __init__(self, key: str, /, **args) -> None:
        self.phrase = Phrase.of(key, **args)
        super().__init__(str(self.phrase))


@dataclass(frozen=True, slots=True)
class Each:
    """A part of a message written once per language from catalogue words by the caller (a list
    of names, say), as a ``lang -> text`` table; English when printed."""

    texts: tuple[tuple[str, str], ...]

    @classmethod
    def of(cls, make) -> Each:
        """``make(lang)`` for every language."""
        return cls(tuple((lang, make(lang)) for lang in LANGUAGES))

    def __str__(self) -> str:
        return dict(self.texts)["en"]


def say(key: str, lang: str | None = None, /, **fields) -> str:
    """The text for ``key`` in ``lang`` (default: this context's language), with ``fields`` filled
    in. A key nobody wrote words for is shown as it is, never dropped."""
    lang = lang or _current.get()
    words = WORDS.get(key)
    if words is None:
        text = key
    else:
        text = words[0] if lang == "zh" else words[1]
    if not fields:
        return text
    return text.format(**{k: _said(v, lang) for k, v in fields.items()})


def _said(value, lang: str):
    if isinstance(value, Each):
        return dict(value.texts)[lang]
    if isinstance(value, Named):
        return name(value.kind, value.code, lang) if lang == "zh" else value.code
    if isinstance(value, Phrase):
        return value.said(lang)
    if isinstance(value, tuple):  # a list of parts (i18n.stored keeps lists as tuples)
        return ("、" if lang == "zh" else ", ").join(str(_said(v, lang)) for v in value)
    return value


def name(kind: str, code: str | None, lang: str | None = None) -> str:
    """The name people read for a stable code of ``kind`` (``line_status``, ``reason``, ``check`` …)."""
    if code is None:
        return ""
    key = f"{kind}.{code}"
    return say(key, lang) if key in WORDS else code


_PLACE = re.compile(r"^(?P<list>[a-z_]+)\[(?P<hash>#?)(?P<n>\d+)\](?:\.(?P<field>\w+))?$")
_LINE_LISTS = frozenset({"lines", "seqs"})  # lists whose index is a line's sequence number


def field_name(path: str, lang: str | None = None) -> str:
    """The words for a field path of a refused request: ``lines[17].id_number`` → 第 17 行 证件号码,
    ``lines[#3].seq`` (the request's 3rd line) → 请求中第 3 行 序号, ``header.region`` → 地区代码.
    A part nobody named is shown as it is."""
    found = _PLACE.match(path)
    if found is None:
        return name("field", path.rsplit(".", 1)[-1], lang)
    if found["hash"]:
        head = say("where.request_line", lang, position=found["n"])
    elif found["list"] in _LINE_LISTS:
        head = say("where.line", lang, seq=found["n"])
    else:
        head = f"{name('field', found['list'], lang)}[{found['n']}]"
    return f"{head} {name('field', found['field'], lang)}" if found["field"] else head


def problem(path: str, code: str, lang: str | None = None) -> str:
    """What is wrong with the field at ``path`` (a problem ``code``), said for people:
    ``problem("lines[17].id_number", "ID_CHECKSUM")`` → 第 17 行 证件号码：证件号码校验位错误."""
    sep = "：" if (lang or _current.get()) == "zh" else ": "
    return f"{field_name(path, lang)}{sep}{name('problem', code, lang)}"
