"""The LLM part of the settings: keys as Secrets, models, base URLs, limits; errors name the variable."""

from __future__ import annotations

import pytest

from quizbot.config import LLMSettings, Settings
from quizbot.errors import ConfigError

KEY = "sk-very-secret-key-123"


def test_no_keys_means_no_providers() -> None:
    """With nothing set no provider is configured and the defaults apply."""
    settings = LLMSettings.from_env({})
    assert settings.configured == ()
    assert (settings.openai.model, settings.attempts, settings.preferred) == ("gpt-4o-mini", 3, None)


def test_keys_are_read_as_secrets() -> None:
    """Each key variable configures its provider; GEMINI_API_KEY stands in for GOOGLE_API_KEY."""
    settings = LLMSettings.from_env(
        {"OPENAI_API_KEY": KEY, "ANTHROPIC_API_KEY": " a-key ", "GEMINI_API_KEY": "g"}
    )
    assert [p.name for p in settings.configured] == ["openai", "anthropic", "google"]
    assert settings.openai.api_key.value == KEY and settings.anthropic.api_key.value == "a-key"


def test_google_api_key_wins_over_gemini_api_key() -> None:
    """When both Google variables are set, GOOGLE_API_KEY is used."""
    settings = LLMSettings.from_env({"GOOGLE_API_KEY": "first", "GEMINI_API_KEY": "second"})
    assert settings.google.api_key.value == "first"


def test_keys_never_show_in_repr() -> None:
    """Printing the settings (or the whole Settings) never shows a key."""
    env = {"OPENAI_API_KEY": KEY, "QUIZBOT_OPENAI_BASE_URL": f"https://user:{KEY}@proxy.example/v1"}
    assert KEY not in repr(LLMSettings.from_env(env))
    assert KEY not in repr(Settings.from_env(env))


def test_settings_carry_the_llm_section() -> None:
    """Settings.from_env reads the LLM variables too."""
    assert Settings.from_env({"ANTHROPIC_API_KEY": KEY}).llm.anthropic.configured


def test_models_urls_and_limits_are_read() -> None:
    """Per-provider model, base URL and requests per minute, and the shared limits, are parsed."""
    settings = LLMSettings.from_env(
        {
            "OPENAI_API_KEY": KEY,
            "QUIZBOT_OPENAI_MODEL": "gpt-4.1-mini",
            "QUIZBOT_OPENAI_BASE_URL": "http://localhost:8080/v1/",
            "QUIZBOT_OPENAI_RPM": "90",
            "QUIZBOT_LLM_PROVIDER": "OpenAI",
            "QUIZBOT_LLM_TIMEOUT": "30",
            "QUIZBOT_LLM_REQUEST_TIMEOUT": "12.5",
            "QUIZBOT_LLM_CACHE_SIZE": "0",
        }
    )
    assert settings.openai.model == "gpt-4.1-mini"
    assert settings.openai.base_url == "http://localhost:8080/v1"
    assert settings.openai.requests_per_minute == 90
    assert (settings.preferred, settings.total_timeout, settings.request_timeout) == ("openai", 30.0, 12.5)
    assert settings.cache_size == 0


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("QUIZBOT_OPENAI_RPM", "0", "a whole number from 1 to 10000"),
        ("QUIZBOT_ANTHROPIC_RPM", "fast", "a whole number from 1 to 10000"),
        ("QUIZBOT_GOOGLE_BASE_URL", "ftp://example.com", "an http:// or https:// URL"),
        ("QUIZBOT_OPENAI_BASE_URL", "localhost:8080", "an http:// or https:// URL"),
        ("QUIZBOT_OPENAI_BASE_URL", "http://host:99999", "an http:// or https:// URL"),
        ("QUIZBOT_OPENAI_MODEL", "gpt 4", "a model name"),
        ("QUIZBOT_LLM_PROVIDER", "skynet", "one of openai, anthropic, google"),
        ("QUIZBOT_LLM_TIMEOUT", "0", "seconds above 0"),
        ("QUIZBOT_LLM_REQUEST_TIMEOUT", "-1", "seconds above 0"),
        ("QUIZBOT_LLM_ATTEMPTS", "11", "a whole number from 1 to 10"),
        ("QUIZBOT_LLM_BREAKER_FAILURES", "0", "a whole number from 1 to 100"),
        ("QUIZBOT_LLM_BREAKER_COOLDOWN", "never", "seconds above 0"),
        ("QUIZBOT_LLM_CACHE_TTL", "nan", "seconds above 0"),
        ("QUIZBOT_LLM_CACHE_SIZE", "-1", "a whole number from 0 to 100000"),
    ],
)
def test_a_bad_value_names_its_variable(variable: str, value: str, expected: str) -> None:
    """A malformed value raises ConfigError naming the variable and what it expects."""
    with pytest.raises(ConfigError) as caught:
        LLMSettings.from_env({variable: value})
    assert caught.value.variable == variable
    assert str(caught.value).startswith(f"{variable} must be {expected}")


def test_a_preferred_provider_needs_its_key() -> None:
    """QUIZBOT_LLM_PROVIDER naming a provider without a key is refused, naming the key variable."""
    with pytest.raises(ConfigError, match="OPENAI_API_KEY") as caught:
        LLMSettings.from_env({"QUIZBOT_LLM_PROVIDER": "openai", "GEMINI_API_KEY": "g"})
    assert caught.value.variable == "QUIZBOT_LLM_PROVIDER"


def test_the_request_timeout_fits_in_the_total() -> None:
    """One request may not be allowed longer than the whole preparation."""
    with pytest.raises(ConfigError, match="at most QUIZBOT_LLM_TIMEOUT"):
        LLMSettings.from_env({"QUIZBOT_LLM_TIMEOUT": "10", "QUIZBOT_LLM_REQUEST_TIMEOUT": "20"})


def test_a_bad_base_url_error_hides_its_password() -> None:
    """A rejected base URL is quoted with its password redacted."""
    with pytest.raises(ConfigError) as caught:
        LLMSettings.from_env({"QUIZBOT_OPENAI_BASE_URL": f"ftp://user:{KEY}@host/"})
    assert KEY not in str(caught.value) and "***" in str(caught.value)
