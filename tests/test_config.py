"""Settings.from_env: defaults, parsing, and a ConfigError naming the variable for every bad value."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from platformdirs import user_data_path

from quizbot.config import Secret, Settings, redact_url, replica_shards
from quizbot.errors import ConfigError

PASSWORD = "hunter2-s3cret"

ALL_VARIABLES = (
    "DISCORD_TOKEN",
    "DATABASE_URL",
    "QUIZBOT_DATA_DIR",
    "QUIZBOT_POOL_MIN",
    "QUIZBOT_POOL_MAX",
    "QUIZBOT_POOL_ACQUIRE_TIMEOUT",
    "QUIZBOT_CONNECT_ATTEMPTS",
    "QUIZBOT_LOG_LEVEL",
    "QUIZBOT_SHARD_COUNT",
    "QUIZBOT_SHARD_IDS",
    "QUIZBOT_REPLICAS",
    "QUIZBOT_REPLICA_INDEX",
    "QUIZBOT_SNAPSHOT_INTERVAL",
    "QUIZBOT_SNAPSHOT_TTL",
    "QUIZBOT_IDLE_TIMEOUT",
)

DEFAULTS: dict[str, Any] = {
    "database_url": None,
    "embedded": True,
    "data_dir": user_data_path("quizbot") / "pgdata",
    "pool_min_size": 2,
    "pool_max_size": 10,
    "pool_acquire_timeout": 10.0,
    "connect_attempts": 5,
    "log_level": "INFO",
    "shard_count": None,
    "shard_ids": (),
    "snapshot_interval": 1.0,
    "snapshot_ttl": 3600.0,
    "idle_timeout": 1800.0,
}

WHOLE_0_100 = "a whole number from 0 to 100"
WHOLE_1_100 = "a whole number from 1 to 100"
WHOLE_1_500 = "a whole number from 1 to 500"
SECONDS = "seconds above 0"
SHARD_LIST = "a comma-separated list of shard numbers"
URL = "a postgresql://user@host:port/db URL"
REPLICA_INDEX = "a whole number from 0, or a StatefulSet pod name ending in one"

# variable, bad value, what the message must say it expects
BAD_VALUES = [
    ("QUIZBOT_POOL_MIN", "two", WHOLE_0_100),
    ("QUIZBOT_POOL_MIN", "1.5", WHOLE_0_100),
    ("QUIZBOT_POOL_MIN", "-1", WHOLE_0_100),
    ("QUIZBOT_POOL_MIN", "101", WHOLE_0_100),
    ("QUIZBOT_POOL_MAX", "ten", WHOLE_1_500),
    ("QUIZBOT_POOL_MAX", "0", WHOLE_1_500),
    ("QUIZBOT_POOL_MAX", "501", WHOLE_1_500),
    ("QUIZBOT_POOL_ACQUIRE_TIMEOUT", "soon", SECONDS),
    ("QUIZBOT_POOL_ACQUIRE_TIMEOUT", "0", SECONDS),
    ("QUIZBOT_POOL_ACQUIRE_TIMEOUT", "-2.5", SECONDS),
    ("QUIZBOT_POOL_ACQUIRE_TIMEOUT", "nan", SECONDS),
    ("QUIZBOT_POOL_ACQUIRE_TIMEOUT", "inf", SECONDS),
    ("QUIZBOT_CONNECT_ATTEMPTS", "many", WHOLE_1_100),
    ("QUIZBOT_CONNECT_ATTEMPTS", "0", WHOLE_1_100),
    ("QUIZBOT_CONNECT_ATTEMPTS", "101", WHOLE_1_100),
    ("QUIZBOT_LOG_LEVEL", "LOUD", "one of TRACE, DEBUG, INFO"),
    ("QUIZBOT_LOG_LEVEL", "10", "one of TRACE, DEBUG, INFO"),
    ("QUIZBOT_SHARD_COUNT", "four", "a whole number from 1"),
    ("QUIZBOT_SHARD_COUNT", "0", "a whole number from 1"),
    ("QUIZBOT_SHARD_COUNT", "10001", "a whole number from 1"),
    ("QUIZBOT_SHARD_IDS", "a,b", SHARD_LIST),
    ("QUIZBOT_SHARD_IDS", "-1", SHARD_LIST),
    ("QUIZBOT_SHARD_IDS", "1,1", SHARD_LIST),
    ("QUIZBOT_SHARD_IDS", ",", SHARD_LIST),
    ("QUIZBOT_REPLICAS", "two", "a whole number from 1"),
    ("QUIZBOT_REPLICAS", "0", "a whole number from 1"),
    ("QUIZBOT_REPLICAS", "10001", "a whole number from 1"),
    ("QUIZBOT_REPLICA_INDEX", "-1", REPLICA_INDEX),
    ("QUIZBOT_REPLICA_INDEX", "quizbot", REPLICA_INDEX),
    ("QUIZBOT_REPLICA_INDEX", "quizbot-", REPLICA_INDEX),
    ("QUIZBOT_REPLICA_INDEX", "quizbot-x", REPLICA_INDEX),
    ("QUIZBOT_REPLICA_INDEX", "Quizbot-1", REPLICA_INDEX),
    ("QUIZBOT_REPLICA_INDEX", "1.5", REPLICA_INDEX),
    ("QUIZBOT_REPLICA_INDEX", "\u0663", REPLICA_INDEX),
    ("QUIZBOT_SNAPSHOT_INTERVAL", "fast", SECONDS),
    ("QUIZBOT_SNAPSHOT_INTERVAL", "0", SECONDS),
    ("QUIZBOT_SNAPSHOT_TTL", "forever", SECONDS),
    ("QUIZBOT_SNAPSHOT_TTL", "-1", SECONDS),
    ("QUIZBOT_IDLE_TIMEOUT", "never", SECONDS),
    ("QUIZBOT_IDLE_TIMEOUT", "0", SECONDS),
    ("DATABASE_URL", "mysql://x", URL),
    ("DATABASE_URL", "postgresql://host:notaport/db", URL),
    ("DATABASE_URL", "postgresql://host:70000/db", URL),
    ("DATABASE_URL", "not a url", URL),
    ("DATABASE_URL", "http://host/db", URL),
    ("DATABASE_URL", "postgresql://", URL),
]

# environment, the variable the error names, other text the message must contain
BAD_COMBINATIONS = [
    ({"QUIZBOT_POOL_MIN": "5", "QUIZBOT_POOL_MAX": "4"}, "QUIZBOT_POOL_MAX", "at least QUIZBOT_POOL_MIN (5)"),
    ({"QUIZBOT_POOL_MAX": "1"}, "QUIZBOT_POOL_MAX", "at least QUIZBOT_POOL_MIN (2)"),
    ({"QUIZBOT_SHARD_IDS": "0,1"}, "QUIZBOT_SHARD_COUNT", "whenever QUIZBOT_SHARD_IDS is set"),
    ({"QUIZBOT_SHARD_COUNT": "2", "QUIZBOT_SHARD_IDS": "0,2"}, "QUIZBOT_SHARD_IDS", "below 2"),
    ({"QUIZBOT_SHARD_COUNT": "1", "QUIZBOT_SHARD_IDS": "5"}, "QUIZBOT_SHARD_IDS", "below 1"),
    ({"QUIZBOT_SHARD_COUNT": "4", "QUIZBOT_REPLICA_INDEX": "1"}, "QUIZBOT_REPLICAS", "whenever"),
    ({"QUIZBOT_SHARD_COUNT": "4", "QUIZBOT_REPLICAS": "2"}, "QUIZBOT_REPLICA_INDEX", "whenever"),
    (
        {"QUIZBOT_REPLICAS": "2", "QUIZBOT_REPLICA_INDEX": "0"},
        "QUIZBOT_SHARD_COUNT",
        "whenever QUIZBOT_REPLICAS",
    ),
    (
        {
            "QUIZBOT_SHARD_COUNT": "4",
            "QUIZBOT_SHARD_IDS": "0",
            "QUIZBOT_REPLICAS": "2",
            "QUIZBOT_REPLICA_INDEX": "0",
        },
        "QUIZBOT_SHARD_IDS",
        "unset when QUIZBOT_REPLICAS is set",
    ),
    (
        {"QUIZBOT_SHARD_COUNT": "2", "QUIZBOT_REPLICAS": "3", "QUIZBOT_REPLICA_INDEX": "2"},
        "QUIZBOT_REPLICAS",
        "at most QUIZBOT_SHARD_COUNT (2)",
    ),
    (
        {"QUIZBOT_SHARD_COUNT": "4", "QUIZBOT_REPLICAS": "2", "QUIZBOT_REPLICA_INDEX": "quizbot-2"},
        "QUIZBOT_REPLICA_INDEX",
        "below QUIZBOT_REPLICAS (2)",
    ),
]

# environment, Settings attribute, parsed value
GOOD_VALUES = [
    (
        {"DATABASE_URL": "postgresql://bot@db:5432/quizbot"},
        "database_url",
        "postgresql://bot@db:5432/quizbot",
    ),
    ({"DATABASE_URL": "postgres://bot@db/quizbot"}, "database_url", "postgres://bot@db/quizbot"),
    ({"DATABASE_URL": "postgresql:///quizbot"}, "database_url", "postgresql:///quizbot"),
    ({"DATABASE_URL": "postgresql://db/quizbot"}, "embedded", False),
    ({"QUIZBOT_DATA_DIR": "/srv/quizbot"}, "data_dir", Path("/srv/quizbot")),
    ({"QUIZBOT_POOL_MIN": "0"}, "pool_min_size", 0),
    ({"QUIZBOT_POOL_MIN": " 4 "}, "pool_min_size", 4),
    ({"QUIZBOT_POOL_MAX": "500"}, "pool_max_size", 500),
    ({"QUIZBOT_POOL_ACQUIRE_TIMEOUT": "0.5"}, "pool_acquire_timeout", 0.5),
    ({"QUIZBOT_CONNECT_ATTEMPTS": "1"}, "connect_attempts", 1),
    ({"QUIZBOT_LOG_LEVEL": "debug"}, "log_level", "DEBUG"),
    ({"QUIZBOT_SHARD_COUNT": "4"}, "shard_count", 4),
    ({"QUIZBOT_SHARD_COUNT": "4", "QUIZBOT_SHARD_IDS": "0, 3"}, "shard_ids", (0, 3)),
    (
        {"QUIZBOT_SHARD_COUNT": "4", "QUIZBOT_REPLICAS": "1", "QUIZBOT_REPLICA_INDEX": "0"},
        "shard_ids",
        (0, 1, 2, 3),
    ),
    (
        {"QUIZBOT_SHARD_COUNT": "16", "QUIZBOT_REPLICAS": "3", "QUIZBOT_REPLICA_INDEX": "2"},
        "shard_ids",
        (2, 5, 8, 11, 14),
    ),
    (
        {"QUIZBOT_SHARD_COUNT": "4", "QUIZBOT_REPLICAS": "2", "QUIZBOT_REPLICA_INDEX": "quizbot-1"},
        "shard_ids",
        (1, 3),
    ),
    (
        {"QUIZBOT_SHARD_COUNT": "4", "QUIZBOT_REPLICAS": "4", "QUIZBOT_REPLICA_INDEX": " web-2-3 "},
        "shard_ids",
        (3,),
    ),
    (
        {"QUIZBOT_SHARD_COUNT": "24", "QUIZBOT_REPLICAS": "12", "QUIZBOT_REPLICA_INDEX": "q-11"},
        "shard_ids",
        (11, 23),
    ),
    ({"QUIZBOT_SHARD_COUNT": "2", "QUIZBOT_REPLICAS": "2", "QUIZBOT_REPLICA_INDEX": "1"}, "shard_count", 2),
    ({"QUIZBOT_SNAPSHOT_INTERVAL": "2.5"}, "snapshot_interval", 2.5),
    ({"QUIZBOT_SNAPSHOT_TTL": "60"}, "snapshot_ttl", 60.0),
    ({"QUIZBOT_IDLE_TIMEOUT": "30"}, "idle_timeout", 30.0),
]

# a DATABASE_URL that fails validation although it carries PASSWORD
BAD_URLS_WITH_PASSWORD = [
    f"mysql://bot:{PASSWORD}@db/quizbot",
    f"postgresql://bot:{PASSWORD}@db:notaport/quizbot",
    f"postgresql://bot:{PASSWORD}@db:99999/quizbot",
    f"postgresql://bot:p@ss-{PASSWORD}@db:notaport/quizbot",
    f"postgresql://bot:pa/ss-{PASSWORD}@db/quizbot",
    f"postgresql://bot@db:notaport/quizbot?password={PASSWORD}",
]

# url, what redact_url makes of it
REDACTIONS = [
    ("postgresql://bot:secret@db:5432/quizbot", "postgresql://bot:***@db:5432/quizbot"),
    ("postgres://:secret@db/quizbot", "postgres://:***@db/quizbot"),
    ("postgresql://bot:p@ss@db/quizbot", "postgresql://bot:***@db/quizbot"),
    (
        "postgresql://bot@db/quizbot?password=secret&sslmode=require",
        "postgresql://bot@db/quizbot?password=***&sslmode=require",
    ),
    ("postgresql://bot@db:5432/quizbot", "postgresql://bot@db:5432/quizbot"),
    (
        "postgresql://db:5432/quizbot?application_name=a@b",
        "postgresql://db:5432/quizbot?application_name=a@b",
    ),
    ("postgresql:///quizbot?host=/run/postgresql", "postgresql:///quizbot?host=/run/postgresql"),
]


def config_error(environ: dict[str, str]) -> ConfigError:
    """The ConfigError that Settings.from_env raises for `environ`."""
    with pytest.raises(ConfigError) as caught:
        Settings.from_env(environ)
    return caught.value


def test_empty_environment_gives_defaults() -> None:
    """With nothing set, every setting has its documented default and no token."""
    settings = Settings.from_env({})
    assert {name: getattr(settings, name) for name in DEFAULTS} == DEFAULTS
    assert not settings.discord_token


@pytest.mark.parametrize("variable", ALL_VARIABLES)
def test_blank_value_counts_as_unset(variable: str) -> None:
    """A variable set to whitespace only behaves as if it were not set."""
    assert Settings.from_env({variable: "   "}) == Settings.from_env({})


def test_unrelated_variables_are_ignored() -> None:
    """Variables quizbot does not read change nothing."""
    assert Settings.from_env({"HOME": "/root", "QUIZBOT_UNKNOWN": "x"}) == Settings.from_env({})


@pytest.mark.parametrize(("environ", "attribute", "expected"), GOOD_VALUES)
def test_good_value_is_parsed(environ: dict[str, str], attribute: str, expected: object) -> None:
    """A valid value lands, parsed, on its Settings attribute."""
    assert getattr(Settings.from_env(environ), attribute) == expected


@pytest.mark.parametrize("shard_count", [1, 2, 4, 7, 16, 100])
def test_replicas_serve_every_shard_exactly_once(shard_count: int) -> None:
    """For every replica count up to the shard count, the replicas' shards partition all the shards."""
    for replicas in range(1, shard_count + 1):
        served = [
            Settings.from_env(
                {
                    "QUIZBOT_SHARD_COUNT": str(shard_count),
                    "QUIZBOT_REPLICAS": str(replicas),
                    "QUIZBOT_REPLICA_INDEX": f"quizbot-{index}",
                }
            ).shard_ids
            for index in range(replicas)
        ]
        assert all(served), "no replica is left without shards (empty would mean all of them)"
        assert sorted(s for shards in served for s in shards) == list(range(shard_count))


@pytest.mark.parametrize(("shard_count", "replicas", "index"), [(4, 2, 2), (2, 3, 0), (4, 0, 0), (4, 2, -1)])
def test_replica_shards_refuses_impossible_replicas(shard_count: int, replicas: int, index: int) -> None:
    """replica_shards never answers for a replica that would serve nothing (empty means every shard)."""
    with pytest.raises(ValueError, match="replica"):
        replica_shards(shard_count, replicas, index)


def test_discord_token_is_read_and_stripped() -> None:
    """DISCORD_TOKEN is kept as a Secret without surrounding whitespace."""
    assert Settings.from_env({"DISCORD_TOKEN": "  abc.def  "}).discord_token.value == "abc.def"


@pytest.mark.parametrize(("variable", "value", "expected"), BAD_VALUES)
def test_bad_value_names_variable_and_expectation(variable: str, value: str, expected: str) -> None:
    """A bad value raises ConfigError whose message names the variable and what it expects."""
    error = config_error({variable: value})
    assert error.variable == variable
    assert str(error).startswith(f"{variable} must be {expected}")


@pytest.mark.parametrize(("variable", "value", "expected"), BAD_VALUES)
def test_bad_value_is_quoted_in_message(variable: str, value: str, expected: str) -> None:
    """The message quotes the rejected value so the user sees what was read."""
    assert repr(value) in str(config_error({variable: value}))


@pytest.mark.parametrize(("environ", "variable", "expected"), BAD_COMBINATIONS)
def test_inconsistent_values_name_variable(environ: dict[str, str], variable: str, expected: str) -> None:
    """Values that are fine alone but clash raise ConfigError naming the variable to fix."""
    error = config_error(environ)
    assert error.variable == variable
    assert variable in str(error)
    assert expected in str(error)


@pytest.mark.parametrize("url", BAD_URLS_WITH_PASSWORD)
def test_bad_database_url_error_hides_password(url: str) -> None:
    """A rejected DATABASE_URL is shown in the error with its password redacted."""
    message = str(config_error({"DATABASE_URL": url}))
    assert "DATABASE_URL" in message
    assert PASSWORD not in message
    assert "***" in message


@pytest.mark.parametrize(("url", "expected"), REDACTIONS)
def test_redact_url(url: str, expected: str) -> None:
    """redact_url replaces exactly the password, wherever the URL carries one."""
    assert redact_url(url) == expected


def test_secret_repr_hides_value() -> None:
    """Secret's repr and str never contain the value."""
    secret = Secret(PASSWORD)
    assert PASSWORD not in repr(secret)
    assert PASSWORD not in str(secret)
    assert PASSWORD not in f"{secret!r} {secret}"


def test_settings_repr_hides_token() -> None:
    """Printing the whole Settings never shows the Discord token."""
    settings = Settings.from_env({"DISCORD_TOKEN": PASSWORD})
    assert PASSWORD not in repr(settings)
    assert "Secret('***')" in repr(settings)


@pytest.mark.parametrize(("value", "truthy"), [("token", True), ("", False)])
def test_secret_truthiness(value: str, truthy: bool) -> None:
    """A Secret is truthy exactly when it holds a non-empty value."""
    assert bool(Secret(value)) is truthy


def test_from_env_defaults_to_process_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without an argument, from_env reads os.environ."""
    for variable in ALL_VARIABLES:
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("QUIZBOT_POOL_MAX", "42")
    assert Settings.from_env().pool_max_size == 42
