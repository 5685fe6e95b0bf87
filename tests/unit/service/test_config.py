from datetime import date
from pathlib import Path

import pytest

from domain import workdays
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
    ({"profile": "profiles/RCC01.toml", "sftp": {**SFTP, "port": "22"}},
     "banks.RCC01.sftp.port: expected a port number"),
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


# SYNTHETIC 2027 data for these tests only; the official 2027 arrangement is not known here.
CALENDAR_2027 = """
[years.2027]
source = "test data, not an official notice"
holidays = ["2027-01-01", 2027-02-04]
workdays = ["2027-01-30"]
"""


def test_the_package_calendar_is_the_default():
    assert config.from_dict({}, base=ROOT, source="s.toml").calendar == workdays.PACKAGE_CALENDAR
    assert config.load(ROOT / "examples" / "ykt.toml").calendar.last == date(2026, 12, 31)


def test_a_calendar_file_relative_to_the_settings_extends_the_years(tmp_path):
    (tmp_path / "cal").mkdir()
    (tmp_path / "cal" / "calendar.toml").write_text(CALENDAR_2027, encoding="utf-8")
    (tmp_path / "ykt.toml").write_text('[calendar]\nfile = "cal/calendar.toml"\n', encoding="utf-8")
    calendar = config.load(tmp_path / "ykt.toml").calendar
    assert calendar.last == date(2027, 12, 31)
    assert calendar.supplied[0].holidays == {date(2027, 1, 1), date(2027, 2, 4)}
    assert workdays.add_working_days(date(2026, 12, 30), 3, calendar) == date(2027, 1, 5)


def test_a_calendar_given_inline():
    year = {"source": "synthetic", "holidays": ["2027-01-01"], "workdays": []}
    calendar = config.from_dict({"calendar": {"years": {"2027": year}}}, base=ROOT, source="s.toml").calendar
    assert calendar.last == date(2027, 12, 31) and not workdays.is_working_day(date(2027, 1, 1), calendar)


@pytest.mark.parametrize("table, message", [
    ({"file": "nope.toml"}, "s.toml: calendar.file ("),
    ({"file": 3}, "s.toml: calendar.file: expected the path of a TOML file, got 3"),
    ({"file": "c.toml", "years": {}}, "s.toml: calendar: give file or years, not both"),
    ({"path": "c.toml"}, "s.toml: calendar.path: unknown key (valid: file, years)"),
    ({"years": {"2027": {"holidays": ["2027-01-01"], "workdays": []}}}, "s.toml: calendar.years.2027.source: missing"),
    ({"years": {"2026": {"source": "s", "holidays": [], "workdays": []}}},
     "s.toml: calendar.years.2026: already known from chinese-calendar 1.11.0 (2004-2026), which may not be "
     "overridden: one source per year"),
    ({"years": {"2027": {"source": "s", "holidays": ["2027-01-02"], "workdays": []}}},
     "s.toml: calendar.years.2027.holidays: 2027-01-02 is a Saturday"),
])
def test_a_bad_calendar_setting_is_named(table, message):
    with pytest.raises(config.ConfigError) as e:
        config.from_dict({"calendar": table}, base=ROOT, source="s.toml")
    assert message in str(e.value)


@pytest.mark.parametrize("content, message", [
    (CALENDAR_2027.replace('"2027-01-30"', '"2027-02-01"'),
     "years.2027.workdays: 2027-02-01 is a Monday: workdays lists only the Saturdays and Sundays that are worked"),
    (CALENDAR_2027.replace('"2027-01-01"', '"2027-13-01"'), "years.2027.holidays: '2027-13-01' is not a date"),
    (CALENDAR_2027 + "\n[years.2029]\nsource = \"s\"\nholidays = []\nworkdays = []\n",
     "years.2029: does not follow on from the known years (2004-2027); 2028 is missing"),
    ("[years.2027\n", "Expected ']'"),
])
def test_a_bad_calendar_file_stops_the_settings_loading(tmp_path, content, message):
    (tmp_path / "calendar.toml").write_text(content, encoding="utf-8")
    (tmp_path / "ykt.toml").write_text('[calendar]\nfile = "calendar.toml"\n', encoding="utf-8")
    with pytest.raises(config.ConfigError) as e:
        config.load(tmp_path / "ykt.toml")
    assert str(e.value).startswith(f"{tmp_path / 'ykt.toml'}: calendar.file ({tmp_path / 'calendar.toml'}): ")
    assert message in str(e.value)
