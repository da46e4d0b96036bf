"""Study over PostgreSQL: a player's due cards, the day's new cards, study figures, settings, reminders.

The cards themselves are written with the answers (storage/answers.py); this module reads them.
Day boundaries (due today, the streak, the new-card cap) are the player's local days: their
/study timezone, else the server's where they asked, else UTC, worked out in SQL, so a read is one
round trip. A reminder is claimed by moving its `remind_next` on in the same statement that finds
it (FOR UPDATE SKIP LOCKED, then the row re-checked), so of several processes exactly one gets it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time
from uuid import UUID

import asyncpg

from quizbot.storage.pool import Database

DEFAULT_NEW_PER_DAY = 10
DEFAULT_TIME_ZONE = "UTC"  # a player's zone when neither they nor the server where they asked chose one

# The player's zone: their setting, else the zone the caller passes (the server's), else UTC.
_ZONE = "coalesce((SELECT time_zone FROM study_settings WHERE user_id = $1), $2::text, 'UTC')"


def next_local_sql(now: str, zone: str, at: str) -> str:
    """SQL for the first moment after `now` when it is `at` o'clock in `zone` (DST-safe: local
    arithmetic, then back to UTC)."""
    today = f"(date_trunc('day', {now} AT TIME ZONE {zone}) + {at}) AT TIME ZONE {zone}"
    tomorrow = f"(date_trunc('day', {now} AT TIME ZONE {zone}) + interval '1 day' + {at}) AT TIME ZONE {zone}"
    return f"CASE WHEN {today} > {now} THEN {today} ELSE {tomorrow} END"


@dataclass(frozen=True, slots=True)
class StudyPlan:
    """What /study needs to choose a session's questions: due cards, most overdue first, how many
    new cards the player may still take today, and the questions out of play where they study."""

    due: tuple[str, ...]
    new_allowed: int
    time_zone: str
    hidden: frozenset[str] = frozenset()  # identities hidden there or everywhere: never new cards


# Due cards of questions hidden where the player studies ($5: the guild, 0 for a DM) or everywhere
# are skipped by an anti-join on hidden_questions' key as the due index is walked; the hidden
# identities come back too, so new cards can leave them out without another round trip.
_PLAN_SQL = f"""
WITH zone AS (SELECT {_ZONE} AS tz),
settings AS (
    SELECT coalesce((SELECT new_per_day FROM study_settings WHERE user_id = $1), {DEFAULT_NEW_PER_DAY})
        AS per_day
)
SELECT zone.tz,
       ARRAY(SELECT c.question_id FROM review_cards c
             WHERE c.user_id = $1 AND c.due <= $3
               AND NOT EXISTS (SELECT 1 FROM hidden_questions h
                               WHERE h.guild_id IN (0, $5) AND h.question_id = c.question_id)
             ORDER BY c.due LIMIT $4) AS due,
       greatest(settings.per_day - (
           SELECT count(*) FROM review_log
           WHERE user_id = $1 AND study AND state_before = 0
             AND reviewed_at >= date_trunc('day', $3 AT TIME ZONE zone.tz) AT TIME ZONE zone.tz
       ), 0) AS new_allowed,
       ARRAY(SELECT question_id FROM hidden_questions WHERE guild_id IN (0, $5)) AS hidden
FROM zone, settings
"""


async def study_plan(
    db: Database,
    user_id: int,
    now: datetime,
    *,
    limit: int,
    server_zone: str | None = None,
    guild_id: int = 0,
) -> StudyPlan:
    """Due cards (at most `limit`, most overdue first: one walk of review_cards_due_idx; none of a
    question hidden in `guild_id`, where the player studies, or everywhere), the new cards left
    under today's cap, and the hidden questions, in one round trip."""

    async def read(conn: asyncpg.Connection) -> asyncpg.Record:
        return await conn.fetchrow(_PLAN_SQL, user_id, server_zone, now, limit, guild_id)

    row = await db.run(read, transaction=False)
    return StudyPlan(tuple(row["due"]), int(row["new_allowed"]), row["tz"], frozenset(row["hidden"]))


async def carded(db: Database, user_id: int, identities: Sequence[str]) -> set[str]:
    """Which of these questions the player already has a card for (the rest are new to them)."""
    query = "SELECT question_id FROM review_cards WHERE user_id = $1 AND question_id = ANY ($2::text[])"

    async def read(conn: asyncpg.Connection) -> list[asyncpg.Record]:
        rows: list[asyncpg.Record] = await conn.fetch(query, user_id, list(identities))
        return rows

    return {row["question_id"] for row in await db.run(read, transaction=False)}


async def next_due(db: Database, user_id: int) -> datetime | None:
    """When the player's next card falls due (None: they have no cards); one walk of the due index."""
    query = "SELECT min(due) FROM review_cards WHERE user_id = $1"

    async def read(conn: asyncpg.Connection) -> datetime | None:
        moment: datetime | None = await conn.fetchval(query, user_id)
        return moment

    return await db.run(read, transaction=False)


@dataclass(frozen=True, slots=True)
class StudyStats:
    """A player's study figures, in their own days."""

    due_now: int
    due_today: int
    due_week: int  # due before the end of the seventh local day, today included
    reviews: int
    retention: float | None  # share of reviews of learned cards passed in 30 days; None: none yet
    longest_streak: int  # most consecutive local days with a review
    time_zone: str


_STATS_SQL = f"""
WITH zone AS (SELECT {_ZONE} AS tz),
bounds AS (
    SELECT tz,
           (date_trunc('day', $3 AT TIME ZONE tz) + interval '1 day') AT TIME ZONE tz AS day_end,
           (date_trunc('day', $3 AT TIME ZONE tz) + interval '7 days') AT TIME ZONE tz AS week_end
    FROM zone
),
days AS (
    SELECT DISTINCT (reviewed_at AT TIME ZONE bounds.tz)::date AS day
    FROM review_log, bounds WHERE user_id = $1
),
runs AS (
    SELECT count(*) AS length FROM (
        SELECT day - (row_number() OVER (ORDER BY day))::int AS run FROM days
    ) AS numbered GROUP BY run
),
recent AS (
    SELECT count(*) FILTER (WHERE rating > 1) AS passed, count(*) AS total FROM review_log
    WHERE user_id = $1 AND state_before = 2 AND reviewed_at > $3 - interval '30 days'
)
SELECT bounds.tz,
       (SELECT count(*) FROM review_cards WHERE user_id = $1 AND due <= $3) AS due_now,
       (SELECT count(*) FROM review_cards WHERE user_id = $1 AND due < bounds.day_end) AS due_today,
       (SELECT count(*) FROM review_cards WHERE user_id = $1 AND due < bounds.week_end) AS due_week,
       (SELECT count(*) FROM review_log WHERE user_id = $1) AS reviews,
       recent.passed, recent.total,
       coalesce((SELECT max(length) FROM runs), 0) AS longest_streak
FROM bounds, recent
"""


async def study_stats(
    db: Database, user_id: int, now: datetime, *, server_zone: str | None = None
) -> StudyStats:
    """Due now, today and this week, reviews done, true retention over 30 days (reviews of cards
    in the review state that were passed), and the longest streak of study days."""

    async def read(conn: asyncpg.Connection) -> asyncpg.Record:
        return await conn.fetchrow(_STATS_SQL, user_id, server_zone, now)

    row = await db.run(read, transaction=False)
    retention = row["passed"] / row["total"] if row["total"] else None
    return StudyStats(
        row["due_now"],
        row["due_today"],
        row["due_week"],
        row["reviews"],
        retention,
        row["longest_streak"],
        row["tz"],
    )


@dataclass(frozen=True, slots=True)
class StudySettings:
    """A player's study settings as stored; None where they chose nothing."""

    time_zone: str | None
    new_per_day: int
    remind_at: time | None
    remind_next: datetime | None


async def study_settings(db: Database, user_id: int) -> StudySettings:
    """The player's settings (the defaults when they have none)."""
    query = "SELECT time_zone, new_per_day, remind_at, remind_next FROM study_settings WHERE user_id = $1"

    async def read(conn: asyncpg.Connection) -> asyncpg.Record | None:
        return await conn.fetchrow(query, user_id)

    row = await db.run(read, transaction=False)
    if row is None:
        return StudySettings(None, DEFAULT_NEW_PER_DAY, None, None)
    return StudySettings(row["time_zone"], row["new_per_day"], row["remind_at"], row["remind_next"])


_SET_ZONE = f"""
INSERT INTO study_settings AS s (user_id, time_zone) VALUES ($1, $2)
ON CONFLICT (user_id) DO UPDATE SET time_zone = EXCLUDED.time_zone, updated_at = now(),
    remind_next = CASE WHEN s.remind_at IS NULL THEN NULL
                       ELSE {next_local_sql("$3::timestamptz", "EXCLUDED.time_zone", "s.remind_at")} END
"""


async def set_time_zone(db: Database, user_id: int, zone: str, now: datetime) -> None:
    """Set the player's time zone (an IANA name the caller checked); a reminder moves with it."""

    async def write(conn: asyncpg.Connection) -> None:
        await conn.execute(_SET_ZONE, user_id, zone, now)

    await db.run(write)


async def set_new_per_day(db: Database, user_id: int, count: int) -> None:
    """Set how many new cards a day /study may bring (0 to 100, checked by the caller and the table)."""
    query = """
        INSERT INTO study_settings AS s (user_id, new_per_day) VALUES ($1, $2)
        ON CONFLICT (user_id) DO UPDATE SET new_per_day = EXCLUDED.new_per_day, updated_at = now()
    """

    async def write(conn: asyncpg.Connection) -> None:
        await conn.execute(query, user_id, count)

    await db.run(write)


# A player with no zone of their own keeps the server's they set the reminder in (the sweep that
# moves it on each day knows no server): 08:00 stays 08:00 there, not 08:00 UTC after the first.
_SET_REMINDER = f"""
INSERT INTO study_settings AS s (user_id, time_zone, remind_at, remind_next, locale)
VALUES ($1, $4::text, $2, {next_local_sql("$3::timestamptz", "coalesce($4::text, 'UTC')", "$2::time")}, $5)
ON CONFLICT (user_id) DO UPDATE SET remind_at = EXCLUDED.remind_at, updated_at = now(),
    locale = coalesce(EXCLUDED.locale, s.locale),
    time_zone = coalesce(s.time_zone, EXCLUDED.time_zone),
    remind_next = {next_local_sql("$3::timestamptz", "coalesce(s.time_zone, $4::text, 'UTC')", "$2::time")}
RETURNING remind_next
"""


async def set_reminder(
    db: Database,
    user_id: int,
    at: time,
    now: datetime,
    *,
    server_zone: str | None = None,
    locale: str | None = None,
) -> datetime:
    """Remind the player daily at `at` in their zone (with none, `server_zone` becomes theirs, else
    UTC), worded in `locale` (kept across restarts); return when the first reminder falls."""

    async def write(conn: asyncpg.Connection) -> datetime:
        moment: datetime = await conn.fetchval(_SET_REMINDER, user_id, at, now, server_zone, locale)
        return moment

    return await db.run(write)


async def stop_reminders(db: Database, user_id: int) -> bool:
    """No more reminders for the player; False if they had none."""
    query = """
        UPDATE study_settings SET remind_at = NULL, remind_next = NULL, updated_at = now()
        WHERE user_id = $1 AND remind_at IS NOT NULL
    """

    async def write(conn: asyncpg.Connection) -> bool:
        return bool(await conn.execute(query, user_id) != "UPDATE 0")

    return await db.run(write)


@dataclass(frozen=True, slots=True)
class Reminder:
    """A reminder this process claimed: when it was due, and in which zone."""

    user_id: int
    scheduled: datetime
    time_zone: str
    locale: str | None = None  # the locale the player set their reminder in


_CLAIM_REMINDERS = f"""
UPDATE study_settings AS s
SET remind_next = {next_local_sql("$1::timestamptz", "coalesce(s.time_zone, 'UTC')", "s.remind_at")},
    reminded_for = s.remind_next
WHERE s.user_id = ANY (ARRAY(
        SELECT user_id FROM study_settings WHERE remind_next <= $1 ORDER BY remind_next LIMIT $2
        FOR UPDATE SKIP LOCKED))
  AND s.remind_next <= $1 AND s.remind_at IS NOT NULL
RETURNING s.user_id, s.reminded_for AS scheduled, coalesce(s.time_zone, 'UTC') AS tz, s.locale
"""


async def claim_reminders(db: Database, now: datetime, *, limit: int = 500) -> list[Reminder]:
    """Claim up to `limit` reminders due by `now` (oldest first), moving each to its next day in
    the same statement (compare-and-set): another process never gets the same one. The caller
    sends those whose scheduled moment is still today in their zone and who have cards due
    (`cards_due`), and skips the rest."""

    async def write(conn: asyncpg.Connection) -> list[asyncpg.Record]:
        rows: list[asyncpg.Record] = await conn.fetch(_CLAIM_REMINDERS, now, limit)
        return rows

    rows = await db.run(write, transaction=False)  # one statement: a transaction of its own
    claimed = [Reminder(r["user_id"], r["scheduled"], r["tz"], r["locale"]) for r in rows]
    return sorted(claimed, key=lambda reminder: (reminder.scheduled, reminder.user_id))


_CARDS_DUE = """
SELECT user_id, count(*) AS cards FROM review_cards
WHERE user_id = ANY ($1::bigint[]) AND due <= $2
GROUP BY user_id
"""


async def cards_due(db: Database, user_ids: Sequence[int], now: datetime) -> dict[int, int]:
    """How many cards each of these players has due by `now` (absent: none), in one query."""
    if not user_ids:
        return {}

    async def read(conn: asyncpg.Connection) -> list[asyncpg.Record]:
        rows: list[asyncpg.Record] = await conn.fetch(_CARDS_DUE, list(user_ids), now)
        return rows

    return {row["user_id"]: row["cards"] for row in await db.run(read, transaction=False)}


async def missed_questions(db: Database, run_id: UUID, user_id: int) -> list[str]:
    """The questions (identities) a player answered wrong in one game, in the game's order."""
    query = """
        SELECT question_id FROM answers
        WHERE run_id = $1 AND user_id = $2 AND NOT correct AND question_id IS NOT NULL
        ORDER BY question_index
    """

    async def read(conn: asyncpg.Connection) -> list[asyncpg.Record]:
        rows: list[asyncpg.Record] = await conn.fetch(query, run_id, user_id)
        return rows

    return [row["question_id"] for row in await db.run(read, transaction=False)]


@dataclass(frozen=True, slots=True)
class StudyReset:
    """What /study reset removed."""

    cards: int
    reviews: int
    settings: int


async def reset_study(db: Database, user_id: int) -> StudyReset:
    """Remove the player's cards, review log, settings and reminders, and nothing else, together."""

    async def write(conn: asyncpg.Connection) -> StudyReset:
        counts = []
        for table in ("review_cards", "review_log", "study_settings"):
            status = await conn.execute(f"DELETE FROM {table} WHERE user_id = $1", user_id)
            counts.append(int(status.split()[-1]))
        return StudyReset(*counts)

    return await db.run(write)
