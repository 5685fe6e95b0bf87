"""The errors use cases raise. The gRPC layer maps each class to one status code."""
from __future__ import annotations

from dataclasses import dataclass


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
