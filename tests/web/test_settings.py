"""QUIZBOT_WEB_*: off without a port, loopback by default, a short admin token refused by name."""

from __future__ import annotations

import pytest

from quizbot.config import Settings, WebSettings
from quizbot.errors import ConfigError


def test_the_web_view_is_off_and_loopback_by_default() -> None:
    web = Settings.from_env({}).web
    assert web == WebSettings()
    assert not web.enabled and web.host == "127.0.0.1" and not web.admin_token


def test_the_port_host_token_and_rate_are_read() -> None:
    token = "t" * 40
    web = WebSettings.from_env(
        {
            "QUIZBOT_WEB_PORT": "8080",
            "QUIZBOT_WEB_HOST": "0.0.0.0",
            "QUIZBOT_WEB_ADMIN_TOKEN": token,
            "QUIZBOT_WEB_RATE": "30",
        }
    )
    assert (web.port, web.host, web.admin_token.value, web.requests_per_minute) == (
        8080,
        "0.0.0.0",
        token,
        30,
    )
    assert web.enabled and token not in repr(web)
    assert WebSettings.from_env({"QUIZBOT_WEB_HOST": "[::1]"}).host == "::1"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("QUIZBOT_WEB_PORT", "0"),
        ("QUIZBOT_WEB_PORT", "65536"),
        ("QUIZBOT_WEB_PORT", "http"),
        ("QUIZBOT_WEB_HOST", "exa mple"),
        ("QUIZBOT_WEB_HOST", "-bad"),
        ("QUIZBOT_WEB_ADMIN_TOKEN", "short"),
        ("QUIZBOT_WEB_RATE", "0"),
    ],
)
def test_a_bad_value_is_refused_naming_its_variable(name: str, value: str) -> None:
    with pytest.raises(ConfigError) as refused:
        Settings.from_env({name: value})
    assert name in str(refused.value)
    if name == "QUIZBOT_WEB_ADMIN_TOKEN":
        assert value not in str(refused.value)
