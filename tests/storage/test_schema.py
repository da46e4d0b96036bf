"""The schema applies, applies again without change, and records its version."""

from __future__ import annotations

import asyncio

from quizbot.storage.pool import Database
from quizbot.storage.schema import SCHEMA_LOCK, apply_schema, schema_version, table_sizes
from tests.database import SchemaFactory, connect_to_schema


async def test_schema_applies_twice_and_keeps_its_version(db: Database) -> None:
    """Applying schema.sql a second time succeeds and leaves the version as it was."""
    first = await schema_version(db)
    assert first == await apply_schema(db) == first
    assert first is not None and first >= 1


async def test_table_sizes_list_every_table(db: Database) -> None:
    """table_sizes reports the tables the schema created, in this test's own schema."""
    names = {t.name for t in await table_sizes(db)}
    assert {
        "users",
        "guild_members",
        "answers",
        "leaderboard_rollups",
        "session_snapshots",
        "questions",
    } <= names


# Someone waiting for schema $1's apply lock (an advisory lock's low 32 bits are its objid).
WAITING_FOR_SCHEMA_LOCK = """
    SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted
    AND objid = (hashtextextended('quizbot schema ' || $1, 0) & 4294967295)::oid
"""


async def test_applying_waits_only_for_an_apply_of_the_same_schema(
    db: Database, server_url: str, schema_name: str, schemas: SchemaFactory
) -> None:
    """While one process applies the schema, another on the same schema waits; one on another
    schema of the database goes ahead."""
    other_schema = await schemas.take(applied=False)
    same = await connect_to_schema(server_url, schema_name)
    other = await connect_to_schema(server_url, other_schema)
    try:
        async with db.acquire() as holder, holder.transaction():
            await holder.execute(SCHEMA_LOCK)
            await asyncio.wait_for(apply_schema(other), timeout=10)  # another schema: no wait
            waiting = asyncio.create_task(apply_schema(same))
            while not await holder.fetchval(WAITING_FOR_SCHEMA_LOCK, schema_name):
                assert not waiting.done()
                await asyncio.sleep(0)
        assert await waiting == await schema_version(db)
    finally:
        await same.close()
        await other.close()
        schemas.drop(other_schema)
