"""Settings that refuse mistakes (issue 17, item 2): every key validated, an unknown key named
with the file and the nearest valid name, every setting from the environment, and every file
the settings name checked when the service starts."""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from privacy.keys import Keyring
from service import config
from sftp.keys import generate_ed25519

ROOT = Path(__file__).resolve().parents[3]
HOST_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl"


def _write(tmp_path: Path, text: str, name: str = "ykt.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _bank(sftp_extra: str = "", bank_extra: str = "") -> str:
    return f"""
[banks.RCC01]
profile = "{ROOT / 'profiles' / 'RCC01.toml'}"
{bank_extra}
[banks.RCC01.sftp]
host = "127.0.0.1"
port = 2222
username = "ykt"
host_key = "{HOST_KEY}"
{sftp_extra}
"""


def _problems(path: Path, environ=None) -> list[str]:
    with pytest.raises(config.ConfigError) as caught:
        config.load(path, environ={} if environ is None else environ)
    assert str(caught.value) == "\n".join(caught.value.problems)
    return list(caught.value.problems)


# -- unknown keys -------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "key", "near"), [
    ('databse_url = "sqlite:///x.db"\n', "databse_url", "database_url"),
    ("poll_intervall_s = 2\n", "poll_intervall_s", "poll_interval_s"),
    (_bank(sftp_extra='hots = "h"'), "banks.RCC01.sftp.hots", "host"),
    (_bank(sftp_extra="retry_atempts = 3"), "banks.RCC01.sftp.retry_atempts", "retry_attempts"),
    (_bank(bank_extra='profil = "x.toml"'), "banks.RCC01.profil", None),  # bank tables say why instead
    ('[auth]\ntls_certificate = "x.pem"\n', "auth.tls_certificate", "tls_cert"),
    ('[programs.default]\none_cards = "hold"\n', "programs.default.one_cards", "one_card"),
    ('[calendar]\nfiles = "c.toml"\n', "calendar.files", "file"),
])
def test_an_unknown_key_is_refused_with_the_file_the_key_and_the_nearest_valid_name(tmp_path, text, key, near):
    path = _write(tmp_path, text)
    problems = _problems(path)
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"{path}: {key}: unknown key"), problems[0]
    if near:
        assert f"did you mean {near!r}?" in problems[0]
    else:
        assert "(bank details belong in its profile)" in problems[0]
    assert "(valid: " in problems[0]


def test_the_typo_that_used_to_start_an_empty_ledger_is_refused(tmp_path):
    """A misspelt database_url once left the default SQLite file in place: the service started
    on a new, empty ledger."""
    path = _write(tmp_path, 'databse_url = "postgresql+psycopg://ykt@db/ykt"\n')
    with pytest.raises(config.ConfigError, match=re.escape(f"{path}: databse_url: unknown key; "
                                                           "did you mean 'database_url'?")):
        config.load(path, environ={})


def test_every_problem_is_reported_at_once_one_line_each(tmp_path):
    path = _write(tmp_path, 'databse_url = "x"\npoll_intervall_s = 2\nlease_s = "60"\n' + _bank(sftp_extra="port_ = 1"))
    problems = _problems(path)
    keys = sorted(p.split(": ")[1] for p in problems)
    assert keys == ["banks.RCC01.sftp.port_", "databse_url", "lease_s", "poll_intervall_s"], problems
    assert all("\n" not in p for p in problems)
    assert f"{path}: lease_s: expected a positive number of seconds, got '60'" in problems


@pytest.mark.parametrize(("text", "message"), [
    ("instance_id = 3\n", "instance_id: expected a string of at most 128 characters, got 3"),
    ("poll_interval_s = true\n", "poll_interval_s: expected a positive number of seconds, got True"),
    ("[programs.p]\nregion = \"strict\"\n", "programs.p.region: expected warn or hold, got 'strict'"),
    ("[programs.p]\nregion_digits = 5\n", "programs.p.region_digits: expected 2, 4 or 6, got 5"),
    ("banks = 3\n", "banks: expected a table of [banks.CODE] tables, got 3"),
    (_bank(sftp_extra="use_agent = \"yes\""), "banks.RCC01.sftp.use_agent: expected true or false, got 'yes'"),
    (_bank(sftp_extra="password_env = \"hunter 2\""), "banks.RCC01.sftp.password_env: expected the name of the "
                                                      "environment variable holding the password"),
])
def test_a_value_of_the_wrong_kind_is_named(tmp_path, text, message):
    path = _write(tmp_path, text)
    assert any(p.startswith(f"{path}: {message}") for p in _problems(path)), _problems(path)


# -- the environment ----------------------------------------------------------------------------


def test_any_setting_can_come_from_the_environment_and_wins_over_the_file(tmp_path):
    path = _write(tmp_path, 'database_url = "sqlite:///file.db"\npoll_interval_s = 5\n' + _bank()
                  + '[auth.users.zhao]\nroles = ["AUDITOR"]\ntoken_sha256 = "' + "ab" * 32 + '"\n')
    settings = config.load(path, environ={
        "YKT_DATABASE_URL": "postgresql+psycopg://ykt@db.example/ykt",
        "YKT_POLL_INTERVAL_S": "0.5",
        "YKT_LEASE_S": "30",
        "YKT_BANKS__RCC01__SFTP__PORT": "2200",
        "YKT_BANKS__RCC01__SFTP__USE_AGENT": "true",
        "YKT_AUTH__USERS__ZHAO__ROLES": '["AUDITOR", "CLERK"]',
        "YKT_AUTH__USERS__ZHAO__CERT_CN": "zhao.audit",  # the file's entry, whatever the case
        "YKT_TOKEN": "a client command's variable, not a setting",
    })
    assert settings.database_url == "postgresql+psycopg://ykt@db.example/ykt"
    assert (settings.poll_interval_s, settings.lease_s) == (0.5, 30.0)
    ep = settings.bank("RCC01").sftp
    assert (ep.port, ep.use_agent, ep.host) == (2200, True, "127.0.0.1")
    zhao = settings.auth.users["zhao"]
    assert ({r.value for r in zhao.roles}, zhao.cert_cn, zhao.token_sha256) == (
        {"AUDITOR", "CLERK"}, "zhao.audit", "ab" * 32)
    assert settings.origins["database_url"] == "YKT_DATABASE_URL"


def test_the_process_environment_applies_by_default_and_from_dict_ignores_it(tmp_path, monkeypatch):
    monkeypatch.setenv("YKT_DATABASE_URL", "sqlite:////env.db")
    path = _write(tmp_path, 'database_url = "sqlite:////file.db"\n')
    assert config.load(path).database_url == "sqlite:////env.db"
    assert config.from_dict({"database_url": "sqlite:////file.db"}, base=tmp_path).database_url == "sqlite:////file.db"


def test_a_secret_comes_from_a_file_named_in_the_environment(tmp_path):
    secret = tmp_path / "db-url"
    secret.write_text("postgresql+psycopg://ykt:s3cret@db/ykt\n", encoding="utf-8")
    path = _write(tmp_path, "")
    settings = config.load(path, environ={"YKT_DATABASE_URL_FILE": str(secret)})
    assert settings.database_url == "postgresql+psycopg://ykt:s3cret@db/ykt"  # the newline dropped
    assert settings.origins["database_url"] == "YKT_DATABASE_URL_FILE"
    problems = _problems(path, {"YKT_DATABASE_URL_FILE": str(tmp_path / "nope")})
    assert problems == [f"{path}: YKT_DATABASE_URL_FILE: cannot read {tmp_path / 'nope'}: No such file or directory"]
    problems = _problems(path, {"YKT_DATABASE_URL_FILE": str(secret), "YKT_DATABASE_URL": "sqlite://"})
    assert problems == [f"{path}: YKT_DATABASE_URL and YKT_DATABASE_URL_FILE: both set; give one"]


def test_a_path_from_the_environment_is_relative_to_the_current_folder(tmp_path, monkeypatch):
    (tmp_path / "conf").mkdir()
    path = _write(tmp_path / "conf", 'pii_key_file = "keys/in-file.json"\n')
    monkeypatch.chdir(tmp_path)
    assert config.load(path, environ={}).key_file == tmp_path / "conf" / "keys" / "in-file.json"
    assert config.load(path, environ={"YKT_PII_KEY_FILE": "k/env.json"}).key_file == tmp_path / "k" / "env.json"


def test_a_bad_or_misspelt_variable_is_named(tmp_path):
    path = _write(tmp_path, _bank())
    problems = _problems(path, {"YKT_LEASE_S": "soon", "YKT_DATABSE_URL": "sqlite://",
                                "YKT_BANKS__RCC01__SFTP__HOTS": "h", "YKT_AUTH": "x"})
    assert sorted(problems) == sorted([
        f"{path}: YKT_AUTH: auth is a table: set its keys one by one (YKT_AUTH__KEY)",
        f"{path}: YKT_BANKS__RCC01__SFTP__HOTS: no such setting banks.RCC01.sftp.hots; "
        "did you mean YKT_BANKS__RCC01__SFTP__HOST?",
        f"{path}: YKT_DATABSE_URL: no such setting; did you mean YKT_DATABASE_URL?",
        f"{path}: lease_s (from YKT_LEASE_S): expected a positive number of seconds, got 'soon'",
    ])


def test_the_readme_documents_every_setting_and_its_variable():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = config.setting_table()
    assert len(rows) > 30
    for key, env, _ in rows:
        assert f"`{key}`" in readme, key
        if env:
            assert f"`{env}`" in readme, env


# -- files checked at start ---------------------------------------------------------------------


@pytest.fixture
def good(tmp_path):
    """A settings file whose every named file exists and is usable."""
    key = tmp_path / "id_ed25519"
    generate_ed25519(key)
    Keyring.generate(tmp_path / "pii-keys.json")
    text = 'pii_key_file = "pii-keys.json"\n' + _bank(sftp_extra=f'private_key = "{key.name}"')
    return _write(tmp_path, text)


def test_settings_whose_files_are_all_there_pass_the_start_checks(good):
    config.check_start(config.load(good, environ={}), environ={})


def _start_problems(path: Path, text: str, environ=None) -> list[str]:
    path.write_text(text, encoding="utf-8")
    settings = config.load(path, environ={})
    with pytest.raises(config.ConfigError) as caught:
        config.check_start(settings, environ={} if environ is None else environ)
    return list(caught.value.problems)


def test_each_missing_or_unusable_file_is_one_line_naming_file_and_key(good, tmp_path):
    text = good.read_text(encoding="utf-8")
    text = text.replace('private_key = "id_ed25519"', 'private_key = "missing_key"\npassword_env = "RCC_PW"')
    text = text.replace(HOST_KEY, "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPinTheBanksRealHostKeyHere")
    text = text.replace('"pii-keys.json"', '"no-keys.json"')
    (tmp_path / "bad.pem").write_text("not a certificate", encoding="utf-8")
    text = 'data_dir = "var"\n' + text + '\n[auth]\ntls_cert = "bad.pem"\ntls_key = "bad.pem"\n'
    problems = _start_problems(good, text)
    assert len(problems) == 7, problems
    expected = [
        "banks.RCC01.sftp.host_key: not the bank's public key",
        "banks.RCC01.sftp.password_env: the environment variable RCC_PW is not set",
        f"banks.RCC01.sftp.private_key: no such file {tmp_path / 'missing_key'}",
        f"auth.tls_cert: {tmp_path / 'bad.pem'} does not hold PEM certificates",
        f"auth.tls_key: {tmp_path / 'bad.pem'} does not hold an unencrypted PEM private key",
        f"pii_key_file: personal-data keys: {tmp_path / 'no-keys.json'}: key file not found "
        f"(create them with: ykt keys init --config {good})",
        f"auth.tls_key: {tmp_path / 'bad.pem'} is readable by others (mode 0644); it holds a private key: "
        f"chmod 600 {tmp_path / 'bad.pem'}",
    ]
    for line in expected:
        assert any(p.startswith(f"{good}: {line}") for p in problems), (line, problems)


def test_a_known_hosts_file_is_read_and_must_know_the_host(good, tmp_path):
    text = good.read_text(encoding="utf-8").replace(f'host_key = "{HOST_KEY}"', 'known_hosts = "known_hosts"')
    assert _start_problems(good, text) == [
        f"{good}: banks.RCC01.sftp.known_hosts: cannot read {tmp_path / 'known_hosts'}: No such file or directory"]
    (tmp_path / "known_hosts").write_text(f"other.example.cn {HOST_KEY}\n", encoding="utf-8")
    assert _start_problems(good, text) == [
        f"{good}: banks.RCC01.sftp.known_hosts: {tmp_path / 'known_hosts'} holds no key for [127.0.0.1]:2222"]
    (tmp_path / "known_hosts").write_text(f"[127.0.0.1]:2222 {HOST_KEY}\n", encoding="utf-8")
    config.check_start(config.load(good, environ={}), environ={})


def test_an_unreadable_private_key_and_no_way_to_log_in_are_named(good, tmp_path):
    (tmp_path / "junk_key").write_text("-----BEGIN OPENSSH PRIVATE KEY-----\nnot a key\n", encoding="utf-8")
    (tmp_path / "junk_key").chmod(0o600)
    original = good.read_text(encoding="utf-8")
    text = original.replace('"id_ed25519"', '"junk_key"')
    [problem] = _start_problems(good, text)
    assert problem.startswith(f"{good}: banks.RCC01.sftp.private_key: cannot load the private key "
                              f"{tmp_path / 'junk_key'}: ")
    assert "not a key" not in problem  # never the parser's text
    text = original.replace('private_key = "id_ed25519"', "")
    assert _start_problems(good, text) == [
        f"{good}: banks.RCC01.sftp: no way to log in: give private_key, use_agent or password_env"]


def test_a_file_set_by_the_environment_is_named_with_its_variable(good, tmp_path):
    settings = config.load(good, environ={"YKT_BANKS__RCC01__SFTP__PRIVATE_KEY": str(tmp_path / "gone")})
    with pytest.raises(config.ConfigError) as caught:
        config.check_start(settings, environ={})
    assert caught.value.problems == (
        f"{good}: banks.RCC01.sftp.private_key (from YKT_BANKS__RCC01__SFTP__PRIVATE_KEY): "
        f"no such file {tmp_path / 'gone'}",)


def test_the_shipped_example_loads_but_names_what_is_missing_before_it_can_start():
    example = ROOT / "examples" / "ykt.toml"
    settings = config.load(example, environ={})
    with pytest.raises(config.ConfigError) as caught:
        config.check_start(settings, environ={k: v for k, v in os.environ.items() if not k.startswith("YKT_")})
    lines = caught.value.problems
    assert all(line.startswith(f"{example}: ") for line in lines)
    assert any("banks.RCC01.sftp.host_key: not the bank's public key" in line for line in lines)
    assert any("banks.ABC01.sftp.known_hosts: cannot read" in line for line in lines)


def _all_start_problems(path: Path, text: str) -> list[str]:
    path.write_text(text, encoding="utf-8")
    return [str(p) for p in config.start_problems(config.load(path, environ={}), environ={})]  # in English


def test_private_key_files_must_be_the_owners_alone_and_apart_from_the_data(good, tmp_path):
    """Every private key file the settings name: mode 0600, and outside data_dir unless
    keys_in_data_dir says otherwise (the report-signing key lives beside the personal-data keys)."""
    key = tmp_path / "id_ed25519"
    assert _all_start_problems(good, good.read_text(encoding="utf-8")) == []
    key.chmod(0o640)
    assert _all_start_problems(good, good.read_text(encoding="utf-8")) == [
        f"{good}: banks.RCC01.sftp.private_key: {key} is readable by others (mode 0640); it holds a private "
        f"key: chmod 600 {key}"]
    key.chmod(0o600)
    inside = good.read_text(encoding="utf-8").replace('"pii-keys.json"', '"var/keys/pii-keys.json"')
    (tmp_path / "var" / "keys").mkdir(parents=True)
    (tmp_path / "pii-keys.json").rename(tmp_path / "var" / "keys" / "pii-keys.json")
    inside = 'data_dir = "var"\n' + inside
    assert _all_start_problems(good, inside) == [
        f"{good}: pii_key_file: {tmp_path / 'var' / 'keys' / 'pii-keys.json'} lies inside the data folder "
        f"{tmp_path / 'var'}, which a backup or a copy would then carry with the keys that open it: keep keys "
        "apart (the default is keys/ beside the settings file), or set keys_in_data_dir = true"]
    assert _all_start_problems(good, "keys_in_data_dir = true\n" + inside) == []
    signing = tmp_path / "var" / "keys" / "report-signing.pem"
    signing.write_text("a key", encoding="utf-8")
    signing.chmod(0o644)
    assert _all_start_problems(good, "keys_in_data_dir = true\n" + inside) == [
        f"{good}: the report-signing key: {signing} is readable by others (mode 0644); it holds a private key: "
        f"chmod 600 {signing}"]
