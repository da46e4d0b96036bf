"""Questions benchmark: typed-answer matching throughput, the offline bank's load and choice, and the
time from a start to the first question.

Run from the repository root: `python -m bench.questions` (`--quick`: a smoke run for CI, 20,000
answers, 5 starts, a 0.2 s provider). PostgreSQL: --url, else QUIZBOT_BENCH_DATABASE_URL, else
QUIZBOT_TEST_DATABASE_URL, else an embedded server in a temporary folder.
The bank is loaded as at start-up (every pack parsed and checked), and a 20-question set is chosen
for a guild already asked 10,000 questions (bench/_bank.py). The start is measured in process, as
the Discord edge does it: prepare the set (bank: with the no-repeat bookkeeping in PostgreSQL;
provider: a stand-in that answers after --provider-delay seconds), then ask the supervisor to
start, until the first question is shown.

Exit status: 0 whenever the run completes; a missed target is printed as MISSED, never an exit
status (so --quick, like a full run, fails only when something raised).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import time
import uuid
from typing import Any

from bench._bank import report as bank_report
from bench._measure import argument_parser, database_url
from bench.matching import build_questions, respond, run_round
from quizbot.actors.base import spawn
from quizbot.actors.compose import compose_supervisor
from quizbot.actors.messages import SessionKey, Shutdown, StartSession
from quizbot.actors.ports import ChannelEvent
from quizbot.actors.supervisor import Supervisor
from quizbot.clock import LoopClock
from quizbot.game.effects import PostQuestion
from quizbot.game.progression import Difficulty
from quizbot.game.session import SessionConfig
from quizbot.questions.bank import QuestionBank
from quizbot.questions.sources import BankSource, PreparedQuestions, QuestionRequest, QuestionSource
from quizbot.storage.guilds import PostgresAskedQuestions
from quizbot.storage.pool import Database
from quizbot.storage.questions import PostgresQuestionStore
from quizbot.storage.results import PostgresSessionStore
from quizbot.storage.schema import apply_schema
from quizbot.storage.snapshots import PostgresSnapshotStore

MATCH_TARGET = 100_000
BANK_TARGET_MS = 50.0
QUICK: dict[str, Any] = {"answers": 20_000, "runs": 5, "provider_delay": 0.2, "choices": 20}


class FirstQuestionWatch:
    """A channel that notes when each session's first question is shown."""

    def __init__(self) -> None:
        self.first: dict[SessionKey, asyncio.Future[float]] = {}

    def expect(self, key: SessionKey) -> asyncio.Future[float]:
        self.first[key] = asyncio.get_running_loop().create_future()
        return self.first[key]

    async def show(
        self, key: SessionKey, event: ChannelEvent, *, after: asyncio.Future[Any] | None = None
    ) -> None:
        waiting = self.first.get(key)
        if isinstance(event, PostQuestion) and waiting is not None and not waiting.done():
            waiting.set_result(time.perf_counter())


class SlowProvider:
    """A provider stand-in: the bank's questions, after the delay a real model would take."""

    def __init__(self, inner: QuestionSource, delay: float) -> None:
        self.inner, self.delay = inner, delay

    async def prepare(self, request: QuestionRequest) -> PreparedQuestions:
        await asyncio.sleep(self.delay)
        return await self.inner.prepare(request)


async def time_starts(
    source: QuestionSource, supervisor: Supervisor, channel: FirstQuestionWatch, runs: int
) -> list[float]:
    """Milliseconds from the start request to the first question shown, one per run."""
    times = []
    for _ in range(runs):
        guild, channel_id = random.getrandbits(40) << 22, random.getrandbits(40)
        shown = channel.expect((guild, channel_id))
        started = time.perf_counter()
        prepared = await source.prepare(
            QuestionRequest(guild_id=guild, difficulty=Difficulty.MEDIUM, count=10)
        )
        config = SessionConfig(question_count=10, question_timeout=30.0)
        await supervisor.ref.ask(StartSession(guild, channel_id, 1, config, prepared.questions), timeout=10)
        times.append((await asyncio.wait_for(shown, 10) - started) * 1000)
    return times


def matching(count: int) -> float:
    """Median typed answers judged per second over three rounds."""
    rng = random.Random(2024)
    questions = build_questions()
    pairs = [(q, respond(rng, q)[1]) for q in rng.choices(questions, k=count)]
    return statistics.median(count / run_round(pairs)[0] for _ in range(3))


async def main(args: argparse.Namespace) -> None:
    async with database_url(args.url) as args.url:
        await measure(args)


async def measure(args: argparse.Namespace) -> None:
    print(f"machine: {os.cpu_count()} CPUs, load {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    rate = matching(args.answers)
    verdict = "ok" if rate >= MATCH_TARGET else "MISSED"
    print(f"matching: {rate:,.0f} typed answers/s (target >= {MATCH_TARGET:,}: {verdict})")

    schema = f"bench_questions_{uuid.uuid4().hex[:8]}"
    admin = await Database.connect(args.url, min_size=1, max_size=1)
    await admin.pool.execute(f'CREATE SCHEMA "{schema}"')
    db = await Database.connect(args.url, server_settings={"search_path": schema})
    try:
        await apply_schema(db)
        await bank_report(db, args.choices)
        bank, _ = QuestionBank.load()
        channel = FirstQuestionWatch()
        supervisor = compose_supervisor(
            port=channel,
            store=PostgresSessionStore(db),
            snapshots=PostgresSnapshotStore(db),
            questions=PostgresQuestionStore(db),
            clock=LoopClock(),
            owner="bench",
            tick=False,
        )
        spawn(supervisor, name="supervisor")
        offline = BankSource(bank, PostgresAskedQuestions(db))
        bank_ms = sorted(await time_starts(offline, supervisor, channel, args.runs))
        p50, p95 = statistics.median(bank_ms), bank_ms[int(0.95 * (len(bank_ms) - 1))]
        verdict = "ok" if p95 < BANK_TARGET_MS else "MISSED"
        print(
            f"start -> first question, offline bank: p50 {p50:.1f} ms, p95 {p95:.1f} ms"
            f" (target < {BANK_TARGET_MS:.0f} ms: {verdict})"
        )
        slow = sorted(await time_starts(SlowProvider(offline, args.provider_delay), supervisor, channel, 3))
        print(
            f"start -> first question, provider answering in {args.provider_delay:g} s:"
            f" p50 {statistics.median(slow):.0f} ms"
            " (the set is prepared before the session starts, so the first question waits for it)"
        )
        await supervisor.ref.ask(Shutdown(), timeout=30)
    finally:
        await db.close()
        await admin.pool.execute(f'DROP SCHEMA "{schema}" CASCADE')
        await admin.close()


if __name__ == "__main__":
    parser = argument_parser(__doc__)
    parser.add_argument("--answers", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--choices", type=int, default=200, help="sets chosen per case for the bank's p95")
    parser.add_argument("--provider-delay", type=float, default=2.0)
    parser.add_argument("--quick", action="store_true", help="a smoke run (overrides the four above)")
    arguments = parser.parse_args()
    if arguments.quick:
        vars(arguments).update(QUICK)
    asyncio.run(main(arguments))
