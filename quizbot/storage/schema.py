"""Applies the idempotent schema.sql and reports its version and table sizes."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources

import asyncpg

from quizbot.game.achievements import ACHIEVEMENTS
from quizbot.storage.achievements import AchievementDefinition, sync_achievements
from quizbot.storage.pool import Database

# One advisory lock per schema, so two processes never apply it at once; processes on other
# schemas of the same database do not wait for each other.
SCHEMA_LOCK = "SELECT pg_advisory_xact_lock(hashtextextended('quizbot schema ' || current_schema(), 0))"


def schema_text() -> str:
    """The DDL shipped inside the package (schema.sql at the project's top level)."""
    return resources.files("quizbot").joinpath("schema.sql").read_text(encoding="utf-8")


@dataclass(frozen=True, slots=True)
class TableSize:
    """One table's estimated row count and its size on disk, indexes included."""

    name: str
    rows: int
    total_bytes: int


def catalogue() -> list[AchievementDefinition]:
    """The achievements the game defines, as rows for the achievements table."""
    return [AchievementDefinition(a.achievement_id, a.name, a.description) for a in ACHIEVEMENTS]


async def apply_schema(db: Database) -> int:
    """Apply schema.sql and the achievement catalogue under the schema's advisory lock, in one
    transaction."""

    async def apply(connection: asyncpg.Connection) -> int:
        await connection.execute(SCHEMA_LOCK)
        await connection.execute(schema_text())
        await sync_achievements(db, catalogue(), connection=connection)
        version: int = await connection.fetchval("SELECT version FROM schema_version")
        return version

    return await db.run(apply)


async def schema_version(db: Database) -> int | None:
    """The applied schema version, or None when the schema has never been applied."""

    async def read(connection: asyncpg.Connection) -> int | None:
        query = "SELECT to_regclass('schema_version') IS NOT NULL"
        if not await connection.fetchval(query):
            return None
        version: int | None = await connection.fetchval("SELECT version FROM schema_version")
        return version

    return await db.run(read, transaction=False)


async def table_sizes(db: Database) -> list[TableSize]:
    """Every table in the current schema with estimated rows and total size, largest first."""
    query = """
        SELECT c.relname AS name,
               greatest(c.reltuples, 0)::bigint AS rows,
               pg_total_relation_size(c.oid) AS total_bytes
        FROM pg_class c
        WHERE c.relkind = 'r' AND c.relnamespace = current_schema()::regnamespace
        ORDER BY total_bytes DESC, name
    """

    async def read(connection: asyncpg.Connection) -> list[TableSize]:
        rows = await connection.fetch(query)
        return [TableSize(r["name"], r["rows"], r["total_bytes"]) for r in rows]

    return await db.run(read, transaction=False)


async def ping(db: Database) -> None:
    """Round-trip one trivial query: the container health check."""

    async def select_one(connection: asyncpg.Connection) -> None:
        await connection.fetchval("SELECT 1")

    await db.run(select_one, transaction=False)
