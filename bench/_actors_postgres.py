"""Parts 3 and 4 of the actor benchmark: respawn from snapshots and the shutdown snapshot, on PostgreSQL.

Everything happens in a schema of its own, dropped at the end. The SessionStore is the in-memory
one (answer rows are not written); snapshots and the questions they name (kept when each session
starts, found again on respawn) go to PostgreSQL through a TimedSnapshotStore and TimedQuestionStore,
so each figure splits into time in the stores' calls and time in Python.
"""

from __future__ import annotations

import gc
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import asyncpg

from bench._actors_report import Lap, LogTally, Stopwatch, print_logs, profiled
from bench._actors_rig import (
    ASK_TIMEOUT,
    Call,
    CallLog,
    MemorySessionStore,
    Rig,
    TimedQuestionStore,
    TimedSnapshotStore,
    by_method,
)
from quizbot.actors.messages import RespawnSessions
from quizbot.game.questions import Question
from quizbot.game.session import SessionConfig
from quizbot.storage.pool import Database
from quizbot.storage.questions import PostgresQuestionStore
from quizbot.storage.schema import apply_schema
from quizbot.storage.snapshots import PostgresSnapshotStore

SEED_PLAYERS = 6  # players per seeded session who answered the first question
SEED_OPEN_ANSWERS = 4  # of whom this many already answered the open second question


@dataclass
class TimedStep:
    """One respawn or shutdown: wall time, sessions handled, and the store calls made meanwhile."""

    what: str
    lap: Lap
    sessions: int
    calls: list[Call]
    neighbours: int

    @property
    def seconds(self) -> float:
        return self.lap.wall

    def describe(self) -> str:
        parts = [
            f"{method} {seconds:.3f} s ({rows} rows)"
            for method, (seconds, rows) in by_method(self.calls).items()
        ]
        in_store = sum(c.seconds for c in self.calls)
        rest = self.seconds - in_store
        return (
            f"{self.what}: {self.sessions} sessions in {self.lap}; store calls: "
            f"{', '.join(parts) or 'none'}; outside the store (Python: rebuild, spawn, snapshot asks, "
            f"stop) {rest:.3f} s; other active PostgreSQL backends: {self.neighbours}"
        )


@dataclass
class PostgresResult:
    """The seeding, the shutdowns and the respawns, with the snapshot size in the database."""

    seed_seconds: float = 0.0
    seed_close: Lap | None = None
    snapshot_bytes: float = 0.0
    snapshot_text_bytes: float = 0.0
    snapshot_kind: str = ""
    shutdowns: list[TimedStep] = field(default_factory=list)
    respawns: list[TimedStep] = field(default_factory=list)


async def active_neighbours(admin: asyncpg.Connection) -> int:
    """Client backends other than this one running a statement now (another benchmark, say)."""
    query = (
        "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'"
        " AND state <> 'idle' AND pid <> pg_backend_pid()"
    )
    count: int = await admin.fetchval(query)
    return count


def timed_rig(db: Database, owner: str, store: MemorySessionStore) -> tuple[Rig, CallLog]:
    """A rig on PostgreSQL snapshots and questions, every call to them timed in the log."""
    log = CallLog()
    rig = Rig(
        store=store,
        snapshots=TimedSnapshotStore(PostgresSnapshotStore(db), log),
        questions=TimedQuestionStore(PostgresQuestionStore(db), log),
        owner=owner,
    )
    return rig, log


async def _timed(
    what: str, call: Callable[[], Awaitable[int]], log: CallLog, admin: asyncpg.Connection
) -> TimedStep:
    neighbours = await active_neighbours(admin)
    log.take()
    gc.collect()
    watch = Stopwatch()
    count = await call()
    return TimedStep(what, watch.lap(), count, log.take(), neighbours)


async def seed_and_shut_down(
    db: Database,
    schema: str,
    admin: asyncpg.Connection,
    sessions: int,
    questions: tuple[Question, ...],
    config: SessionConfig,
    result: PostgresResult,
) -> None:
    """Play `sessions` games to the second question, then time their Shutdown (it saves them all)."""
    store = MemorySessionStore()
    rig, log = timed_rig(db, "bench-seed", store)  # each start keeps its questions, for the respawns
    started = time.perf_counter()
    await rig.start_sessions(sessions, questions, config)
    rig.answer(0, SEED_PLAYERS, 0)
    await rig.drain()
    watch = Stopwatch()
    await rig.close_groups(store)  # each close: an urgent snapshot save (batched), then the answer write
    result.seed_close = watch.lap()
    await rig.open_next()
    rig.answer(0, SEED_OPEN_ANSWERS, 1)
    await rig.settle()
    result.seed_seconds = time.perf_counter() - started
    step = await _timed("shutdown (seeded, mid-game)", rig.shutdown, log, admin)
    await rig.stop()
    result.shutdowns.append(step)
    kind = await admin.fetchval(
        "SELECT data_type FROM information_schema.columns"
        " WHERE table_schema = $1 AND table_name = 'session_snapshots' AND column_name = 'state'",
        schema,
    )
    raw = "octet_length(state)" if kind == "bytea" else "octet_length(state::text)"  # orjson bytes or jsonb
    size = await admin.fetchrow(
        f"SELECT avg(pg_column_size(state)) AS stored, avg({raw}) AS text FROM {schema}.session_snapshots"
    )
    result.snapshot_kind = kind
    result.snapshot_bytes = float(size["stored"] or 0)
    result.snapshot_text_bytes = float(size["text"] or 0)


async def respawn_cycle(
    db: Database, admin: asyncpg.Connection, cycle: int, result: PostgresResult | None, top: int
) -> None:
    """A fresh supervisor respawns every live snapshot, then shuts down (profiled when `result` is None)."""
    rig, log = timed_rig(db, f"bench-respawn-{cycle}", MemorySessionStore())

    async def respawn() -> int:
        count: int = await rig.ref.ask(RespawnSessions(), timeout=ASK_TIMEOUT)
        return count

    if result is None:
        await profiled(respawn, top, "RespawnSessions")
        await profiled(rig.shutdown, top, "Shutdown")
    else:
        result.respawns.append(await _timed(f"respawn {cycle + 1}", respawn, log, admin))
        result.shutdowns.append(
            await _timed(f"shutdown (respawned, paused) {cycle + 1}", rig.shutdown, log, admin)
        )
    prompts = rig.channel.counts["RecoveryPrompt"]
    await rig.stop()
    if result is not None and prompts != result.respawns[-1].sessions:
        raise RuntimeError(f"{prompts} recovery prompts for {result.respawns[-1].sessions} sessions")


async def measure_postgres(
    url: str,
    sessions: int,
    questions: tuple[Question, ...],
    config: SessionConfig,
    *,
    cycles: int,
    profile: bool,
    top: int,
    tally: LogTally,
) -> PostgresResult:
    """Parts 3 and 4 in a schema of their own, dropped at the end."""
    schema = f"bench_actors_{secrets.token_hex(4)}"
    admin = await asyncpg.connect(url)
    await admin.execute(f"CREATE SCHEMA {schema}")
    result = PostgresResult()
    try:
        db = await Database.connect(url, server_settings={"search_path": schema}, command_timeout=120.0)
        try:
            await apply_schema(db)
            print(f"  schema {schema}; seeding {sessions} sessions ...", flush=True)
            await seed_and_shut_down(db, schema, admin, sessions, questions, config, result)
            print(
                f"  seeded in {result.seed_seconds:.1f} s: {sessions} games of {len(questions)} questions, "
                f"{SEED_PLAYERS} players scored on question 1, {SEED_OPEN_ANSWERS} answers in on question 2"
            )
            if result.seed_close is not None:
                per = result.seed_close.wall / sessions * 1000
                print(
                    f"  closing question 1 in every game (each an urgent snapshot save, which the supervisor"
                    f" batches): {result.seed_close}, {per:.2f} ms per session"
                )
            print(
                f"  a snapshot: {result.snapshot_text_bytes:,.0f} bytes of JSON (questions by identity),"
                f" {result.snapshot_bytes:,.0f} bytes stored ({result.snapshot_kind} column; PostgreSQL"
                " compresses only values past about 2 KB)"
            )
            print(f"    {result.shutdowns[0].describe()}")
            print_logs(tally)
            for cycle in range(cycles):
                await respawn_cycle(db, admin, cycle, result, top)
                print(f"    {result.respawns[-1].describe()}")
                print(f"    {result.shutdowns[-1].describe()}")
                print_logs(tally)
            if profile:
                await respawn_cycle(db, admin, cycles, None, top)
                print_logs(tally)
        finally:
            await db.close()
    finally:
        await admin.execute(f"DROP SCHEMA {schema} CASCADE")
        await admin.close()
    return result
