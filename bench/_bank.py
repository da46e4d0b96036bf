"""The offline bank's two figures for bench.questions: loading it at start-up, and choosing a set for
a guild that has already been asked many questions (the no-repeat bookkeeping in PostgreSQL)."""

from __future__ import annotations

import random
import statistics
import time

from quizbot.game.progression import Difficulty
from quizbot.questions.bank import QuestionBank, _shipped_pack
from quizbot.questions.sources import BankSource, QuestionRequest
from quizbot.storage.guilds import PostgresAskedQuestions, mark_asked
from quizbot.storage.pool import Database

LOAD_TARGET_MS = 300.0
CHOOSE_TARGET_MS = 20.0
ASKED = 10_000  # questions a guild has already been asked
SET_SIZE = 20
GUILD = 7 << 22


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[int(0.95 * (len(ordered) - 1))]


def load_times(runs: int) -> list[float]:
    """Milliseconds to load every shipped pack as at start-up (each file parsed and checked again)."""
    times = []
    for _ in range(runs):
        _shipped_pack.cache_clear()  # a new process has parsed nothing
        started = time.perf_counter()
        QuestionBank.load()
        times.append((time.perf_counter() - started) * 1000)
    return times


async def seed_asked(db: Database, bank: QuestionBank, rng: random.Random) -> None:
    """ASKED rows for GUILD: half of every bank category, the rest questions of packs long removed."""
    rows = 0
    for category, questions in bank.by_category.items():
        half = rng.sample([q.question_id for q in questions], len(questions) // 2)
        await mark_asked(db, GUILD, {category: half})
        rows += len(half)
    retired = [f"retired-{n}" for n in range(ASKED - rows)]
    await mark_asked(db, GUILD, {"retired": retired})


async def choose_times(db: Database, bank: QuestionBank, category: str | None, runs: int) -> list[float]:
    """Milliseconds to prepare a SET_SIZE set for GUILD (read what it was asked, choose, mark), the
    marks of each run undone after it so every run sees ASKED asked questions."""
    source = BankSource(bank, PostgresAskedQuestions(db), rng=random.Random(11))
    request = QuestionRequest(guild_id=GUILD, difficulty=Difficulty.MEDIUM, count=SET_SIZE, category=category)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        prepared = await source.prepare(request)
        times.append((time.perf_counter() - started) * 1000)
        ids = [q.question_id for q in prepared.questions]
        await db.pool.execute(
            "DELETE FROM asked_questions WHERE guild_id = $1 AND question_id = ANY($2::text[])", GUILD, ids
        )
    return times


async def report(db: Database, runs: int) -> None:
    """Print the load time and the choice's p50/p95 for one category and for any category."""
    loads = load_times(5)
    bank, _ = QuestionBank.load()
    verdict = "ok" if max(loads) < LOAD_TARGET_MS else "MISSED"
    print(
        f"bank load: {len(bank):,} questions in {len(bank.categories)} categories,"
        f" median {statistics.median(loads):.0f} ms, worst of {len(loads)} {max(loads):.0f} ms"
        f" (target < {LOAD_TARGET_MS:.0f} ms: {verdict})"
    )
    await seed_asked(db, bank, random.Random(5))
    for category in ("science", None):
        times = await choose_times(db, bank, category, runs)
        verdict = "ok" if p95(times) < CHOOSE_TARGET_MS else "MISSED"
        print(
            f"choose {SET_SIZE} from {category or 'any category'} with {ASKED:,} asked:"
            f" p50 {statistics.median(times):.2f} ms, p95 {p95(times):.2f} ms"
            f" (target < {CHOOSE_TARGET_MS:.0f} ms: {verdict})"
        )
