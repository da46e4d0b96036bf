"""The end-to-end benchmark's checks: answers lost (accepted clicks vs answer rows) and memory growth."""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import gc
import sys
import time
import tracemalloc
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from bench._actors_report import Lap, Stopwatch
from bench._e2e_drive import AnswerKey
from bench._e2e_world import Site
from quizbot.actors.messages import Describe, SkipQuestion
from quizbot.bot.app import RunningBot
from quizbot.bot.housekeeping import webhook_lock_count
from quizbot.errors import QuizbotError
from quizbot.storage.pool import Database

PER = 100_000  # memory growth is reported per this many interactions
MB = 2**20
SKIP_CHUNK = 100  # skips in flight at once: each close sends the supervisor an urgent snapshot request

# --- answers lost --------------------------------------------------------------------------------


@dataclass
class AnswerCheck:
    """Accepted answers against the rows the bot wrote once every open question was closed."""

    expected: int = 0
    stored: int = 0
    lost: list[AnswerKey] = field(default_factory=list)
    extra: list[AnswerKey] = field(default_factory=list)
    skips: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0


async def close_open_questions(running: RunningBot, sites: list[Site], *, together: bool) -> Counter[str]:
    """Skip each session's open question as its host would; outcomes by kind.

    Spread (the default): one session per guild at a time, each round's answers written before the
    next. Together: SKIP_CHUNK at a time with no wait, whatever their guilds (sites are in round-robin
    guild order, so a chunk holds several sessions of each guild whose players overlap)."""
    supervisor = running.service.supervisor
    outcomes: Counter[str] = Counter()
    guilds = len({site.guild.id for site in sites})
    chunk = SKIP_CHUNK if together else guilds

    async def skip(site: Site) -> str:
        ref = supervisor.directory.ref(site.key)
        if ref is None:
            return "no session"
        try:
            await ref.ask(SkipQuestion(site.admin.id, True), timeout=30.0)
        except (QuizbotError, TimeoutError) as error:  # InvalidState between questions: already in
            return type(error).__name__
        return "closed"

    async def written(site: Site) -> None:
        ref, deadline = supervisor.directory.ref(site.key), time.monotonic() + 30.0
        while ref is not None and time.monotonic() < deadline:
            info = await ref.ask(Describe(), timeout=30.0)
            if info.pending_writes == 0:
                return
            await asyncio.sleep(0.05)

    for begin in range(0, len(sites), chunk):
        group = sites[begin : begin + chunk]
        outcomes.update(await asyncio.gather(*(skip(s) for s in group)))
        if not together:
            await asyncio.gather(*(written(s) for s in group))
    return outcomes


async def stored_answers(db: Database) -> set[AnswerKey]:
    rows = await db.pool.fetch("SELECT guild_id, channel_id, question_index, user_id FROM answers")
    return {(r[0], r[1], r[2], r[3]) for r in rows}


async def check_answers(
    running: RunningBot,
    db: Database,
    sites: list[Site],
    accepted: set[AnswerKey],
    *,
    within: float,
    together: bool = False,
) -> AnswerCheck:
    """Close every open question, wait up to `within` s for the rows, and compare them with `accepted`."""
    check = AnswerCheck(expected=len(accepted))
    began = time.monotonic()
    check.skips = await close_open_questions(running, sites, together=together)
    rows: set[AnswerKey] = set()
    while time.monotonic() - began < within:
        rows = await stored_answers(db)
        if accepted <= rows:
            break
        await asyncio.sleep(0.5)
    check.seconds = time.monotonic() - began
    check.stored = len(rows)
    check.lost = sorted(accepted - rows)
    check.extra = sorted(rows - accepted)
    return check


# --- memory --------------------------------------------------------------------------------------


def rss_bytes() -> int:
    """This process's resident set size (VmRSS in /proc/self/status)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def settled_rss() -> int:
    """RSS after a full garbage collection and glibc's malloc_trim: memory still in use, not garbage
    waiting for the collector nor free heap pages the allocator has not handed back yet."""
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):  # not glibc: RSS as it is
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    return rss_bytes()


def deep_size(root: object) -> int:
    """sys.getsizeof of `root` and of every container, slot and attribute value reachable from it, once."""
    seen: set[int] = set()
    stack = [root]
    total = 0
    while stack:
        item = stack.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        total += sys.getsizeof(item)
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list | tuple | set | frozenset):
            stack.extend(item)
        elif not isinstance(item, str | bytes | int | float | bool | type(None)):
            stack.extend(
                getattr(item, slot) for slot in getattr(type(item), "__slots__", ()) if hasattr(item, slot)
            )
            stack.extend(getattr(item, "__dict__", {}).values())
    return total


def session_state_bytes(running: RunningBot) -> int:
    """What the live sessions hold that grows as people play: players, answers, pending batches, and the
    checkpointer's last snapshot and recent journal entries of each (bounded by sessions x players;
    freed when a session ends)."""
    supervisor = running.service.supervisor
    checkpoints, journal = supervisor.checkpointer.checkpoints, supervisor.checkpointer.journal
    parts: list[object] = []
    for key in supervisor.directory:
        actor = getattr(supervisor.directory.ref(key), "_actor", None)
        session = getattr(actor, "session", None)
        checkpoint = checkpoints.get(key)
        parts += [checkpoint.state if checkpoint is not None else None, journal.recent(key)]
        parts += [getattr(actor, "pending", None)]
        parts += [getattr(session, "players", None), getattr(session, "answers", None)]
    return deep_size(parts)


class FullCollections:
    """How long each full (generation 2) collection stopped the process, via gc.callbacks."""

    def __init__(self) -> None:
        self._pauses: list[float] = []
        self._started = 0.0
        gc.callbacks.append(self._observe)

    def _observe(self, phase: str, info: dict[str, int]) -> None:
        if info["generation"] != 2:
            return
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self._pauses.append(time.perf_counter() - self._started)

    def take(self) -> list[float]:
        """The pauses, in seconds, since the last take."""
        pauses, self._pauses = self._pauses, []
        return pauses

    def close(self) -> None:
        """Stop observing (a run of several configurations makes one of these for each)."""
        if self._observe in gc.callbacks:
            gc.callbacks.remove(self._observe)


@dataclass
class RssTrace:
    """(interactions so far, RSS) every second during a phase, for a slope less noisy than two points."""

    samples: list[tuple[int, int]] = field(default_factory=list)

    async def sample_forever(self, count: object, every: float = 1.0) -> None:
        """Sample `count.dispatched` and RSS every `every` seconds until cancelled."""
        while True:
            self.samples.append((int(getattr(count, "dispatched", 0)), rss_bytes()))
            await asyncio.sleep(every)

    def slope(self) -> float | None:
        """Least-squares bytes of RSS per interaction, or None with fewer than three samples."""
        if len(self.samples) < 3:
            return None
        xs = [float(x) for x, _ in self.samples]
        ys = [float(y) for _, y in self.samples]
        mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
        spread = sum((x - mx) ** 2 for x in xs)
        if spread == 0:
            return None
        return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / spread


@dataclass(frozen=True, slots=True)
class Growth:
    """Where traced memory grew between two tracemalloc snapshots."""

    total: int
    by_place: list[tuple[str, int, int]]  # (place, bytes, blocks); a place is frames joined by " < "


def short(frame: tracemalloc.Frame) -> str:
    return f"{frame.filename.split('site-packages/')[-1].split('/main/')[-1]}:{frame.lineno}"


def where_it_grew(before: tracemalloc.Snapshot, after: tracemalloc.Snapshot, top: int) -> Growth:
    """The biggest growths by allocating call stack (as deep as tracemalloc was started with)."""
    stats = after.compare_to(before, "traceback")
    total = sum(s.size_diff for s in stats)
    places = [
        (" < ".join(short(f) for f in reversed(stat.traceback)), stat.size_diff, stat.count_diff)
        for stat in sorted(stats, key=lambda s: -s.size_diff)[:top]
    ]
    return Growth(total, places)


class Memory:
    """RSS, disnake's webhook lock table, CPU and GC time around the measured phase.

    Besides the raw RSS growth, the growth that does not belong to a live game or to the benchmark:
    RSS growth less the benchmark's own records (its accepted-answer set and latency arrays) and less
    the live sessions' growing state (players, answers, their snapshots), both by sys.getsizeof. The
    sessions' state is bounded by sessions x players and freed when a game ends; the rest is what a
    bot that runs for weeks keeps."""

    def __init__(self, trace: int) -> None:
        self.trace = trace
        self.rss_before = self.rss_after = 0
        self.own_before = self.own_after = 0
        self.sessions_before = self.sessions_after = 0
        self.locks_before = self.locks_after = 0
        self.lap: Lap | None = None
        self.pauses: list[float] = []
        self.rss = RssTrace()
        self._watch: Stopwatch | None = None
        self._full = FullCollections()
        self._snapshot: tracemalloc.Snapshot | None = None
        self.growth: Growth | None = None

    def begin(self, own: int, sessions: int) -> None:
        if self.trace:
            tracemalloc.start(self.trace)
            self._snapshot = tracemalloc.take_snapshot()
        self.own_before, self.sessions_before = own, sessions
        self.rss_before = settled_rss()
        self.locks_before = webhook_lock_count()
        self._full.take()
        self._watch = Stopwatch()

    def end(self, top: int, own: int, sessions: int) -> None:
        self.lap = self._watch.lap() if self._watch is not None else None
        self.pauses = self._full.take()
        self._full.close()
        self.rss_after = settled_rss()
        self.own_after, self.sessions_after = own, sessions
        self.locks_after = webhook_lock_count()
        if self._snapshot is not None:
            self.growth = where_it_grew(self._snapshot, tracemalloc.take_snapshot(), top)
            tracemalloc.stop()

    @property
    def own(self) -> int:
        return self.own_after - self.own_before

    @property
    def raw(self) -> int:
        return self.rss_after - self.rss_before

    @property
    def sessions(self) -> int:
        return self.sessions_after - self.sessions_before

    @property
    def rest(self) -> int:
        """RSS growth less the benchmark's own records and the live sessions' state."""
        return self.raw - self.own - self.sessions

    @staticmethod
    def per_100k(grown: int, interactions: int) -> float:
        return grown / max(interactions, 1) * PER
