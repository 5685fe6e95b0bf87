"""argparse's own words (``usage:``, ``options``, "invalid choice", "the following arguments are
required") in the run's language.

argparse looks its messages up through the module's gettext function ``_`` when it shows them;
Python ships no Chinese catalogue for it, so without this a Chinese help page would still say
"usage:" and a mistyped option value would be refused in English. :func:`install` points that
function at :mod:`i18n` (keys ``cli.argparse.*`` in i18n/catalogue_cli.py); a message not listed
stays argparse's own.
"""
from __future__ import annotations

import argparse

import i18n

# argparse's message ids (Python 3.11+) -> our keys
MESSAGES = {
    "usage: ": "cli.argparse.usage",
    "positional arguments": "cli.argparse.positionals",
    "options": "cli.argparse.options",
    "show this help message and exit": "cli.argparse.help",
    "%(prog)s: error: %(message)s\n": "cli.argparse.error",
    "the following arguments are required: %s": "cli.argparse.required",
    "invalid choice: %(value)r (choose from %(choices)s)": "cli.argparse.invalid_choice",
    "unrecognized arguments: %s": "cli.argparse.unrecognized",
    "expected one argument": "cli.argparse.expected_one",
    "expected at most one argument": "cli.argparse.expected_at_most_one",
    "expected at least one argument": "cli.argparse.expected_at_least_one",
    "argument %(argument_name)s: %(message)s": "cli.argparse.argument",
    "invalid %(type)s value: %(value)r": "cli.argparse.invalid_value",
    "ambiguous option: %(option)s could match %(matches)s": "cli.argparse.ambiguous",
    "one of the arguments %s is required": "cli.argparse.one_of",
    "not allowed with argument %s": "cli.argparse.not_allowed_with",
    "ignored explicit argument %r": "cli.argparse.ignored",
    "can't open '%(filename)s': %(error)s": "cli.argparse.cannot_open",
}


def gettext(message: str) -> str:
    """argparse's message in this run's language (the %-placeholders stay for argparse to fill)."""
    key = MESSAGES.get(message)
    return i18n.say(key) if key is not None else message


def install():
    """Point argparse at :func:`gettext`; returns what it used before, for :func:`restore`."""
    before = argparse._
    argparse._ = gettext
    return before


def restore(before) -> None:
    argparse._ = before
