"""Writes closed questions' answers and finished runs, with member totals and leaderboard rollups.

Each write is one statement in one transaction: the answer rows (a replay inserts nothing), the
users, the members' XP, level and streak, and the leaderboard rollups all move together, and only
for answers that were actually inserted, so replaying a batch after a restart never counts twice.

The daily-streak rule lives here, in _RECORD_ANSWERS, and nowhere else: a batch's play day is the
calendar day of its latest answer in the guild's time zone (game.progression.play_day; UTC for solo
play); the same day again keeps the streak, the next day adds one, a later day starts again at 1.

Every answer is also a review of its player's study card for the question (game.reviews, FSRS):
locking the members reads the players' cards in the same statement, the new cards are worked out
here, and the write upserts them and appends to the review log for the inserted answers only, so
the cards ride in the answers' own transaction with no extra round trip, and a replay reviews nothing.

Writes lock shared rows (users, then members, then rollups, each in key order), so two batches
with players in common, closing at once in any guilds, wait for each other instead of deadlocking.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import asyncpg

from quizbot.game.progression import STREAK_MULTIPLIERS, level_thresholds, play_day
from quizbot.game.reviews import CardState, Recall, ReviewCard, review
from quizbot.storage.guilds import time_zone_sql
from quizbot.storage.pool import Database
from quizbot.storage.records import AnswerBatch, AnswerRow, FinishedRun, MemberProgress

# Spreads each source row `src(user_id, at, category, points, correct, wrong, quizzes)` over the
# 16 rollups it feeds: {its guild, global (0)} x {its category, all '*'} x {day, week, month, all},
# and, when the guild's season ran at that moment, 2 more: its guild x {its category, '*'} x season
# (period_start: 1970-01-01 plus the season's id; one probe of seasons_window_idx per source row).
# Solo play's guild is 0, the global scope itself: DISTINCT feeds it once, not twice.
_ROLLUP_UPSERT = """
rollup AS (
    INSERT INTO leaderboard_rollups AS r
        (scope_id, category, period, period_start, user_id, points, correct, wrong, quizzes)
    SELECT scope.id, cat.name, p.code, p.start, src.user_id,
           sum(src.points), sum(src.correct), sum(src.wrong), sum(src.quizzes)
    FROM src
    LEFT JOIN LATERAL (
        SELECT DATE '1970-01-01' + s.season_id AS start FROM seasons s
        WHERE s.guild_id = $2 AND s.started_at <= src.at AND (s.ended_at IS NULL OR src.at < s.ended_at)
        ORDER BY s.started_at DESC LIMIT 1
    ) AS season_of ON true
    CROSS JOIN LATERAL (SELECT DISTINCT v.id FROM (VALUES ($2::bigint), (0::bigint)) AS v (id)) AS scope
    CROSS JOIN LATERAL (VALUES (src.category), ('*')) AS cat (name)
    CROSS JOIN LATERAL (VALUES
        ('d'::"char", (src.at AT TIME ZONE 'UTC')::date),
        ('w'::"char", date_trunc('week', src.at AT TIME ZONE 'UTC')::date),
        ('m'::"char", date_trunc('month', src.at AT TIME ZONE 'UTC')::date),
        ('a'::"char", DATE '1970-01-01'),
        ('s'::"char", season_of.start)
    ) AS p (code, start)
    WHERE p.code <> 's' OR (p.start IS NOT NULL AND scope.id <> 0)
    GROUP BY scope.id, cat.name, p.code, p.start, src.user_id
    ORDER BY scope.id, cat.name, p.code, p.start, src.user_id  -- the lock order: see the docstring
    ON CONFLICT (scope_id, category, period, period_start, user_id) DO UPDATE SET
        points = r.points + EXCLUDED.points,
        correct = r.correct + EXCLUDED.correct,
        wrong = r.wrong + EXCLUDED.wrong,
        quizzes = r.quizzes + EXCLUDED.quizzes
    RETURNING 1
)"""

# Before the write, the batch's users and members are locked (made when new) in user order: every
# writer then takes users, members and rollups in that order, each in key order, and two writers
# with players in common wait for each other instead of deadlocking. ON CONFLICT DO UPDATE locks a
# row even when its WHERE is false, so an unchanged name or member is locked without being rewritten.
# Locking the members also reads the guild's time zone, which the play day needs, and the players'
# study cards for the question (a row each, or one row of NULLs when there are none): no extra round trip.
_LOCK_USERS = """
INSERT INTO users AS u (user_id, username)
SELECT user_id, username FROM unnest($1::bigint[], $2::text[]) AS t (user_id, username) ORDER BY user_id
ON CONFLICT (user_id) DO UPDATE SET username = EXCLUDED.username
WHERE u.username IS DISTINCT FROM EXCLUDED.username
"""

_LOCK_MEMBERS = f"""
WITH locked AS (
    INSERT INTO guild_members AS m (guild_id, user_id)
    SELECT $1, user_id FROM unnest($2::bigint[]) AS t (user_id) ORDER BY user_id
    ON CONFLICT (guild_id, user_id) DO UPDATE SET user_id = EXCLUDED.user_id WHERE false
)
SELECT zone.time_zone, c.user_id, c.due, c.stability, c.difficulty, c.state, c.step, c.last_review
FROM (SELECT {time_zone_sql("$1")} AS time_zone) AS zone
LEFT JOIN review_cards c ON c.question_id = $3 AND c.user_id = ANY ($2::bigint[])
"""

_RECORD_ANSWERS = f"""
WITH input AS (
    SELECT * FROM unnest($6::bigint[], $7::text[], $8::bool[], $9::int[], $10::bigint[],
                         $11::timestamptz[], $17::smallint[], $18::smallint[], $19::timestamptz[],
                         $20::float8[], $21::float8[], $22::smallint[], $23::smallint[])
        AS t (user_id, username, correct, points, xp, answered_at, rating, state_before, due,
              stability, card_difficulty, state, step)
),
inserted AS (
    INSERT INTO answers (run_id, question_index, user_id, guild_id, channel_id, category,
                         difficulty, correct, points, answered_at, question_id)
    SELECT $1, $4, user_id, $2, $3, $5, $12, correct, points, answered_at, $16 FROM input
    ON CONFLICT (run_id, question_index, user_id) DO NOTHING
    RETURNING user_id
),
fresh AS (
    SELECT input.* FROM input JOIN inserted USING (user_id)
),
streaks AS (
    SELECT fresh.user_id, fresh.correct, fresh.points, fresh.xp AS base_xp,
           coalesce(old.level, 1) AS old_level,
           CASE WHEN old.last_played_day IS NULL OR $15::date > old.last_played_day + 1 THEN 1
                WHEN $15::date = old.last_played_day + 1 THEN old.current_streak + 1
                ELSE greatest(old.current_streak, 1)
           END AS streak
    FROM fresh
    LEFT JOIN guild_members old ON old.guild_id = $2 AND old.user_id = fresh.user_id
),
earned AS (  -- XP times the daily-streak multiplier (the game's STREAK_MULTIPLIERS)
    SELECT streaks.*,
           round(base_xp * ($14::float8[])[least(streak, cardinality($14::float8[]))])::bigint AS xp
    FROM streaks
),
members AS (
    INSERT INTO guild_members AS m (guild_id, user_id, points, correct, wrong, xp, level,
                                    current_streak, best_streak, last_played_day)
    SELECT $2, user_id, points, correct::int, (NOT correct)::int, xp,
           (SELECT count(*) FROM unnest($13::bigint[]) AS t (need) WHERE need <= xp),
           streak, streak, $15::date
    FROM earned ORDER BY user_id
    ON CONFLICT (guild_id, user_id) DO UPDATE SET
        points = m.points + EXCLUDED.points,
        correct = m.correct + EXCLUDED.correct,
        wrong = m.wrong + EXCLUDED.wrong,
        xp = m.xp + EXCLUDED.xp,
        level = (SELECT count(*) FROM unnest($13::bigint[]) AS t (need)
                 WHERE need <= m.xp + EXCLUDED.xp),
        current_streak = EXCLUDED.current_streak,
        best_streak = greatest(m.best_streak, EXCLUDED.current_streak),
        last_played_day = greatest(m.last_played_day, EXCLUDED.last_played_day)
    RETURNING user_id, xp, level, current_streak, best_streak
),
src AS (
    SELECT user_id, answered_at AS at, $5::text AS category, points,
           correct::int AS correct, (NOT correct)::int AS wrong, 0 AS quizzes
    FROM fresh
),
cards AS (  -- each new answer reviews its player's card (worked out by game.reviews from the card read)
    INSERT INTO review_cards AS c (user_id, question_id, due, stability, difficulty, state, step,
                                   last_review)
    SELECT user_id, $16, due, stability, card_difficulty, state, step, answered_at
    FROM fresh WHERE $16::text IS NOT NULL ORDER BY user_id
    ON CONFLICT (user_id, question_id) DO UPDATE SET
        due = EXCLUDED.due, stability = EXCLUDED.stability, difficulty = EXCLUDED.difficulty,
        state = EXCLUDED.state, step = EXCLUDED.step, last_review = EXCLUDED.last_review,
        reviews = c.reviews + 1
    RETURNING 1
),
logged AS (
    INSERT INTO review_log (user_id, question_id, reviewed_at, rating, state_before, study)
    SELECT user_id, $16, answered_at, rating, state_before, $2 = 0
    FROM fresh WHERE $16::text IS NOT NULL
    RETURNING 1
),
{_ROLLUP_UPSERT}
SELECT members.*, earned.old_level, earned.xp AS xp_gained, (SELECT count(*) FROM rollup) AS rolled,
       (SELECT count(*) FROM cards) AS reviewed, (SELECT count(*) FROM logged) AS logged
FROM members JOIN earned USING (user_id)
"""

_RECORD_RUN = f"""
WITH run AS (
    INSERT INTO quiz_runs (run_id, guild_id, channel_id, host_id, topic, category, difficulty,
                           question_count, participants, outcome, started_at, finished_at)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, cardinality($11::bigint[]), $9, $10, $12)
    ON CONFLICT (run_id) DO NOTHING
    RETURNING run_id
),
locked AS (
    SELECT user_id FROM guild_members
    WHERE guild_id = $2 AND user_id = ANY ($11::bigint[]) AND EXISTS (SELECT 1 FROM run)
    ORDER BY user_id
    FOR UPDATE
),
counted AS (
    UPDATE guild_members AS m SET quizzes = m.quizzes + 1
    FROM locked WHERE m.guild_id = $2 AND m.user_id = locked.user_id
    RETURNING m.user_id
),
src AS (
    SELECT user_id, $12::timestamptz AS at, $6::text AS category, 0 AS points, 0 AS correct,
           0 AS wrong, 1 AS quizzes
    FROM unnest($11::bigint[]) AS t (user_id)
    WHERE EXISTS (SELECT 1 FROM run)
),
{_ROLLUP_UPSERT}
SELECT (SELECT count(*) FROM run) AS recorded, (SELECT count(*) FROM counted) AS counted,
       (SELECT count(*) FROM rollup) AS rolled
"""


async def record_answers(
    db: Database, batch: AnswerBatch, *, connection: asyncpg.Connection | None = None
) -> list[MemberProgress]:
    """Record one closed question's answers; return progress for the members it counted.

    A replay of a batch already recorded inserts nothing and returns an empty list.
    """
    if not batch.answers:
        return []
    answers = batch.answers
    args = (
        batch.run_id,
        batch.guild_id,
        batch.channel_id,
        batch.question_index,
        batch.category,
        [a.user_id for a in answers],
        [a.username for a in answers],
        [a.correct for a in answers],
        [a.points for a in answers],
        [a.xp for a in answers],
        [a.answered_at for a in answers],
        batch.difficulty.value,
        list(level_thresholds()),
        list(STREAK_MULTIPLIERS),
    )

    async def write(conn: asyncpg.Connection) -> list[MemberProgress]:
        await conn.execute(_LOCK_USERS, args[5], args[6])
        read = await conn.fetch(_LOCK_MEMBERS, batch.guild_id, args[5], batch.question_id)
        cards = _reviewed(answers, {r["user_id"]: r for r in read if r["user_id"] is not None})
        day = play_day(batch.closed_at, read[0]["time_zone"])
        rows = await conn.fetch(_RECORD_ANSWERS, *args, day, batch.question_id, *cards)
        return [
            MemberProgress(
                user_id=r["user_id"],
                xp=r["xp"],
                level=r["level"],
                current_streak=r["current_streak"],
                best_streak=r["best_streak"],
                xp_gained=r["xp_gained"],
                leveled_up=r["level"] > r["old_level"],
            )
            for r in rows
        ]

    return await db.run(write, connection=connection)


def _reviewed(answers: Sequence[AnswerRow], stored: dict[int, asyncpg.Record]) -> tuple[list[Any], ...]:
    """Each answer's review, as the columns _RECORD_ANSWERS takes: rating, the card's state before
    (0: new), and the card after (due, stability, difficulty, state, step)."""
    columns: tuple[list[Any], ...] = ([], [], [], [], [], [], [])
    for answer in answers:
        row = stored.get(answer.user_id)
        before = None
        if row is not None:
            before = ReviewCard(
                row["due"],
                row["stability"],
                row["difficulty"],
                CardState(row["state"]),
                row["step"],
                row["last_review"],
            )
        recall = Recall(answer.recall or Recall.GOOD)  # set by AnswerRow
        after = review(before, recall, answer.answered_at)
        values = (
            int(recall),
            0 if before is None else int(before.state),
            after.due,
            after.stability,
            after.difficulty,
            int(after.state),
            after.step,
        )
        for column, value in zip(columns, values, strict=True):
            column.append(value)
    return columns


async def record_finished_run(
    db: Database, run: FinishedRun, *, connection: asyncpg.Connection | None = None
) -> bool:
    """Record a finished run and count a quiz for each participant; False if already recorded."""
    args = (
        run.run_id,
        run.guild_id,
        run.channel_id,
        run.host_id,
        run.topic,
        run.category,
        run.difficulty.value,
        run.question_count,
        run.outcome,
        run.started_at,
        list(run.participants),
        run.finished_at,
    )

    async def write(conn: asyncpg.Connection) -> bool:
        row = await conn.fetchrow(_RECORD_RUN, *args)
        return bool(row["recorded"])

    return await db.run(write, connection=connection)
