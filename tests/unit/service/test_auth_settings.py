"""``[auth]`` settings: users, roles, credentials and TLS files, checked on load."""
from pathlib import Path

import pytest

from service import config
from service.identity import Role, token_sha256

ROOT = Path(__file__).resolve().parents[3]
DIGEST = token_sha256("t1")


def _load(auth: dict, base: Path = ROOT):
    return config.from_dict({"auth": auth}, base=base, source="s.toml").auth


def test_users_load_with_their_roles_and_credentials(tmp_path):
    for name in ("server.pem", "server.key", "ca.pem"):
        (tmp_path / name).write_text("x", encoding="utf-8")
    auth = _load({
        "tls_cert": "server.pem", "tls_key": "server.key", "client_ca": "ca.pem",
        "users": {
            "wang": {"role": "CLERK", "cert_cn": "wang.clerk"},
            "lead": {"roles": ["CLERK", "APPROVER"], "token_sha256": DIGEST.upper()},
        },
    }, base=tmp_path)
    assert (auth.tls, auth.mutual_tls, auth.client_ca) == (True, True, tmp_path / "ca.pem")
    assert auth.users["wang"].roles == {Role.CLERK} and auth.users["wang"].cert_cn == "wang.clerk"
    assert auth.users["lead"].roles == {Role.CLERK, Role.APPROVER}
    assert auth.users["lead"].token_sha256 == DIGEST  # normalised to lowercase
    assert DIGEST not in repr(auth.users["lead"])


def test_no_auth_section_means_no_users_and_no_tls():
    auth = config.from_dict({}, base=ROOT).auth
    assert (auth.users, auth.tls, auth.mutual_tls) == ({}, False, False)


def test_the_example_settings_hold_users_of_each_role():
    auth = config.load(ROOT / "examples" / "ykt.toml").auth
    assert {r for u in auth.users.values() for r in u.roles} == set(Role)
    assert {name: u.banks for name, u in auth.users.items() if Role.BANK in u.roles} == {"rcc01-operator": {"RCC01"}}


def test_a_bank_users_banks_and_the_duty_waiver_come_from_the_file_or_the_environment():
    example = ROOT / "examples" / "ykt.toml"  # RCC01 and ABC01 are configured there
    settings = config.load(example, environ={"YKT_AUTH__USERS__RCC01-OPERATOR__BANKS": '["RCC01", "ABC01"]',
                                             "YKT_DUTIES__APPROVER_MAY_FUND": '["耕地地力保护补贴"]'})
    assert settings.auth.users["rcc01-operator"].banks == {"RCC01", "ABC01"}
    assert settings.approver_may_fund == {"耕地地力保护补贴"}
    assert config.load(example, environ={}).approver_may_fund == frozenset()  # off by default
    with pytest.raises(config.ConfigError) as err:
        config.load(example, environ={"YKT_AUTH__USERS__RCC01-OPERATOR__BANKS": '["RCC01", "XYZ9"]'})
    assert str(err.value) == (f"{example}: auth.users.rcc01-operator.banks (from YKT_AUTH__USERS__RCC01-OPERATOR__BANKS): "
                              "unknown bank 'XYZ9' (configured: ABC01, RCC01)")


@pytest.mark.parametrize(("auth", "message"), [
    ({"users": {"a": {"role": "BOSS", "token_sha256": DIGEST}}},
     "s.toml: auth.users.a.role: unknown role 'BOSS' (known: CLERK, APPROVER, FINANCE, BANK, AUDITOR)"),
    ({"users": {"a": {"roles": ["CLERK", "X"], "cert_cn": "a"}}}, "s.toml: auth.users.a.roles: unknown role 'X'"),
    ({"users": {"a": {"roles": [], "cert_cn": "a"}}}, "s.toml: auth.users.a.roles: expected a role name or a non-empty list"),
    ({"users": {"a": {"cert_cn": "a"}}}, "s.toml: auth.users.a: give role (or roles, a list)"),
    ({"users": {"a": {"role": "CLERK", "roles": ["CLERK"], "cert_cn": "a"}}}, "s.toml: auth.users.a: give role"),
    ({"users": {"a": {"role": "CLERK"}}},
     "s.toml: auth.users.a: missing credentials: give token_sha256 and/or cert_cn"),
    ({"users": {"a": {"role": "CLERK", "token_sha256": DIGEST},
                "b": {"role": "AUDITOR", "token_sha256": DIGEST}}},
     "s.toml: auth.users.b.token_sha256: the same token as user 'a'"),
    ({"users": {"a": {"role": "CLERK", "cert_cn": "x"}, "b": {"role": "AUDITOR", "cert_cn": "x"}}},
     "s.toml: auth.users.b.cert_cn: 'x' is already user 'a'"),
    ({"users": {"b": {"role": "BANK", "cert_cn": "b"}}},
     's.toml: auth.users.b: a BANK user needs the codes of the banks it acts for: banks = ["CODE", ...]'),
    ({"users": {"b": {"roles": ["BANK", "AUDITOR"], "banks": [], "cert_cn": "b"}}},
     "s.toml: auth.users.b: a BANK user needs the codes of the banks it acts for"),
    ({"users": {"a": {"role": "CLERK", "banks": ["RCC01"], "cert_cn": "a"}}},
     "s.toml: auth.users.a.banks: only a BANK user acts for banks"),
    ({"users": {"b": {"role": "BANK", "banks": "RCC01", "cert_cn": "b"}}},
     "s.toml: auth.users.b.banks: expected a list of bank codes"),
    ({"users": {"b": {"role": "BANK", "banks": ["RCC01"], "cert_cn": "b"}}},
     "s.toml: auth.users.b.banks: unknown bank 'RCC01' (configured: none configured)"),
    ({"users": {"a": {"role": "CLERK", "token_sha256": "t1"}}},
     "s.toml: auth.users.a.token_sha256: expected 64 hex digits"),
    ({"users": {"a": {"role": "CLERK", "token": "t1"}}}, "s.toml: auth.users.a.token: unknown key"),
    ({"users": {"a": "CLERK"}}, "s.toml: auth.users.a: expected a table"),
    ({"users": {"a": {"role": "CLERK", "cert_cn": ""}}}, "s.toml: auth.users.a.cert_cn: expected the common name"),
    ({"tls": True}, "s.toml: auth.tls: unknown key"),
    ({"tls_cert": "examples/ykt.toml"}, "s.toml: auth.tls_key: missing (tls_cert and tls_key go together)"),
    ({"tls_key": "examples/ykt.toml"}, "s.toml: auth.tls_cert: missing"),
    ({"client_ca": "examples/ykt.toml"}, "s.toml: auth.client_ca: needs tls_cert and tls_key"),
    ({"tls_cert": "nope.pem", "tls_key": "examples/ykt.toml"}, "s.toml: auth.tls_cert: no such file"),
])
def test_a_bad_auth_setting_is_named_with_its_key(auth, message):
    with pytest.raises(config.ConfigError) as err:
        _load(auth)
    assert str(err.value).startswith(message), str(err.value)
