"""Bank profiles: everything about an agency bank that differs from bank to bank, as data.

Adding a bank is writing a profile (a TOML file, see ``profiles/`` for the shipped samples), not
changing code. A profile says which format family the bank speaks and with which options, how
its files are named, where they go on its SFTP server, what security it demands of files, its
deadlines in working days and any failure codes of its own. How to reach the server (host,
port, keys) is deployment, not profile: it lives in the settings file beside the profile's path.

Profiles are checked on load; a mistake names the file and the key::

    profiles/RCC01.toml: format.encoding: encoding must be 'gbk' or 'gb18030', not 'big5'
"""
from __future__ import annotations

import enum
import fnmatch
import string
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any

import bank_formats
from domain.model import FailureReason
from domain.reasons import parse_reason_codes
from sftp.endpoint import SftpEndpoint


class ProfileError(ValueError):
    """A profile that cannot be used; the message names the file and the key."""


class Signing(enum.StrEnum):
    NONE = "none"
    ED25519 = "ed25519"
    RSA_PSS_SHA256 = "rsa-pss-sha256"


class Encryption(enum.StrEnum):
    NONE = "none"
    RSA_OAEP_AES256GCM = "rsa-oaep+aes-256-gcm"
    X25519_AES256GCM = "x25519+aes-256-gcm"
    SM4 = "sm4"


LINE_ENDINGS = {"CRLF": "\r\n", "LF": "\n"}


@dataclass(frozen=True)
class FileNaming:
    """Name patterns (``str.format`` fields) of the files exchanged with the bank.

    ``payment`` names our payment file: ``{bank}``, ``{batch}``, ``{date}`` (yyyymmdd of the
    dispatch), ``{suffix}``. ``result`` names the bank's answer to payment file ``{stem}`` (its
    name without suffix) and ``statement`` the bank's statement number ``{seq}`` of
    ``{account}`` for ``{date}``; their other fields become ``*`` to recognise the bank's files
    in its outbox.
    """

    payment: str = "PAY_{batch}{suffix}"
    result: str = "RESULT_{stem}{suffix}"
    statement: str = "STMT_{account}_{date}_{seq}{suffix}"

    FIELDS = {"payment": {"bank", "batch", "date", "suffix"},
              "result": {"stem", "suffix"},
              "statement": {"account", "date", "seq", "suffix"}}

    def payment_name(self, bank: str, batch: str, day: date, suffix: str) -> str:
        return self.payment.format(bank=bank, batch=batch, date=f"{day:%Y%m%d}", suffix=suffix)

    def result_name(self, payment_name: str, suffix: str) -> str:
        return self.result.format(stem=Path(payment_name).stem, suffix=suffix)

    def statement_name(self, account: str, day: date, seq: int, suffix: str) -> str:
        return self.statement.format(account=account, date=f"{day:%Y%m%d}", seq=f"{seq:04d}", suffix=suffix)

    def is_result(self, name: str, suffix: str) -> bool:
        return fnmatch.fnmatchcase(name, _glob(self.result, suffix))

    def is_statement(self, name: str, suffix: str) -> bool:
        return fnmatch.fnmatchcase(name, _glob(self.statement, suffix))


def _glob(pattern: str, suffix: str) -> str:
    parts = []
    for literal, name, _spec, _conv in string.Formatter().parse(pattern):
        parts.append(fnmatch_escape(literal))
        if name is not None:
            parts.append(fnmatch_escape(suffix) if name == "suffix" else "*")
    return "".join(parts)


def fnmatch_escape(text: str) -> str:
    return "".join(f"[{c}]" if c in "*?[" else c for c in text)


@dataclass(frozen=True)
class FileSecurity:
    """What the bank demands of files beyond the transport (enforced from issue 5 on)."""

    sign: Signing = Signing.NONE
    encrypt: Encryption = Encryption.NONE
    verify_inbound: bool = False

    @property
    def required(self) -> bool:
        return self.sign is not Signing.NONE or self.encrypt is not Encryption.NONE or self.verify_inbound


@dataclass(frozen=True)
class BankProfile:
    code: str
    name: str
    format: str  # the format family, a bank_formats registry name
    format_options: Mapping[str, Any] = field(default_factory=dict)
    sftp: SftpEndpoint | None = None  # the connection; from the settings, not the profile
    inbox: str = "inbox"  # where we upload payment files
    outbox: str = "outbox"  # where the bank leaves result files and statements
    archive: str | None = "archive"  # where booked result files are moved; None deletes them
    completion: str = "marker"  # "marker" (X.done beside X) or "stable" (size unchanged)
    naming: FileNaming = field(default_factory=FileNaming)
    security: FileSecurity = field(default_factory=FileSecurity)
    payment_days: int = 3  # working days from funding to payment
    result_days: int = 5  # working days from funding to the bank's result report
    schema_dir: Path | None = None
    reason_codes: Mapping[str, FailureReason] = field(default_factory=dict)
    source: str = "<profile>"

    @cached_property
    def bank_format(self) -> bank_formats.BankFormat:
        return bank_formats.get(self.format, schema_dir=self.schema_dir, **self.format_options)

    def with_connection(self, sftp: SftpEndpoint) -> BankProfile:
        return replace(self, sftp=sftp)


def load_profile(path: Path) -> BankProfile:
    """Read and check one profile file; relative paths in it are relative to the file."""
    try:
        raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ProfileError(f"{path}: {exc}") from exc
    return profile_from_dict(raw, base=Path(path).parent, source=str(path))


def profile_from_dict(raw: Mapping[str, Any], base: Path, source: str = "<profile>") -> BankProfile:
    r = _Reader(raw, source)
    code = r.text("bank", "code")
    family = r.text("format", "family")
    if family not in bank_formats.names():
        raise ProfileError(f"{source}: format.family: unknown format {family!r}; known: {', '.join(bank_formats.names())}")
    options = {k: v for k, v in r.table("format").items() if k not in ("family", "schema_dir")}
    if "line_ending" in options:
        options["line_ending"] = r.choice("format", "line_ending", LINE_ENDINGS)
    schema = r.table("format").get("schema_dir")
    schema_dir = (base / r.text("format", "schema_dir")).resolve() if schema is not None else None
    try:
        codes = parse_reason_codes(r.table("reason_codes"), "reason_codes.")
    except ValueError as exc:
        raise ProfileError(f"{source}: {exc}") from None
    naming = FileNaming(**{k: r.pattern("files", k) for k in FileNaming.FIELDS if k in r.table("files")})
    archive = r.table("folders").get("archive", "archive")
    profile = BankProfile(
        code=code,
        name=r.text("bank", "name", default=code),
        format=family,
        format_options=options,
        inbox=r.text("folders", "inbox", default="inbox"),
        outbox=r.text("folders", "outbox", default="outbox"),
        archive=r.text("folders", "archive", default="archive") if archive else None,
        completion=r.choice("folders", "completion", {"marker": "marker", "stable": "stable"}, "marker"),
        naming=naming,
        security=FileSecurity(
            sign=r.choice("security", "sign", {s.value: s for s in Signing}, Signing.NONE),
            encrypt=r.choice("security", "encrypt", {e.value: e for e in Encryption}, Encryption.NONE),
            verify_inbound=r.flag("security", "verify_inbound"),
        ),
        payment_days=r.days("deadlines", "payment_days", 3),
        result_days=r.days("deadlines", "result_days", 5),
        schema_dir=schema_dir,
        reason_codes=codes,
        source=source,
    )
    try:
        profile.bank_format  # noqa: B018 - build it now so a wrong option shows at load time
    except (ValueError, TypeError, OSError) as exc:
        raise ProfileError(f"{source}: format: {exc}") from None
    return profile


class _Reader:
    """Typed access to a profile's tables; every error names the source file and the key."""

    TABLES = ("bank", "format", "files", "folders", "security", "deadlines", "reason_codes")

    def __init__(self, raw: Mapping[str, Any], source: str):
        unknown = sorted(set(raw) - set(self.TABLES))
        if unknown:
            raise ProfileError(f"{source}: {unknown[0]}: unknown table; known: {', '.join(self.TABLES)}")
        self.raw, self.source = raw, source

    def fail(self, table: str, key: str, why: str) -> ProfileError:
        return ProfileError(f"{self.source}: {table}.{key}: {why}")

    def table(self, name: str) -> Mapping[str, Any]:
        value = self.raw.get(name, {})
        if not isinstance(value, dict):
            raise ProfileError(f"{self.source}: {name}: expected a table")
        return value

    def text(self, table: str, key: str, default: str | None = None) -> str:
        value = self.table(table).get(key, default)
        if value is None:
            raise self.fail(table, key, "missing")
        if not isinstance(value, str) or not value.strip():
            raise self.fail(table, key, f"expected a non-empty string, got {value!r}")
        return value

    def choice(self, table: str, key: str, allowed: Mapping[str, Any], default: Any = None):
        value = self.table(table).get(key)
        if value is None:
            if default is None:
                raise self.fail(table, key, "missing")
            return default
        if value not in allowed:
            raise self.fail(table, key, f"{value!r} is not one of {', '.join(map(repr, allowed))}")
        return allowed[value]

    def flag(self, table: str, key: str) -> bool:
        value = self.table(table).get(key, False)
        if not isinstance(value, bool):
            raise self.fail(table, key, f"expected true or false, got {value!r}")
        return value

    def days(self, table: str, key: str, default: int) -> int:
        value = self.table(table).get(key, default)
        if type(value) is not int or value < 1:
            raise self.fail(table, key, f"expected a whole number of working days >= 1, got {value!r}")
        return value

    def pattern(self, table: str, key: str) -> str:
        value = self.text(table, key)
        allowed = FileNaming.FIELDS[key]
        try:
            fields = {name for _, name, _, _ in string.Formatter().parse(value) if name is not None}
        except ValueError as exc:
            raise self.fail(table, key, f"not a name pattern: {exc}") from None
        wrong = sorted(fields - allowed)
        if wrong:
            raise self.fail(table, key, f"unknown field {{{wrong[0]}}}; allowed: "
                            + ", ".join(f"{{{f}}}" for f in sorted(allowed)))
        needed = {"payment": "batch", "result": "stem", "statement": "seq"}.get(key)
        if needed is not None and needed not in fields:
            raise self.fail(table, key, f"must contain {{{needed}}} so that every file has its own name")
        if "/" in value:
            raise self.fail(table, key, "a file name cannot contain '/'")
        return value
