"""The schema applies, applies again without change, and records its version."""

from __future__ import annotations

from quizbot.storage.pool import Database
from quizbot.storage.schema import apply_schema, schema_version, table_sizes


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
