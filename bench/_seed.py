"""Seeds a benchmark schema with a realistic quizbot data set: COPY for the raw rows, SQL for totals.

The answers come from simulated quiz runs: a guild (big guilds play more) runs 5 to 20 questions in
one category and difficulty; a handful of its members (active members more often) answer most
questions; about 60% of answers are right. Rollups and member totals are then derived from the
seeded answers and runs with the same semantics as `quizbot.storage.answers`.
"""

from __future__ import annotations

import itertools
import random
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import asyncpg

from quizbot.game.progression import STREAK_MULTIPLIERS, level_thresholds

CATEGORIES: tuple[str, ...] = (
    "general",
    "science",
    "history",
    "geography",
    "music",
    "movies",
    "sports",
    "literature",
    "art",
    "technology",
    "nature",
    "food",
)
CATEGORY_WEIGHTS: tuple[int, ...] = (30, 16, 14, 12, 10, 9, 8, 6, 5, 5, 4, 3)
DIFFICULTIES: tuple[str, ...] = ("easy", "medium", "hard")
DIFFICULTY_WEIGHTS: tuple[int, ...] = (35, 45, 20)
DIFFICULTY_SHIFT = {"easy": 0.12, "medium": 0.0, "hard": -0.15}
POINT_RANGE = {"easy": (10, 150), "medium": (40, 220), "hard": (80, 300)}
HISTORY_DAYS = 400
DISCORD_EPOCH_MS = 1_420_070_400_000
ANSWER_COLUMNS = (
    "run_id",
    "question_index",
    "user_id",
    "guild_id",
    "channel_id",
    "category",
    "difficulty",
    "correct",
    "points",
    "answered_at",
)
RUN_COLUMNS = (
    "run_id",
    "guild_id",
    "channel_id",
    "host_id",
    "topic",
    "category",
    "difficulty",
    "question_count",
    "participants",
    "outcome",
    "started_at",
    "finished_at",
)

Answer = tuple[uuid.UUID, int, int, int, int, str, str, bool, int, datetime]
Run = tuple[uuid.UUID, int, int, int, str, str, str, int, int, str, datetime, datetime]


@dataclass(slots=True)
class World:
    """The people and guilds the seeder invented; measurements sample ids from here."""

    now: datetime
    user_ids: list[int]
    guild_ids: list[int]  # largest guild first
    members: dict[int, list[int]]  # guild id -> member user ids
    channels: dict[int, list[int]]  # guild id -> channel ids
    skill: dict[int, float]  # user id -> base chance of a right answer
    answers: int = 0
    runs: int = 0
    timings: dict[str, float] = field(default_factory=dict)

    def guild_weights(self) -> list[int]:
        """Member counts in `guild_ids` order: how often a guild plays or looks at its board."""
        return [len(self.members[g]) for g in self.guild_ids]


def _snowflakes(rng: random.Random, count: int, start_ms: int, end_ms: int) -> list[int]:
    """`count` distinct Discord-like snowflakes created between the two Unix times (ms)."""
    seen: set[int] = set()
    while len(seen) < count:
        moment = rng.randrange(start_ms, end_ms)
        seen.add(((moment - DISCORD_EPOCH_MS) << 22) | rng.getrandbits(22))
    return sorted(seen)


def invent_world(rng: random.Random, users: int, guilds: int, now: datetime) -> World:
    """Users, guilds with Zipf-like sizes (each user in 1 to 3 guilds), channels and skills."""
    now_ms = int(now.timestamp() * 1000)
    user_ids = _snowflakes(rng, users, DISCORD_EPOCH_MS + 86_400_000, now_ms - 400 * 86_400_000)
    guild_ids = _snowflakes(rng, guilds, DISCORD_EPOCH_MS + 86_400_000, now_ms - 400 * 86_400_000)
    size_cum = list(itertools.accumulate(1.0 / (rank + 1) ** 0.8 for rank in range(guilds)))
    members: dict[int, list[int]] = {g: [] for g in guild_ids}
    for user in user_ids:
        count = min(guilds, rng.choices((1, 2, 3), weights=(55, 30, 15))[0])
        joined: set[int] = set()
        while len(joined) < count:
            joined.add(guild_ids[rng.choices(range(guilds), cum_weights=size_cum)[0]])
        for guild in joined:
            members[guild].append(user)
    for people in members.values():  # no empty guild, however small the scale
        if len(people) < 3:
            people.extend(u for u in rng.sample(user_ids, min(3, users)) if u not in people)
    guild_ids.sort(key=lambda g: len(members[g]), reverse=True)
    channels = {g: [g + 1 + i for i in range(rng.randint(1, 5))] for g in guild_ids}
    skill = {u: min(0.95, max(0.1, rng.betavariate(6, 4))) for u in user_ids}
    return World(now, user_ids, guild_ids, members, channels, skill)


def _answers(rng: random.Random, world: World, target: int, runs: list[Run]) -> Iterator[Answer]:
    """Answer rows of simulated runs until about `target` rows; each run is appended to `runs`."""
    guilds = world.guild_ids
    guild_cum = list(itertools.accumulate(world.guild_weights()))
    activity = {u: min(50.0, rng.paretovariate(1.5)) for u in world.user_ids}
    member_cum = {g: list(itertools.accumulate(activity[u] for u in world.members[g])) for g in guilds}
    history = HISTORY_DAYS * 86_400
    produced = 0
    while produced < target:
        guild = guilds[rng.choices(range(len(guilds)), cum_weights=guild_cum)[0]]
        people = world.members[guild]
        want = min(len(people), 60, max(1, int(rng.lognormvariate(1.8, 0.8))))
        picked: set[int] = set()
        for _ in range(5):
            picked.update(rng.choices(people, cum_weights=member_cum[guild], k=want - len(picked)))
            if len(picked) >= want:
                break
        questions = rng.choice((5, 10, 10, 10, 15, 20))
        category = rng.choices(CATEGORIES, weights=CATEGORY_WEIGHTS)[0]
        difficulty = rng.choices(DIFFICULTIES, weights=DIFFICULTY_WEIGHTS)[0]
        shift = DIFFICULTY_SHIFT[difficulty]
        low, high = POINT_RANGE[difficulty]
        started = world.now - timedelta(seconds=history * rng.random() ** 1.15 + questions * 25 + 60)
        channel = rng.choice(world.channels[guild])
        run_id = uuid.UUID(int=rng.getrandbits(128), version=4)
        answered: set[int] = set()
        for question in range(questions):
            asked = started + timedelta(seconds=question * 25)
            for user in picked:
                if rng.random() > 0.92:  # missed this one
                    continue
                right = rng.random() < world.skill[user] + shift
                points = rng.randint(low, high) if right else 0
                at = asked + timedelta(microseconds=rng.randrange(20_000_000))
                answered.add(user)
                produced += 1
                yield (run_id, question, user, guild, channel, category, difficulty, right, points, at)
        if not answered:
            continue
        outcome = rng.choices(("finished", "stopped", "expired"), weights=(90, 7, 3))[0]
        finished = started + timedelta(seconds=questions * 25 + 5)
        host = next(iter(picked))
        size = len(answered)
        runs.append(
            (
                run_id,
                guild,
                channel,
                host,
                category,
                category,
                difficulty,
                questions,
                size,
                outcome,
                started,
                finished,
            )
        )


# Only used when the schema arrives without the game's achievement catalogue.
ACHIEVEMENTS: tuple[tuple[str, str, str], ...] = tuple(
    (f"{kind}_{tier}", f"{kind.replace('_', ' ').title()} {tier}", f"Reach tier {tier} of {kind}")
    for kind in ("first_steps", "streak", "sharpshooter", "speedster", "scholar")
    for tier in (1, 2, 3, 4)
)

# One row per (guild, user, category, UTC day): points, right and wrong answers, quizzes and XP.
# Quizzes come from runs (one per participant, on the run's finish day), as record_finished_run does.
_DAILY_SQL = """
CREATE TEMP TABLE seed_days AS
SELECT guild_id, user_id, category, day, sum(points)::bigint AS points, sum(correct)::int AS correct,
       sum(wrong)::int AS wrong, sum(quizzes)::int AS quizzes, sum(xp)::bigint AS xp
FROM (
    SELECT guild_id, user_id, category, (answered_at AT TIME ZONE 'UTC')::date AS day, points,
           correct::int AS correct, (NOT correct)::int AS wrong, 0 AS quizzes, points / 10 AS xp
    FROM answers
    UNION ALL
    SELECT r.guild_id, p.user_id, r.category, (r.finished_at AT TIME ZONE 'UTC')::date, 0, 0, 0, 1, 0
    FROM (SELECT DISTINCT run_id, user_id FROM answers) AS p
    JOIN quiz_runs r USING (run_id)
) AS s
GROUP BY guild_id, user_id, category, day
"""

# The 16-way fan-out of answers.py (_ROLLUP_UPSERT), applied to whole days at once: a day fixes its
# ISO week and month, so summing per day first and then per period gives the same totals.
_ROLLUPS_SQL = """
INSERT INTO leaderboard_rollups
    (scope_id, category, period, period_start, user_id, points, correct, wrong, quizzes)
SELECT scope.id, cat.name, p.code, p.start, d.user_id,
       sum(d.points), sum(d.correct), sum(d.wrong), sum(d.quizzes)
FROM seed_days d
CROSS JOIN LATERAL (VALUES (d.guild_id), (0::bigint)) AS scope (id)
CROSS JOIN LATERAL (VALUES (d.category), ('*')) AS cat (name)
CROSS JOIN LATERAL (VALUES
    ('d'::"char", d.day),
    ('w'::"char", date_trunc('week', d.day::timestamp)::date),
    ('m'::"char", date_trunc('month', d.day::timestamp)::date),
    ('a'::"char", DATE '1970-01-01')
) AS p (code, start)
GROUP BY scope.id, cat.name, p.code, p.start, d.user_id
"""

# Every guild runs a season that began SEASON_DAYS ago at midnight UTC; its rollups are the days
# since (whole days, so exact), as the answer write keeps them: {category, '*'} x the guild.
SEASON_DAYS = 30
_SEASONS_SQL = """
INSERT INTO seasons (guild_id, name, started_at)
SELECT guild_id, 'Season 1', $1::timestamptz FROM unnest($2::bigint[]) AS g (guild_id)
"""
_SEASON_ROLLUPS_SQL = """
INSERT INTO leaderboard_rollups
    (scope_id, category, period, period_start, user_id, points, correct, wrong, quizzes)
SELECT d.guild_id, cat.name, 's', DATE '1970-01-01' + s.season_id, d.user_id,
       sum(d.points), sum(d.correct), sum(d.wrong), sum(d.quizzes)
FROM seed_days d
JOIN seasons s ON s.guild_id = d.guild_id AND s.ended_at IS NULL
CROSS JOIN LATERAL (VALUES (d.category), ('*')) AS cat (name)
WHERE d.day >= (s.started_at AT TIME ZONE 'UTC')::date
GROUP BY d.guild_id, cat.name, s.season_id, d.user_id
"""


def season_start(now: datetime) -> datetime:
    """When the seeded seasons began: midnight UTC, SEASON_DAYS before `now`."""
    return datetime.combine((now - timedelta(days=SEASON_DAYS)).date(), datetime.min.time(), UTC)


# Member totals, streaks and XP. Play days form islands of consecutive days; the k-th day of an
# island is played on a k-day streak, and its XP is multiplied by STREAK_MULTIPLIERS[min(k, 6)] as
# the answer write does (rounded per day here, per answer there: a rounding difference at most).
# The current streak is the last island's length, as the answer write leaves it.
_MEMBERS_SQL = """
INSERT INTO guild_members (guild_id, user_id, points, correct, wrong, quizzes, xp, level,
                           current_streak, best_streak, last_played_day)
WITH days AS (
    SELECT guild_id, user_id, day, sum(xp) AS base_xp FROM seed_days WHERE correct + wrong > 0
    GROUP BY guild_id, user_id, day
),
islands AS (
    SELECT *, day - (row_number() OVER (PARTITION BY guild_id, user_id ORDER BY day))::int AS island
    FROM days
),
streaks AS (
    SELECT *, row_number() OVER (PARTITION BY guild_id, user_id, island ORDER BY day)::int AS streak
    FROM islands
),
progress AS (
    SELECT guild_id, user_id, max(streak) AS best_streak, max(day) AS last_day,
           (array_agg(streak ORDER BY day DESC))[1] AS current_streak,
           sum(round(base_xp * ($2::float8[])[least(streak, cardinality($2::float8[]))]))::bigint AS xp
    FROM streaks
    GROUP BY guild_id, user_id
),
totals AS (
    SELECT guild_id, user_id, sum(points) AS points, sum(correct) AS correct, sum(wrong) AS wrong,
           sum(quizzes) AS quizzes
    FROM seed_days GROUP BY guild_id, user_id
)
SELECT t.guild_id, t.user_id, t.points, t.correct, t.wrong, t.quizzes, p.xp,
       (SELECT count(*) FROM unnest($1::bigint[]) AS need WHERE need <= p.xp),
       p.current_streak, p.best_streak, p.last_day
FROM totals t JOIN progress p USING (guild_id, user_id)
"""

# Some members earned achievements, more of them the higher their level.
_USER_ACHIEVEMENTS_SQL = """
INSERT INTO user_achievements (guild_id, user_id, achievement_id, granted_at)
SELECT m.guild_id, m.user_id, a.achievement_id,
       $1::timestamptz - random() * interval '400 days'
FROM guild_members m CROSS JOIN achievements a
WHERE random() < least(0.6, 0.04 * m.level)
"""

SEEDED_TABLES = (
    "users",
    "quiz_runs",
    "answers",
    "guild_members",
    "leaderboard_rollups",
    "seasons",
    "achievements",
    "user_achievements",
)


async def _drop_indexes(conn: asyncpg.Connection, table: str) -> list[str]:
    """Drop a table's primary key and indexes for a bulk load; return the DDL that rebuilds them."""
    keys = await conn.fetch(
        "SELECT conname, pg_get_constraintdef(oid) AS ddl FROM pg_constraint"
        " WHERE conrelid = $1::regclass AND contype = 'p'",
        table,
    )
    indexes = await conn.fetch(
        "SELECT indexrelid::regclass::text AS name, pg_get_indexdef(indexrelid) AS ddl FROM pg_index"
        " WHERE indrelid = $1::regclass AND NOT indisprimary",
        table,
    )
    for key in keys:
        await conn.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{key["conname"]}"')
    for index in indexes:
        await conn.execute(f"DROP INDEX {index['name']}")
    rebuild = [f'ALTER TABLE {table} ADD CONSTRAINT "{k["conname"]}" {k["ddl"]}' for k in keys]
    return rebuild + [i["ddl"] for i in indexes]


class _Phases:
    """Prints and records how long each seeding phase took."""

    def __init__(self, timings: dict[str, float]) -> None:
        self.timings = timings
        self.started = time.perf_counter()

    def done(self, phase: str, detail: str = "") -> None:
        now = time.perf_counter()
        self.timings[phase] = now - self.started
        print(f"  {phase:<28} {now - self.started:8.1f} s  {detail}", flush=True)
        self.started = now


async def seed(conn: asyncpg.Connection, world: World, answers: int, rng: random.Random) -> None:
    """Fill the (empty, freshly applied) schema on `conn`'s search_path; timings go into `world`."""
    phases = _Phases(world.timings)
    await conn.execute("SET work_mem = '256MB'; SET maintenance_work_mem = '1GB'")
    epoch = datetime(2015, 1, 1, tzinfo=UTC)
    users = [
        (u, f"player_{u % 1_000_000:06d}", epoch + timedelta(milliseconds=u >> 22)) for u in world.user_ids
    ]
    await conn.copy_records_to_table("users", records=users, columns=("user_id", "username", "created_at"))
    phases.done("users", f"{len(users):,} rows")

    rebuild = await _drop_indexes(conn, "answers") + await _drop_indexes(conn, "leaderboard_rollups")
    runs: list[Run] = []
    await conn.copy_records_to_table(
        "answers", records=_answers(rng, world, answers, runs), columns=ANSWER_COLUMNS
    )
    world.answers = await conn.fetchval("SELECT count(*) FROM answers")
    phases.done("answers (generate + COPY)", f"{world.answers:,} rows")
    await conn.copy_records_to_table("quiz_runs", records=runs, columns=RUN_COLUMNS)
    world.runs = len(runs)
    phases.done("quiz_runs", f"{world.runs:,} rows")

    await conn.execute(_DAILY_SQL)
    phases.done("daily aggregate (temp)", f"{await conn.fetchval('SELECT count(*) FROM seed_days'):,} rows")
    await conn.execute(_ROLLUPS_SQL)
    rollups = await conn.fetchval("SELECT count(*) FROM leaderboard_rollups")
    phases.done("leaderboard_rollups", f"{rollups:,} rows")
    await conn.execute(_SEASONS_SQL, season_start(world.now), world.guild_ids)
    status = await conn.execute(_SEASON_ROLLUPS_SQL)
    phases.done(
        "season rollups", f"{int(status.split()[-1]):,} rows, {len(world.guild_ids):,} running seasons"
    )
    status = await conn.execute(_MEMBERS_SQL, list(level_thresholds()), list(STREAK_MULTIPLIERS))
    phases.done("guild_members", f"{int(status.split()[-1]):,} rows")
    await conn.execute("DROP TABLE seed_days")
    for ddl in rebuild:
        await conn.execute(ddl)
    phases.done("indexes rebuilt", f"{len(rebuild)} on answers and leaderboard_rollups")

    if not await conn.fetchval("SELECT count(*) FROM achievements"):  # apply_schema syncs the catalogue
        await conn.copy_records_to_table(
            "achievements", records=ACHIEVEMENTS, columns=("achievement_id", "name", "description")
        )
    status = await conn.execute(_USER_ACHIEVEMENTS_SQL, world.now)
    phases.done("achievements", f"{int(status.split()[-1]):,} granted")
    for table in SEEDED_TABLES:
        await conn.execute(f"VACUUM (ANALYZE) {table}")
    phases.done("VACUUM ANALYZE")
    await conn.execute("RESET work_mem; RESET maintenance_work_mem")
