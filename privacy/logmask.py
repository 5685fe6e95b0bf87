"""Masking identity, account and phone numbers in log output, whatever the code logged.

Why: log files are copied, shipped and kept far longer and more widely than the database; one
``log.warning("... %s", line)`` must not put a citizen's identity number into them. The use cases
already mask what they write (:mod:`domain.masking`); this filter is the safety net behind them.

Use::

    import logging
    from privacy import logmask

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    logmask.install()  # after basicConfig: the filter goes on the handlers that exist now

``install`` attaches one :class:`PersonalDataFilter` to every handler of the root logger (or of
the logger given) and to :data:`logging.lastResort`. Filters on *handlers* see every record that
reaches them, including records propagated from child loggers such as ``ykt.ingest`` (a filter on
a logger would only see records logged on that very logger). A handler added later — or by
``basicConfig(force=True)`` — needs ``install()`` again, or ``handler.addFilter(PersonalDataFilter())``
when building it (e.g. ``basicConfig(handlers=[h])``).

What the filter does to a record: it formats the message (``msg % args``), masks it with
:func:`mask_text` and, if anything changed, stores the masked text as ``msg`` with no ``args``, so
every later handler and formatter sees only the masked text. A traceback is formatted early
(``exc_text``, with the standard formatter) and masked too, as is ``stack_info``. Attributes passed
with ``extra=`` are not inspected.

What counts as personal data, in the style of :mod:`domain.masking` (length kept, ``*`` hidden):

* identity numbers: 17 digits and a digit or ``X``; the legacy 15 digits (shown like ``mask_id``
  when the birth date part is plausible, otherwise like an account); also grouped ``6-8-4``;
* account and card numbers: runs of 12 to 25 digits, also four-digit groups separated by a space
  or ``-`` (four groups or more, as cards are printed); runs longer than 25 digits are masked as
  accounts too, since they are likelier two numbers glued together than anything else;
* mainland mobile numbers: 11 digits starting ``13``-``19``, also grouped ``3-4-4``.

Full-width digits (``０``-``９``) count as digits. A number counts only when it is not glued to
ASCII letters or digits on either side (CJK text, punctuation, ``_`` and spaces are fine).

Trade-offs, chosen deliberately:

* Left alone: hexadecimal digests and ids (a digit run inside ``3fa9…`` touches letters), UUIDs,
  batch and message ids such as ``B2026112812345678P1``, dates like ``20261128`` and any number of
  at most 10 digits (amounts in fen up to 99,999,999.99 yuan), 11-digit numbers not starting with
  ``13``-``19``, and 11- to 13-digit amounts followed by a unit (``fen``, ``分``, ``yuan``, ``元``).
  The price: a personal number glued to ASCII letters (``ID110105...``) is **not** masked.
* Masked although harmless: 11-digit numbers starting ``13``-``19`` without a unit (e.g. a total
  of 13,000,000,000 fen), 13-digit epoch milliseconds, 14-digit compact timestamps
  (``20261128032500``), long numeric sequence numbers, decimals with 12+ fraction digits, and
  runs of four-digit groups such as ``2023 2024 2025 2026``. Log them with separators or units.
"""
from __future__ import annotations

import logging
import re

from domain.idnumber import check_character
from domain.masking import mask_account, mask_id, mask_phone

__all__ = ["PersonalDataFilter", "install", "mask_text", "uninstall"]

_D = "[0-9\uff10-\uff19]"  # ASCII and full-width digits
_NOT_GLUED_BEFORE = r"(?<![0-9A-Za-z\uff10-\uff19\uff21-\uff3a\uff41-\uff5a])"
_NOT_GLUED_AFTER = r"(?![0-9A-Za-z\uff10-\uff19\uff21-\uff3a\uff41-\uff5a])"
_HEX = "[0-9A-Fa-f]"

_PATTERN = re.compile(
    _NOT_GLUED_BEFORE
    + "(?:"
    + rf"(?P<uuid>{_HEX}{{8}}-{_HEX}{{4}}-{_HEX}{{4}}-{_HEX}{{4}}-{_HEX}{{12}})"
    + rf"|(?P<id_grouped>{_D}{{6}}[ -]{_D}{{8}}[ -]{_D}{{3}}[0-9\uff10-\uff19Xx\uff38\uff58])"
    + rf"|(?P<phone_grouped>[1\uff11][3-9\uff13-\uff19]{_D}[ -]{_D}{{4}}[ -]{_D}{{4}})"
    + rf"|(?P<card_grouped>{_D}{{4}}(?:[ -]{_D}{{4}}){{3,5}}(?:[ -]{_D}{{1,3}})?)"
    + rf"|(?P<run>{_D}{{11,}}[Xx\uff38\uff58]?)"
    + ")"
    + _NOT_GLUED_AFTER
)
_UNIT = re.compile(r"\s?(?:fen|yuan|分|元)", re.IGNORECASE)
_ASCII_DIGITS = str.maketrans("０１２３４５６７８９Ｘｘx", "0123456789XXX")


def _plausible_legacy_id(digits: str) -> bool:
    """A 15-digit first-generation number: RRRRRR YYMMDD SSS; check the month and day."""
    month, day = int(digits[8:10]), int(digits[10:12])
    return 1 <= month <= 12 and 1 <= day <= 31


def _mask_match(m: re.Match[str]) -> str:
    kind = m.lastgroup
    text = m.group()
    if kind == "uuid":
        return text
    if kind == "id_grouped":
        return mask_id(text)
    if kind == "phone_grouped":
        return mask_phone(text)
    if kind == "card_grouped":
        return mask_account(text)
    plain = text.translate(_ASCII_DIGITS)
    n = len(plain)
    if plain[-1] == "X":
        if n == 18:
            return mask_id(text)
        return mask_account(text) if n > 12 else text  # an X after 11 digits is no known number
    if n == 18:
        return mask_id(text) if check_character(plain[:17]) == plain[17] else mask_account(text)
    if n <= 13 and _UNIT.match(m.string, m.end()):
        return text  # an amount with its unit
    if n == 11:
        return mask_phone(text) if plain[1] in "3456789" and plain[0] == "1" else text
    if n == 15 and _plausible_legacy_id(plain):
        return mask_id(text)
    return mask_account(text)


def mask_text(text: str) -> str:
    """``text`` with every identity, account and phone number masked (see the module docs)."""
    return _PATTERN.sub(_mask_match, text)


_EXC_FORMATTER = logging.Formatter()


class PersonalDataFilter(logging.Filter):
    """A logging filter that masks personal numbers in the message and traceback; never drops."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            self._mask(record)
        except Exception:  # a filter that raises breaks the caller's log call; hide instead
            record.msg, record.args = "(log record withheld: it could not be masked)", ()
            record.exc_info = record.exc_text = record.stack_info = None
        return True

    @staticmethod
    def _mask(record: logging.LogRecord) -> None:
        try:
            message = record.getMessage()
            broken = False
        except Exception:  # logging.Handler.handleError would print msg and args raw to stderr
            message = f"{record.msg!s} (unformattable log record; arguments {record.args!r})"
            broken = True
        masked = mask_text(message)
        if broken or masked != message:
            # formatted once, here: later handlers and formatters see only the masked text
            record.msg, record.args = masked, ()
        if record.exc_info and not record.exc_text:
            record.exc_text = _EXC_FORMATTER.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_text(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_text(record.stack_info)


def _handlers(logger: logging.Logger | str | None) -> tuple[logging.Logger, list[logging.Handler]]:
    target = logger if isinstance(logger, logging.Logger) else logging.getLogger(logger)
    handlers = list(target.handlers)
    if target is logging.getLogger() and logging.lastResort is not None:
        handlers.append(logging.lastResort)
    return target, handlers


def install(logger: logging.Logger | str | None = None) -> PersonalDataFilter:
    """Attach a :class:`PersonalDataFilter` to the handlers of ``logger`` (default: the root logger).

    For the root logger, :data:`logging.lastResort` (used while no handler is configured) gets it
    too. Idempotent: a handler that already has one is left as it is. Returns the filter.
    Raises :class:`ValueError` for a non-root logger without handlers: its records are handled
    by its ancestors' handlers, which are the ones to install on.
    """
    target, handlers = _handlers(logger)
    if not handlers:
        raise ValueError(f"logger {target.name!r} has no handlers; install on the logger whose handlers "
                         "write the records (by default the root logger), after configuring logging")
    mask = PersonalDataFilter()
    for handler in handlers:
        if not any(isinstance(f, PersonalDataFilter) for f in handler.filters):
            handler.addFilter(mask)
    return mask


def uninstall(logger: logging.Logger | str | None = None) -> None:
    """Remove every :class:`PersonalDataFilter` from the handlers :func:`install` would use."""
    for handler in _handlers(logger)[1]:
        for f in [f for f in handler.filters if isinstance(f, PersonalDataFilter)]:
            handler.removeFilter(f)
