"""Members' levels for a team game's Balance: one query, only the guild asked about, strangers left out."""

from __future__ import annotations

import pytest

from quizbot.errors import InvalidValue
from quizbot.storage.pool import Database
from quizbot.storage.stats import member_levels


async def test_levels_of_members_in_one_guild_leave_strangers_out(db: Database) -> None:
    """Levels come from the guild asked about; another guild's level and a user who never played
    there are not in the answer (Balance counts them as level 0)."""
    rows = [(1, 10, 7), (1, 11, 2), (2, 12, 40)]
    await db.pool.executemany(
        "INSERT INTO guild_members (guild_id, user_id, level) VALUES ($1, $2, $3)", rows
    )
    assert await member_levels(db, 1, [10, 11, 12, 13, 10]) == {10: 7, 11: 2}
    assert await member_levels(db, 1, []) == {}


@pytest.mark.parametrize(("guild_id", "user_ids"), [(-1, [1]), (1, [2**63]), (1, [True])])
async def test_ids_that_are_not_snowflakes_are_refused(
    db: Database, guild_id: int, user_ids: list[int]
) -> None:
    """A guild or user id out of range (or a bool) is refused before any SQL runs."""
    with pytest.raises(InvalidValue):
        await member_levels(db, guild_id, user_ids)
