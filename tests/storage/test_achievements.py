"""Achievement catalogue and grants against the real PostgreSQL."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import asyncpg
import pytest

from quizbot.errors import InvalidValue
from quizbot.game.achievements import ACHIEVEMENTS
from quizbot.storage.achievements import (
    AchievementDefinition,
    grant_achievements,
    member_achievements,
    sync_achievements,
)
from quizbot.storage.pool import Backoff, Database
from tests.conftest import connect_to_schema

GUILD = 91_000_000_000_000_001
OTHER_GUILD = 91_000_000_000_000_002
USER = 71_000_000_000_000_001
OTHER_USER = 71_000_000_000_000_002

CATALOGUE = [
    AchievementDefinition("first_win", "First win", "Win a quiz."),
    AchievementDefinition("streak_7", "On fire", "Play seven days in a row."),
    AchievementDefinition("perfect", "Flawless", "Answer every question of a quiz correctly."),
    AchievementDefinition("polyglot", "Polyglotte ✨", "Réponds dans 5 catégories."),
]
IDS = [d.achievement_id for d in CATALOGUE]


async def catalogue(db: Database) -> dict[str, tuple[str, str]]:
    """The stored catalogue, less the game's own achievements that applying the schema syncs."""
    game_ids = [a.achievement_id for a in ACHIEVEMENTS]

    async def read(conn: asyncpg.Connection) -> dict[str, tuple[str, str]]:
        query = "SELECT achievement_id, name, description FROM achievements WHERE achievement_id <> ALL($1)"
        rows = await conn.fetch(query, game_ids)
        return {r["achievement_id"]: (r["name"], r["description"]) for r in rows}

    return await db.run(read)


async def grant_count(db: Database) -> int:
    """How many grants are stored, across every member."""

    async def read(conn: asyncpg.Connection) -> int:
        count: int = await conn.fetchval("SELECT count(*) FROM user_achievements")
        return count

    return await db.run(read)


@pytest.fixture
async def synced(db: Database) -> Database:
    """The test database with CATALOGUE synced."""
    await sync_achievements(db, CATALOGUE)
    return db


@pytest.fixture
async def slow_retry_db(server_url: str, schema_name: str, synced: Database) -> AsyncIterator[Database]:
    """A pool on the test schema whose retries would take seconds, to show an error is not retried."""
    database = await connect_to_schema(
        server_url, schema_name, backoff=Backoff(attempts=5, base=2.0, cap=2.0)
    )
    yield database
    await database.close()


async def test_sync_inserts_the_catalogue(db: Database) -> None:
    """Syncing an empty table stores every definition as given."""
    await sync_achievements(db, CATALOGUE)
    assert await catalogue(db) == {d.achievement_id: (d.name, d.description) for d in CATALOGUE}


async def test_sync_again_updates_names_and_adds_new(synced: Database) -> None:
    """A later sync updates changed names and descriptions, adds new ids, and keeps the rest."""
    revised = [
        AchievementDefinition("first_win", "Winner!", "Win your first quiz."),
        AchievementDefinition("newcomer", "Newcomer", "Play a quiz."),
    ]
    await sync_achievements(synced, revised)
    stored = await catalogue(synced)
    assert stored["first_win"] == ("Winner!", "Win your first quiz.")
    assert stored["newcomer"] == ("Newcomer", "Play a quiz.")
    assert stored["streak_7"] == ("On fire", "Play seven days in a row.")
    assert len(stored) == len(CATALOGUE) + 1


async def test_sync_same_catalogue_twice_changes_nothing(synced: Database) -> None:
    """Syncing an unchanged catalogue again leaves it as it was."""
    before = await catalogue(synced)
    await sync_achievements(synced, CATALOGUE)
    assert await catalogue(synced) == before


async def test_sync_of_empty_catalogue_is_a_no_op(db: Database) -> None:
    """Syncing no definitions stores nothing and raises nothing."""
    await sync_achievements(db, [])
    assert await catalogue(db) == {}


@pytest.mark.parametrize(
    "definitions",
    [
        [CATALOGUE[0], AchievementDefinition("first_win", "Other", "Same id again.")],
        [CATALOGUE[0], AchievementDefinition("", "Nameless", "Empty id.")],
    ],
    ids=["duplicate-id", "empty-id"],
)
async def test_sync_refuses_duplicate_or_empty_ids(
    db: Database, definitions: list[AchievementDefinition]
) -> None:
    """A catalogue with a repeated or empty id raises InvalidValue and stores nothing."""
    with pytest.raises(InvalidValue, match="non-empty and unique"):
        await sync_achievements(db, definitions)
    assert await catalogue(db) == {}


async def test_grant_returns_the_new_ids(synced: Database) -> None:
    """A first grant returns every id it granted."""
    assert sorted(await grant_achievements(synced, GUILD, USER, ["first_win", "perfect"])) == [
        "first_win",
        "perfect",
    ]


async def test_second_grant_of_the_same_returns_nothing(synced: Database) -> None:
    """Granting achievements a member already holds returns [] and stores no duplicate."""
    await grant_achievements(synced, GUILD, USER, ["first_win", "perfect"])
    assert await grant_achievements(synced, GUILD, USER, ["perfect", "first_win"]) == []
    assert await grant_count(synced) == 2


async def test_grant_returns_only_the_new_ones_of_a_mix(synced: Database) -> None:
    """Of held and new achievements granted together, only the new ones are returned."""
    await grant_achievements(synced, GUILD, USER, ["first_win"])
    assert sorted(await grant_achievements(synced, GUILD, USER, ["first_win", "streak_7", "polyglot"])) == [
        "polyglot",
        "streak_7",
    ]


async def test_grant_repeating_an_id_in_one_call_returns_it_once(synced: Database) -> None:
    """An id repeated in one grant is granted and reported once."""
    assert await grant_achievements(synced, GUILD, USER, ["perfect", "perfect", "perfect"]) == ["perfect"]


async def test_grant_of_nothing_returns_empty(synced: Database) -> None:
    """Granting an empty list returns [] and stores nothing."""
    assert await grant_achievements(synced, GUILD, USER, []) == []
    assert await grant_count(synced) == 0


async def test_grants_are_per_guild_and_per_user(synced: Database) -> None:
    """The same achievement is new again for another guild or another user."""
    assert await grant_achievements(synced, GUILD, USER, ["first_win"]) == ["first_win"]
    assert await grant_achievements(synced, OTHER_GUILD, USER, ["first_win"]) == ["first_win"]
    assert await grant_achievements(synced, GUILD, OTHER_USER, ["first_win"]) == ["first_win"]
    assert [a.achievement_id for a in await member_achievements(synced, OTHER_GUILD, OTHER_USER)] == []


@pytest.mark.parametrize(
    ("guild_id", "user_id", "message"),
    [(-1, USER, "guild_id"), (GUILD, 2**63, "user_id"), (GUILD, True, "user_id")],
    ids=["negative-guild", "user-too-big", "bool-user"],
)
async def test_grant_refuses_bad_ids(synced: Database, guild_id: int, user_id: int, message: str) -> None:
    """A grant to an invalid guild or user id raises InvalidValue naming it."""
    with pytest.raises(InvalidValue, match=message):
        await grant_achievements(synced, guild_id, user_id, ["first_win"])


async def test_concurrent_grants_report_new_exactly_once(synced: Database) -> None:
    """Ten simultaneous grants of one achievement: exactly one reports it new, one row stored."""
    results = await asyncio.gather(
        *(grant_achievements(synced, GUILD, USER, ["streak_7"]) for _ in range(10))
    )
    assert sorted(results) == [[]] * 9 + [["streak_7"]]
    assert await grant_count(synced) == 1


async def test_concurrent_grants_across_processes_report_new_exactly_once(
    synced: Database, server_url: str, schema_name: str
) -> None:
    """Two processes granting the same achievements at once: each id is reported new exactly once."""
    other = await connect_to_schema(server_url, schema_name)
    try:
        results = await asyncio.gather(
            *(grant_achievements(pool, GUILD, USER, IDS) for pool in [synced, other] * 5)
        )
    finally:
        await other.close()
    reported = sorted(achievement for result in results for achievement in result)
    assert reported == sorted(IDS)


async def test_member_achievements_newest_first(synced: Database) -> None:
    """A member's achievements list the most recently granted first, with catalogue names."""
    for achievement in ["first_win", "perfect", "streak_7"]:
        await grant_achievements(synced, GUILD, USER, [achievement])
    held = await member_achievements(synced, GUILD, USER)
    assert [a.achievement_id for a in held] == ["streak_7", "perfect", "first_win"]
    assert held[0].granted_at > held[1].granted_at > held[2].granted_at
    assert (held[1].name, held[1].description) == (
        "Flawless",
        "Answer every question of a quiz correctly.",
    )
    assert held[0].granted_at.tzinfo is not None


async def test_member_achievements_only_that_member_in_that_guild(synced: Database) -> None:
    """member_achievements lists one member's grants in one guild, not others'."""
    await grant_achievements(synced, GUILD, USER, ["first_win"])
    await grant_achievements(synced, OTHER_GUILD, USER, ["perfect"])
    await grant_achievements(synced, GUILD, OTHER_USER, ["streak_7"])
    assert [a.achievement_id for a in await member_achievements(synced, GUILD, USER)] == ["first_win"]


async def test_member_achievements_show_renamed_catalogue(synced: Database) -> None:
    """After a catalogue sync renames an achievement, held ones show the new name."""
    await grant_achievements(synced, GUILD, USER, ["polyglot"])
    await sync_achievements(
        synced, [AchievementDefinition("polyglot", "Polyglot", "Answer in 5 categories.")]
    )
    (held,) = await member_achievements(synced, GUILD, USER)
    assert (held.name, held.description) == ("Polyglot", "Answer in 5 categories.")


async def test_member_with_no_achievements_gets_empty_list(synced: Database) -> None:
    """A member who holds nothing gets []."""
    assert await member_achievements(synced, GUILD, USER) == []


async def test_unknown_achievement_fails_with_foreign_key_violation(synced: Database) -> None:
    """Granting an id missing from the catalogue raises asyncpg's ForeignKeyViolationError."""
    with pytest.raises(asyncpg.ForeignKeyViolationError):
        await grant_achievements(synced, GUILD, USER, ["no_such_achievement"])


async def test_failed_grant_grants_nothing(synced: Database) -> None:
    """A grant mixing a known and an unknown id fails whole: the known one is not granted either."""
    with pytest.raises(asyncpg.ForeignKeyViolationError):
        await grant_achievements(synced, GUILD, USER, ["first_win", "no_such_achievement"])
    assert await member_achievements(synced, GUILD, USER) == []


async def test_constraint_error_is_not_retried(slow_retry_db: Database) -> None:
    """A foreign key violation is raised on the first try: no retry counted, no backoff slept."""
    started = time.perf_counter()
    with pytest.raises(asyncpg.ForeignKeyViolationError):
        await grant_achievements(slow_retry_db, GUILD, USER, ["no_such_achievement"])
    assert slow_retry_db.health().retries == 0
    assert time.perf_counter() - started < 1.5, "a retry with this backoff would sleep up to 2s"


async def test_applying_the_schema_syncs_the_games_achievements(db: Database) -> None:
    """Every achievement the game defines is in the table once the schema is applied."""
    stored = await db.pool.fetch("SELECT achievement_id FROM achievements")
    assert {a.achievement_id for a in ACHIEVEMENTS} <= {r["achievement_id"] for r in stored}
    assert len(ACHIEVEMENTS) >= 15
