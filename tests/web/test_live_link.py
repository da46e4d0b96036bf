"""Where the live screen's link points: QUIZBOT_WEB_PUBLIC_URL, or the web view's own host and port."""

from __future__ import annotations

import pytest

from quizbot.config import ConfigError, WebSettings


def test_the_link_defaults_to_the_host_and_port_served() -> None:
    assert WebSettings.from_env({"QUIZBOT_WEB_PORT": "8080"}).base_url == "http://127.0.0.1:8080"
    ipv6 = WebSettings.from_env({"QUIZBOT_WEB_PORT": "8080", "QUIZBOT_WEB_HOST": "[::1]"})
    assert ipv6.base_url == "http://[::1]:8080"


def test_a_public_url_wins_without_its_trailing_slash() -> None:
    """Behind a proxy, the address people reach is the one the bot sends."""
    env = {"QUIZBOT_WEB_PORT": "8080", "QUIZBOT_WEB_PUBLIC_URL": "https://quiz.school.example/bot/"}
    assert WebSettings.from_env(env).base_url == "https://quiz.school.example/bot"


@pytest.mark.parametrize("bad", ["quiz.example", "ftp://quiz.example", "https://", "http://x:99999"])
def test_a_public_url_that_is_no_http_url_stops_start_up(bad: str) -> None:
    with pytest.raises(ConfigError, match="QUIZBOT_WEB_PUBLIC_URL"):
        WebSettings.from_env({"QUIZBOT_WEB_PORT": "8080", "QUIZBOT_WEB_PUBLIC_URL": bad})
