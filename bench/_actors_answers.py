"""Part 2 of the actor benchmark: answers per second through the actors, by tell and by ask."""

from __future__ import annotations

import asyncio
import gc
from dataclasses import dataclass
from typing import Any

from bench._actors_report import Lap, Stopwatch
from bench._actors_rig import ASK_TIMEOUT, MemorySessionStore, MemorySnapshotStore, Rig, player_id
from quizbot.actors.base import ActorRef
from quizbot.actors.messages import SubmitAnswer
from quizbot.game.questions import Question
from quizbot.game.session import AnswerOutcome, SessionConfig
from quizbot.testing.actors import InMemoryQuestions

MODES = ("tell", "ask")


@dataclass(frozen=True, slots=True)
class AnswerRun:
    """One run of the answers test: submitting (until every mailbox drained), then the close."""

    mode: str
    answers: int
    submit: Lap
    close: Lap

    @property
    def per_second(self) -> float:
        return self.answers / (self.submit.wall + self.close.wall)

    @property
    def per_cpu_second(self) -> float:
        return self.answers / (self.submit.cpu + self.close.cpu)

    @property
    def submit_per_second(self) -> float:
        return self.answers / self.submit.wall


async def _submit_by_tell(rig: Rig, refs: list[ActorRef[Any]], players: int) -> None:
    for ref in refs:
        for p in range(players):
            ref.tell(SubmitAnswer(player_id(p), f"player{p}", 0, p % 4))
    await rig.drain()


async def _submit_by_ask(rig: Rig, refs: list[ActorRef[Any]], players: int) -> None:
    async def caller(ref: ActorRef[Any]) -> None:
        for p in range(players):
            outcome = await ref.ask(SubmitAnswer(player_id(p), f"player{p}", 0, p % 4), timeout=ASK_TIMEOUT)
            if outcome is not AnswerOutcome.ACCEPTED:
                raise RuntimeError(f"answer not accepted: {outcome}")

    await asyncio.gather(*(caller(ref) for ref in refs))
    await rig.drain()


async def measure_answers(
    mode: str, sessions: int, players: int, questions: tuple[Question, ...], config: SessionConfig
) -> AnswerRun:
    """Open `sessions` sessions (untimed), then time `players` answers each by `mode`, then the close."""
    store = MemorySessionStore()
    rig = Rig(
        store=store,
        snapshots=MemorySnapshotStore(),
        questions=InMemoryQuestions(),
        owner=f"bench-answers-{mode}",
    )
    await rig.start_sessions(sessions, questions, config)
    refs = rig.refs()
    submit = _submit_by_tell if mode == "tell" else _submit_by_ask
    gc.collect()
    watch = Stopwatch()
    await submit(rig, refs, players)
    submitted = watch.lap()
    await rig.close_groups(store)
    closed = watch.lap()
    if store.answers != sessions * players:
        raise RuntimeError(f"{store.answers} answers recorded, {sessions * players} expected")
    await rig.shutdown()
    await rig.stop()
    return AnswerRun(mode, sessions * players, submitted, closed)


def print_answer_runs(runs: list[AnswerRun]) -> None:
    for run in runs:
        print(
            f"    {run.mode:<4}: {run.answers} answers in and drained {run.submit} "
            f"({run.submit_per_second:,.0f}/s); closed, scored, recorded {run.close}; "
            f"{run.per_second:,.0f} answers/s end to end ({run.per_cpu_second:,.0f} per CPU second)"
        )
