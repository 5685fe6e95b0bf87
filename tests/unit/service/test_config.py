from pathlib import Path

import pytest

from service import config

ROOT = Path(__file__).resolve().parents[3]
SFTP = {"host": "h", "port": 22, "username": "u", "host_key": "ssh-ed25519 AAAA"}


def test_the_example_settings_load_each_bank_from_its_profile():
    settings = config.load(ROOT / "examples" / "ykt.toml")
    assert sorted(settings.banks) == ["ABC01", "RCC01"]
    rcc = settings.bank("RCC01")
    assert (rcc.format, rcc.completion, rcc.payment_days, rcc.inbox) == ("fixed_width_gbk", "marker", 3, "upload")
    assert rcc.sftp.host_key.startswith("ssh-ed25519 ")
    assert settings.bank("ABC01").sftp.known_hosts_path == (ROOT / "var" / "keys" / "known_hosts").resolve()
    assert settings.database_url.startswith("sqlite:///")


@pytest.mark.parametrize("bank, message", [
    ({"sftp": SFTP}, "banks.RCC01.profile: missing"),
    ({"profile": "nope.toml", "sftp": SFTP}, "banks.RCC01.profile: "),
    ({"profile": "profiles/ABC01.toml", "sftp": SFTP}, "the profile is for bank 'ABC01'"),
    ({"profile": "profiles/RCC01.toml"}, "banks.RCC01.sftp: missing"),
    ({"profile": "profiles/RCC01.toml", "format": "x", "sftp": SFTP}, "banks.RCC01.format: unknown key"),
    ({"profile": "profiles/RCC01.toml", "sftp": {**SFTP, "port": "22"}}, "banks.RCC01.sftp.port: expected int"),
    ({"profile": "profiles/RCC01.toml", "sftp": {"host": "h", "port": 22, "username": "u"}},
     "needs host_key or known_hosts"),
    ({"profile": "profiles/RCC01.toml", "sftp": {**SFTP, "password": "secret"}},
     "banks.RCC01.sftp.password: unknown key"),
    ({"profile": "profiles/RCC01.toml", "sftp": {**SFTP, "retry_attempts": 0}}, "banks.RCC01.sftp: "),
])
def test_a_bad_setting_is_named(bank, message):
    with pytest.raises(config.ConfigError, match=message.replace(".", r"\.").replace("(", r"\(")):
        config.from_dict({"banks": {"RCC01": bank}}, base=ROOT, source="s.toml")


def test_an_unknown_bank_lists_the_known_ones():
    settings = config.load(ROOT / "examples" / "ykt.toml")
    with pytest.raises(config.ConfigError, match="known banks: ABC01, RCC01"):
        settings.bank("NOPE")


def test_exchange_settings_have_defaults_and_are_checked():
    plain = config.from_dict({}, base=ROOT, source="s.toml")
    assert (plain.lease_s, plain.retry_s, plain.retry_max_s, plain.instance_id) == (120.0, 30.0, 3600.0, "")
    tuned = config.from_dict({"lease_s": 30, "retry_s": 2.5, "instance_id": "ykt-2"}, base=ROOT, source="s.toml")
    assert (tuned.lease_s, tuned.retry_s, tuned.instance_id) == (30.0, 2.5, "ykt-2")
    for bad in (0, -1, "60", True):
        with pytest.raises(config.ConfigError, match="s.toml: lease_s: expected a positive number of seconds"):
            config.from_dict({"lease_s": bad}, base=ROOT, source="s.toml")


def test_sftp_login_and_retry_settings_reach_the_endpoint():
    sftp = {**SFTP, "use_agent": True, "password_env": "RCC_SFTP_PASSWORD", "retry_attempts": 6,
            "retry_base_s": 1.0, "retry_cap_s": 30.0, "timeout_s": 20}
    bank = {"profile": "profiles/RCC01.toml", "sftp": sftp}
    ep = config.from_dict({"banks": {"RCC01": bank}}, base=ROOT, source="s.toml").bank("RCC01").sftp
    assert (ep.name, ep.use_agent, ep.password_env, ep.retry_attempts, ep.retry_base_s, ep.retry_cap_s,
            ep.timeout_s) == ("RCC01", True, "RCC_SFTP_PASSWORD", 6, 1.0, 30.0, 20.0)
