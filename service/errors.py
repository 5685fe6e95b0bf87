"""The errors use cases raise. The gRPC layer maps each class to one status code.

An error is raised with a catalogue key and its fields (``NotFound("error.batch.none",
batch=batch_id)``; the words are in i18n/catalogue_errors.py): the gRPC layer says it in the
caller's language (:meth:`ServiceError.said`), while ``str()`` is the English text, for logs and
for scripts that read it. Raised with a plain text instead, that text is shown in any language.
"""
from __future__ import annotations

import errno
from dataclasses import dataclass

from sqlalchemy.exc import DBAPIError, OperationalError

import i18n
from i18n import Each, Named, Phrase
from i18n.library_words import briefly


class ServiceError(Exception):
    """Base of every use-case error; the message is safe to show a caller (data masked)."""

    def __init__(self, message: str, /, **fields):
        self.key = message if message in i18n.WORDS else None
        self.fields = fields
        super().__init__(i18n.say(message, "en", **fields) if self.key else message)

    def said(self, lang: str | None = None) -> str:
        """The message in ``lang`` (default: the call's language)."""
        return i18n.say(self.key, lang, **self.fields) if self.key else str(self)

    def phrase(self) -> Phrase | str:
        """The message as a part of a message the ledger stores (i18n.stored), to be said in the
        reader's language; a field that cannot be stored (a database's exception) as its text."""
        return _storable(Phrase(self.key, tuple(self.fields.items()))) if self.key else str(self)


def _storable(value):
    if isinstance(value, Phrase):
        return Phrase(value.key, tuple((k, _storable(v)) for k, v in value.fields))
    return value if isinstance(value, (Named, str, int)) else str(value)


class NotFound(ServiceError):
    pass


class AlreadyExists(ServiceError):
    pass


class FailedPrecondition(ServiceError):
    """The request is valid but the batch or file is not in a state that allows it."""


class PermissionDenied(ServiceError):
    pass


class Unavailable(ServiceError):
    """A bank could not be reached; retrying later may succeed."""


class ResourceExhausted(ServiceError):
    """A disk is full (the ledger's, the data folder's): nothing was changed; it works again
    once space is freed."""


_FULL_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}
_READ_ONLY_ERRNOS = {errno.EROFS, errno.EACCES, errno.EPERM}


def environmental(exc: BaseException, where: str | Phrase | None = None) -> ServiceError | None:
    """What an operator can act on in a failure of the machine rather than of the request: a
    full disk, a read-only folder, a lost database connection — as a ServiceError naming
    ``where`` (e.g. "the data folder /var/lib/ykt"; by default the ledger's database or the
    file concerned) and the cause, or None for anything else. Each such failure rolls back what
    it was doing, so the words say that nothing was changed and that the work is taken up again."""
    if where is None:
        where = (Phrase.of("place.ledger") if isinstance(exc, DBAPIError)
                 else Phrase.of("place.folder_of", file=exc.filename) if getattr(exc, "filename", None)
                 else Phrase.of("place.data"))
    if isinstance(exc, OSError) and exc.errno in _FULL_ERRNOS:
        return ResourceExhausted("error.env.full", where=where, cause=briefly(exc))
    if isinstance(exc, OSError) and exc.errno in _READ_ONLY_ERRNOS:
        return Unavailable("error.env.read_only", where=where, cause=f"{exc.strerror}: {exc.filename}")
    if isinstance(exc, DBAPIError):
        text = str(exc.orig).lower()
        if "disk is full" in text or "no space left" in text or "could not extend file" in text:
            return ResourceExhausted("error.env.full", where=where, cause=exc.orig)
        if "readonly database" in text or "read-only" in text:
            return Unavailable("error.env.read_only_db", where=where, cause=exc.orig)
        if exc.connection_invalidated or isinstance(exc, OperationalError) and _connection_lost(text):
            return Unavailable("error.env.unreachable", where=where,
                               cause=str(exc.orig).strip().splitlines()[0])
    return None


def _connection_lost(text: str) -> bool:
    return any(words in text for words in (
        "connection refused", "server closed the connection", "connection timed out", "could not connect",
        "terminating connection", "connection is closed", "the database system is shutting down",
        "the database system is starting up", "connection reset", "consuming input failed",
    ))


@dataclass(frozen=True, slots=True)
class Violation:
    """One bad field: ``field`` is e.g. ``lines[17].id_number``."""

    field: str
    code: str
    description: str


class InvalidInput(ServiceError):
    """The request is wrong; nothing was changed. Lists every violation found (capped)."""

    def __init__(self, message: str, violations: list[Violation], total: int | None = None, **fields):
        self.violations = violations
        self.total = len(violations) if total is None else total
        super().__init__(message, **fields)


def require(**fields: str) -> None:
    """Refuse a request missing any of these fields (named by keyword), naming each one."""
    missing = [Violation(name, "REQUIRED", f"{name} is required") for name, value in fields.items() if not value]
    if missing:
        raise InvalidInput("error.request.missing", missing, fields=", ".join(v.field for v in missing))


def duty_refused(where: Phrase, duty, actor: str, history, waived=()) -> PermissionDenied | None:
    """Why ``actor`` may not do ``duty`` (:func:`domain.duties.refusal`, which judges) as an error
    naming ``where`` (``Phrase.of("where.batch", batch=...)``) and every conflicting part, in the
    caller's language; None when they may."""
    from domain import duties

    why = duties.refusal(duty, actor, history, waived)
    if why is None:
        return None
    if not actor:
        reason = Phrase.of("error.duty.anonymous", duty=Phrase.of(f"duty.{duty.value}"))
    else:
        found = duties.conflicts(duty, actor, history, waived)

        def others(lang: str) -> str:
            joiner, shown = ("和", "{}（{}）") if lang == "zh" else (" and ", "{} ({})")
            return joiner.join(shown.format(i18n.name("part", part.value, lang), ", ".join(sorted(set(history[part]))))
                               for part in found)

        reason = Phrase.of("error.duty.conflict", user=repr(actor), duty=Phrase.of(f"duty.{duty.value}"),
                           others=Each.of(others))
    return PermissionDenied("error.duty", where=where, why=reason)


def action(words: str) -> Phrase:
    """What a batch in the wrong state cannot do ("be dispatched"), as a phrase of the catalogue."""
    return Phrase.of("action." + words.replace(" ", "_"))
