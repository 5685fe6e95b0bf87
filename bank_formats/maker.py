"""``maker``: records made fast, for the readers that make a million of them.

Every family's readers use it for the records they yield (ISO 20022 since its fast path; the
fixed-width and delimited result readers since ``ResultRecord`` grew two fields, whose defaults
made each record dearer to make).
"""
from __future__ import annotations

import dataclasses
from collections.abc import Callable

__all__ = ["maker"]


def maker(cls: type) -> Callable[..., object]:
    """A function that does what ``cls(*values)`` (every field, positionally) does, in half
    the time, for the frozen slotted dataclasses a reader makes a million of: it sets the
    slots directly, as the ``__init__`` that ``dataclass`` generates does (through
    ``object.__setattr__``). ``cls`` itself for a class where that would not be the same:
    not a frozen dataclass with a slot for each field, a field ``__init__`` does not take, an
    ``__init__`` of its own, a ``__post_init__``.
    """
    params = getattr(cls, "__dataclass_params__", None)
    if params is None or not params.frozen or not params.init:
        return cls
    fields = dataclasses.fields(cls)
    names = tuple(f.name for f in fields)
    init = cls.__dict__.get("__init__")
    if (any(not f.init for f in fields) or hasattr(cls, "__post_init__")
            or tuple(cls.__dict__.get("__slots__", ())) != names or init is None
            or init.__code__.co_filename != "<string>"  # written by dataclass
            or init.__code__.co_varnames[1 : len(names) + 1] != names
            or init.__code__.co_argcount != len(names) + 1):
        return cls
    scope: dict[str, object] = {"new": object.__new__, "cls": cls}
    for i, name in enumerate(names):
        scope[f"set{i}"] = cls.__dict__[name].__set__
    args = ", ".join(f"v{i}" for i in range(len(names)))
    body = "".join(f"    set{i}(o, v{i})\n" for i in range(len(names)))
    exec(f"def make({args}):\n    o = new(cls)\n{body}    return o\n", scope)  # noqa: S102
    make = scope["make"]
    make.__doc__ = f"{cls.__name__}({', '.join(names)})"
    return make
