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


@pytest.mark.parametrize(("auth", "message"), [
    ({"users": {"a": {"role": "BOSS", "token_sha256": DIGEST}}},
     "s.toml: auth.users.a.role: unknown role 'BOSS' (known: CLERK, APPROVER, FINANCE, BANK, AUDITOR)"),
    ({"users": {"a": {"roles": ["CLERK", "X"], "cert_cn": "a"}}}, "s.toml: auth.users.a.roles: unknown role 'X'"),
    ({"users": {"a": {"roles": [], "cert_cn": "a"}}}, "s.toml: auth.users.a.roles: expected a role name or a non-empty list"),
    ({"users": {"a": {"cert_cn": "a"}}}, "s.toml: auth.users.a: give role (or roles, a list)"),
    ({"users": {"a": {"role": "CLERK", "roles": ["CLERK"], "cert_cn": "a"}}}, "s.toml: auth.users.a: give role"),
    ({"users": {"a": {"role": "CLERK"}}},
     "s.toml: auth.users.a: missing credentials: give token_sha256 and/or cert_cn"),
    ({"users": {"a": {"role": "CLERK", "token_sha256": DIGEST}, "b": {"role": "BANK", "token_sha256": DIGEST}}},
     "s.toml: auth.users.b.token_sha256: the same token as user 'a'"),
    ({"users": {"a": {"role": "CLERK", "cert_cn": "x"}, "b": {"role": "BANK", "cert_cn": "x"}}},
     "s.toml: auth.users.b.cert_cn: 'x' is already user 'a'"),
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
