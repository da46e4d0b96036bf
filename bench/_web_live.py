"""Part 2 of the web benchmark: live-page viewers on one game, and what they cost its answers.

One session runs in an actor rig (bench/_actors_rig.py: the supervisor and game core as they run,
in-memory stores), its events told to the web's live screens beside the null channel, as the bot
tells them beside Discord; the web app serves its screen on a loopback port. Phases alternate with
no viewer and with N viewers holding the page's event stream open (bench/_web_viewers.py, a process
of its own, so this process holds only the server's side of each viewer). In each phase every
player answers each question by ask (the answer path: the actor applies it, journals it, and tells
both ports the new tally), then the question closes (reveal and scores, which every viewer gets).
The web view runs inside the bot, so the collector is tuned as the bot tunes it at start-up
(quizbot.bot.housekeeping.tune_collector: a young collection every 20,000 allocations, not 700).
"""

from __future__ import annotations

import asyncio
import gc
import os
import sys
import time
import tracemalloc
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from bench._actors_rig import (
    ASK_TIMEOUT,
    HOST_ID,
    QUESTION_TIMEOUT,
    REVEAL_PAUSE,
    MemorySessionStore,
    MemorySnapshotStore,
    Rig,
    player_id,
    question_bank,
    session_config,
    session_key,
)
from bench._web_board import UNLIMITED, served
from quizbot.actors.base import ActorRef
from quizbot.actors.messages import StartSession, SubmitAnswer
from quizbot.bot.housekeeping import tune_collector
from quizbot.clock import LoopClock
from quizbot.game.session import AnswerOutcome
from quizbot.storage.pool import Database
from quizbot.testing.actors import InMemoryQuestions
from quizbot.web.context import WebContext
from quizbot.web.screens import LiveScreens

PAGE_BYTES = os.sysconf("SC_PAGE_SIZE")
IN_FLIGHT = 500  # asks waiting at once (a session's mailbox holds 1,000)


@dataclass(frozen=True, slots=True)
class Phase:
    """One phase: its viewers, the answers given and how long they took, and what viewers got."""

    viewers: int
    questions: int
    answers: int
    submit_seconds: float
    submit_cpu: float  # this process's CPU seconds while answering (the viewers' process apart)
    close_seconds: float
    events: int  # events all viewers received (0 without viewers)

    @property
    def per_second(self) -> float:
        return self.answers / self.submit_seconds

    @property
    def per_cpu_second(self) -> float:
        return self.answers / self.submit_cpu


@dataclass(frozen=True, slots=True)
class Memory:
    """The server's memory for N viewers: Python's allocations (tracemalloc) and the RSS growth."""

    viewers: int
    traced_bytes: int
    rss_bytes: int

    @property
    def traced_per_viewer(self) -> float:
        return self.traced_bytes / self.viewers

    @property
    def rss_per_viewer(self) -> float:
        return self.rss_bytes / self.viewers


def rss() -> int:
    """This process's resident set, in bytes."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * PAGE_BYTES


class Viewers:
    """A process holding N event streams on a URL (bench/_web_viewers.py), while its block runs."""

    def __init__(self, url: str, count: int) -> None:
        self.url = url
        self.count = count
        self.events = 0

    @asynccontextmanager
    async def watching(self) -> AsyncIterator[Viewers]:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bench._web_viewers",
            self.url,
            str(self.count),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        assert process.stdin is not None and process.stdout is not None
        try:
            said = (await asyncio.wait_for(process.stdout.readline(), 120)).decode().strip()
            if said != f"connected {self.count}":
                raise RuntimeError(f"the viewers said {said!r}")
            yield self
        finally:
            process.stdin.close()
            said = (await asyncio.wait_for(process.stdout.readline(), 60)).decode().split()
            await process.wait()
            if said[:1] == ["events"]:
                self.events = int(said[1])


class LiveGameRig:
    """One game of `players` players in an actor rig, its screen served on a loopback port."""

    def __init__(self, db: Database, players: int, questions: int) -> None:
        self.db = db
        self.players = players
        self.total = questions
        self.screens = LiveScreens(LoopClock())  # the tally's pace is real time, as viewers see it
        self.store = MemorySessionStore()
        self.rig = Rig(
            store=self.store,
            snapshots=MemorySnapshotStore(),
            questions=InMemoryQuestions(),
            owner="bench-web",
            beside=self.screens,
        )
        self.key = session_key(0)
        self.index = 0  # the question open now
        self.ref: ActorRef[object] | None = None

    @asynccontextmanager
    async def running(self) -> AsyncIterator[str]:
        """Start the game and serve its screen; yields the event stream's URL."""
        run_id = uuid.uuid4()
        token = await self.screens.open(self.db, self.key, run_id, HOST_ID)
        self.screens.attach(run_id)
        start = StartSession(
            *self.key, HOST_ID, session_config(self.total), question_bank(self.total), run_id=run_id
        )
        self.ref = await self.rig.ref.ask(start, timeout=ASK_TIMEOUT)
        context = WebContext(
            db=self.db, categories=frozenset(), screens=self.screens, requests_per_minute=UNLIMITED
        )
        try:
            async with served(context) as (base, _):
                yield f"{base}/live/{token}/events"
        finally:
            await self.rig.shutdown()
            await self.rig.stop()

    async def play(self, questions: int) -> tuple[int, float, float, float]:
        """Every player answers each of the next `questions` questions, each then closed and the
        next opened: the answers, the seconds (and CPU seconds) answering took and the seconds
        closing took."""
        assert self.ref is not None
        ref, answered, submitting, cpu, closing = self.ref, 0, 0.0, 0.0, 0.0
        for _ in range(questions):
            index = self.index
            started, cpu_started = time.perf_counter(), time.process_time()
            outcomes: list[AnswerOutcome] = []
            for first in range(0, self.players, IN_FLIGHT):
                asks = [
                    ref.ask(SubmitAnswer(player_id(p), f"player{p}", index, p % 4), timeout=ASK_TIMEOUT)
                    for p in range(first, min(self.players, first + IN_FLIGHT))
                ]
                outcomes += await asyncio.gather(*asks)
            submitting += time.perf_counter() - started
            cpu += time.process_time() - cpu_started
            if any(outcome is not AnswerOutcome.ACCEPTED for outcome in outcomes):
                raise RuntimeError(f"answers not accepted: {set(outcomes)}")
            answered += len(outcomes)
            started = time.perf_counter()
            batches = self.store.batches
            self.rig.clock.advance(QUESTION_TIMEOUT)
            await self.store.until_batches(batches + 1)
            self.rig.clock.advance(REVEAL_PAUSE)
            await self.rig.drain([self.key])
            closing += time.perf_counter() - started
            self.index += 1
        return answered, submitting, cpu, closing


async def measure_live(
    db: Database, *, viewers: int, players: int, questions: int, rounds: int
) -> tuple[list[Phase], Memory]:
    """`rounds` rounds of a phase without viewers then one with `viewers`, `questions` questions
    each; the memory the viewers hold is measured over the first phase with them (RSS) and over
    one more question with tracemalloc on (Python's allocations)."""
    tune_collector()  # as `quizbot run` does before the web view serves anyone
    game = LiveGameRig(db, players, rounds * 2 * questions + 2)
    phases: list[Phase] = []
    grown = 0
    async with game.running() as url:
        await game.play(1)  # warm-up: the first question's close, caches, the web app's first page
        for round_number in range(rounds):
            for count in (0, viewers):
                gc.collect()
                if count == 0:
                    phases.append(Phase(0, questions, *await game.play(questions), 0))
                    continue
                resident = rss()
                async with Viewers(url, count).watching() as watching:
                    answered, submitting, cpu, closing = await game.play(questions)
                    if round_number == 0:
                        gc.collect()
                        grown = rss() - resident
                phases.append(Phase(count, questions, answered, submitting, cpu, closing, watching.events))
        traced = await _traced(game, url, viewers)
    return phases, Memory(viewers, traced, grown)


async def _traced(game: LiveGameRig, url: str, viewers: int) -> int:
    """Python's allocations held by `viewers` streams, connected and sent a question's events."""
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        async with Viewers(url, viewers).watching():
            await game.play(1)
            gc.collect()
            return tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
