"""Part 1 of the actor benchmark: traced memory per idle session, and where it goes."""

from __future__ import annotations

import gc
import linecache
import time
import tracemalloc
from dataclasses import dataclass

from bench._actors_report import short_path
from bench._actors_rig import ASK_TIMEOUT, MemorySessionStore, MemorySnapshotStore, Rig
from quizbot.actors.messages import GetStatus
from quizbot.actors.status import SupervisorStatus
from quizbot.game.questions import Question
from quizbot.game.session import SessionConfig
from quizbot.testing.actors import InMemoryQuestions


@dataclass(frozen=True, slots=True)
class MemoryResult:
    """Traced growth of starting `sessions` idle sessions, and where it went."""

    sessions: int
    growth: int
    by_line: list[tracemalloc.StatisticDiff]
    by_file: list[tracemalloc.StatisticDiff]
    open_questions: int
    shared_questions: bool
    seconds: float

    @property
    def per_session(self) -> float:
        return self.growth / self.sessions


async def measure_memory(
    sessions: int, questions: tuple[Question, ...], config: SessionConfig
) -> MemoryResult:
    """Start `sessions` sessions through the supervisor under tracemalloc; traced growth after gc."""
    snapshots = MemorySnapshotStore()
    rig = Rig(
        store=MemorySessionStore(),
        snapshots=snapshots,
        questions=InMemoryQuestions(),
        owner="bench-memory",
    )
    await rig.settle()
    gc.collect()
    tracemalloc.start(1)
    try:
        before = tracemalloc.take_snapshot()
        started = time.perf_counter()
        await rig.start_sessions(sessions, questions, config)
        elapsed = time.perf_counter() - started
        rig.groups.clear()  # the bench's own bookkeeping, not the sessions'
        snapshots.rows.clear()  # the stand-in's saved rows: in production they are PostgreSQL's
        gc.collect()
        after = tracemalloc.take_snapshot()
    finally:
        tracemalloc.stop()
    status: SupervisorStatus = await rig.ref.ask(GetStatus(), timeout=ASK_TIMEOUT)
    open_questions = status.by_phase.get("question_open", 0)
    checkpoint = next(iter(rig.supervisor.checkpointer.checkpoints.values()), None)
    shared = checkpoint is not None and checkpoint.questions[0] is questions[0]  # the session's own
    by_line = after.compare_to(before, "lineno")
    result = MemoryResult(
        sessions=sessions,
        growth=sum(stat.size_diff for stat in by_line),
        by_line=sorted(by_line, key=lambda s: -s.size_diff),
        by_file=sorted(after.compare_to(before, "filename"), key=lambda s: -s.size_diff),
        open_questions=open_questions,
        shared_questions=shared,
        seconds=elapsed,
    )
    await rig.shutdown()
    await rig.stop()
    return result


def print_memory(result: MemoryResult, top: int) -> None:
    """Bytes per session, then the top lines and files by traced growth."""
    n = result.sessions
    print(
        f"  {n} sessions started in {result.seconds:.2f} s (under tracemalloc); "
        f"{result.open_questions} with their first question open"
    )
    print(f"  traced growth {result.growth / 2**20:.1f} MiB = {result.per_session:,.0f} bytes per session")
    shared = "yes" if result.shared_questions else "NO: each session holds its own copies, rebuilt from dicts"
    print(f"  a session's questions are the bank's own objects: {shared}")
    print(f"\n  where the bytes go, top {top} lines (bytes and blocks per session):")
    for stat in result.by_line[:top]:
        frame = stat.traceback[0]
        source = linecache.getline(frame.filename, frame.lineno).strip()[:70]
        if frame.filename == "<string>":
            source = "(a dataclass-generated __init__: a default_factory)"
        where = f"{short_path(frame.filename)}:{frame.lineno}"
        print(f"    {stat.size_diff / n:7,.0f} B {stat.count_diff / n:5.1f}  {where:<42} {source}")
    print("\n  by file:")
    for stat in result.by_file[:top]:
        if stat.size_diff <= 0:
            break
        frame = stat.traceback[0]
        print(f"    {stat.size_diff / n:7,.0f} B {stat.count_diff / n:5.1f}  {short_path(frame.filename)}")
