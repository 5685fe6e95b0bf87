"""Where the production code makes catalogue words, read from its source with ``ast``.

A message is made by a few constructors, each naming its key (a ``i18n`` catalogue key) as one
argument and its words' placeholders as keyword arguments; whether they agree is only known when
the line runs, so the tests read every call in the source instead of hoping a test runs each line:

- ``message("key", ...)`` and ``stored_message("key", ...)`` (``i18n.stored.message``): a stored
  message, whose key must be written out (what is stored outlives the code);
- ``Phrase.of("key", ...)`` and ``Phrase("key")`` (a phrase of no arguments);
- ``Refused("key", ...)`` and its subclasses (``EndpointRefused``, ``CalendarDataError``, ...,
  found by reading the class definitions, so a new one is scanned without being listed here);
- the loaders' own constructors: a profile's ``r.fail(table, key, "profile.x", ...)`` (its
  words also take ``where``) and a CSV mapping's ``_option(option, "format.x", ...)``.

A key chosen by ``a if c else b`` gives both; a key built at run time (an f-string of a code)
or passed on (``said.key``) is not written out: test_catalogue.py checks every code has words,
and words passed on were checked where they were made.
"""
from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NOT_PRODUCTION = {"tests", "bench", "scripts", "ykt"}
STORED = {"message", "stored_message"}
STORED_CALLEES = {(name, None) for name in STORED}
# name of a loader's own constructor -> (where its key is among the positional arguments, the
# positional arguments it takes, the placeholders it fills itself)
LOADERS = {"fail": (2, 3, frozenset({"where"})), "_option": (1, 2, frozenset())}


@dataclass(frozen=True)
class Made:
    """One key a call makes: ``key`` when written out (``expression`` the source naming it),
    ``names`` its keyword arguments (``None`` when some are passed on as ``**fields``, unknown
    until run), ``callee`` the name called (``of`` for ``Phrase.of``), ``stored`` for a stored
    message."""

    key: str | None
    expression: str
    names: frozenset[str] | None
    where: str
    callee: str
    stored: bool


def production_sources() -> list[Path]:
    """Every ``.py`` file of the top-level folders, the packages the service runs (not the
    tests, the benchmarks, the scripts or ``ykt``, the code generated from the protos)."""
    folders = [d for d in sorted(ROOT.iterdir()) if d.is_dir() and not d.name.startswith(".")
               and d.name not in NOT_PRODUCTION]
    return [path for folder in folders for path in sorted(folder.rglob("*.py"))]


def _trees(paths: Iterable[Path]) -> Iterator[tuple[Path, ast.Module]]:
    for path in paths:
        yield path, ast.parse(path.read_text(encoding="utf-8"))


@cache
def refusal_classes() -> frozenset[str]:
    """``Refused`` and the names of every production class deriving from it, directly or
    through another."""
    bases = {node.name: {b.id if isinstance(b, ast.Name) else getattr(b, "attr", None) for b in node.bases}
             for _, tree in _trees(production_sources()) for node in ast.walk(tree)
             if isinstance(node, ast.ClassDef)}
    found = {"Refused"}
    while grown := {name for name, of in bases.items() if of & found} - found:
        found |= grown
    return frozenset(found)


def _callee(func: ast.expr) -> tuple[str | None, str | None]:
    """(the name called, the name it is an attribute of): ``Phrase.of`` -> ("of", "Phrase")."""
    if isinstance(func, ast.Name):
        return func.id, None
    if isinstance(func, ast.Attribute):
        return func.attr, func.value.id if isinstance(func.value, ast.Name) else None
    return None, None


def _key_argument(call: ast.Call) -> tuple[int, frozenset[str]] | None:
    """Where ``call``'s key is among its positional arguments and the placeholders the callee
    fills itself, if ``call`` makes catalogue words."""
    name, owner = _callee(call.func)
    if owner is None and (name in STORED or name in refusal_classes()) or (name, owner) == ("of", "Phrase"):
        return 0, frozenset()
    if (name, owner) == ("Phrase", None) and len(call.args) == 1 and not call.keywords:
        return 0, frozenset()
    if name in LOADERS and len(call.args) == LOADERS[name][1]:
        return LOADERS[name][0], LOADERS[name][2]
    return None


def made_in(paths: Iterable[Path]) -> Iterator[Made]:
    """Every key made in the modules ``paths``."""
    for path, tree in _trees(paths):
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or (found := _key_argument(node)) is None:
                continue
            at, filled = found
            if at >= len(node.args):
                continue
            names = None if any(k.arg is None for k in node.keywords) else \
                filled | {k.arg for k in node.keywords}
            first, callee = node.args[at], _callee(node.func)
            where = f"{path.relative_to(ROOT).as_posix()}:{node.lineno}"
            for key in [first.body, first.orelse] if isinstance(first, ast.IfExp) else [first]:
                written = key.value if isinstance(key, ast.Constant) and isinstance(key.value, str) else None
                yield Made(written, ast.unparse(key), names, where, callee[0], callee in STORED_CALLEES)
