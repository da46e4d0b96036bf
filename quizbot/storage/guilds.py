"""Per-guild storage: validated settings, and which bank questions a guild has already seen."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import asdict, dataclass, fields, replace
from functools import cache
from typing import Any
from zoneinfo import available_timezones

import asyncpg

from quizbot.errors import InvalidValue
from quizbot.game.progression import Difficulty
from quizbot.game.values import check_id, parse_enum
from quizbot.storage.pool import Database
from quizbot.storage.records import check_category

MAX_LANGUAGE = 16  # a Discord locale name ("es-419") with room to spare


@dataclass(frozen=True, slots=True)
class GuildSettings:
    """A guild's defaults and preferences, each checked against its allowed range."""

    idle_timeout: int = 1800
    time_zone: str = "UTC"
    typed_answers: bool = False
    default_questions: int = 10
    default_timeout: int = 30
    default_difficulty: Difficulty = Difficulty.MEDIUM

    def __post_init__(self) -> None:
        _check_range("idle_timeout", self.idle_timeout, 60, 86_400)
        _check_range("default_questions", self.default_questions, 1, 20)
        _check_range("default_timeout", self.default_timeout, 5, 120)
        if not isinstance(self.typed_answers, bool):
            raise InvalidValue("typed_answers must be true or false")
        object.__setattr__(
            self,
            "default_difficulty",
            parse_enum(Difficulty, self.default_difficulty, "difficulty"),
        )
        if not isinstance(self.time_zone, str) or canonical_time_zone(self.time_zone) != self.time_zone:
            shown = self.time_zone[:64] if isinstance(self.time_zone, str) else self.time_zone
            raise InvalidValue(f"unknown time zone {shown!r}; use a name like Europe/Paris")

    def changed(self, **changes: Any) -> GuildSettings:
        """A copy with `changes` applied and validated; unknown names are refused."""
        known = {f.name for f in fields(self)}
        unknown = sorted(set(changes) - known)
        if unknown:
            raise InvalidValue(f"unknown setting {', '.join(unknown)}; known: {', '.join(sorted(known))}")
        return replace(self, **changes)

    @classmethod
    def from_stored(cls, stored: dict[str, Any]) -> GuildSettings:
        """Settings from their jsonb form; keys a newer or older version wrote are ignored."""
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in stored.items() if k in known})


def time_zone_sql(guild_id: str) -> str:
    """SQL for the time zone a guild counts its play days in: its setting, else UTC.

    `guild_id` is the SQL that holds the guild's id (a `$n`). Solo play (guild 0) has no settings
    and always counts UTC days. Names were checked by GuildSettings when they were saved.
    """
    return (
        "coalesce((SELECT settings ->> 'time_zone' FROM guild_settings"
        f" WHERE guild_id = {guild_id} AND guild_id <> 0), 'UTC')"
    )


@cache
def _time_zones() -> dict[str, str]:
    """Every IANA zone name this system has, by its lower-case spelling (read once).

    Names are checked against this list, never by opening a file named after user text (a
    5,000-character name once reached the filesystem and failed with "File name too long")."""
    return {zone.lower(): zone for zone in available_timezones()}


def canonical_time_zone(name: str) -> str | None:
    """The IANA zone `name` spells, whatever its case ("europe/paris" -> "Europe/Paris"), or None."""
    return _time_zones().get(name.lower())


def _check_range(name: str, value: object, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidValue(f"{name} must be a whole number from {low} to {high}, got {value!r}")


async def guild_settings(
    db: Database, guild_id: int, *, connection: asyncpg.Connection | None = None
) -> GuildSettings:
    """A guild's settings, or the defaults if it never changed any."""
    check_id(guild_id, "guild_id")

    async def read(conn: asyncpg.Connection) -> GuildSettings:
        stored = await conn.fetchval("SELECT settings FROM guild_settings WHERE guild_id = $1", guild_id)
        return GuildSettings.from_stored(stored or {})

    return await db.run(read, connection=connection, transaction=False)


async def save_guild_settings(
    db: Database,
    guild_id: int,
    settings: GuildSettings,
    *,
    connection: asyncpg.Connection | None = None,
) -> None:
    """Store a guild's settings whole (they were validated when built)."""
    check_id(guild_id, "guild_id")
    query = """
        INSERT INTO guild_settings (guild_id, settings) VALUES ($1, $2)
        ON CONFLICT (guild_id) DO UPDATE SET settings = EXCLUDED.settings, updated_at = now()
    """
    stored = {k: (v.value if isinstance(v, Difficulty) else v) for k, v in asdict(settings).items()}

    async def write(conn: asyncpg.Connection) -> None:
        await conn.execute(query, guild_id, stored)

    await db.run(write, connection=connection)


async def guild_language(
    db: Database, guild_id: int, *, connection: asyncpg.Connection | None = None
) -> str | None:
    """The language a guild's channels were set to speak (/settings set language:), or None."""
    check_id(guild_id, "guild_id")
    query = "SELECT language FROM guild_settings WHERE guild_id = $1"

    async def read(conn: asyncpg.Connection) -> str | None:
        language: str | None = await conn.fetchval(query, guild_id)
        return language

    return await db.run(read, connection=connection, transaction=False)


async def save_guild_language(
    db: Database, guild_id: int, language: str | None, *, connection: asyncpg.Connection | None = None
) -> None:
    """Set the language a guild's channels speak; None goes back to the guild's preferred locale.

    The edge checked `language` against the shipped locales; a stored one that later stops being
    shipped is matched to the nearest shipped locale when read, never refused."""
    check_id(guild_id, "guild_id")
    if language is not None and (not isinstance(language, str) or not 0 < len(language) <= MAX_LANGUAGE):
        raise InvalidValue(f"language must be a locale name of 1 to {MAX_LANGUAGE} characters")
    query = """
        INSERT INTO guild_settings (guild_id, language) VALUES ($1, $2)
        ON CONFLICT (guild_id) DO UPDATE SET language = EXCLUDED.language, updated_at = now()
    """

    async def write(conn: asyncpg.Connection) -> None:
        await conn.execute(query, guild_id, language)

    await db.run(write, connection=connection)


async def mark_asked(
    db: Database,
    guild_id: int,
    seen: Mapping[str, Iterable[str]],
    *,
    connection: asyncpg.Connection | None = None,
) -> None:
    """Remember that a guild has seen these bank questions (category -> ids), in one statement."""
    check_id(guild_id, "guild_id")
    pairs = [(category, question_id) for category, ids in seen.items() for question_id in dict.fromkeys(ids)]
    for category, _ in pairs:
        check_category(category)
    if not pairs:
        return
    query = """
        INSERT INTO asked_questions (guild_id, category, question_id)
        SELECT $1, category, id FROM unnest($2::text[], $3::text[]) AS t (category, id)
        ON CONFLICT DO NOTHING
    """

    async def write(conn: asyncpg.Connection) -> None:
        await conn.execute(query, guild_id, [c for c, _ in pairs], [q for _, q in pairs])

    await db.run(write, connection=connection)


def _categories(categories: Collection[str]) -> list[str]:
    for category in categories:
        check_category(category)
    return list(categories)


async def asked_questions(
    db: Database, guild_id: int, categories: Collection[str], *, connection: asyncpg.Connection | None = None
) -> set[str]:
    """The bank questions of these categories that this guild has already seen."""
    check_id(guild_id, "guild_id")
    query = "SELECT question_id FROM asked_questions WHERE guild_id = $1 AND category = ANY($2::text[])"
    wanted = _categories(categories)

    async def read(conn: asyncpg.Connection) -> set[str]:
        return {r["question_id"] for r in await conn.fetch(query, guild_id, wanted)}

    return await db.run(read, connection=connection, transaction=False)


async def forget_asked(
    db: Database, guild_id: int, categories: Collection[str], *, connection: asyncpg.Connection | None = None
) -> int:
    """Forget these categories' seen questions once they run dry; how many were forgotten."""
    check_id(guild_id, "guild_id")
    query = "DELETE FROM asked_questions WHERE guild_id = $1 AND category = ANY($2::text[])"
    wanted = _categories(categories)

    async def write(conn: asyncpg.Connection) -> int:
        status: str = await conn.execute(query, guild_id, wanted)
        return int(status.rsplit(maxsplit=1)[-1])

    return await db.run(write, connection=connection)


class PostgresAskedQuestions:
    """The bank source's AskedQuestions, bound to one database."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def asked(self, guild_id: int, categories: Collection[str]) -> set[str]:
        return await asked_questions(self.db, guild_id, categories)

    async def forget(self, guild_id: int, categories: Collection[str]) -> int:
        return await forget_asked(self.db, guild_id, categories)

    async def mark(self, guild_id: int, seen: Mapping[str, Iterable[str]]) -> None:
        await mark_asked(self.db, guild_id, seen)
