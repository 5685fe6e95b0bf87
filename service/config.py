"""Settings of a running service: where the ledger lives and which agency banks it serves.

Each bank is a profile (what the bank speaks, see :mod:`service.profiles`) plus how this
deployment reaches its SFTP server. Settings load from a TOML file (see ``examples/ykt.toml``),
with any setting overridden from the environment, and are checked on load:

* every table and key is validated against a schema (pydantic models below); an unknown key is
  refused with the file, the key and the nearest valid name; all problems are reported at once,
  one line each (:class:`ConfigError` ``.problems``);
* ``YKT_<KEY>`` sets a top-level key (``YKT_DATABASE_URL``, ``YKT_POLL_INTERVAL_S``), ``__``
  separating the keys of tables (``YKT_BANKS__RCC01__SFTP__HOST``, ``YKT_AUTH__TLS_CERT``);
  ``YKT_<KEY>_FILE`` names a file holding the value (a secret such as a database URL with its
  password; the trailing newline is dropped). The environment wins over the file. A path from
  the environment is relative to the current directory, a path in the file to the file;
* :func:`check_start` checks, when the service starts, every file the settings name (SFTP
  private keys, pinned host keys and known_hosts files, TLS certificates and keys, the
  personal-data keys) and every environment variable they name, one line per problem.

:func:`setting_table` lists every setting with its environment variable (the README's table).
"""
from __future__ import annotations

import copy
import difflib
import os
import tomllib
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictFloat, StrictInt, StrictStr, StringConstraints
from pydantic import ValidationError as _ValidationError

import i18n
from domain.eligibility import OneCardPolicy, ProgramPolicy, RegionPolicy
from domain.programs import Program
from domain.workdays import PACKAGE_CALENDAR, Calendar, CalendarDataError, calendar_from_table
from i18n import Named, Phrase
from i18n.library_words import briefly, said
from service import file_security
from service.identity import AuthSettings, Role, User
from service.profiles import BankProfile, ProfileError, load_profile
from sftp.endpoint import SftpEndpoint

__all__ = [
    "ENV_PREFIX",
    "BankProfile",
    "ConfigError",
    "Settings",
    "check_start",
    "from_dict",
    "load",
    "setting_table",
]

ENV_PREFIX = "YKT_"
# YKT_ variables that are not settings (the client commands', the PDF font's, the tests'): never
# taken for a misspelt setting
HANDED_IN_MAX_BYTES = 2 * 1024**3  # default of handed_in_max_bytes: 2 GiB
OTHER_ENV = frozenset({"YKT_TOKEN", "YKT_TLS_CA", "YKT_TLS_CERT", "YKT_TLS_KEY", "YKT_PII_KEYS", "YKT_CJK_FONT",
                       "YKT_LANG"})


class ConfigError(ValueError):
    """Settings that cannot be used; each problem is one line naming the file, the key and why.

    A problem is a message of the catalogue (a :class:`~i18n.Phrase`, words in
    i18n/catalogue_config.py), said in the reader's language by :meth:`said`; its key is the
    problem's stable code (:attr:`codes`, for ``--json`` and logs). A plain text (the caller's
    own words, already in its language) is shown as it is, code ``config.text``. ``str()`` and
    :attr:`problems` are the English lines, as they always were. :attr:`language` is the
    settings' own ``language`` when it could be read (``YKT_LANGUAGE``, else the file's key):
    the language of these lines unless the person asked for one (adapter/cli.py)."""

    def __init__(self, *problems: str | Phrase, language: str | None = None):
        self.messages: tuple[str | Phrase, ...] = tuple(problems) or (Phrase("config.unusable"),)
        self.problems: tuple[str, ...] = tuple(str(p) for p in self.messages)
        self.language = language
        super().__init__("\n".join(self.problems))

    def said(self, lang: str | None = None) -> tuple[str, ...]:
        """The problems, one line each, in ``lang`` (default: this context's language)."""
        return tuple(p.said(lang) if isinstance(p, Phrase) else p for p in self.messages)

    @property
    def codes(self) -> tuple[str, ...]:
        """Each problem's stable code: its message's key (the profile's own, for a bank's profile)."""
        return tuple(code_of(p) for p in self.messages)


def code_of(problem: str | Phrase) -> str:
    """The stable code of a problem: its key, or the key of the problem it wraps (``problem``)."""
    if not isinstance(problem, Phrase):
        return "config.text"
    inner = dict(problem.fields).get("problem")
    return code_of(inner) if isinstance(inner, Phrase) else problem.key


def setting_language(raw: Mapping[str, Any], environ: Mapping[str, str] | None) -> str | None:
    """The ``language`` setting of settings that may not load: ``YKT_LANGUAGE``, else the file's
    key; None when neither names a language we speak."""
    for value in ((environ or {}).get(f"{ENV_PREFIX}LANGUAGE"), raw.get("language")):
        if isinstance(value, str) and value.strip().lower() in i18n.LANGUAGES:
            return value.strip().lower()
    return None


class UnknownBank(ConfigError):
    """A bank code no ``[banks.CODE]`` table names (a request naming it is refused, said in the
    caller's language by the gRPC layer: ``error.bank.unknown``)."""

    def __init__(self, code: str, known: str):
        self.code, self.known = code, known
        super().__init__(f"unknown bank {code!r}; known banks: {known}")


#: Where the personal-data keys are when the settings file does not say: beside it, apart from
#: the data folder (see ``keys_in_data_dir``).
DEFAULT_PII_KEY_FILE = "keys/pii-keys.json"


@dataclass(frozen=True)
class Settings:
    database_url: str
    data_dir: Path
    banks: dict[str, BankProfile] = field(default_factory=dict)
    poll_interval_s: float = 5.0
    pii_key_file: Path | None = None  # None: data_dir/keys/pii-keys.json (or YKT_PII_KEYS); from a file: keys/ beside it
    programs: dict[str, ProgramPolicy] = field(default_factory=dict)
    # The program registry (domain/programs.py): [programs.NAME] tables that give a code; when
    # any does, a batch must name one of them and follow its period form and standard
    registry: dict[str, Program] = field(default_factory=dict)
    default_policy: ProgramPolicy = ProgramPolicy()
    auth: AuthSettings = field(default_factory=AuthSettings)  # [auth]: users, roles, TLS
    # [duties]: programs whose batches the approver may also fund (domain/duties.py); none by default
    approver_may_fund: frozenset[str] = frozenset()
    # The exchange with banks, shared by every instance on one database (service/leases.py):
    lease_s: float = 120.0  # how long a dispatch or poll lease lasts unless renewed
    retry_s: float = 30.0  # first wait after a failed upload; doubles per attempt...
    retry_max_s: float = 3600.0  # ...up to this
    instance_id: str = ""  # this instance's name in leases; "": host:pid:random
    # The largest file a bank or finance may hand in over gRPC (checked while it streams in)
    handed_in_max_bytes: int = HANDED_IN_MAX_BYTES
    # Days a booked or acknowledged file's local copy is kept, sealed under the personal-data keys
    # (service/retention.py); 0: deleted at once (its digest and size stay in the ledger)
    file_retention_days: int = 0
    # Key files may lie inside data_dir only when this says so: a copy of the data folder (a
    # backup, a colleague's disk) would otherwise carry the keys that open it
    keys_in_data_dir: bool = False
    # Prometheus metrics served on this "HOST:PORT" by ykt serve (observability/metrics.py); None: off
    metrics_address: str | None = None
    log_format: str = "text"  # "json": one JSON object per log line (observability/logs.py)
    # The language of messages for people when a call does not ask for one (accept-language): zh or en
    language: str = "zh"
    # [calendar]: the official calendar deadlines count on; the package's years plus supplied ones
    calendar: Calendar = PACKAGE_CALENDAR
    # where the settings came from, for messages: the file, and the keys set by the environment
    source: str = field(default="<settings>", compare=False)
    origins: Mapping[str, str] = field(default_factory=dict, compare=False, repr=False)

    def policy(self, program: str) -> ProgramPolicy:
        """How strictly ``program`` treats one-card conflicts and region anomalies."""
        return self.programs.get(program, self.default_policy)

    @property
    def key_file(self) -> Path:
        return self.pii_key_file or self.data_dir / "keys" / "pii-keys.json"

    @property
    def signing_key_file(self) -> Path:
        """The report-signing key set lives with the personal-data keys: instances that share
        those sign with one key (reports/signing.py)."""
        return self.key_file.parent / "report-signing-keys.json"

    @property
    def legacy_signing_key_file(self) -> Path:
        """The single report-signing key of earlier versions, taken in as key s1."""
        return self.key_file.parent / "report-signing.pem"

    def bank(self, code: str) -> BankProfile:
        try:
            return self.banks[code]
        except KeyError:
            known = ", ".join(sorted(self.banks)) or "none configured"
            raise UnknownBank(code, known) from None


# -- the schema ---------------------------------------------------------------------------------
# Every table forbids unknown keys; a field's description is what an error says was expected.

_PATH = {"ykt_path": True}  # marks a path: one from the environment is made absolute (cwd)
_SECONDS = "a positive number of seconds"
_EnvName = Annotated[StrictStr, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")]
_Text = Annotated[StrictStr, StringConstraints(min_length=1)]
_Seconds = Annotated[StrictFloat, Field(gt=0)]
_HostPort = Annotated[StrictStr, StringConstraints(pattern=r"^(\[[0-9A-Fa-f:.]+\]|[^\s:\[\]]*):[0-9]{1,5}$")]


def _path(what: str, default: Any = ...) -> Any:
    return Field(default, description=f"the path of {what}", json_schema_extra=_PATH)


def _seconds(default: float) -> Any:
    return Field(default, gt=0, description=_SECONDS)


class _Table(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Sftp(_Table):
    """``[banks.CODE.sftp]``: how this deployment reaches the bank's SFTP server."""

    host: _Text = Field(description="a host name or address")
    port: StrictInt = Field(gt=0, lt=65536, description="a port number (1-65535)")
    username: _Text = Field(description="a user name")
    private_key: _Text | None = _path("a private key file (OpenSSH or PEM)", None)
    host_key: _Text | None = Field(None, description="the bank's OpenSSH public-key line (ssh-ed25519 AAAA...)")
    known_hosts: _Text | None = _path("a known_hosts file", None)
    timeout_s: StrictFloat = _seconds(15.0)
    use_agent: StrictBool = Field(False, description="true or false")
    password_env: _EnvName | None = Field(None, description="the name of the environment variable holding the "
                                                            "password (letters, digits, underscore), never the "
                                                            "password")
    passphrase_env: _EnvName | None = Field(None, description="the name of the environment variable holding the "
                                                              "key's passphrase, never the passphrase")
    retry_attempts: StrictInt = Field(4, description="a whole number of attempts")
    retry_base_s: StrictFloat = _seconds(0.5)
    retry_cap_s: StrictFloat = _seconds(10.0)


class _Keys(_Table):
    """``[banks.CODE.keys]``: key set files for what the bank's profile demands."""

    sign: _Text | None = _path("a key set file (ours, private)", None)
    decrypt: _Text | None = _path("a key set file (ours, private)", None)
    verify: _Text | None = _path("a key set file (the bank's, public)", None)
    encrypt: _Text | None = _path("a key set file (the bank's, public)", None)


class _Bank(_Table):
    """``[banks.CODE]``: the bank's profile and how to reach it; the bank's details are in its profile."""

    profile: _Text = _path("the bank's profile (profiles/*.toml)")
    sftp: _Sftp = Field(description="a table (host, port, username, ...)")
    keys: _Keys | None = Field(None, description="a table of key set files (sign, decrypt, verify, encrypt)")


class _Program(_Table):
    """``[programs.NAME]``: how strictly a program treats one-card and region findings, and —
    with a ``code`` — its entry in the program registry (domain/programs.py)."""

    one_card: Literal["hold", "reject"] = Field("hold", description="hold or reject")
    region: Literal["warn", "hold"] = Field("warn", description="warn or hold")
    region_digits: Literal[2, 4, 6] = Field(4, description="2, 4 or 6")
    code: StrictStr | None = Field(None, pattern=r"^[A-Z0-9_]{1,16}$",
                                   description="1 to 16 of A-Z, 0-9 and _ (registers the program)")
    department: _Text | None = Field(None, description="the department that runs the program")
    period: Literal["month", "quarter", "year"] | None = Field(None, description="month, quarter or year")
    standard_fen: StrictInt | None = Field(None, gt=0, description="the standard per person in fen (no line above it)")


class _User(_Table):
    """``[auth.users.NAME]``."""

    role: _Text | None = Field(None, description="a role name")
    roles: list[StrictStr] | None = Field(None, description="a list of role names")
    token_sha256: StrictStr | None = Field(None, description="64 hex digits (ykt token prints them)")
    cert_cn: StrictStr | None = Field(None, description="the common name of the user's client certificate")
    banks: list[StrictStr] | None = Field(None, description="a list of bank codes (BANK users: the banks they "
                                                             "act for)")


class _Auth(_Table):
    """``[auth]``: TLS files and users."""

    tls_cert: _Text | None = _path("a PEM file", None)
    tls_key: _Text | None = _path("a PEM file", None)
    client_ca: _Text | None = _path("a PEM file", None)
    users: dict[str, _User] = Field(default_factory=dict, description="a table of users")


class _Duties(_Table):
    """``[duties]``: what may lift a separation of duties (domain/duties.py); nothing by default."""

    approver_may_fund: list[_Text] = Field(default_factory=list, description="a list of program names whose "
                                                                             "approver may also fund a batch")


class _Calendar(_Table):
    """``[calendar]``: ``file`` or ``years``."""

    file: _Text | None = _path("a TOML file", None)
    years: dict[str, Any] | None = Field(None, description="a table of [years.YYYY] tables")


class _Root(_Table):
    data_dir: _Text = _path("the data folder", "var")
    database_url: StrictStr | None = Field(None, description="a SQLAlchemy URL (sqlite:///... or "
                                                             "postgresql+psycopg://...)")
    poll_interval_s: StrictFloat = _seconds(5.0)
    pii_key_file: _Text | None = _path("the personal-data key file", None)
    lease_s: StrictFloat = _seconds(120.0)
    retry_s: StrictFloat = _seconds(30.0)
    retry_max_s: StrictFloat = _seconds(3600.0)
    instance_id: StrictStr = Field("", max_length=128, description="a string of at most 128 characters")
    handed_in_max_bytes: StrictInt = Field(HANDED_IN_MAX_BYTES, gt=0, description="a positive number of bytes")
    file_retention_days: StrictInt = Field(0, ge=0, le=3660, description="a whole number of days from 0 to 3660")
    keys_in_data_dir: StrictBool = Field(False, description="true or false")
    metrics_address: _HostPort | None = Field(None, description="HOST:PORT, e.g. \"127.0.0.1:9464\"")
    log_format: Literal["text", "json"] = Field("text", description="text or json")
    language: Literal["zh", "en"] = Field("zh", description="zh or en")
    programs: dict[str, _Program] = Field(default_factory=dict, description="a table of [programs.NAME] tables")
    auth: _Auth = Field(default_factory=_Auth, description="a table")
    duties: _Duties = Field(default_factory=_Duties, description="a table (approver_may_fund)")
    calendar: _Calendar = Field(default_factory=_Calendar, description="a table (file, or years)")
    banks: dict[str, _Bank] = Field(default_factory=dict, description="a table of [banks.CODE] tables")


# Why a key someone might write is not a key here (a message's key)
_HINTS = {  # the unknown key's place, "*" for any name
    ("banks", "*", "*"): "config.hint.bank_details",
    ("banks", "*", "sftp", "password"): "config.hint.password",
    ("auth", "users", "*", "token"): "config.hint.token",
}


# -- loading ------------------------------------------------------------------------------------


def load(path: Path, environ: Mapping[str, str] | None = None) -> Settings:
    """Read and check a TOML settings file, overridden by ``YKT_...`` variables of ``environ``
    (default: the process's environment)."""
    environ = os.environ if environ is None else environ
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:  # a TOML mistake, bytes not UTF-8, an integer of 4,300 digits
        raise ConfigError(Phrase.of("config.unreadable", file=str(path), why=said(exc)),
                          language=setting_language({}, environ)) from exc
    return from_dict(raw, base=path.parent, source=str(path), environ=environ)


def from_dict(raw: Mapping[str, Any], base: Path, source: str = "<settings>",
              environ: Mapping[str, str] | None = None) -> Settings:
    """Check settings given as the tables of a TOML file; ``environ`` (none by default) overrides them.
    A :class:`ConfigError` carries the settings' language when they name one (:func:`setting_language`)."""
    try:
        return _from_dict(raw, base, source, environ)
    except ConfigError as exc:
        exc.language = exc.language or setting_language(raw, environ)
        raise


def _from_dict(raw: Mapping[str, Any], base: Path, source: str, environ: Mapping[str, str] | None) -> Settings:
    origins: dict[str, str] = {}
    problems: list[str] = []
    if environ is not None:
        raw, origins, env_problems = _apply_environment(raw, environ, source)
        problems.extend(env_problems)
    label = _Label(source, origins)
    try:
        model = _Root.model_validate(raw)
    except _ValidationError as exc:
        raise ConfigError(*problems, *_problems(exc, label)) from None
    if problems:
        raise ConfigError(*problems)

    def path_of(value: str | None) -> Path | None:
        return None if value is None else (base / value).resolve()


    def collect(make, *args):
        try:
            return make(*args)
        except ConfigError as exc:
            problems.extend(exc.messages)
            return None

    data_dir = path_of(model.data_dir)
    banks = {}
    for code, bank in model.banks.items():
        made = collect(_bank, code, bank, path_of, label)
        if made is not None:
            banks[code] = made
    programs = {}
    registry = {}
    for name, table in model.programs.items():
        entry = collect(_registered, name, table, label)
        if entry is not None:
            registry[name] = entry
    for name, table in model.programs.items():
        programs[name] = collect(_policy, table, f"programs.{name}", label)
    auth = collect(_auth, model.auth, path_of, label)
    if auth is not None:
        problems.extend(_user_bank_problems(auth, set(model.banks), label))
    calendar = collect(_calendar, model.calendar, path_of, label)
    if problems:
        raise ConfigError(*problems)
    return Settings(
        database_url=model.database_url or f"sqlite:///{data_dir / 'ledger.sqlite3'}",
        data_dir=data_dir,
        banks=banks,
        poll_interval_s=model.poll_interval_s,
        lease_s=model.lease_s,
        retry_s=model.retry_s,
        retry_max_s=model.retry_max_s,
        instance_id=model.instance_id,
        handed_in_max_bytes=model.handed_in_max_bytes,
        file_retention_days=model.file_retention_days,
        keys_in_data_dir=model.keys_in_data_dir,
        metrics_address=model.metrics_address,
        log_format=model.log_format,
        language=model.language,
        pii_key_file=path_of(model.pii_key_file or DEFAULT_PII_KEY_FILE),
        programs={k: v for k, v in programs.items() if k != "default"},
        registry=registry,
        default_policy=programs.get("default", ProgramPolicy()),
        auth=auth,
        approver_may_fund=frozenset(model.duties.approver_may_fund),
        calendar=calendar,
        source=source,
        origins=origins,
    )


class _Label:
    """``FILE: KEY`` for messages, with the environment variable when the value came from one."""

    def __init__(self, source: str, origins: Mapping[str, str]):
        self.source, self.origins = source, origins

    def __call__(self, key: str) -> Phrase:
        origin = self.origins.get(key)
        if origin:
            return Phrase.of("config.where.env", file=self.source, setting=key, var=origin)
        return Phrase.of("config.where", file=self.source, setting=key)


def _bank(code: str, bank: _Bank, path_of, label: _Label) -> BankProfile:
    where = f"banks.{code}"
    try:
        profile = load_profile(path_of(bank.profile))
    except ProfileError as exc:
        raise ConfigError(Phrase.of("config.bank.profile", where=label(where + ".profile"),
                                    problem=exc.message)) from None
    if profile.code != code:
        raise ConfigError(Phrase.of("config.bank.other_profile", where=label(where + ".profile"),
                                    code=repr(profile.code)))
    profile = profile.with_connection(_endpoint(code, bank.sftp, f"{where}.sftp", path_of, label))
    keys = None if bank.keys is None else {k: v for k, v in bank.keys.model_dump().items() if v is not None}
    try:  # the key set files for the bank's [security] demands (service/file_security.py)
        return file_security.with_settings_keys(profile, keys, path_of)
    except ValueError as exc:  # file_security's own words: "keys.sign: ..."
        raise ConfigError(Phrase.of("config.bank.keys", where=label(where), detail=said(exc))) from None


def _endpoint(code: str, sftp: _Sftp, where: str, path_of, label: _Label) -> SftpEndpoint:
    """``[banks.CODE.sftp]``. A password is never written here: ``password_env`` names the
    environment variable that holds it."""
    try:
        endpoint = SftpEndpoint(
            host=sftp.host, port=sftp.port, username=sftp.username,
            private_key_path=path_of(sftp.private_key), host_key=sftp.host_key,
            known_hosts_path=path_of(sftp.known_hosts), timeout_s=sftp.timeout_s, use_agent=sftp.use_agent,
            password_env=sftp.password_env, passphrase_env=sftp.passphrase_env, name=code,
            retry_attempts=sftp.retry_attempts, retry_base_s=sftp.retry_base_s, retry_cap_s=sftp.retry_cap_s,
        )
    except ValueError as exc:
        raise ConfigError(Phrase.of("config.detail", where=label(where), detail=said(exc))) from None
    if endpoint.host_key is None and endpoint.known_hosts_path is None:
        raise ConfigError(Phrase.of("config.sftp.host_key_needed", where=label(where)))
    return endpoint


def _calendar(table: _Calendar, path_of, label: _Label) -> Calendar:
    """``[calendar]``: years of the official calendar past the chinese-calendar package's, as the
    State Council published them: ``file`` (a TOML file of ``[years.YYYY]`` tables, relative to
    the settings) or the ``[calendar.years.YYYY]`` tables inline; see :func:`calendar_from_table`."""
    if table.file is None:
        data = {} if table.years is None else {"years": table.years}

        def problem(detail: Phrase | str) -> Phrase:
            return Phrase.of("config.calendar.years", where=label("calendar"), detail=detail)
    elif table.years is not None:
        raise ConfigError(Phrase.of("config.calendar.both", where=label("calendar")))
    else:
        path = path_of(table.file)

        def problem(detail: Phrase | str) -> Phrase:
            return Phrase.of("config.calendar.file", where=label("calendar.file"), path=str(path), detail=detail)
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:  # as the settings file (load)
            raise ConfigError(problem(said(exc))) from None
    try:
        return calendar_from_table(data)
    except CalendarDataError as exc:  # the calendar's own words
        raise ConfigError(problem(said(exc))) from None


def _registered(name: str, table: _Program, label: _Label) -> Program | None:
    """A ``[programs.NAME]`` table with a ``code``: the program's registry entry (code,
    department and period required; standard_fen optional). Without a code it only sets policy,
    and then the registry keys make no sense."""
    where = f"programs.{name}"
    registry_keys = [k for k in ("department", "period", "standard_fen") if getattr(table, k) is not None]
    if table.code is None:
        if registry_keys:
            raise ConfigError(Phrase.of("config.program.needs_code", where=label(where + "." + registry_keys[0])))
        return None
    if name == "default":
        raise ConfigError(Phrase.of("config.program.default_code", where=label(where + ".code")))
    missing = [k for k in ("department", "period") if getattr(table, k) is None]
    if missing:
        raise ConfigError(Phrase.of("config.program.missing", where=label(where + "." + missing[0]),
                                    keys=" and ".join(missing)))
    return Program(name, table.code, table.department, table.period, table.standard_fen)


def _policy(table: _Program, where: str, label: _Label) -> ProgramPolicy:
    """``[programs.NAME]`` (or ``[programs.default]``): one_card, region, region_digits."""
    try:
        return ProgramPolicy(one_card=OneCardPolicy(table.one_card), region=RegionPolicy(table.region),
                             region_digits=table.region_digits)
    except ValueError as exc:  # the schema admits only valid values; kept for a policy that adds rules
        raise ConfigError(Phrase.of("config.detail", where=label(where), detail=said(exc))) from None


def _auth(table: _Auth, path_of, label: _Label) -> AuthSettings:
    """``[auth]``: ``tls_cert``, ``tls_key``, ``client_ca`` (files, all optional) and
    ``[auth.users.NAME]`` tables: ``role`` (or ``roles``, a list), ``token_sha256`` and/or
    ``cert_cn``. A token is never written in the settings, only its SHA-256 (``ykt token``)."""
    files = {}
    problems = []
    for key in ("tls_cert", "tls_key", "client_ca"):
        value = getattr(table, key)
        if value is None:
            continue
        files[key] = path_of(value)
        if not files[key].is_file():
            problems.append(Phrase.of("config.auth.no_file", where=label("auth." + key), path=str(files[key])))
    if problems:
        raise ConfigError(*problems)
    if ("tls_cert" in files) != ("tls_key" in files):
        missing = "tls_key" if "tls_cert" in files else "tls_cert"
        raise ConfigError(Phrase.of("config.auth.tls_pair", where=label("auth." + missing)))
    if "client_ca" in files and "tls_cert" not in files:
        raise ConfigError(Phrase.of("config.auth.client_ca", where=label("auth.client_ca")))
    users: dict[str, User] = {}
    seen_tokens: dict[str, str] = {}
    seen_cns: dict[str, str] = {}
    for name, spec in table.users.items():
        where = f"auth.users.{name}"
        try:
            users[name] = user = _user(name, spec, where, label)
        except ConfigError as exc:
            problems.extend(exc.messages)
            continue
        if user.token_sha256 is not None:
            if user.token_sha256 in seen_tokens:
                problems.append(Phrase.of("config.auth.same_token", where=label(where + ".token_sha256"),
                                          user=repr(seen_tokens[user.token_sha256])))
            seen_tokens[user.token_sha256] = name
        if user.cert_cn is not None:
            if user.cert_cn in seen_cns:
                problems.append(Phrase.of("config.auth.same_cn", where=label(where + ".cert_cn"),
                                          cn=repr(user.cert_cn), user=repr(seen_cns[user.cert_cn])))
            seen_cns[user.cert_cn] = name
    if problems:
        raise ConfigError(*problems)
    return AuthSettings(users=users, tls_cert=files.get("tls_cert"), tls_key=files.get("tls_key"),
                        client_ca=files.get("client_ca"))


def _user(name: str, spec: _User, where: str, label: _Label) -> User:
    if not name.strip():
        raise ConfigError(Phrase.of("config.user.no_name", where=label(where)))
    if (spec.role is None) == (spec.roles is None):
        raise ConfigError(Phrase.of("config.user.role_or_roles", where=label(where)))
    key = "role" if spec.role is not None else "roles"
    names = [spec.role] if spec.role is not None else spec.roles
    if not names:
        raise ConfigError(Phrase.of("config.user.no_roles", where=label(where + "." + key)))
    roles = set()
    for role in names:
        try:
            roles.add(Role(role))
        except ValueError:
            raise ConfigError(Phrase.of("config.user.unknown_role", where=label(where + "." + key), role=repr(role),
                                        known=", ".join(r.value for r in Role))) from None
    digest, cn = spec.token_sha256, spec.cert_cn
    if digest is None and cn is None:
        raise ConfigError(Phrase.of("config.user.no_credentials", where=label(where)))
    if digest is not None:
        if len(digest) != 64 or any(c not in "0123456789abcdefABCDEF" for c in digest):
            raise ConfigError(Phrase.of("config.user.token_sha256", where=label(where + ".token_sha256")))
        digest = digest.lower()
    if cn is not None and not cn.strip():
        raise ConfigError(Phrase.of("config.user.cert_cn", where=label(where + ".cert_cn")))
    banks = frozenset(spec.banks or ())
    if Role.BANK in roles and not banks:
        raise ConfigError(Phrase.of("config.user.bank_needs_banks", where=label(where)))
    if Role.BANK not in roles and spec.banks is not None:
        raise ConfigError(Phrase.of("config.user.banks_not_bank", where=label(where + ".banks")))
    if any(not code.strip() for code in banks):
        raise ConfigError(Phrase.of("config.user.empty_bank", where=label(where + ".banks")))
    return User(name, frozenset(roles), digest, cn, banks)


def _user_bank_problems(auth: AuthSettings, configured: set[str], label: _Label) -> list[Phrase]:
    """A BANK user's banks must be configured banks (``[banks.CODE]``)."""
    known = ", ".join(sorted(configured)) or Phrase("config.none_configured")
    return [Phrase.of("config.user.unknown_bank", where=label(f"auth.users.{name}.banks"), code=repr(code), known=known)
            for name, user in auth.users.items() for code in sorted(user.banks - configured)]


# -- the schema, walked: for messages and the environment ----------------------------------------


def _unwrap(annotation: Any) -> Any:
    """``X`` of ``X | None`` and ``Annotated[X, ...]``."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(args) != 1:
                return annotation
            annotation = args[0]
        else:
            return annotation


def _is_table(annotation: Any) -> bool:
    kind = _unwrap(annotation)
    return typing.get_origin(kind) is dict or (isinstance(kind, type) and issubclass(kind, BaseModel))


def _walk(loc: tuple) -> tuple[Any, Any]:
    """(field, type) at ``loc`` in the schema; field is None inside a dict or list."""
    kind: Any = _Root
    info = None
    for part in loc:
        kind = _unwrap(kind)
        if isinstance(kind, type) and issubclass(kind, BaseModel):
            info = kind.model_fields.get(str(part))
            if info is None:
                return None, None
            kind = info.annotation
        elif typing.get_origin(kind) in (dict, list):
            info, kind = None, typing.get_args(kind)[-1]
        else:
            return None, None
    return info, kind


_EXPECTED = {"int_type": "an integer", "float_type": "a number", "string_type": "a string",
             "bool_type": "true or false", "dict_type": "a table", "model_type": "a table",
             "model_attributes_type": "a table", "list_type": "a list"}


def _problems(exc: _ValidationError, label: _Label) -> list[Phrase]:
    """What the schema refused, one message each. What a setting takes is its description, a
    :class:`~i18n.Named` ``setting_expects`` code: kept in English, named in Chinese."""
    out = []
    for err in exc.errors(include_url=False):
        loc = tuple(str(p) for p in err["loc"])
        where = label(".".join(loc))
        if err["type"] == "extra_forbidden":
            out.append(_unknown(loc, where))
        elif err["type"] == "missing":
            out.append(Phrase.of("config.missing", where=where))
        else:
            info, _ = _walk(err["loc"])
            what = (info.description if info is not None and info.description else None) or _EXPECTED.get(err["type"])
            if what:
                out.append(Phrase.of("config.expected", where=where, what=Named("setting_expects", what),
                                     got=repr(err["input"])))
            else:  # pydantic's own words
                out.append(Phrase.of("config.invalid", where=where, detail=err["msg"], got=repr(err["input"])))
    return out


def _unknown(loc: tuple[str, ...], where: Phrase) -> Phrase:
    """``unknown key`` with why, or the nearest valid name, and the valid names."""
    _, parent = _walk(loc[:-1])
    known = list(_unwrap(parent).model_fields)
    hint = next((key for pattern, key in _HINTS.items()
                 if len(pattern) == len(loc) and all(p in ("*", part) for p, part in zip(pattern, loc))), None)
    near = difflib.get_close_matches(loc[-1], known, n=1, cutoff=0.6)
    guess = Phrase.of("config.did_you_mean", name=repr(near[0])) if near and not hint else ""
    return Phrase.of("config.unknown_key", where=where, hint=Phrase(hint) if hint else "", guess=guess,
                     valid=", ".join(known))


# -- the environment ----------------------------------------------------------------------------


def _apply_environment(raw: Mapping[str, Any], environ: Mapping[str, str], source: str
                       ) -> tuple[dict[str, Any], dict[str, str], list[Phrase]]:
    """The settings with ``YKT_...`` variables applied; which key came from which variable; problems
    (``source`` names the settings file in them)."""
    merged = copy.deepcopy(dict(raw))
    origins: dict[str, str] = {}
    problems: list[Phrase] = []
    for var in sorted(v for v in environ if v.startswith(ENV_PREFIX) and v not in OTHER_ENV):
        where = Phrase.of("config.where", file=source, setting=var)
        name = var[len(ENV_PREFIX):]
        found, why = _env_target(merged, name)
        from_file = False
        if found is None and name.endswith("_FILE"):
            found, why_file = _env_target(merged, name[:-len("_FILE")])
            from_file = found is not None
            why = why if found is None else why_file
        if found is None:
            if why:
                problems.append(Phrase(why[0], (("where", where), *why[1].items())))
            continue
        keys, info = found
        if from_file and var[:-len("_FILE")] in environ:
            problems.append(Phrase.of("config.env.both", file=source, var=var[:-len("_FILE")], file_var=var))
            continue
        value = environ[var]
        if from_file:
            try:
                value = Path(value).read_text(encoding="utf-8").rstrip("\r\n")
            except (OSError, UnicodeDecodeError) as exc:
                problems.append(Phrase.of("config.env.unreadable", where=where, path=value,
                                          why=briefly(exc)))
                continue
        table = merged
        for key in keys[:-1]:
            child = table.get(key)
            if not isinstance(child, dict):
                child = table[key] = {}
            table = child
        table[keys[-1]] = _from_text(value, info)
        origins[".".join(keys)] = var
    return merged, origins, problems


_Why = tuple[str, dict[str, str]] | None  # why a variable sets no setting: a message's key and fields but where


def _env_target(raw: Mapping[str, Any], name: str) -> tuple[tuple[list[str], Any] | None, _Why]:
    """The keys a variable name (without ``YKT_``) sets and their field; or None and why not
    (None when the variable is simply not a setting's)."""
    parts = name.split("__")
    kind: Any = _Root
    node: Any = raw
    keys: list[str] = []
    info = None
    for part in parts:
        kind = _unwrap(kind)
        if isinstance(kind, type) and issubclass(kind, BaseModel):
            match = next((f for f in kind.model_fields if f.upper() == part.upper()), None)
            if match is None:
                if len(parts) == 1:  # YKT_SOMETHING: another tool's variable, unless close to a setting's
                    names = [f.upper() for f in kind.model_fields if not _is_table(kind.model_fields[f].annotation)]
                    near = difflib.get_close_matches(part.upper().removesuffix("_FILE"), names, n=1, cutoff=0.8)
                    return None, (("config.env.near", {"near": f"{ENV_PREFIX}{near[0]}"}) if near else None)
                near = difflib.get_close_matches(part.upper(), [f.upper() for f in kind.model_fields], n=1, cutoff=0.6)
                key = ".".join([*keys, part.lower()])
                if not near:
                    return None, ("config.env.unknown", {"key": key})
                nearest = "__".join([*(k.upper() for k in keys), near[0]])
                return None, ("config.env.unknown_near", {"key": key, "near": f"{ENV_PREFIX}{nearest}"})
            info, kind = kind.model_fields[match], kind.model_fields[match].annotation
            keys.append(match)
        elif typing.get_origin(kind) is dict:
            existing = node if isinstance(node, dict) else {}
            match = next((k for k in existing if k.upper() == part.upper()), part)
            info, kind = None, typing.get_args(kind)[1]
            keys.append(match)
        else:
            return None, ("config.env.unknown", {"key": ".".join([*keys, part.lower()])})
        node = node.get(keys[-1]) if isinstance(node, dict) else None
    if info is None or _is_table(info.annotation):
        return None, ("config.env.table", {"key": ".".join(keys), "var": f"{ENV_PREFIX}{name}"})
    return (keys, info), None


def _from_text(text: str, info: Any) -> Any:
    """An environment variable's text as the field's type; left as text when it does not convert
    (validation then names the variable and what was expected)."""
    kind = _unwrap(info.annotation)
    try:
        if kind is bool:
            return {"true": True, "false": False}.get(text.strip().lower(), text)
        if kind is int:
            return int(text)
        if kind is float:
            return float(text)
        if typing.get_origin(kind) is list:
            return tomllib.loads(f"v = {text}")["v"]
        if typing.get_origin(kind) is Literal and all(isinstance(v, int) for v in typing.get_args(kind)):
            return int(text)
    except (ValueError, tomllib.TOMLDecodeError):
        return text
    if (info.json_schema_extra or {}).get("ykt_path"):
        return os.path.abspath(os.path.expanduser(text))  # relative to where the service was started
    return text


def setting_table() -> list[tuple[str, str, str]]:
    """Every setting: (key, environment variable, what it takes); ``CODE``, ``NAME`` stand for
    the entries of tables such as ``[banks.CODE]``."""
    rows: list[tuple[str, str, str]] = []
    placeholders = {"banks": "CODE", "users": "NAME", "programs": "NAME"}

    def walk(model: type[BaseModel], keys: list[str]) -> None:
        for name, info in model.model_fields.items():
            kind = _unwrap(info.annotation)
            if typing.get_origin(kind) is dict and name in placeholders:
                walk(_unwrap(typing.get_args(kind)[1]), [*keys, name, placeholders[name]])
            elif isinstance(kind, type) and issubclass(kind, BaseModel):
                walk(kind, [*keys, name])
            else:
                path = [*keys, name]
                env = "" if _is_table(kind) else ENV_PREFIX + "__".join(p.upper() for p in path)
                rows.append((".".join(path), env, info.description or ""))

    walk(_Root, [])
    return rows


# -- at start: the files and variables the settings name ----------------------------------------


def check_start(settings: Settings, environ: Mapping[str, str] | None = None) -> None:
    """Raise :class:`ConfigError` listing, one line each, every file the settings name that is
    missing or unusable and every environment variable they name that is not set."""
    problems = start_problems(settings, environ)
    if problems:
        raise ConfigError(*problems, language=settings.language)


def start_problems(settings: Settings, environ: Mapping[str, str] | None = None) -> list[Phrase]:
    from privacy.errors import KeyringError, KeyringNotConfigured
    from privacy.keys import Keyring

    env = os.environ if environ is None else environ
    label = _Label(settings.source, settings.origins)
    problems: list[Phrase] = []
    for code, profile in settings.banks.items():
        if profile.sftp is not None:
            problems.extend(_sftp_problems(profile.sftp, f"banks.{code}.sftp", label, env))
    auth = settings.auth
    for key in ("tls_cert", "tls_key", "client_ca"):
        path = getattr(auth, key)
        if path is not None:
            why = _pem_problem(path, private=key == "tls_key")
            if why:
                problems.append(Phrase.of("config.start.pem", where=label("auth." + key), problem=why))
    try:
        try:
            Keyring.from_env(env)
        except KeyringNotConfigured:
            Keyring.load(settings.key_file)
    except KeyringError as exc:
        problems.append(Phrase.of("config.start.pii_keys", where=label("pii_key_file"), detail=said(exc),
                                  file=settings.source))
    problems.extend(_key_file_problems(settings, label, env))
    return problems


def _key_file_problems(settings: Settings, label: _Label, env: Mapping[str, str]) -> list[Phrase]:
    """Private key files: readable by their owner only, and kept apart from the data they
    protect unless ``keys_in_data_dir`` says otherwise (the personal-data keys, the report-signing
    key, the TLS key, each bank's SFTP key and private key sets)."""
    private = [] if env.get("YKT_PII_KEYS") else [("pii_key_file", settings.key_file)]
    private.append(("config.start.signing_key", settings.legacy_signing_key_file))
    private.append(("config.start.signing_keys", settings.signing_key_file))
    if settings.auth.tls_key is not None:
        private.append(("auth.tls_key", settings.auth.tls_key))
    for code, profile in settings.banks.items():
        if profile.sftp is not None and profile.sftp.private_key_path is not None:
            private.append((f"banks.{code}.sftp.private_key", profile.sftp.private_key_path))
        keys = profile.security.keys
        for name in ("sign", "decrypt"):
            if keys is not None and getattr(keys, name) is not None:
                private.append((f"banks.{code}.keys.{name}", getattr(keys, name)))
    data = settings.data_dir.resolve()
    problems = []
    for key, path in private:
        where = label(key) if not key.startswith("config.") else Phrase.of("config.where", file=settings.source,
                                                                           setting=Phrase(key))
        if not path.exists():
            continue  # named missing by the checks above, or made at first use (the signing key)
        mode = path.stat().st_mode & 0o777
        if mode & 0o077:
            problems.append(Phrase.of("config.start.key_readable", where=where, path=str(path), mode=f"{mode:04o}"))
        if not settings.keys_in_data_dir and path.resolve().is_relative_to(data):
            problems.append(Phrase.of("config.start.key_in_data", where=where, path=str(path), data=str(data)))
    return problems


def _sftp_problems(ep: SftpEndpoint, where: str, label: _Label, env: Mapping[str, str]) -> list[Phrase]:
    import paramiko

    from sftp.keys import load_private_key, parse_public_key_line

    problems = []
    if ep.host_key:
        try:
            parse_public_key_line(ep.host_key)
        except ValueError as exc:
            problems.append(Phrase.of("config.start.not_host_key", where=label(where + ".host_key"), detail=said(exc)))
    elif ep.known_hosts_path is not None:
        path = ep.known_hosts_path
        try:
            known = paramiko.HostKeys(str(path))
        except (OSError, paramiko.SSHException, ValueError) as exc:
            why = briefly(exc) if isinstance(exc, OSError) and exc.strerror else type(exc).__name__
            problems.append(Phrase.of("config.start.known_hosts_unreadable", where=label(where + ".known_hosts"),
                                      path=str(path), why=why))
        else:
            names = [ep.host] if ep.port == 22 else [f"[{ep.host}]:{ep.port}", ep.host]
            if not any(known.lookup(name) for name in names):
                problems.append(Phrase.of("config.start.known_hosts_no_key", where=label(where + ".known_hosts"),
                                          path=str(path), host=names[0]))
    for key in ("password_env", "passphrase_env"):
        var = getattr(ep, key)
        if var is not None and not env.get(var):
            problems.append(Phrase.of("config.start.no_password_env", where=label(where + "." + key), var=var))
    if ep.private_key_path is not None:
        path = ep.private_key_path
        passphrase = env.get(ep.passphrase_env) if ep.passphrase_env else None
        if not path.is_file():
            problems.append(Phrase.of("config.start.no_private_key", where=label(where + ".private_key"),
                                      path=str(path)))
        elif not (ep.passphrase_env and passphrase is None):
            try:
                load_private_key(path, passphrase)
            except (OSError, ValueError, TypeError, paramiko.SSHException) as exc:
                # never the parser's text (it may quote the key): its kind only
                why = briefly(exc) if isinstance(exc, OSError) and exc.strerror else type(exc).__name__
                if passphrase is None and isinstance(exc, TypeError | paramiko.PasswordRequiredException):
                    why = Phrase("config.start.encrypted_key")
                problems.append(Phrase.of("config.start.private_key", where=label(where + ".private_key"),
                                          path=str(path), why=why))
    elif not ep.use_agent and ep.password_env is None:
        problems.append(Phrase.of("config.start.no_login", where=label(where)))
    return problems


def _pem_problem(path: Path, private: bool) -> Phrase | None:
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    try:
        data = path.read_bytes()
    except OSError as exc:
        return Phrase.of("config.start.pem_unreadable", path=str(path), why=briefly(exc))
    try:
        if private:
            serialization.load_pem_private_key(data, password=None)
        else:
            x509.load_pem_x509_certificates(data)
    except (ValueError, TypeError) as exc:
        return Phrase.of("config.start.pem_private" if private else "config.start.pem_certs", path=str(path),
                         why=type(exc).__name__)
    return None
