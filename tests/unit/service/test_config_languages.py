"""Start-up configuration errors in both languages: each problem names the file, the key and why,
in Chinese or in English, with a stable code (the message's key) for --json and logs."""
from __future__ import annotations

import re
import typing
from pathlib import Path

import pytest
from pydantic import BaseModel

import i18n
from service import config
from service.profiles import ProfileError, profile_from_dict
from tests.support.catalogue_scan import made_in

ROOT = Path(__file__).resolve().parents[3]


def _refused(raw: dict, environ: dict | None = None) -> config.ConfigError:
    with pytest.raises(config.ConfigError) as caught:
        config.from_dict(raw, base=ROOT, source="s.toml", environ=environ)
    return caught.value


def test_an_unknown_key_names_the_file_the_key_the_nearest_name_and_the_valid_ones_in_both_languages():
    exc = _refused({"poll_intervall_s": 1, "banks": {}})
    valid = ", ".join(config._Root.model_fields)
    assert exc.said("zh") == (f"s.toml：poll_intervall_s：未知的键；是否应为 'poll_interval_s'？（可用的键：{valid}）",)
    assert exc.said("en") == (f"s.toml: poll_intervall_s: unknown key; did you mean 'poll_interval_s'? (valid: {valid})",)
    assert exc.problems == exc.said("en") and str(exc) == exc.said("en")[0]  # logs and scripts: English
    assert exc.codes == ("config.unknown_key",)


def test_a_wrong_value_says_what_the_setting_takes_in_the_readers_language():
    exc = _refused({"lease_s": 0, "log_format": "xml"})
    assert set(exc.said("zh")) == {"s.toml：lease_s：应为正的秒数，实际为 0",
                                   "s.toml：log_format：应为text 或 json，实际为 'xml'"}
    assert set(exc.said("en")) == {"s.toml: lease_s: expected a positive number of seconds, got 0",
                                   "s.toml: log_format: expected text or json, got 'xml'"}
    assert exc.codes == ("config.expected", "config.expected")


def test_a_value_from_the_environment_names_its_variable():
    exc = _refused({}, environ={"YKT_LEASE_S": "-3", "YKT_POLL_INTERVALL_S": "1"})
    assert exc.said("zh") == ("s.toml：YKT_POLL_INTERVALL_S：没有这个配置项；是否应为 YKT_POLL_INTERVAL_S？",
                              "s.toml：lease_s（来自环境变量 YKT_LEASE_S）：应为正的秒数，实际为 -3.0")
    assert exc.said("en") == ("s.toml: YKT_POLL_INTERVALL_S: no such setting; did you mean YKT_POLL_INTERVAL_S?",
                              "s.toml: lease_s (from YKT_LEASE_S): expected a positive number of seconds, got -3.0")
    assert exc.codes == ("config.env.near", "config.expected")


def test_a_users_mistakes_are_each_named_with_the_users_key():
    exc = _refused({"auth": {"users": {"ann": {"role": "BOSS", "token_sha256": "a" * 64},
                                       "bob": {"role": "CLERK", "token_sha256": "xyz"}}}})
    assert exc.said("zh") == ("s.toml：auth.users.ann.role：未知角色 'BOSS'（已知：" + ", ".join(config.Role) + "）",
                              "s.toml：auth.users.bob.token_sha256：应为 64 位十六进制数字，即令牌的 SHA-256"
                              "（ykt token 会打印）；绝不能是令牌本身")
    assert exc.codes == ("config.user.unknown_role", "config.user.token_sha256")


def test_a_bad_profile_is_named_by_the_bank_key_then_the_profile_file_and_its_key(tmp_path):
    (tmp_path / "p.toml").write_text('[bank]\ncode = "X"\n[format]\nfamily = "delimited"\n'
                                     '[folders]\ncompletion = "soon"\n', encoding="utf-8")
    exc = _refused({"banks": {"X": {"profile": str(tmp_path / "p.toml"),
                                    "sftp": {"host": "h", "port": 22, "username": "u", "host_key": "k"}}}})
    profile = tmp_path / "p.toml"
    assert exc.said("zh") == (f"s.toml：banks.X.profile：{profile}：folders.completion：'soon' 不是以下之一："
                              "'marker', 'stable'",)
    assert exc.said("en") == (f"s.toml: banks.X.profile: {profile}: folders.completion: 'soon' is not one of "
                              "'marker', 'stable'",)
    assert exc.codes == ("profile.choice",)  # the profile's own code, not the wrapper's


def test_a_profile_error_alone_is_said_in_either_language_with_its_code():
    with pytest.raises(ProfileError) as caught:
        profile_from_dict({"bank": {"code": "X"}, "format": {"family": "delimited"},
                           "deadlines": {"payment_days": 0}}, base=ROOT, source="p.toml")
    assert caught.value.said("zh") == "p.toml：deadlines.payment_days：应为不小于 1 的整数个工作日，实际为 0"
    assert caught.value.said("en") == str(caught.value) == ("p.toml: deadlines.payment_days: expected a whole "
                                                            "number of working days >= 1, got 0")
    assert caught.value.code == "profile.days"


def test_the_settings_own_language_travels_with_the_error_environment_first(tmp_path):
    assert _refused({"language": "en", "lease_s": 0}).language == "en"
    assert _refused({"language": "en", "lease_s": 0}, environ={"YKT_LANGUAGE": "zh"}).language == "zh"
    assert _refused({"lease_s": 0}).language is None  # nobody said: the command's language decides
    assert _refused({"language": "fr", "lease_s": 0}).language is None
    bad = tmp_path / "s.toml"
    bad.write_text("lease_s = ", encoding="utf-8")
    with pytest.raises(config.ConfigError) as caught:
        config.load(bad, environ={"YKT_LANGUAGE": "en"})
    assert caught.value.language == "en" and caught.value.codes == ("config.unreadable",)
    assert caught.value.said("zh")[0].startswith(f"{bad}：无法读取或解析：")


def test_the_start_checks_say_each_missing_file_in_the_settings_language(tmp_path):
    settings = config.from_dict({"language": "en", "banks": {"RCC01": {
        "profile": str(ROOT / "profiles" / "RCC01.toml"),
        "sftp": {"host": "h", "port": 22, "username": "u", "host_key": "nonsense", "private_key": "nope"}}}},
        base=tmp_path, source="s.toml")
    with pytest.raises(config.ConfigError) as caught:
        config.check_start(settings, environ={})
    exc = caught.value
    assert exc.language == "en"
    missing = f"s.toml：banks.RCC01.sftp.private_key：没有文件 {tmp_path / 'nope'}"
    assert missing in exc.said("zh")
    assert f"s.toml: banks.RCC01.sftp.private_key: no such file {tmp_path / 'nope'}" in exc.said("en")
    assert "config.start.no_private_key" in exc.codes and "config.start.not_host_key" in exc.codes


def _descriptions(model: type[BaseModel]):
    for info in model.model_fields.values():
        if info.description:
            yield info.description
        for kind in (info.annotation, *typing.get_args(info.annotation)):
            kind = config._unwrap(kind)
            for inner in (kind, *typing.get_args(kind)):
                inner = config._unwrap(inner)
                if isinstance(inner, type) and issubclass(inner, BaseModel):
                    yield from _descriptions(inner)


def test_every_thing_a_setting_takes_has_a_chinese_name():
    said = set(_descriptions(config._Root)) | set(config._EXPECTED.values())
    assert len(said) > 40
    for what in said:
        assert re.search(r"[\u4e00-\u9fff]", i18n.name("setting_expects", what, "zh")), what
        assert i18n.name("setting_expects", what, "en") == what


def test_the_loaders_raise_their_messages_in_words():
    """Each ``Phrase.of("key", ...)`` and ``r.fail(table, key, "profile.x", ...)`` written in the
    settings and profile loaders (each with exactly its fields: tests/unit/i18n/test_catalogue_keys_made.py)."""
    made = [m for m in made_in(ROOT / name for name in ("service/config.py", "service/profiles.py", "service/context.py",
                                                        "adapter/server.py", "observability/metrics.py")) if m.key]
    assert len(made) > 60


def test_a_port_in_use_is_said_in_either_language():
    import socket

    from adapter import server

    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        with pytest.raises(server.AddressUnavailable) as caught:
            server._check_free(f"127.0.0.1:{port}")
    assert caught.value.said("zh") == (f"无法在 127.0.0.1:{port} 监听：端口 {port} 已被占用（是否另有 ykt serve 在该端口运行？）",)
    assert caught.value.codes == ("config.listen.in_use",)
