"""Names from a bank's directory listing, checked before anything is built from them. Pure; no I/O.

A listing is the bank's word, not ours. A local path, a remote path or a log line is built from a
listed name only after :func:`remote_name_problem` found nothing wrong with it: the name must be
one plain file name, never a path. The rules, in the order they are checked:

================================  ==============================================================
empty, ``.``                      not a file name
NUL                               cuts the name short in C code (the local file system, sshd)
``/`` or ``\\``                   a path separator (POSIX, Windows): the name would leave its folder
``..`` anywhere                   a parent step once joined to anything; no bank needs one
control or format characters      C0/C1 controls, DEL, CR/LF, bidirectional overrides, zero-width
                                  characters, line/paragraph separators: they forge log lines and
                                  hide what a name says
not valid UTF-8 text              a lone surrogate cannot be written to the local file system
over 200 bytes (UTF-8)            the local copy's name adds a time stamp; file systems allow 255
================================  ==============================================================

Profile name patterns are matched only against names that pass (fnmatch's ``*`` matches ``/``).
:func:`escaped` renders a refused name for a log line: every character that is not printable
(controls, bidirectional overrides) is shown as an escape, so the line says what the bank sent.
"""
from __future__ import annotations

import unicodedata

__all__ = ["MAX_NAME_BYTES", "escaped", "remote_name_problem"]

MAX_NAME_BYTES = 200

#: Unicode categories refused in a name: controls, format characters (bidirectional overrides,
#: zero-width joiners), surrogates, line and paragraph separators.
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})


def remote_name_problem(name: str) -> str | None:
    """Why ``name`` (one entry of a remote listing) may not be used, or None when it may."""
    if not isinstance(name, str) or name in ("", "."):
        return "not a file name"
    if "\x00" in name:
        return "contains NUL"
    if "/" in name:
        return "contains '/'"
    if "\\" in name:
        return "contains '\\'"
    if ".." in name:
        return "contains '..'"
    for ch in name:
        if unicodedata.category(ch) in _REFUSED_CATEGORIES:
            return f"contains the control or format character U+{ord(ch):04X}"
    size = len(name.encode("utf-8"))
    if size > MAX_NAME_BYTES:
        return f"longer than {MAX_NAME_BYTES} bytes ({size})"
    return None


def escaped(name: str) -> str:
    """``name`` quoted for a log line, every unprintable character escaped (``repr``)."""
    return repr(name)
