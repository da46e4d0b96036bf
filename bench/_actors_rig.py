"""Wiring for the actor benchmark: a shared question bank, in-memory stand-ins for the ports, and a rig.

The stand-ins implement the protocols of quizbot/actors/ports.py and do no I/O, so what the memory
and answer figures measure is the actor runtime, the supervisor and the game core, not asyncpg.
`TimedSnapshotStore` and `TimedQuestionStore` wrap any SnapshotStore and QuestionStore (the
PostgreSQL ones in the respawn and shutdown figures) and record how long each call took, in one
shared log, to split a figure into database and Python time.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from quizbot.actors.base import ActorRef, spawn
from quizbot.actors.compose import compose_supervisor
from quizbot.actors.fanout import FanOut
from quizbot.actors.messages import Describe, GetStatus, SessionKey, Shutdown, StartSession, SubmitAnswer
from quizbot.actors.ports import (
    AchievementsUnlocked,
    ChannelEvent,
    ChannelPort,
    QuestionStore,
    SaveResult,
    SessionStore,
    Snapshot,
    SnapshotStore,
    UnreadableSnapshot,
)
from quizbot.actors.supervisor import Supervisor
from quizbot.clock import ManualClock
from quizbot.game.effects import RecordAnswers, RecordRun
from quizbot.game.progression import Difficulty
from quizbot.game.questions import Question, QuestionKind
from quizbot.game.session import SessionConfig
from quizbot.testing.actors import settle

T = TypeVar("T")

ASK_TIMEOUT = 120.0  # generous: the bench asks thousands of actors at once on a noisy machine
START_CHUNK = 200  # StartSession asks in flight at once; the supervisor's mailbox holds 1000
QUESTION_COUNT = 10
QUESTION_TIMEOUT = 30.0
REVEAL_PAUSE = 4.0
GROUP_SPACING = 0.001  # clock seconds between start groups, so a group's timers fall due together

GUILD_BASE = 800_000_000_000_000_000  # snowflake-sized ids, as Discord's are
CHANNEL_BASE = 900_000_000_000_000_000
USER_BASE = 300_000_000_000_000_000
HOST_ID = 250_000_000_000_000_001
CHANNELS_PER_GUILD = 10


def question_bank(count: int = QUESTION_COUNT) -> tuple[Question, ...]:
    """`count` realistic four-option questions, built once and shared by every session."""
    return tuple(
        Question(
            question_id=f"bank-science-{number:05d}",
            text=f"Which of these elements has the atomic number {number + 20}, and why is it unusual?",
            kind=QuestionKind.MULTIPLE_CHOICE,
            category="science",
            difficulty=Difficulty.MEDIUM,
            explanation=f"Element {number + 20} sits in period 4; its electron configuration is unusual.",
            options=(f"Option A {number}", f"Option B {number}", f"Option C {number}", f"Option D {number}"),
            answer_index=number % 4,
        )
        for number in range(count)
    )


def session_config(count: int = QUESTION_COUNT) -> SessionConfig:
    """The quiz every bench session plays: `count` 30-second questions with a 4-second reveal."""
    return SessionConfig(question_count=count, question_timeout=QUESTION_TIMEOUT, reveal_pause=REVEAL_PAUSE)


def session_key(number: int) -> SessionKey:
    """The (guild, channel) of bench session `number`: ten channels per guild."""
    return (GUILD_BASE + number // CHANNELS_PER_GUILD, CHANNEL_BASE + number)


def player_id(number: int) -> int:
    return USER_BASE + number


# --- stand-ins for the ports ---------------------------------------------------------------------


class NullChannel:
    """A ChannelPort that counts events by type and keeps none (the Discord edge keeps nothing either)."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()

    async def show(
        self, key: SessionKey, event: ChannelEvent, *, after: asyncio.Future[Any] | None = None
    ) -> None:
        self.counts[type(event).__name__] += 1


class MemorySessionStore:
    """A SessionStore that only counts what it is given, and wakes whoever waits for a count."""

    def __init__(self) -> None:
        self.batches = 0
        self.answers = 0
        self.runs = 0
        self._waiters: list[tuple[int, asyncio.Future[None]]] = []

    async def record_answers(self, key: SessionKey, effect: RecordAnswers) -> None:
        self.batches += 1
        self.answers += len(effect.results)
        if self._waiters:
            self._wake()

    async def record_run(self, key: SessionKey, effect: RecordRun) -> list[AchievementsUnlocked]:
        self.runs += 1
        return []

    async def until_batches(self, count: int) -> None:
        """Return once `count` answer batches in all have been recorded."""
        if self.batches >= count:
            return
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append((count, waiter))
        await waiter

    def _wake(self) -> None:
        still = []
        for count, waiter in self._waiters:
            if self.batches >= count:
                if not waiter.done():
                    waiter.set_result(None)
            else:
                still.append((count, waiter))
        self._waiters = still


class MemorySnapshotStore:
    """A SnapshotStore in a dict, fenced by epoch like the real one; it keeps references, no copies."""

    def __init__(self) -> None:
        self._epochs = itertools.count(1)
        self.rows: dict[SessionKey, Snapshot] = {}

    async def new_epoch(self) -> int:
        return next(self._epochs)

    async def save(self, batch: Sequence[Snapshot]) -> SaveResult:
        saved, refused = set(), set()
        for snapshot in batch:
            held = self.rows.get(snapshot.key)
            mine = held is not None and (held.epoch, held.owner) == (snapshot.epoch, snapshot.owner)
            if held is None or held.epoch < snapshot.epoch or mine:
                self.rows[snapshot.key] = snapshot
                saved.add(snapshot.key)
            else:
                refused.add(snapshot.key)
        return SaveResult(frozenset(saved), frozenset(refused))

    async def load_live(
        self, now: datetime, shard_ids: Sequence[int], shard_count: int | None
    ) -> list[Snapshot | UnreadableSnapshot]:
        return [s for s in self.rows.values() if s.expires_at > now]

    async def claim(
        self, owner: str, seen: Sequence[Snapshot], now: datetime
    ) -> list[Snapshot | UnreadableSnapshot]:
        claimed: list[Snapshot | UnreadableSnapshot] = []
        for snapshot in seen:
            held = self.rows.get(snapshot.key)
            if held is not None and held.epoch == snapshot.epoch and held.expires_at > now:
                new = Snapshot(
                    held.guild_id, held.channel_id, owner, next(self._epochs), held.state, held.expires_at
                )
                self.rows[snapshot.key] = new
                claimed.append(new)
        return claimed

    async def delete(self, key: SessionKey, owner: str, epoch: int) -> bool:
        held = self.rows.get(key)
        if held is not None and (held.owner, held.epoch) == (owner, epoch):
            del self.rows[key]
            return True
        return False

    async def expire(self, now: datetime) -> list[SessionKey]:
        gone = [key for key, s in self.rows.items() if s.expires_at <= now]
        for key in gone:
            del self.rows[key]
        return gone

    async def quarantine(self, key: SessionKey, epoch: int, reason: str) -> bool:
        held = self.rows.get(key)
        if held is None or held.epoch != epoch:
            return False
        del self.rows[key]
        return True


@dataclass(slots=True)
class Call:
    """One timed call to a store."""

    method: str
    seconds: float
    rows: int


class CallLog:
    """The timed calls of the stores that share it, in the order they returned."""

    def __init__(self) -> None:
        self.calls: list[Call] = []

    async def timed(self, method: str, call: Awaitable[T], rows: Callable[[T], int]) -> T:
        started = time.perf_counter()
        result = await call
        self.calls.append(Call(method, time.perf_counter() - started, rows(result)))
        return result

    def take(self) -> list[Call]:
        """The calls recorded since the last take."""
        calls, self.calls = self.calls, []
        return calls


class TimedSnapshotStore:
    """Wraps a SnapshotStore and records the wall time and row count of its calls in `log`."""

    def __init__(self, inner: SnapshotStore, log: CallLog) -> None:
        self.inner = inner
        self.log = log

    async def new_epoch(self) -> int:
        return await self.inner.new_epoch()  # one per started session: not worth a record each

    async def save(self, batch: Sequence[Snapshot]) -> SaveResult:
        return await self.log.timed("save", self.inner.save(batch), lambda _: len(batch))

    async def load_live(
        self, now: datetime, shard_ids: Sequence[int], shard_count: int | None
    ) -> list[Snapshot | UnreadableSnapshot]:
        return await self.log.timed("load_live", self.inner.load_live(now, shard_ids, shard_count), len)

    async def claim(
        self, owner: str, seen: Sequence[Snapshot], now: datetime
    ) -> list[Snapshot | UnreadableSnapshot]:
        return await self.log.timed("claim", self.inner.claim(owner, seen, now), len)

    async def delete(self, key: SessionKey, owner: str, epoch: int) -> bool:
        return await self.inner.delete(key, owner, epoch)

    async def expire(self, now: datetime) -> list[SessionKey]:
        return await self.inner.expire(now)

    async def quarantine(self, key: SessionKey, epoch: int, reason: str) -> bool:
        return await self.inner.quarantine(key, epoch, reason)


class TimedQuestionStore:
    """Wraps a QuestionStore and records the wall time and row count of its calls in `log`."""

    def __init__(self, inner: QuestionStore, log: CallLog) -> None:
        self.inner = inner
        self.log = log

    async def keep(self, questions: Sequence[Question]) -> None:
        await self.log.timed("questions.keep", self.inner.keep(questions), lambda _: len(questions))

    async def find(self, identities: Sequence[str]) -> dict[str, Question]:
        return await self.log.timed("questions.find", self.inner.find(identities), len)


# --- the rig -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Group:
    """Sessions started at one clock time."""

    started_at: float
    keys: list[SessionKey]


class Rig:
    """One supervisor 'process' with a hand-driven clock, a null channel and the given stores; the
    sessions' events also go to the port `beside` when given (the web's live screens)."""

    def __init__(
        self,
        *,
        store: SessionStore,
        snapshots: SnapshotStore,
        questions: QuestionStore,
        owner: str,
        clock: ManualClock | None = None,
        beside: ChannelPort | None = None,
    ) -> None:
        self.clock = clock or ManualClock()
        self.channel = NullChannel()
        self.store = store
        self.snapshots = snapshots
        self.supervisor = compose_supervisor(
            port=self.channel if beside is None else FanOut(self.channel, beside),
            store=store,
            snapshots=snapshots,
            questions=questions,
            clock=self.clock,
            owner=owner,
            tick=False,  # the bench decides when snapshots are flushed
        )
        # Default capacity, as QuizService spawns it.
        self.ref: ActorRef[Supervisor] = spawn(self.supervisor, name=f"supervisor:{owner}")
        self.groups: list[Group] = []  # sessions started together, so their timers fall due together

    def refs(self, keys: Sequence[SessionKey] | None = None) -> list[ActorRef[Any]]:
        """The refs of every listed session (or of `keys`) whose loop runs."""
        directory = self.supervisor.directory
        refs = directory.refs() if keys is None else [r for k in keys if (r := directory.ref(k)) is not None]
        return [ref for ref in refs if ref.running]

    async def start_sessions(
        self, count: int, questions: tuple[Question, ...], config: SessionConfig, *, first: int = 0
    ) -> None:
        """Start sessions `first`..`first+count-1` through StartSession asks, START_CHUNK at a time.

        Each chunk starts at its own clock time (GROUP_SPACING apart), so its timers fall due
        together and the chunks can be closed one after another.
        """
        for begin in range(first, first + count, START_CHUNK):
            keys = [session_key(n) for n in range(begin, min(first + count, begin + START_CHUNK))]
            requests = [StartSession(*key, HOST_ID, config, questions) for key in keys]
            self.groups.append(Group(self.clock.time(), keys))
            await asyncio.gather(*(self.ref.ask(r, timeout=ASK_TIMEOUT) for r in requests))
            await self.ref.ask(GetStatus(), timeout=ASK_TIMEOUT)
            self.clock.advance(GROUP_SPACING)
        await self.settle()

    async def close_groups(self, store: MemorySessionStore) -> None:
        """Fire each group's close timer in turn and wait until its answers are recorded.

        A group at a time keeps the supervisor's mailbox (1000 messages) from overflowing with
        the sessions' urgent reports. Recorded means: scored, snapshot saved, answers written.
        """
        batches = store.batches
        for group in self.groups:
            self.clock.advance(max(0.0, group.started_at + QUESTION_TIMEOUT - self.clock.time()))
            batches += len(group.keys)
            await store.until_batches(batches)
        await self.ref.ask(GetStatus(), timeout=ASK_TIMEOUT)

    async def open_next(self) -> None:
        """Fire each group's advance timer in turn (after the reveal pause), opening the next question."""
        for group in self.groups:
            self.clock.advance(
                max(0.0, group.started_at + QUESTION_TIMEOUT + REVEAL_PAUSE - self.clock.time())
            )
            await self.drain(group.keys)

    def answer(self, first_player: int, players: int, question: int) -> int:
        """Tell an answer from `players` players to `question` in every session; return how many."""
        told = 0
        for ref in self.refs():
            for p in range(first_player, first_player + players):
                ref.tell(SubmitAnswer(player_id(p), f"player{p}", question, p % 4))
                told += 1
        return told

    async def drain(self, keys: Sequence[SessionKey] | None = None) -> None:
        """One Describe round trip per session: each comes back after everything queued before it.

        As plain futures (`request`), so the bench's own waiting costs no task per session.
        """
        await asyncio.gather(*(ref.request(Describe(), timeout=ASK_TIMEOUT) for ref in self.refs(keys)))
        await self.ref.ask(GetStatus(), timeout=ASK_TIMEOUT)

    async def settle(self) -> None:
        """Round-trip every actor until no mailbox holds anything (quizbot/testing/actors.py)."""
        await settle(self.supervisor, ask_timeout=ASK_TIMEOUT)

    async def shutdown(self) -> int:
        """Send Shutdown (snapshot everything, stop every session); return how many were saved."""
        saved: int = await self.ref.ask(Shutdown(), timeout=ASK_TIMEOUT)
        return saved

    async def stop(self) -> None:
        """Stop the supervisor actor itself (after `shutdown`)."""
        self.ref.stop()
        await self.ref.wait_stopped()


def by_method(calls: list[Call]) -> dict[str, tuple[float, int]]:
    """Total seconds and rows per store method."""
    totals: defaultdict[str, list[float]] = defaultdict(lambda: [0.0, 0])
    for call in calls:
        totals[call.method][0] += call.seconds
        totals[call.method][1] += call.rows
    return {method: (seconds, int(rows)) for method, (seconds, rows) in totals.items()}
