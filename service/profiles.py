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
from filesec.algorithms import Cipher, Digest, SignatureAlgorithm, Wrap, cipher_available
from filesec.signing import SIGNATURE_SUFFIX
from i18n import Phrase
from i18n.library_words import said
from sftp.endpoint import SftpEndpoint
from sftp.names import remote_name_problem


class ProfileError(ValueError):
    """A profile that cannot be used; the message names the file, the key and why.

    Raised with a message of the catalogue (a :class:`~i18n.Phrase`, ``profile.*`` in
    i18n/catalogue_config.py: its key is the stable :attr:`code`), said in the reader's language
    by :meth:`said`; ``str()`` is the English text, as it always was."""

    def __init__(self, message: Phrase):
        self.message = message
        super().__init__(str(message))

    @property
    def code(self) -> str:
        return self.message.key

    def said(self, lang: str | None = None) -> str:
        return self.message.said(lang)


def _where(source: str, key: str) -> Phrase:
    return Phrase.of("config.where", file=source, setting=key)


def _detail(source: str, key: str, detail: Exception) -> ProfileError:
    """A profile refused in another module's own words (a bank format's, the reason codes')."""
    return ProfileError(Phrase.of("config.detail", where=_where(source, key), detail=said(detail)))


class Signing(enum.StrEnum):
    """How we sign outbound files (see :mod:`filesec.signing`)."""

    NONE = "none"
    ED25519 = "ed25519"
    RSA_PSS_SHA256 = "rsa-pss-sha256"

    @property
    def algorithm(self) -> SignatureAlgorithm | None:
        return None if self is Signing.NONE else SignatureAlgorithm(self.value)


class Encryption(enum.StrEnum):
    """How we encrypt outbound files for the bank: ``WRAP+CIPHER`` (see :mod:`filesec.envelope`).

    ``sm4`` (the short form) is SM4-GCM, or SM4-CTR + HMAC-SM3 where this OpenSSL lacks SM4-GCM,
    with the content key wrapped as the bank's encryption key allows (RSA-OAEP or X25519).
    """

    NONE = "none"
    RSA_OAEP_AES256GCM = "rsa-oaep+aes-256-gcm"
    X25519_AES256GCM = "x25519+aes-256-gcm"
    SM4 = "sm4"
    RSA_OAEP_SM4GCM = "rsa-oaep+sm4-gcm"
    X25519_SM4GCM = "x25519+sm4-gcm"
    RSA_OAEP_SM4CTR_HMAC_SM3 = "rsa-oaep+sm4-ctr+hmac-sm3"
    X25519_SM4CTR_HMAC_SM3 = "x25519+sm4-ctr+hmac-sm3"

    @property
    def wrap(self) -> Wrap | None:
        """The key wrap demanded; None for ``none`` and for ``sm4`` (the bank's key decides)."""
        if self in (Encryption.NONE, Encryption.SM4):
            return None
        return Wrap.RSA_OAEP_SHA256 if self.value.startswith("rsa-oaep+") else Wrap.X25519_HKDF_SHA256

    @property
    def cipher(self) -> Cipher | None:
        if self is Encryption.NONE:
            return None
        if self is Encryption.SM4:
            return Cipher.SM4_GCM if cipher_available(Cipher.SM4_GCM) else Cipher.SM4_CTR_HMAC_SM3
        return Cipher(self.value.split("+", 1)[1])


LINE_ENDINGS = {"CRLF": "\r\n", "LF": "\n"}


@dataclass(frozen=True)
class FileNaming:
    """Name patterns (``str.format`` fields) of the files exchanged with the bank.

    ``payment`` names our payment file: ``{bank}``, ``{batch}``, ``{date}`` (yyyymmdd of the
    dispatch), ``{suffix}``. ``result`` names the bank's answer to payment file ``{stem}`` (its
    name without suffix) and ``statement`` the bank's statement number ``{seq}`` of
    ``{account}`` for ``{date}``; their other fields become ``*`` to recognise the bank's files
    in its outbox. Only a plain file name can be one of the bank's files: a listed name that
    :func:`sftp.names.remote_name_problem` refuses (a ``/``, ``\\``, ``..``, NUL, a control
    character...) never matches, whatever the pattern (fnmatch's ``*`` would match ``/``).
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
        return remote_name_problem(name) is None and fnmatch.fnmatchcase(name, _glob(self.result, suffix))

    def is_statement(self, name: str, suffix: str) -> bool:
        return remote_name_problem(name) is None and fnmatch.fnmatchcase(name, _glob(self.statement, suffix))


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
class SecurityKeys:
    """The key set files (see :mod:`filesec.keys`) for one bank's files; deployment, so they come
    from the settings (``[banks.CODE.keys]``), not from the profile. None: not configured."""

    sign: Path | None = None  # our private signing keys (the current one signs)
    decrypt: Path | None = None  # our private decryption keys (the envelope's key id picks)
    verify: Path | None = None  # the bank's public signing keys (the signature's key id picks)
    encrypt: Path | None = None  # the bank's public encryption keys (the current one is used)

    NAMES = ("sign", "decrypt", "verify", "encrypt")


@dataclass(frozen=True)
class FileSecurity:
    """What the bank demands of files beyond the transport, and the keys to do it with.

    ``sign``/``encrypt``: what we do to outbound files; ``verify_inbound``/``decrypt_inbound``:
    the bank signs/encrypts its files, and unsigned/unencrypted ones are refused. ``digest`` is the
    file digest inside signatures, both ways (``sm3`` for the Chinese national algorithms). A
    signature is ``NAME`` + ``signature_suffix`` beside ``NAME``; an encrypted file is uploaded as
    ``NAME`` + ``encrypted_suffix`` (by default under its own name: the envelope says what it is).
    Applied by :mod:`service.file_security`.
    """

    sign: Signing = Signing.NONE
    encrypt: Encryption = Encryption.NONE
    verify_inbound: bool = False
    decrypt_inbound: bool = False
    digest: Digest = Digest.SHA256
    signature_suffix: str = SIGNATURE_SUFFIX
    encrypted_suffix: str = ""
    keys: SecurityKeys = field(default_factory=SecurityKeys)

    @property
    def required(self) -> bool:
        return (self.sign is not Signing.NONE or self.encrypt is not Encryption.NONE or self.verify_inbound
                or self.decrypt_inbound)


#: Seconds a file's size and mtime must hold still under "stable" completion before it is fetched
#: (``[folders] settle_s``): set it longer than the longest pause of the bank's writer. Timed by
#: this process's monotonic clock from the first poll that saw the file's current size and mtime,
#: so it holds whatever the poll interval (a file is taken at the first poll after it elapsed).
DEFAULT_SETTLE_S = 5.0
MAX_SETTLE_S = 3600.0


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
    completion: str = "marker"  # "marker" (X.done beside X) or "stable" (size and mtime unchanged)
    settle_s: float = DEFAULT_SETTLE_S  # "stable": how long size and mtime must hold still
    delivery_marker: str | None = ".ok"  # left beside a delivered payment file (NAME.ok); None: none
    taken: str | None = None  # where the bank keeps the payment files it took, if it says so
    naming: FileNaming = field(default_factory=FileNaming)
    security: FileSecurity = field(default_factory=FileSecurity)
    payment_days: int = 3  # working days from funding to payment
    result_days: int = 5  # working days from funding to the bank's result report
    schema_dir: Path | None = None
    reason_codes: Mapping[str, FailureReason] = field(default_factory=dict)
    source: str = "<profile>"
    # ``[statements] format``: a bank that sends statements in another format than its family's
    # (MT940, CSV through a column mapping in ``[statements.csv]``); None: the family's own.
    statement_format_name: str | None = None
    statement_options: Mapping[str, Any] = field(default_factory=dict)

    @property
    def taken_dirs(self) -> tuple[str, ...]:
        """Folders that show a payment file reached the bank after it left the inbox."""
        return (self.taken,) if self.taken else ()

    @cached_property
    def bank_format(self) -> bank_formats.BankFormat:
        return bank_formats.get(self.format, schema_dir=self.schema_dir, **self.format_options)

    @cached_property
    def statement_format(self):
        """What reads this bank's statements: the ``[statements]`` format, else its family."""
        if self.statement_format_name is None:
            return self.bank_format
        return bank_formats.get_statement_format(self.statement_format_name, **self.statement_options)

    def with_connection(self, sftp: SftpEndpoint) -> BankProfile:
        return replace(self, sftp=sftp)

    def with_keys(self, keys: SecurityKeys) -> BankProfile:
        """This profile with the key set files of this deployment (from the settings)."""
        return replace(self, security=replace(self.security, keys=keys))


def _delivery_marker(r: _Reader) -> str | None:
    """``[folders] delivery_marker``: a suffix such as ".ok" (the default), or "" for none."""
    if not r.table("folders").get("delivery_marker", ".ok"):
        return None
    marker = r.text("folders", "delivery_marker", default=".ok")
    if not marker.startswith(".") or "/" in marker or "\\" in marker or len(marker) > 16:
        raise r.fail("folders", "delivery_marker", "profile.marker", got=repr(marker))
    return marker


def load_profile(path: Path) -> BankProfile:
    """Read and check one profile file; relative paths in it are relative to the file."""
    try:
        raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:  # a TOML mistake, bytes not UTF-8, an integer of 4,300 digits
        raise ProfileError(Phrase.of("profile.unreadable", file=str(path), why=said(exc))) from exc
    return profile_from_dict(raw, base=Path(path).parent, source=str(path))


def profile_from_dict(raw: Mapping[str, Any], base: Path, source: str = "<profile>") -> BankProfile:
    r = _Reader(raw, source)
    code = r.text("bank", "code")
    family = r.text("format", "family")
    if family not in bank_formats.names():
        raise r.fail("format", "family", "profile.unknown_family", family=repr(family),
                     known=", ".join(bank_formats.names()))
    options = {k: v for k, v in r.table("format").items() if k not in ("family", "schema_dir")}
    if "line_ending" in options:
        options["line_ending"] = r.choice("format", "line_ending", LINE_ENDINGS)
    schema = r.table("format").get("schema_dir")
    schema_dir = (base / r.text("format", "schema_dir")).resolve() if schema is not None else None
    try:
        codes = parse_reason_codes(r.table("reason_codes"), "reason_codes.")
    except ValueError as exc:  # its words name the key: "reason_codes.X: ..."
        raise ProfileError(Phrase.of("profile.detail", file=source, detail=said(exc))) from None
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
        settle_s=r.seconds("folders", "settle_s", DEFAULT_SETTLE_S, MAX_SETTLE_S),
        delivery_marker=_delivery_marker(r),
        taken=r.text("folders", "taken") if "taken" in r.table("folders") else None,
        naming=naming,
        security=_security(r),
        payment_days=r.days("deadlines", "payment_days", 3),
        result_days=r.days("deadlines", "result_days", 5),
        schema_dir=schema_dir,
        reason_codes=codes,
        source=source,
        **_statements(r),
    )
    try:
        profile.bank_format  # noqa: B018 - build it now so a wrong option shows at load time
    except (ValueError, TypeError, OSError) as exc:
        raise _detail(source, "format", exc) from None
    try:
        profile.statement_format  # noqa: B018 - the same for the statements' format and mapping
    except (ValueError, TypeError) as exc:
        raise _detail(source, f"statements.{profile.statement_format_name}", exc) from None
    return profile


def _statements(r: _Reader) -> dict[str, Any]:
    """``[statements] format = "mt940" | "csv"`` and its options in ``[statements.FORMAT]``."""
    table = r.table("statements")
    if not table:
        return {}
    name = r.choice("statements", "format", {n: n for n in bank_formats.statement_names()})
    extra = sorted(k for k in table if k not in ("format", name))
    if extra:
        raise r.fail("statements", extra[0], "profile.statement_options", name=name)
    options = table.get(name, {})
    if not isinstance(options, dict):
        raise r.fail("statements", name, "profile.not_table")
    return {"statement_format_name": name, "statement_options": dict(options)}


_SECURITY_KEYS = ("sign", "encrypt", "verify_inbound", "decrypt_inbound", "digest", "signature_suffix",
                  "encrypted_suffix")


def _security(r: _Reader) -> FileSecurity:
    table = r.table("security")
    unknown = sorted(set(table) - set(_SECURITY_KEYS))
    if unknown:
        if unknown[0] in SecurityKeys.NAMES or unknown[0].endswith("_keys"):
            raise r.fail("security", unknown[0], "profile.key_files")
        raise r.fail("security", unknown[0], "profile.unknown_key", known=", ".join(_SECURITY_KEYS))
    encrypt = r.choice("security", "encrypt", {e.value: e for e in Encryption}, Encryption.NONE)
    if encrypt.cipher is not None and not cipher_available(encrypt.cipher):
        ctr = encrypt.cipher is Cipher.SM4_GCM and cipher_available(Cipher.SM4_CTR_HMAC_SM3)
        raise r.fail("security", "encrypt", "profile.cipher_ctr" if ctr else "profile.cipher",
                     cipher=str(encrypt.cipher))
    suffixes = {}
    for key, default, may_be_empty in (("signature_suffix", SIGNATURE_SUFFIX, False), ("encrypted_suffix", "", True)):
        value = table.get(key, default)
        if not isinstance(value, str) or (not value and not may_be_empty) or "/" in value or value.strip() != value:
            raise r.fail("security", key, "profile.suffix_or_empty" if may_be_empty else "profile.suffix",
                         got=repr(value))
        suffixes[key] = value
    if suffixes["signature_suffix"] == suffixes["encrypted_suffix"]:
        raise r.fail("security", "encrypted_suffix", "profile.same_suffix")
    return FileSecurity(
        sign=r.choice("security", "sign", {s.value: s for s in Signing}, Signing.NONE),
        encrypt=encrypt,
        verify_inbound=r.flag("security", "verify_inbound"),
        decrypt_inbound=r.flag("security", "decrypt_inbound"),
        digest=r.choice("security", "digest", {d.value: d for d in Digest}, Digest.SHA256),
        **suffixes,
    )


class _Reader:
    """Typed access to a profile's tables; every error names the source file and the key."""

    TABLES = ("bank", "format", "files", "folders", "security", "deadlines", "reason_codes", "statements")

    def __init__(self, raw: Mapping[str, Any], source: str):
        unknown = sorted(set(raw) - set(self.TABLES))
        if unknown:
            raise ProfileError(Phrase.of("profile.unknown_table", where=_where(source, unknown[0]),
                                         known=", ".join(self.TABLES)))
        self.raw, self.source = raw, source

    def fail(self, table: str, key: str, code: str, **fields) -> ProfileError:
        """The profile refused at ``table.key``: message ``code`` (a ``profile.*`` key) with ``fields``."""
        return ProfileError(Phrase.of(code, where=_where(self.source, f"{table}.{key}"), **fields))

    def table(self, name: str) -> Mapping[str, Any]:
        value = self.raw.get(name, {})
        if not isinstance(value, dict):
            raise ProfileError(Phrase.of("profile.not_table", where=_where(self.source, name)))
        return value

    def text(self, table: str, key: str, default: str | None = None) -> str:
        value = self.table(table).get(key, default)
        if value is None:
            raise self.fail(table, key, "profile.missing")
        if not isinstance(value, str) or not value.strip():
            raise self.fail(table, key, "profile.text", got=repr(value))
        return value

    def choice(self, table: str, key: str, allowed: Mapping[str, Any], default: Any = None):
        value = self.table(table).get(key)
        if value is None:
            if default is None:
                raise self.fail(table, key, "profile.missing")
            return default
        if value not in allowed:
            raise self.fail(table, key, "profile.choice", got=repr(value), allowed=", ".join(map(repr, allowed)))
        return allowed[value]

    def flag(self, table: str, key: str) -> bool:
        value = self.table(table).get(key, False)
        if not isinstance(value, bool):
            raise self.fail(table, key, "profile.flag", got=repr(value))
        return value

    def days(self, table: str, key: str, default: int) -> int:
        value = self.table(table).get(key, default)
        if type(value) is not int or value < 1:
            raise self.fail(table, key, "profile.days", got=repr(value))
        return value

    def seconds(self, table: str, key: str, default: float, maximum: float) -> float:
        value = self.table(table).get(key, default)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= maximum:
            raise self.fail(table, key, "profile.seconds", most=f"{maximum:g}", got=repr(value))
        return float(value)

    def pattern(self, table: str, key: str) -> str:
        value = self.text(table, key)
        allowed = FileNaming.FIELDS[key]
        try:
            fields = {name for _, name, _, _ in string.Formatter().parse(value) if name is not None}
        except ValueError as exc:
            raise self.fail(table, key, "profile.not_pattern", detail=said(exc)) from None
        wrong = sorted(fields - allowed)
        if wrong:
            raise self.fail(table, key, "profile.pattern_field", field=f"{{{wrong[0]}}}",
                            allowed=", ".join(f"{{{f}}}" for f in sorted(allowed)))
        needed = {"payment": "batch", "result": "stem", "statement": "seq"}.get(key)
        if needed is not None and needed not in fields:
            raise self.fail(table, key, "profile.pattern_needs", field=f"{{{needed}}}")
        if "/" in value:
            raise self.fail(table, key, "profile.pattern_slash")
        return value
