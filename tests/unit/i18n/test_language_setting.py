"""The service's ``language`` setting: the language of its messages when a call asks for none."""
from __future__ import annotations

from pathlib import Path

import pytest

from service import config


def test_chinese_unless_the_settings_or_the_environment_say_english():
    assert config.from_dict({}, base=Path("/tmp")).language == "zh"
    assert config.from_dict({"language": "en"}, base=Path("/tmp")).language == "en"
    assert config.from_dict({"language": "zh"}, base=Path("/tmp"), environ={"YKT_LANGUAGE": "en"}).language == "en"


@pytest.mark.parametrize("value", ["fr", "EN", "zh-CN", "", 1])
def test_another_value_is_refused_naming_the_key(value):
    with pytest.raises(config.ConfigError) as refused:
        config.from_dict({"language": value}, base=Path("/tmp"), source="ykt.toml")
    assert refused.value.problems[0].startswith("ykt.toml: language: expected zh or en"), refused.value.problems
