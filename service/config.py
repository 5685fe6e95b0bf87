"""Settings of a running service: where the ledger lives and which agency banks it serves.

Each bank is a profile (what the bank speaks, see :mod:`service.profiles`) plus how this
deployment reaches its SFTP server. Settings load from a TOML file (see ``examples/ykt.toml``)
and are checked on load; a mistake names the file and the key.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from domain.eligibility import OneCardPolicy, ProgramPolicy, RegionPolicy
from domain.workdays import PACKAGE_CALENDAR, Calendar, CalendarDataError, calendar_from_table
from service import file_security
from service.identity import AuthSettings, Role, User
from service.profiles import BankProfile, ProfileError, load_profile
from sftp.endpoint import SftpEndpoint

__all__ = ["BankProfile", "ConfigError", "Settings", "from_dict", "load"]


class ConfigError(ValueError):
    """A settings file that cannot be used; the message names the file and key."""


@dataclass(frozen=True)
class Settings:
    database_url: str
    data_dir: Path
    banks: dict[str, BankProfile] = field(default_factory=dict)
    poll_interval_s: float = 5.0
    pii_key_file: Path | None = None  # None: data_dir/keys/pii-keys.json (or YKT_PII_KEYS)
    programs: dict[str, ProgramPolicy] = field(default_factory=dict)
    default_policy: ProgramPolicy = ProgramPolicy()
    auth: AuthSettings = field(default_factory=AuthSettings)  # [auth]: users, roles, TLS
    # The exchange with banks, shared by every instance on one database (service/leases.py):
    lease_s: float = 120.0  # how long a dispatch or poll lease lasts unless renewed
    retry_s: float = 30.0  # first wait after a failed upload; doubles per attempt...
    retry_max_s: float = 3600.0  # ...up to this
    instance_id: str = ""  # this instance's name in leases; "": host:pid:random
    # [calendar]: the official calendar deadlines count on; the package's years plus supplied ones
    calendar: Calendar = PACKAGE_CALENDAR

    def policy(self, program: str) -> ProgramPolicy:
        """How strictly ``program`` treats one-card conflicts and region anomalies."""
        return self.programs.get(program, self.default_policy)

    @property
    def key_file(self) -> Path:
        return self.pii_key_file or self.data_dir / "keys" / "pii-keys.json"

    def bank(self, code: str) -> BankProfile:
        try:
            return self.banks[code]
        except KeyError:
            known = ", ".join(sorted(self.banks)) or "none configured"
            raise ConfigError(f"unknown bank {code!r}; known banks: {known}") from None


def load(path: Path) -> Settings:
    """Read and check a TOML settings file."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: {exc}") from exc
    return from_dict(raw, base=path.parent, source=str(path))


def from_dict(raw: dict[str, Any], base: Path, source: str = "<settings>") -> Settings:
    def need(table: dict, key: str, kind: type, where: str):
        if key not in table:
            raise ConfigError(f"{source}: {where}{key}: missing")
        value = table[key]
        if not isinstance(value, kind):
            raise ConfigError(f"{source}: {where}{key}: expected {kind.__name__}, got {value!r}")
        return value

    def path_of(value: str | None) -> Path | None:
        return None if value is None else (base / value).resolve()

    data_dir = path_of(raw.get("data_dir", "var")) or base
    banks: dict[str, BankProfile] = {}
    for code, table in raw.get("banks", {}).items():
        where = f"banks.{code}."
        unknown = sorted(set(table) - {"profile", "sftp", "keys"})
        if unknown:
            raise ConfigError(f"{source}: {where}{unknown[0]}: unknown key (bank details belong in its profile)")
        try:
            profile = load_profile(path_of(need(table, "profile", str, where)))
        except ProfileError as exc:
            raise ConfigError(f"{source}: {where}profile: {exc}") from None
        if profile.code != code:
            raise ConfigError(f"{source}: {where}profile: the profile is for bank {profile.code!r}")
        banks[code] = profile.with_connection(
            _endpoint(code, need(table, "sftp", dict, where), where + "sftp.", need, path_of, source))
        try:  # the key set files for the bank's [security] demands (service/file_security.py)
            banks[code] = file_security.with_settings_keys(banks[code], table.get("keys"), path_of)
        except ValueError as exc:
            raise ConfigError(f"{source}: {where}{exc}") from None
    url = raw.get("database_url") or f"sqlite:///{data_dir / 'ledger.sqlite3'}"
    programs = {name: _policy(table, f"programs.{name}.", source) for name, table in raw.get("programs", {}).items()}
    return Settings(
        database_url=url,
        data_dir=data_dir,
        banks=banks,
        poll_interval_s=float(raw.get("poll_interval_s", 5.0)),
        lease_s=_positive(raw, "lease_s", 120.0, source),
        retry_s=_positive(raw, "retry_s", 30.0, source),
        retry_max_s=_positive(raw, "retry_max_s", 3600.0, source),
        instance_id=str(raw.get("instance_id", ""))[:128],
        pii_key_file=path_of(raw.get("pii_key_file")),
        programs={k: v for k, v in programs.items() if k != "default"},
        default_policy=programs.get("default", ProgramPolicy()),
        auth=_auth(raw.get("auth", {}), path_of, source),
        calendar=_calendar(raw.get("calendar", {}), path_of, source),
    )


def _positive(raw: dict[str, Any], key: str, default: float, source: str) -> float:
    value = raw.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise ConfigError(f"{source}: {key}: expected a positive number of seconds, got {value!r}")
    return float(value)


def _calendar(table: Any, path_of, source: str) -> Calendar:
    """``[calendar]``: years of the official calendar past the chinese-calendar package's, as the
    State Council published them: ``file`` (a TOML file of ``[years.YYYY]`` tables, relative to
    the settings) or the ``[calendar.years.YYYY]`` tables inline; see :func:`calendar_from_table`."""
    if not isinstance(table, dict):
        raise ConfigError(f"{source}: calendar: expected a table (file, or years)")
    unknown = sorted(set(table) - {"file", "years"})
    if unknown:
        raise ConfigError(f"{source}: calendar.{unknown[0]}: unknown key (file, or years)")
    if "file" not in table:
        where, data = "calendar.", table
    elif "years" in table:
        raise ConfigError(f"{source}: calendar: give file or years, not both")
    elif not isinstance(table["file"], str) or not table["file"]:
        raise ConfigError(f"{source}: calendar.file: expected the path of a TOML file, got {table['file']!r}")
    else:
        path = path_of(table["file"])
        where = f"calendar.file ({path}): "
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"{source}: {where}{exc}") from None
    try:
        return calendar_from_table(data)
    except CalendarDataError as exc:
        raise ConfigError(f"{source}: {where}{exc}") from None


def _policy(table: Any, where: str, source: str) -> ProgramPolicy:
    """``[programs.NAME]`` (or ``[programs.default]``): one_card, region, region_digits."""
    if not isinstance(table, dict):
        raise ConfigError(f"{source}: {where[:-1]}: expected a table")
    unknown = sorted(set(table) - {"one_card", "region", "region_digits"})
    if unknown:
        raise ConfigError(f"{source}: {where}{unknown[0]}: unknown key (one_card, region, region_digits)")
    try:
        return ProgramPolicy(
            one_card=OneCardPolicy(table.get("one_card", "hold")),
            region=RegionPolicy(table.get("region", "warn")),
            region_digits=table.get("region_digits", 4),
        )
    except ValueError as exc:
        raise ConfigError(f"{source}: {where[:-1]}: {exc} (one_card: reject|hold, region: warn|hold, "
                          "region_digits: 2|4|6)") from None


_SFTP_KEYS = {"host", "port", "username", "private_key", "host_key", "known_hosts", "timeout_s", "use_agent",
              "password_env", "passphrase_env", "retry_attempts", "retry_base_s", "retry_cap_s"}


def _endpoint(code: str, table: dict, where: str, need, path_of, source: str) -> SftpEndpoint:
    """``[banks.CODE.sftp]``. A password is never written here: ``password_env`` names the
    environment variable that holds it."""
    unknown = sorted(set(table) - _SFTP_KEYS)
    if unknown:
        hint = " (name the environment variable that holds it: password_env)" if "password" in unknown else ""
        raise ConfigError(f"{source}: {where}{unknown[0]}: unknown key{hint}")
    try:
        endpoint = SftpEndpoint(
            host=need(table, "host", str, where),
            port=need(table, "port", int, where),
            username=need(table, "username", str, where),
            private_key_path=path_of(table.get("private_key")),
            host_key=table.get("host_key"),
            known_hosts_path=path_of(table.get("known_hosts")),
            timeout_s=float(table.get("timeout_s", 15.0)),
            use_agent=bool(table.get("use_agent", False)),
            password_env=table.get("password_env"),
            passphrase_env=table.get("passphrase_env"),
            name=code,
            retry_attempts=int(table.get("retry_attempts", 4)),
            retry_base_s=float(table.get("retry_base_s", 0.5)),
            retry_cap_s=float(table.get("retry_cap_s", 10.0)),
        )
    except ValueError as exc:
        raise ConfigError(f"{source}: {where[:-1]}: {exc}") from exc
    if endpoint.host_key is None and endpoint.known_hosts_path is None:
        raise ConfigError(f"{source}: {where[:-1]}: needs host_key or known_hosts (never trust on first use)")
    return endpoint


_AUTH_KEYS = ("tls_cert", "tls_key", "client_ca", "users")
_USER_KEYS = ("role", "roles", "token_sha256", "cert_cn")


def _auth(table: Any, path_of, source: str) -> AuthSettings:
    """``[auth]``: ``tls_cert``, ``tls_key``, ``client_ca`` (files, all optional) and
    ``[auth.users.NAME]`` tables: ``role`` (or ``roles``, a list), ``token_sha256`` and/or
    ``cert_cn``. A token is never written in the settings, only its SHA-256 (``ykt token``)."""
    if not isinstance(table, dict):
        raise ConfigError(f"{source}: auth: expected a table")
    unknown = sorted(set(table) - set(_AUTH_KEYS))
    if unknown:
        raise ConfigError(f"{source}: auth.{unknown[0]}: unknown key ({', '.join(_AUTH_KEYS)})")
    files = {}
    for key in ("tls_cert", "tls_key", "client_ca"):
        value = table.get(key)
        if value is None:
            continue
        if not isinstance(value, str) or not value:
            raise ConfigError(f"{source}: auth.{key}: expected the path of a PEM file, got {value!r}")
        files[key] = path_of(value)
        if not files[key].is_file():
            raise ConfigError(f"{source}: auth.{key}: no such file {files[key]}")
    if ("tls_cert" in files) != ("tls_key" in files):
        raise ConfigError(f"{source}: auth.{'tls_key' if 'tls_cert' in files else 'tls_cert'}: missing "
                          "(tls_cert and tls_key go together)")
    if "client_ca" in files and "tls_cert" not in files:
        raise ConfigError(f"{source}: auth.client_ca: needs tls_cert and tls_key (client certificates need TLS)")
    users_table = table.get("users", {})
    if not isinstance(users_table, dict):
        raise ConfigError(f"{source}: auth.users: expected a table of users")
    users: dict[str, User] = {}
    seen_tokens: dict[str, str] = {}
    seen_cns: dict[str, str] = {}
    for name, spec in users_table.items():
        where = f"{source}: auth.users.{name}"
        users[name] = user = _user(name, spec, where)
        if user.token_sha256 is not None:
            if user.token_sha256 in seen_tokens:
                raise ConfigError(f"{where}.token_sha256: the same token as user {seen_tokens[user.token_sha256]!r}")
            seen_tokens[user.token_sha256] = name
        if user.cert_cn is not None:
            if user.cert_cn in seen_cns:
                raise ConfigError(f"{where}.cert_cn: {user.cert_cn!r} is already user {seen_cns[user.cert_cn]!r}")
            seen_cns[user.cert_cn] = name
    return AuthSettings(users=users, tls_cert=files.get("tls_cert"), tls_key=files.get("tls_key"),
                        client_ca=files.get("client_ca"))


def _user(name: str, spec: Any, where: str) -> User:
    if not isinstance(spec, dict):
        raise ConfigError(f"{where}: expected a table (role, token_sha256, cert_cn)")
    unknown = sorted(set(spec) - set(_USER_KEYS))
    if unknown:
        raise ConfigError(f"{where}.{unknown[0]}: unknown key ({', '.join(_USER_KEYS)})")
    if not name.strip():
        raise ConfigError(f"{where}: a user needs a name")
    if ("role" in spec) == ("roles" in spec):
        raise ConfigError(f"{where}: give role (or roles, a list); one of them, not both")
    names = [spec["role"]] if "role" in spec else spec["roles"]
    key = "role" if "role" in spec else "roles"
    if not isinstance(names, list) or not names:
        raise ConfigError(f"{where}.{key}: expected a role name or a non-empty list of them")
    roles = set()
    for role in names:
        try:
            roles.add(Role(role))
        except ValueError:
            raise ConfigError(f"{where}.{key}: unknown role {role!r} "
                              f"(known: {', '.join(r.value for r in Role)})") from None
    digest, cn = spec.get("token_sha256"), spec.get("cert_cn")
    if digest is None and cn is None:
        raise ConfigError(f"{where}: missing credentials: give token_sha256 and/or cert_cn")
    if digest is not None:
        if not isinstance(digest, str) or len(digest) != 64 or any(c not in "0123456789abcdefABCDEF" for c in digest):
            raise ConfigError(f"{where}.token_sha256: expected 64 hex digits, the SHA-256 of the token "
                              "(ykt token prints one); never the token itself")
        digest = digest.lower()
    if cn is not None and (not isinstance(cn, str) or not cn.strip()):
        raise ConfigError(f"{where}.cert_cn: expected the common name of the user's client certificate")
    return User(name, frozenset(roles), digest, cn)
