"""Recording answers: totals, XP, levels, streaks and rollups move together, and only once."""

from __future__ import annotations

import asyncio
import random
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest

from quizbot.errors import InvalidValue
from quizbot.game.progression import STREAK_MULTIPLIERS, level_for_xp
from quizbot.storage.answers import record_answers, record_finished_run
from quizbot.storage.pool import Backoff, Database
from quizbot.storage.schema import apply_schema
from tests.conftest import connect_to_schema
from tests.storage.factories import NOON, answer, batch, finished_run


async def member(db: Database, user_id: int, guild_id: int = 1) -> dict[str, object]:
    row = await db.pool.fetchrow(
        "SELECT * FROM guild_members WHERE guild_id = $1 AND user_id = $2", guild_id, user_id
    )
    assert row is not None, f"no member row for user {user_id}"
    return dict(row)


async def rollup_total(db: Database, column: str = "points") -> int:
    return int(await db.pool.fetchval(f"SELECT coalesce(sum({column}), 0) FROM leaderboard_rollups"))


async def test_a_batch_counts_every_answer_once(db: Database) -> None:
    """Each user in the batch gets an answer row, member totals and progress back."""
    progress = await record_answers(db, batch(answer(1), answer(2, correct=False)))
    assert sorted(p.user_id for p in progress) == [1, 2]
    first, second = await member(db, 1), await member(db, 2)
    assert (first["points"], first["correct"], first["wrong"], first["xp"]) == (100, 1, 0, 10)
    assert (second["points"], second["correct"], second["wrong"], second["xp"]) == (0, 0, 1, 0)
    assert await db.pool.fetchval("SELECT count(*) FROM answers") == 2
    assert await db.pool.fetchval("SELECT username FROM users WHERE user_id = 1") == "user1"


async def test_replaying_a_batch_counts_nothing_twice(db: Database) -> None:
    """A restart replays the same (run, question, user): nothing changes the second time."""
    question = batch(answer(1), answer(2))
    await record_answers(db, question)
    before = (await member(db, 1), await rollup_total(db), await rollup_total(db, "correct"))
    assert await record_answers(db, question) == []
    after = (await member(db, 1), await rollup_total(db), await rollup_total(db, "correct"))
    assert before == after
    assert await db.pool.fetchval("SELECT count(*) FROM answers") == 2


async def test_a_partly_replayed_batch_counts_only_the_new_answers(db: Database) -> None:
    """If user 1 was recorded before the crash and user 2 was not, only user 2 is added."""
    run = uuid.uuid4()
    await record_answers(db, batch(answer(1), run_id=run))
    progress = await record_answers(db, batch(answer(1), answer(2), run_id=run))
    assert [p.user_id for p in progress] == [2]
    assert (await member(db, 1))["points"] == 100


async def test_every_answer_feeds_sixteen_rollups(db: Database) -> None:
    """Guild and global x category and all x day, week, month and all time."""
    await record_answers(db, batch(answer(1)))
    rows = await db.pool.fetch("SELECT scope_id, category, period, points FROM leaderboard_rollups")
    assert len(rows) == 16
    assert {r["points"] for r in rows} == {100}
    assert {r["scope_id"] for r in rows} == {0, 1}
    assert {r["category"] for r in rows} == {"science", "*"}


async def test_solo_play_counts_once_in_the_global_rollups(db: Database) -> None:
    """A study quiz's guild is 0, which is also the global scope: its answers are not counted twice."""
    await record_answers(db, batch(answer(1), guild_id=0))
    await record_finished_run(db, finished_run(uuid.uuid4(), (1,), guild_id=0))
    rows = await db.pool.fetch("SELECT scope_id, points, quizzes FROM leaderboard_rollups")
    assert len(rows) == 8
    assert {(r["scope_id"], r["points"], r["quizzes"]) for r in rows} == {(0, 100, 1)}


async def test_xp_crossing_a_threshold_raises_the_level(db: Database) -> None:
    """Level follows the game's level curve as XP accumulates across batches."""
    run = uuid.uuid4()
    for index in range(12):
        await record_answers(db, batch(answer(1, xp=10), run_id=run, question_index=index))
    row = await member(db, 1)
    assert row["xp"] == 120
    assert row["level"] == level_for_xp(120) == 2


@pytest.mark.parametrize(
    ("days", "expected_current", "expected_best"),
    [
        ([0, 0], 1, 1),  # twice the same day
        ([0, 1], 2, 2),  # the next day extends the streak
        ([0, 1, 2], 3, 3),
        ([0, 1, 3], 1, 2),  # a missed day restarts it, the best stays
        ([0, 2, 3, 4], 3, 3),
    ],
)
async def test_daily_streaks(
    db: Database, days: list[int], expected_current: int, expected_best: int
) -> None:
    """Playing on consecutive days grows the streak; a gap restarts it; the best is kept."""
    start = date(2026, 11, 1)
    for offset in days:
        moment = datetime(2026, 11, 1, 12, tzinfo=UTC) + timedelta(days=offset)
        await record_answers(db, batch(answer(1, answered_at=moment)))
    row = await member(db, 1)
    assert (row["current_streak"], row["best_streak"]) == (expected_current, expected_best)
    assert row["last_played_day"] == start + timedelta(days=days[-1])


async def test_guilds_keep_separate_progress(db: Database) -> None:
    """The same user earns XP in each guild separately."""
    await record_answers(db, batch(answer(1), guild_id=1))
    await record_answers(db, batch(answer(1, points=50), guild_id=2))
    assert (await member(db, 1, guild_id=1))["points"] == 100
    assert (await member(db, 1, guild_id=2))["points"] == 50


async def test_batches_sharing_players_never_deadlock(server_url: str, schema_name: str) -> None:
    """Twenty questions closing at once, in two guilds, their players in different orders: no deadlock.

    With no retries, a deadlock would surface as a StorageError; rows are locked in key order instead.
    """
    single_try = await connect_to_schema(server_url, schema_name, backoff=Backoff(attempts=1), max_size=20)
    try:
        await apply_schema(single_try)
        shuffler = random.Random(5)
        batches = []
        for n in range(20):
            users = list(range(1, 31))
            shuffler.shuffle(users)
            batches.append(batch(*(answer(u) for u in users), guild_id=1 + n % 2))
        await asyncio.gather(*(record_answers(single_try, b) for b in batches))
        total = await single_try.pool.fetchval("SELECT sum(points) FROM guild_members")
        assert total == 20 * 30 * 100
    finally:
        await single_try.close()


async def test_fifty_concurrent_players_are_each_counted_once(db: Database) -> None:
    """Fifty batches written at once, all for the same users, add up exactly."""
    run = uuid.uuid4()
    users = [answer(user) for user in range(1, 11)]
    writes = [record_answers(db, batch(*users, run_id=run, question_index=q % 20)) for q in range(50)]
    await asyncio.gather(*writes)
    rows = await db.pool.fetch("SELECT points, correct FROM guild_members ORDER BY user_id")
    assert [(r["points"], r["correct"]) for r in rows] == [(2000, 20)] * 10


async def test_a_finished_run_counts_one_quiz_per_participant_once(db: Database) -> None:
    """Recording a run twice counts each participant's quiz once, in totals and rollups."""
    run = uuid.uuid4()
    await record_answers(db, batch(answer(1), answer(2), run_id=run))
    assert await record_finished_run(db, finished_run(run, (1, 2))) is True
    assert await record_finished_run(db, finished_run(run, (1, 2))) is False
    assert (await member(db, 1))["quizzes"] == 1
    assert await rollup_total(db, "quizzes") == 2 * 16


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: answer(1, points=-5), "negative"),
        (lambda: answer(1, xp=-1), "negative"),
        (lambda: answer(1, correct=False, points=10), "wrong answer"),
        (lambda: answer(-1), "user_id"),
        (lambda: answer(1, answered_at=datetime(2026, 1, 1)), "time zone"),
        (lambda: batch(answer(1), answer(1)), "one answer per user"),
        (lambda: batch(answer(1), question_index=20), "question_index"),
        (lambda: batch(answer(1), category=""), "category"),
        (lambda: batch(answer(1), category="*"), "all categories"),
        (lambda: batch(answer(1), guild_id=2**63), "guild_id"),
        (lambda: finished_run(uuid.uuid4(), (1,), question_count=21), "question_count"),
        (lambda: finished_run(uuid.uuid4(), (1,), outcome="won"), "outcome"),
        (lambda: finished_run(uuid.uuid4(), (1,), difficulty="impossible"), "difficulty"),
        (lambda: finished_run(uuid.uuid4(), (1,), finished_at=NOON - timedelta(seconds=1)), "before"),
    ],
)
def test_bad_values_are_refused_before_sql(build: object, message: str) -> None:
    """Out-of-range values raise InvalidValue naming the problem; nothing reaches the database."""
    with pytest.raises(InvalidValue, match=message):
        build()  # type: ignore[operator]


async def test_an_empty_batch_writes_nothing(db: Database) -> None:
    """A question nobody answered records nothing."""
    assert await record_answers(db, batch()) == []
    assert await db.pool.fetchval("SELECT count(*) FROM answers") == 0


async def test_a_daily_streak_multiplies_xp(db: Database) -> None:
    """Day 1 earns the base XP; the third day in a row earns 20% more (STREAK_MULTIPLIERS)."""
    gained = []
    for offset in range(3):
        moment = datetime(2026, 11, 1, 12, tzinfo=UTC) + timedelta(days=offset)
        [progress] = await record_answers(db, batch(answer(1, xp=10, answered_at=moment)))
        gained.append(progress.xp_gained)
    assert gained == [round(10 * m) for m in STREAK_MULTIPLIERS[:3]] == [10, 11, 12]
    assert (await member(db, 1))["xp"] == 33


async def test_progress_says_when_a_member_levels_up(db: Database) -> None:
    """The batch that crosses a level threshold reports leveled_up; the others do not."""
    run = uuid.uuid4()
    flags = []
    for index in range(3):
        [progress] = await record_answers(db, batch(answer(1, xp=40), run_id=run, question_index=index))
        flags.append((progress.level, progress.leveled_up))
    assert flags == [(1, False), (1, False), (2, True)]
