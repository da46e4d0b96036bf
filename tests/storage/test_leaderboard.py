"""Leaderboards: scope x category x timeframe x limit, ranked from rollups by one index walk."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime

import pytest

from quizbot.errors import InvalidValue
from quizbot.storage.answers import record_answers, record_finished_run
from quizbot.storage.leaderboard import LEADERBOARD_SQL, LeaderboardQuery, leaderboard, leaderboard_args
from quizbot.storage.pool import Database
from quizbot.storage.records import Scope, Timeframe
from tests.storage.factories import NOON, answer, batch, finished_run


def board(scope: str = "guild", **fields: object) -> LeaderboardQuery:
    return LeaderboardQuery(scope=Scope(scope), guild_id=fields.pop("guild_id", 1), **fields)  # type: ignore[arg-type]


async def test_ranks_by_points_and_ties_share_a_rank(db: Database) -> None:
    """Higher points rank first; equal points share a rank and the next rank skips."""
    await record_answers(db, batch(answer(1, points=50), answer(2, points=100), answer(3, points=100)))
    rows = await leaderboard(db, board(), now=NOON)
    assert [(r.rank, r.user_id, r.points) for r in rows] == [(1, 2, 100), (1, 3, 100), (3, 1, 50)]
    assert rows[0].username == "user2"


async def test_guild_scope_sees_one_guild_and_global_sees_all(db: Database) -> None:
    """A guild board holds its own members; the global board adds guilds together."""
    await record_answers(db, batch(answer(1, points=100), guild_id=1))
    await record_answers(db, batch(answer(1, points=30), answer(2, points=120), guild_id=2))
    guild_one = await leaderboard(db, board(guild_id=1), now=NOON)
    world = await leaderboard(db, board("global"), now=NOON)
    assert [(r.user_id, r.points) for r in guild_one] == [(1, 100)]
    assert [(r.user_id, r.points) for r in world] == [(1, 130), (2, 120)]


async def test_a_category_board_counts_only_that_category(db: Database) -> None:
    """Category boards split by category; the all-categories board sums them."""
    run = uuid.uuid4()
    await record_answers(db, batch(answer(1, points=100), run_id=run, category="science"))
    await record_answers(
        db,
        batch(answer(1, points=40), answer(2, points=60), run_id=run, question_index=1, category="history"),
    )
    science = await leaderboard(db, board(category="science"), now=NOON)
    history = await leaderboard(db, board(category="history"), now=NOON)
    every = await leaderboard(db, board(), now=NOON)
    assert [(r.user_id, r.points) for r in science] == [(1, 100)]
    assert [(r.user_id, r.points) for r in history] == [(2, 60), (1, 40)]
    assert [(r.user_id, r.points) for r in every] == [(1, 140), (2, 60)]


@pytest.mark.parametrize(
    ("timeframe", "expected"),
    [
        (Timeframe.DAY, 1),  # Wed 18 Nov only
        (Timeframe.WEEK, 1 + 2),  # Mon 16 Nov onwards
        (Timeframe.MONTH, 1 + 2 + 4),  # 1 Nov onwards
        (Timeframe.ALL, 1 + 2 + 4 + 8),
    ],
)
async def test_timeframes_are_calendar_periods_in_utc(
    db: Database, timeframe: Timeframe, expected: int
) -> None:
    """Day, ISO week, month and all time each count the answers inside them."""
    run = uuid.uuid4()
    moments = [
        datetime(2026, 11, 18, 0, 30, tzinfo=UTC),  # today
        datetime(2026, 11, 16, 9, 0, tzinfo=UTC),  # Monday of this week
        datetime(2026, 11, 2, 9, 0, tzinfo=UTC),  # earlier this month
        datetime(2026, 10, 31, 23, 59, tzinfo=UTC),  # last month
    ]
    for index, (moment, points) in enumerate(zip(moments, (1, 2, 4, 8), strict=True)):
        await record_answers(
            db, batch(answer(1, points=points, answered_at=moment), run_id=run, question_index=index)
        )
    rows = await leaderboard(db, board(timeframe=timeframe), now=NOON)
    assert [r.points for r in rows] == [expected]


async def test_correct_wrong_accuracy_and_quizzes(db: Database) -> None:
    """Rows carry correct and wrong counts, accuracy, and quizzes from finished runs."""
    run = uuid.uuid4()
    await record_answers(db, batch(answer(1), run_id=run))
    await record_answers(db, batch(answer(1, correct=False), run_id=run, question_index=1))
    await record_finished_run(db, finished_run(run, (1,)))
    [row] = await leaderboard(db, board(), now=NOON)
    assert (row.correct, row.wrong, row.quizzes, row.accuracy) == (1, 1, 1, 0.5)


async def test_limit_cuts_the_board(db: Database) -> None:
    """Only `limit` rows come back, best first."""
    await record_answers(db, batch(*(answer(u, points=u) for u in range(1, 21))))
    rows = await leaderboard(db, board(limit=5), now=NOON)
    assert [r.user_id for r in rows] == [20, 19, 18, 17, 16]


async def test_an_empty_board_is_empty(db: Database) -> None:
    """A guild with no answers has an empty leaderboard, not an error."""
    assert await leaderboard(db, board(guild_id=99), now=NOON) == []


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"timeframe": "fortnight"}, "unknown timeframe"),
        ({"scope": "planet"}, "unknown scope"),
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
        ({"limit": True}, "limit"),
        ({"category": ""}, "category"),
        ({"category": "x" * 65}, "category"),
        ({"guild_id": -1}, "guild_id"),
    ],
)
def test_bad_queries_are_refused_before_sql(fields: dict[str, object], message: str) -> None:
    """Unknown timeframes or scopes, bad limits and categories raise InvalidValue."""
    values: dict[str, object] = {"scope": "guild", "guild_id": 1, **fields}
    with pytest.raises(InvalidValue, match=message):
        LeaderboardQuery(**values)  # type: ignore[arg-type]


async def test_the_leaderboard_walks_its_index_without_a_sequential_scan(db: Database) -> None:
    """The top N come straight off the rank index: a Limit over its Index Scan, no scan, no big sort."""
    await db.pool.execute(
        """
        INSERT INTO leaderboard_rollups (scope_id, category, period, period_start, user_id, points)
        SELECT g, '*', 'a', DATE '1970-01-01', u, (u * 7919) % 10007
        FROM generate_series(1, 200) g, generate_series(1, 200) u
        """
    )
    await db.pool.execute("INSERT INTO users (user_id) SELECT generate_series(1, 20000)")
    await db.pool.execute("ANALYZE leaderboard_rollups; ANALYZE users")
    args = leaderboard_args(board(guild_id=7), NOON)
    plan = "\n".join(r[0] for r in await db.pool.fetch("EXPLAIN " + LEADERBOARD_SQL, *args))
    assert re.search(r"Limit .*\n\s*->  Index Scan using leaderboard_rollups_rank_idx", plan), plan
    assert "Seq Scan" not in plan, plan
