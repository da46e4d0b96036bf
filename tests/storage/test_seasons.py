"""Seasons: one running per guild, unique names, points counted only while the season runs, the
season board, and the final top 10 archived when it ends."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from freezegun import freeze_time
from freezegun.api import FrozenDateTimeFactory

from quizbot.errors import InvalidValue, NoSeasonRunning, SeasonNameTaken, SeasonRunning
from quizbot.storage.answers import record_answers, record_finished_run
from quizbot.storage.leaderboard import LeaderboardQuery, leaderboard
from quizbot.storage.pool import Database
from quizbot.storage.records import Scope, Timeframe
from quizbot.storage.seasons import (
    archived_season,
    end_season,
    ended_season_names,
    running_season,
    start_season,
)
from tests.storage.factories import NOON, answer, batch, finished_run

SEASON = LeaderboardQuery(Scope.GUILD, 1, timeframe=Timeframe.SEASON)


async def season_board(db: Database, query: LeaderboardQuery = SEASON) -> list[tuple[int, int]]:
    return [(r.user_id, r.points) for r in await leaderboard(db, query, now=NOON)]


async def play(db: Database, at: datetime, *scores: tuple[int, int], guild_id: int = 1) -> None:
    """One question in `guild_id` answered at `at`: (user, points) each."""
    answers = (answer(user, points=points, answered_at=at) for user, points in scores)
    await record_answers(db, batch(*answers, guild_id=guild_id))


async def test_only_one_season_runs_and_names_are_unique(db: Database) -> None:
    """A second start while one runs is refused; an ended season's name cannot be used again, in any case."""
    await start_season(db, 1, "Spring", NOON)
    with pytest.raises(SeasonRunning):
        await start_season(db, 1, "Summer", NOON)
    await start_season(db, 2, "Spring", NOON)  # another guild may use the name
    await end_season(db, 1, NOON + timedelta(days=1))
    with pytest.raises(SeasonNameTaken):
        await start_season(db, 1, "  spring ", NOON + timedelta(days=2))
    summer = await start_season(db, 1, "Summer", NOON + timedelta(days=2))
    assert (await running_season(db, 1)) == summer
    with pytest.raises(NoSeasonRunning):
        await end_season(db, 3, NOON)


@pytest.mark.parametrize("name", ["", "   ", "x" * 65, "two\nlines"])
async def test_bad_names_are_refused(db: Database, name: str) -> None:
    """Empty, over-long and multi-line names are refused before any SQL runs."""
    with pytest.raises(InvalidValue):
        await start_season(db, 1, name, NOON)


async def test_points_count_only_while_the_season_runs(db: Database) -> None:
    """Answers before the start and after the end stay out of the season; those inside count, in
    their own guild only."""
    start = NOON
    await play(db, start - timedelta(seconds=1), (1, 500))
    await start_season(db, 1, "Autumn", start)
    await play(db, start, (1, 10), (2, 20))
    await play(db, start + timedelta(days=3), (2, 5))
    await play(db, start + timedelta(days=3), (3, 999), guild_id=2)  # another guild: no season there
    assert await season_board(db) == [(2, 25), (1, 10)]
    ended = await end_season(db, 1, start + timedelta(days=7))
    await play(db, start + timedelta(days=7), (1, 1000))  # at the end: outside
    assert [(s.user_id, s.points) for s in ended.standings] == [(2, 25), (1, 10)]
    assert await season_board(db) == []  # no running season: an empty board
    global_board = LeaderboardQuery(Scope.GUILD, 2, timeframe=Timeframe.SEASON)
    assert await season_board(db, global_board) == []


async def test_a_late_write_of_an_answer_inside_the_season_counts_for_it(db: Database) -> None:
    """An answer given before the end but written after it still counts for that season (its time
    decides), not for the next one."""
    await start_season(db, 1, "One", NOON)
    await end_season(db, 1, NOON + timedelta(hours=1))
    await start_season(db, 1, "Two", NOON + timedelta(hours=2))
    await play(db, NOON + timedelta(minutes=59), (1, 7))
    await play(db, NOON + timedelta(hours=3), (2, 9))
    assert await season_board(db) == [(2, 9)]


async def test_season_boards_by_category_and_quizzes(db: Database) -> None:
    """A season has category boards too, and finished runs count quizzes in it."""
    await start_season(db, 1, "S", NOON)
    run = uuid.uuid4()
    await record_answers(db, batch(answer(1, points=40), run_id=run, category="history"))
    await record_finished_run(
        db, finished_run(run, (1,), category="history", finished_at=NOON + timedelta(minutes=1))
    )
    [row] = await leaderboard(db, LeaderboardQuery(Scope.GUILD, 1, "history", Timeframe.SEASON), now=NOON)
    assert (row.points, row.quizzes) == (40, 1)
    assert await leaderboard(db, LeaderboardQuery(Scope.GUILD, 1, "science", Timeframe.SEASON)) == []


def test_a_season_board_is_a_servers() -> None:
    """There is no global season board: seasons belong to one guild."""
    with pytest.raises(InvalidValue, match="season"):
        LeaderboardQuery(Scope.GLOBAL, 1, timeframe=Timeframe.SEASON)


async def test_ending_archives_the_top_ten_with_ranks(db: Database) -> None:
    """The archive keeps the 10 best (ties share a rank), readable by name in any case afterwards."""
    await start_season(db, 1, "Winter Cup", NOON)
    await play(db, NOON, *((user, 10 * user) for user in range(1, 13)), (13, 120))
    ended = await end_season(db, 1, NOON + timedelta(days=30))
    assert [s.user_id for s in ended.standings] == [12, 13, 11, 10, 9, 8, 7, 6, 5, 4]
    assert [s.rank for s in ended.standings][:3] == [1, 1, 3]
    again = await archived_season(db, 1, "winter cup")
    assert again is not None
    assert again.standings == ended.standings
    assert again.season.ended_at == NOON + timedelta(days=30)
    assert await archived_season(db, 1, "Summer") is None
    assert await archived_season(db, 2, "Winter Cup") is None


async def test_an_empty_season_ends_with_no_standings(db: Database) -> None:
    """A season nobody played still ends, with an empty archive."""
    await start_season(db, 1, "Quiet", NOON)
    ended = await end_season(db, 1, NOON + timedelta(hours=1))
    assert (ended.season.name, ended.standings) == ("Quiet", [])
    archived = await archived_season(db, 1, "Quiet")
    assert archived is not None
    assert archived.standings == []


async def test_running_seasons_are_not_archived_names(db: Database) -> None:
    """Autocomplete offers ended seasons containing what was typed, newest first; not a running one."""
    for day, name in enumerate(("Alpha", "Beta", "Alphabet")):
        await start_season(db, 1, name, NOON + timedelta(days=2 * day))
        await end_season(db, 1, NOON + timedelta(days=2 * day + 1))
    await start_season(db, 1, "Alpine", NOON + timedelta(days=10))
    assert await ended_season_names(db, 1, "alp") == ["Alphabet", "Alpha"]
    assert await archived_season(db, 1, "Alpine") is None


async def test_season_boundaries_on_a_frozen_clock(db: Database) -> None:
    """With the wall clock frozen and moved, answers made at the moment each season starts count
    for it, those made at its end count for none."""
    with freeze_time(datetime(2026, 12, 31, 23, 59, 59, tzinfo=UTC), real_asyncio=True) as frozen:
        await frozen_seasons(db, frozen)


async def frozen_seasons(db: Database, frozen: FrozenDateTimeFactory) -> None:
    await start_season(db, 1, "2026", datetime.now(UTC))
    await play(db, datetime.now(UTC), (1, 1))
    frozen.tick(timedelta(seconds=1))  # midnight, new year
    await end_season(db, 1, datetime.now(UTC))
    await play(db, datetime.now(UTC), (1, 100))
    await start_season(db, 1, "2027", datetime.now(UTC) + timedelta(seconds=1))
    await play(db, datetime.now(UTC), (1, 1000))  # between the seasons
    frozen.tick(timedelta(seconds=1))
    await play(db, datetime.now(UTC), (2, 5))
    assert await season_board(db) == [(2, 5)]
    archived = await archived_season(db, 1, "2026")
    assert archived is not None
    assert [(s.user_id, s.points) for s in archived.standings] == [(1, 1)]
