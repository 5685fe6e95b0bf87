"""The errors use cases raise. The gRPC layer maps each class to one status code."""
from __future__ import annotations

import errno
from dataclasses import dataclass

from sqlalchemy.exc import DBAPIError, OperationalError


class ServiceError(Exception):
    """Base of every use-case error; the message is safe to show a caller (data masked)."""


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


def environmental(exc: BaseException, where: str | None = None) -> ServiceError | None:
    """What an operator can act on in a failure of the machine rather than of the request: a
    full disk, a read-only folder, a lost database connection — as a ServiceError naming
    ``where`` (e.g. "the data folder /var/lib/ykt"; by default the ledger's database or the
    file concerned) and the cause, or None for anything else. Each such failure rolls back what
    it was doing, so the words say that nothing was changed and that the work is taken up again."""
    if where is None:
        where = ("the ledger's database" if isinstance(exc, DBAPIError)
                 else f"the service's folder of {getattr(exc, 'filename', None) or 'its data'}")
    if isinstance(exc, OSError) and exc.errno in _FULL_ERRNOS:
        return ResourceExhausted(f"{where} is full ({exc.strerror}); nothing was changed: free space there, "
                                 "the work is taken up again by itself")
    if isinstance(exc, OSError) and exc.errno in _READ_ONLY_ERRNOS:
        return Unavailable(f"{where} cannot be written ({exc.strerror}: {exc.filename}); nothing was changed: "
                           "make it writable for the service, the work is taken up again by itself")
    if isinstance(exc, DBAPIError):
        text = str(exc.orig).lower()
        if "disk is full" in text or "no space left" in text or "could not extend file" in text:
            return ResourceExhausted(f"{where} is full ({exc.orig}); nothing was changed: free space there, "
                                     "the work is taken up again by itself")
        if "readonly database" in text or "read-only" in text:
            return Unavailable(f"{where} cannot be written ({exc.orig}); nothing was changed")
        if exc.connection_invalidated or isinstance(exc, OperationalError) and _connection_lost(text):
            return Unavailable(f"{where} cannot be reached ({str(exc.orig).strip().splitlines()[0]}); nothing "
                               "was changed: try again once it is back")
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

    def __init__(self, message: str, violations: list[Violation], total: int | None = None):
        self.violations = violations
        self.total = len(violations) if total is None else total
        super().__init__(message)


def require(**fields: str) -> None:
    """Refuse a request missing any of these fields (named by keyword), naming each one."""
    missing = [Violation(name, "REQUIRED", f"{name} is required") for name, value in fields.items() if not value]
    if missing:
        raise InvalidInput(f"missing {', '.join(v.field for v in missing)}", missing)
