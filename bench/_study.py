"""Study data at scale and what is measured on it: cards, reviews and reminders seeded in SQL
(generate_series), the study plan's latency, answer writes with and without card updates, and the
reminder sweep with its plan."""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

import asyncpg
import orjson

from bench._measure import Latency, time_rounds
from bench._plans import explain
from quizbot.game.progression import Difficulty
from quizbot.game.reviews import Recall
from quizbot.storage.answers import record_answers
from quizbot.storage.pool import Database
from quizbot.storage.records import AnswerBatch, AnswerRow
from quizbot.storage.study import _CLAIM_REMINDERS, _PLAN_SQL, cards_due, claim_reminders, study_plan

QUESTIONS = 10_000  # the shared pool of questions players hold cards for
PLAN_LIMIT = 20  # due cards a /study session asks for
ZONES = ("UTC", "Europe/Berlin", "America/New_York", "Asia/Tokyo", None)
WRITE_GUILD = 1
HEAVY_LABEL = "study_plan(), one player"


def identity(n: int) -> str:
    """A question identity shaped like Question.identity."""
    return f"q1_{n:022d}"


@dataclass(frozen=True, slots=True)
class StudyWorld:
    """The seeded sizes: `users` players with `per_user` cards each, one player with `heavy_cards`."""

    users: int
    per_user: int
    heavy_cards: int
    reminders: int
    now: datetime

    @property
    def heavy_user(self) -> int:
        return self.users + 1

    @property
    def cards(self) -> int:
        return self.users * self.per_user + self.heavy_cards


_SEED_CARDS = """
INSERT INTO review_cards (user_id, question_id, due, stability, difficulty, state, step, last_review, reviews)
SELECT u, 'q1_' || lpad(((u * 7 + n * ($4::int / $3::int)) % $4::int)::text, 22, '0'),
       $1::timestamptz + (random() * 60 - 30) * interval '1 day',
       1 + random() * 50, 1 + random() * 9, 2, NULL,
       $1::timestamptz - (30 + random() * 30) * interval '1 day', 1 + (random() * 9)::int
FROM generate_series(1, $2::int) AS u, generate_series(0, $3::int - 1) AS n
"""

_SEED_HEAVY = """
INSERT INTO review_cards (user_id, question_id, due, stability, difficulty, state, step, last_review, reviews)
SELECT $2::bigint, 'q1_h' || lpad(n::text, 21, '0'),
       $1::timestamptz + (random() * 400 - 200) * interval '1 day', 1 + random() * 50, 1 + random() * 9,
       2, NULL, $1::timestamptz - interval '201 days', 1
FROM generate_series(1, $3::int) AS n
"""

_SEED_LOG = """
INSERT INTO review_log (user_id, question_id, reviewed_at, rating, state_before, study)
SELECT user_id, question_id, last_review + (random() * 20) * interval '1 day',
       1 + (random() * 3)::int, (random() * 2)::int, random() < 0.5
FROM review_cards
"""

_SEED_REMINDERS = """
INSERT INTO study_settings (user_id, time_zone, remind_at, remind_next)
SELECT u, ($3::text[])[1 + u % cardinality($3::text[])],
       time '00:00' + (u % 1440) * interval '1 minute',
       $1::timestamptz - (1 + random() * 86400) * interval '1 second'
FROM generate_series(1, $2::int) AS u
"""


async def seed_study(conn: asyncpg.Connection, world: StudyWorld) -> None:
    """Cards (one shared question pool), a review per card, the heavy player, reminders; ANALYZE."""
    await conn.execute(_SEED_CARDS, world.now, world.users, world.per_user, QUESTIONS)
    await conn.execute(_SEED_HEAVY, world.now, world.heavy_user, world.heavy_cards)
    await conn.execute(_SEED_LOG)
    await conn.execute(_SEED_REMINDERS, world.now, world.reminders, [z or "" for z in ZONES])
    await conn.execute("UPDATE study_settings SET time_zone = NULL WHERE time_zone = ''")
    await conn.execute("VACUUM ANALYZE review_cards, review_log, study_settings")


# --- the study plan ---------------------------------------------------------------------------------


async def measure_plans(
    db: Database, world: StudyWorld, rng: random.Random, samples: int
) -> dict[str, Latency]:
    """p50/p95 of study_plan() (the due part alone, the real call, and the heavy player's)."""
    due_sql = "SELECT question_id FROM review_cards WHERE user_id = $1 AND due <= $2 ORDER BY due LIMIT $3"

    async def due_part() -> object:
        async def read(conn: asyncpg.Connection) -> object:
            return await conn.fetch(due_sql, rng.randint(1, world.users), world.now, PLAN_LIMIT)

        return await db.run(read, transaction=False)

    async def plan() -> object:
        return await study_plan(db, rng.randint(1, world.users), world.now, limit=PLAN_LIMIT)

    async def heavy() -> object:
        return await study_plan(db, world.heavy_user, world.now, limit=PLAN_LIMIT)

    calls: dict[str, Callable[[], Awaitable[object]]] = {
        "due cards (the due part)": due_part,
        "study_plan()": plan,
        f"{HEAVY_LABEL} of {world.heavy_cards:,} cards": heavy,
    }
    return await time_rounds(calls, samples)


async def explain_plan(db: Database, world: StudyWorld) -> str:
    """EXPLAIN (ANALYZE, BUFFERS) of study_plan()'s statement for a typical player."""
    return await explain(db, _PLAN_SQL, (world.users // 2, None, world.now, PLAN_LIMIT, 0))


# --- answer writes with and without cards ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WriteComparison:
    """Per-answer milliseconds of record_answers() batches with card updates and without."""

    players: int
    with_cards: Latency
    without: Latency

    @property
    def ratio(self) -> float:
        """How much longer an answer takes with its card (p50 over p50 per batch)."""
        return self.with_cards.p50_ms / self.without.p50_ms


def _batch(
    rng: random.Random, run: uuid.UUID, index: int, users: list[int], question: str | None
) -> AnswerBatch:
    now = datetime.now().astimezone()
    rows = []
    for user in users:
        right = rng.random() < 0.6
        points = rng.randint(50, 150) if right else 0
        recall = rng.choice((Recall.HARD, Recall.GOOD, Recall.EASY)) if right else Recall.AGAIN
        rows.append(AnswerRow(user, f"player_{user}", right, points, points // 10, now, recall))
    return AnswerBatch(run, WRITE_GUILD, 10, index, "science", Difficulty.MEDIUM, tuple(rows), question)


async def measure_answer_writes(
    db: Database, world: StudyWorld, rng: random.Random, *, players: int, rounds: int
) -> WriteComparison:
    """Interleaved rounds, each one batch with cards and one without, the same shape: `players`
    random players answer a question; every other round they answer the same question again in a
    new game (a card update instead of a new card). Which side goes first alternates."""
    taken: dict[bool, list[float]] = {True: [], False: []}
    question = 0
    groups: dict[bool, list[int]] = {}
    for done in range(-3, rounds):  # three untimed warm-up rounds
        if done % 2 == 0 or not groups:
            question = rng.randrange(QUESTIONS)
            groups = {side: rng.sample(range(1, world.users + 1), players) for side in (True, False)}
        sides = (True, False) if done % 2 == 0 else (False, True)
        for carded in sides:
            batch = _batch(rng, uuid.uuid4(), 0, groups[carded], identity(question) if carded else None)
            started = time.perf_counter()
            await record_answers(db, batch)
            if done >= 0:
                taken[carded].append((time.perf_counter() - started) / players)
    return WriteComparison(players, Latency(tuple(taken[True])), Latency(tuple(taken[False])))


# --- the reminder sweep ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SweepResult:
    """Every due reminder claimed in pages: how many, the calls, and their summed time."""

    claimed: int
    pages: int
    seconds: float
    slowest_page: float
    counting: float  # cards_due() for every claimed player, page by page (the sender counts its own)


async def explain_claim(db: Database, world: StudyWorld, page: int) -> str:
    """EXPLAIN (ANALYZE, BUFFERS) of one page's claim, rolled back."""
    async with db.acquire() as conn:
        transaction = conn.transaction()
        await transaction.start()
        try:
            rows = await conn.fetch("EXPLAIN (ANALYZE, BUFFERS) " + _CLAIM_REMINDERS, world.now, page)
        finally:
            await transaction.rollback()
    return "\n".join(r[0] for r in rows)


async def measure_sweep(db: Database, world: StudyWorld, page: int) -> SweepResult:
    """claim_reminders() until none is due, timing each call (its database time and round trip),
    and apart, cards_due() for each page's players (what the sender asks before it sends)."""
    claimed = pages = 0
    total = slowest = counting = 0.0
    while True:
        started = time.perf_counter()
        found = await claim_reminders(db, world.now, limit=page)
        taken = time.perf_counter() - started
        total += taken
        slowest = max(slowest, taken)
        pages += 1
        claimed += len(found)
        if not found:
            return SweepResult(claimed, pages, total, slowest, counting)
        started = time.perf_counter()
        await cards_due(db, [reminder.user_id for reminder in found], world.now)
        counting += time.perf_counter() - started


@dataclass(frozen=True, slots=True)
class SweepTime:
    """The same sweep again, each page run under EXPLAIN ANALYZE: PostgreSQL's own execution time."""

    claimed: int
    pages: int
    database_seconds: float


async def measure_sweep_database_time(db: Database, world: StudyWorld, page: int) -> SweepTime:
    """Put every claimed reminder back (remind_next = reminded_for), then claim them all again,
    page by page, each page's claim run (and kept) under EXPLAIN ANALYZE, summing its Execution
    Time: the sweep's database time, without the round trips and the decoding."""
    claimed = pages = 0
    total = 0.0
    async with db.acquire() as conn:
        put_back = "UPDATE study_settings SET remind_next = reminded_for WHERE reminded_for IS NOT NULL"
        await conn.execute(put_back)
        await conn.execute("VACUUM ANALYZE study_settings")
        while True:
            [plan] = orjson.loads(
                await conn.fetchval("EXPLAIN (ANALYZE, FORMAT JSON) " + _CLAIM_REMINDERS, world.now, page)
            )
            total += plan["Execution Time"] / 1000
            pages += 1
            rows = plan["Plan"]["Actual Rows"]
            claimed += rows
            if not rows:
                return SweepTime(claimed, pages, total)
