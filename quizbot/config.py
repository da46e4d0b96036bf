"""Typed settings read once from the environment; a bad value fails at start naming the variable.

What each variable means, its default and how variables constrain each other live here; how one
value is parsed lives in quizbot.env_parsing."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from platformdirs import user_data_path

from quizbot import env_parsing as parse
from quizbot.env_parsing import LOG_LEVELS, EnvReader
from quizbot.errors import ConfigError


@dataclass(frozen=True, slots=True)
class Secret:
    """A string that never shows itself in repr or logs."""

    value: str = field(repr=False)

    def __repr__(self) -> str:
        return "Secret('***')" if self.value else "Secret('')"

    def __bool__(self) -> bool:
        return bool(self.value)


LLM_PROVIDERS = ("openai", "anthropic", "google")
DEFAULT_MODELS = {
    "openai": "gpt-4o-mini",
    "anthropic": "claude-haiku-4-5",
    "google": "gemini-2.5-flash",
}
API_KEY_VARIABLES = {
    "openai": ("OPENAI_API_KEY",),
    "anthropic": ("ANTHROPIC_API_KEY",),
    "google": ("GOOGLE_API_KEY", "GEMINI_API_KEY"),
}
REPLICA_INDEX_EXPECTED = "a whole number from 0, or a StatefulSet pod name ending in one (quizbot-3)"
MIN_ADMIN_TOKEN = 16


@dataclass(frozen=True, slots=True)
class ProviderSettings:
    """One LLM provider: its API key (a Secret), model, optional base URL and request budget."""

    name: str
    api_key: Secret = Secret("")
    model: str = ""
    base_url: str | None = field(default=None, repr=False)  # may hold credentials
    requests_per_minute: int = 20

    @property
    def configured(self) -> bool:
        """True when the provider has an API key, so quizbot may ask it for questions."""
        return bool(self.api_key)


def _default_provider(name: str) -> ProviderSettings:
    return ProviderSettings(name, model=DEFAULT_MODELS[name])


@dataclass(frozen=True, slots=True)
class LLMSettings:
    """The LLM question providers: keys, models, base URLs, rate limits, timeouts, retries, cache."""

    openai: ProviderSettings = field(default_factory=lambda: _default_provider("openai"))
    anthropic: ProviderSettings = field(default_factory=lambda: _default_provider("anthropic"))
    google: ProviderSettings = field(default_factory=lambda: _default_provider("google"))
    preferred: str | None = None  # tried first when a request names no provider
    request_timeout: float = 20.0  # one HTTP request
    total_timeout: float = 45.0  # a whole prepare(), every provider and retry included
    attempts: int = 3  # per provider, for 429, 5xx and timeouts
    breaker_failures: int = 3  # failed calls in a row that open a provider's circuit
    breaker_cooldown: float = 60.0  # seconds an open circuit skips the provider
    cache_ttl: float = 1800.0  # seconds a generated set is reused
    cache_size: int = 128  # generated sets kept

    @property
    def providers(self) -> tuple[ProviderSettings, ...]:
        """All three providers, in fallback order."""
        return (self.openai, self.anthropic, self.google)

    @property
    def configured(self) -> tuple[ProviderSettings, ...]:
        """The providers that have an API key, in fallback order."""
        return tuple(p for p in self.providers if p.configured)

    def provider(self, name: str) -> ProviderSettings:
        """The settings of the provider called `name` (openai, anthropic or google)."""
        for provider in self.providers:
            if provider.name == name:
                return provider
        raise KeyError(name)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> LLMSettings:
        """Read the API keys and every QUIZBOT_LLM_* / QUIZBOT_<PROVIDER>_* variable."""
        env = os.environ if environ is None else environ
        reader = EnvReader(env)
        openai, anthropic, google = (_provider_from_env(name, env, reader) for name in LLM_PROVIDERS)
        preferred = reader.get(
            "QUIZBOT_LLM_PROVIDER", parse.choice(LLM_PROVIDERS), "one of " + ", ".join(LLM_PROVIDERS), None
        )
        keyed = {p.name for p in (openai, anthropic, google) if p.configured}
        if preferred is not None and preferred not in keyed:
            wanted = " or ".join(API_KEY_VARIABLES[preferred])
            raise ConfigError(
                "QUIZBOT_LLM_PROVIDER", f"a provider whose API key is set ({wanted})", preferred
            )
        total = reader.get("QUIZBOT_LLM_TIMEOUT", parse.seconds, "seconds above 0", 45.0)
        request = reader.get(
            "QUIZBOT_LLM_REQUEST_TIMEOUT", parse.seconds, "seconds above 0", min(20.0, total)
        )
        if request > total:
            raise ConfigError(
                "QUIZBOT_LLM_REQUEST_TIMEOUT", f"at most QUIZBOT_LLM_TIMEOUT ({total:g})", str(request)
            )
        return cls(
            openai=openai,
            anthropic=anthropic,
            google=google,
            preferred=preferred,
            request_timeout=request,
            total_timeout=total,
            attempts=reader.get(
                "QUIZBOT_LLM_ATTEMPTS", parse.int_in(1, 10), "a whole number from 1 to 10", 3
            ),
            breaker_failures=reader.get(
                "QUIZBOT_LLM_BREAKER_FAILURES", parse.int_in(1, 100), "a whole number from 1 to 100", 3
            ),
            breaker_cooldown=reader.get(
                "QUIZBOT_LLM_BREAKER_COOLDOWN", parse.seconds, "seconds above 0", 60.0
            ),
            cache_ttl=reader.get("QUIZBOT_LLM_CACHE_TTL", parse.seconds, "seconds above 0", 1800.0),
            cache_size=reader.get(
                "QUIZBOT_LLM_CACHE_SIZE", parse.int_in(0, 100_000), "a whole number from 0 to 100000", 128
            ),
        )


def _provider_from_env(name: str, env: Mapping[str, str], reader: EnvReader) -> ProviderSettings:
    upper = name.upper()
    key = next((env[v].strip() for v in API_KEY_VARIABLES[name] if env.get(v, "").strip()), "")
    return ProviderSettings(
        name=name,
        api_key=Secret(key),
        model=reader.get(
            f"QUIZBOT_{upper}_MODEL",
            parse.model_name,
            "a model name (letters, digits and . _ : / @ -)",
            DEFAULT_MODELS[name],
        ),
        base_url=reader.get(
            f"QUIZBOT_{upper}_BASE_URL", parse.http_url, "an http:// or https:// URL", None, redact_url
        ),
        requests_per_minute=reader.get(
            f"QUIZBOT_{upper}_RPM", parse.int_in(1, 10_000), "a whole number from 1 to 10000", 20
        ),
    )


@dataclass(frozen=True, slots=True)
class WebSettings:
    """The web view (boards, profiles, live games, admin status): served only when `port` is set."""

    port: int | None = None
    host: str = "127.0.0.1"  # loopback unless QUIZBOT_WEB_HOST widens it
    admin_token: Secret = Secret("")  # the admin status page is off without one
    requests_per_minute: int = 120  # per client address
    public_url: str | None = None  # where people reach it (a proxy's address); links the bot sends use it

    @property
    def enabled(self) -> bool:
        """True when `quizbot run` and `quizbot demo` should serve the web view."""
        return self.port is not None

    @property
    def base_url(self) -> str:
        """The address links to the web view start with: QUIZBOT_WEB_PUBLIC_URL, else http://host:port."""
        if self.public_url:
            return self.public_url
        host = f"[{self.host}]" if ":" in self.host else self.host  # an IPv6 address
        return f"http://{host}:{self.port}"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> WebSettings:
        """Read QUIZBOT_WEB_PORT, QUIZBOT_WEB_HOST, QUIZBOT_WEB_ADMIN_TOKEN, QUIZBOT_WEB_RATE and
        QUIZBOT_WEB_PUBLIC_URL."""
        env = os.environ if environ is None else environ
        reader = EnvReader(env)
        token = env.get("QUIZBOT_WEB_ADMIN_TOKEN", "").strip()
        if token and len(token) < MIN_ADMIN_TOKEN:
            raise ConfigError(
                "QUIZBOT_WEB_ADMIN_TOKEN", f"at least {MIN_ADMIN_TOKEN} characters (a long random string)"
            )
        return cls(
            port=reader.get(
                "QUIZBOT_WEB_PORT", parse.int_in(1, 65_535), "a port number from 1 to 65535", None
            ),
            host=reader.get(
                "QUIZBOT_WEB_HOST", parse.host, "a host name or IP address to listen on", "127.0.0.1"
            ),
            admin_token=Secret(token),
            requests_per_minute=reader.get(
                "QUIZBOT_WEB_RATE", parse.int_in(1, 100_000), "a whole number from 1 to 100000", 120
            ),
            public_url=reader.get(
                "QUIZBOT_WEB_PUBLIC_URL", parse.http_url, "an http(s)://host[:port][/path] URL", None
            ),
        )


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything quizbot reads from its environment, validated."""

    discord_token: Secret = Secret("")
    database_url: str | None = field(default=None, repr=False)  # may hold a password
    data_dir: Path = field(default_factory=lambda: user_data_path("quizbot") / "pgdata")
    pool_min_size: int = 2
    pool_max_size: int = 10
    pool_acquire_timeout: float = 10.0
    connect_attempts: int = 5
    log_level: str = "INFO"
    shard_count: int | None = None
    shard_ids: tuple[int, ...] = ()
    snapshot_interval: float = 1.0
    snapshot_ttl: float = 3600.0
    idle_timeout: float = 1800.0
    typed_answers: bool = False  # asks Discord for message content, so players can type answers
    discord_api_base: str | None = None  # another Discord REST base (the loopback double)
    llm: LLMSettings = field(default_factory=LLMSettings)
    web: WebSettings = field(default_factory=WebSettings)

    @property
    def embedded(self) -> bool:
        """True when quizbot should start its own PostgreSQL in `data_dir`."""
        return self.database_url is None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read and validate every QUIZBOT_* / DISCORD_TOKEN / DATABASE_URL variable."""
        env = os.environ if environ is None else environ
        reader = EnvReader(env)
        pool_min = reader.get("QUIZBOT_POOL_MIN", parse.int_in(0, 100), "a whole number from 0 to 100", 2)
        pool_max = reader.get("QUIZBOT_POOL_MAX", parse.int_in(1, 500), "a whole number from 1 to 500", 10)
        if pool_max < pool_min:
            raise ConfigError("QUIZBOT_POOL_MAX", f"at least QUIZBOT_POOL_MIN ({pool_min})", str(pool_max))
        shard_count, shard_ids = _shards_from_env(env, reader)
        data_dir = reader.get("QUIZBOT_DATA_DIR", Path, "a folder path", None)
        return cls(
            discord_token=Secret(env.get("DISCORD_TOKEN", "").strip()),
            database_url=reader.get(
                "DATABASE_URL",
                parse.database_url,
                "a postgresql://user@host:port/db URL",
                None,
                redact_url,
            ),
            data_dir=data_dir if data_dir is not None else user_data_path("quizbot") / "pgdata",
            pool_min_size=pool_min,
            pool_max_size=pool_max,
            pool_acquire_timeout=reader.get(
                "QUIZBOT_POOL_ACQUIRE_TIMEOUT", parse.seconds, "seconds above 0", 10.0
            ),
            connect_attempts=reader.get(
                "QUIZBOT_CONNECT_ATTEMPTS", parse.int_in(1, 100), "a whole number from 1 to 100", 5
            ),
            log_level=reader.get(
                "QUIZBOT_LOG_LEVEL", parse.log_level, "one of " + ", ".join(LOG_LEVELS), "INFO"
            ),
            shard_count=shard_count,
            shard_ids=shard_ids,
            snapshot_interval=reader.get("QUIZBOT_SNAPSHOT_INTERVAL", parse.seconds, "seconds above 0", 1.0),
            snapshot_ttl=reader.get("QUIZBOT_SNAPSHOT_TTL", parse.seconds, "seconds above 0", 3600.0),
            idle_timeout=reader.get("QUIZBOT_IDLE_TIMEOUT", parse.seconds, "seconds above 0", 1800.0),
            typed_answers=reader.get("QUIZBOT_TYPED_ANSWERS", parse.boolean, "true or false", False),
            discord_api_base=reader.get(
                "QUIZBOT_DISCORD_API_BASE", parse.http_url, "an http(s)://host:port/api/v10 URL", None
            ),
            llm=LLMSettings.from_env(env),
            web=WebSettings.from_env(env),
        )


def replica_shards(shard_count: int, replicas: int, index: int) -> tuple[int, ...]:
    """The shards replica `index` of `replicas` serves: every shard s with s % replicas == index.

    Replicas 0 to replicas - 1 together serve each of the `shard_count` shards exactly once.
    """
    if not 0 <= index < replicas <= shard_count:
        raise ValueError(f"replica {index} of {replicas} over {shard_count} shards")
    return tuple(range(index, shard_count, replicas))


def _shards_from_env(env: Mapping[str, str], reader: EnvReader) -> tuple[int | None, tuple[int, ...]]:
    """QUIZBOT_SHARD_COUNT, and the shards this process serves: QUIZBOT_SHARD_IDS as listed, or those
    of replica QUIZBOT_REPLICA_INDEX of QUIZBOT_REPLICAS (a StatefulSet's pods), or all (empty)."""
    shard_count = reader.get("QUIZBOT_SHARD_COUNT", parse.int_in(1, 10_000), "a whole number from 1", None)
    no_shards: tuple[int, ...] = ()
    shard_ids = reader.get(
        "QUIZBOT_SHARD_IDS", parse.int_list, "a comma-separated list of shard numbers", no_shards
    )
    replicas = reader.get("QUIZBOT_REPLICAS", parse.int_in(1, 10_000), "a whole number from 1", None)
    index = reader.get("QUIZBOT_REPLICA_INDEX", parse.replica_index, REPLICA_INDEX_EXPECTED, None)
    if shard_ids and shard_count is None:
        raise ConfigError("QUIZBOT_SHARD_COUNT", "set whenever QUIZBOT_SHARD_IDS is set")
    if shard_count is not None and any(s >= shard_count for s in shard_ids):
        raise ConfigError("QUIZBOT_SHARD_IDS", f"shard numbers below {shard_count}", env["QUIZBOT_SHARD_IDS"])
    if replicas is None and index is None:
        return shard_count, shard_ids
    if replicas is None:
        raise ConfigError("QUIZBOT_REPLICAS", "set whenever QUIZBOT_REPLICA_INDEX is set")
    if index is None:
        raise ConfigError("QUIZBOT_REPLICA_INDEX", "set whenever QUIZBOT_REPLICAS is set")
    if shard_count is None:
        raise ConfigError("QUIZBOT_SHARD_COUNT", "set whenever QUIZBOT_REPLICAS is set")
    if shard_ids:
        raise ConfigError(
            "QUIZBOT_SHARD_IDS",
            "unset when QUIZBOT_REPLICAS is set (each replica's shards follow from its index)",
            env["QUIZBOT_SHARD_IDS"],
        )
    if replicas > shard_count:
        raise ConfigError("QUIZBOT_REPLICAS", f"at most QUIZBOT_SHARD_COUNT ({shard_count})", str(replicas))
    if index >= replicas:
        raise ConfigError(
            "QUIZBOT_REPLICA_INDEX", f"below QUIZBOT_REPLICAS ({replicas})", env["QUIZBOT_REPLICA_INDEX"]
        )
    return shard_count, replica_shards(shard_count, replicas, index)


def redact_url(url: str) -> str:
    """The URL with any password replaced by ***, safe to print or log."""
    # Up to the last @ before the query, so a password holding an unescaped @ or / is hidden whole.
    url = re.sub(r"(://[^:/@?#]*:)[^?#]*@", r"\1***@", url)
    return re.sub(r"([?&]password=)[^&#]*", r"\1***", url, flags=re.IGNORECASE)
