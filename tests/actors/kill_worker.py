"""A process that plays quizzes until done, for the SIGKILL test: `python -m tests.actors.kill_worker`.

Arguments: database URL, schema, owner, and "start" (create the sessions) or "respawn" (bring back
whatever the last process left). It prints one JSON line per event so the test can kill it at
random points and later compare what players saw with what the database holds.
"""

from __future__ import annotations

import asyncio
import random
import sys
from typing import Any

import orjson

from quizbot.actors.base import spawn
from quizbot.actors.compose import compose_supervisor
from quizbot.actors.messages import (
    Describe,
    FlushSnapshots,
    RespawnSessions,
    ResumeQuiz,
    SessionInfo,
    SessionKey,
    SubmitAnswer,
)
from quizbot.actors.ports import ChannelEvent
from quizbot.actors.supervisor import Supervisor
from quizbot.clock import ManualClock
from quizbot.errors import QuizbotError
from quizbot.game.effects import AnnounceEnd
from quizbot.storage.journal import PostgresJournalStore
from quizbot.storage.pool import Database
from quizbot.storage.questions import PostgresQuestionStore
from quizbot.storage.results import PostgresSessionStore
from quizbot.storage.snapshots import PostgresSnapshotStore
from quizbot.testing.actors import settle
from tests.actors.support import start_request

SESSIONS, QUESTIONS, PLAYERS = 6, 5, 5
ASK = 10.0


class PrintingChannel:
    """Prints every event as a JSON line; the podium carries the final standings."""

    async def show(
        self, key: SessionKey, event: ChannelEvent, *, after: asyncio.Future[Any] | None = None
    ) -> None:
        if after is not None:
            await asyncio.wait({after})  # as Discord's channel does: shown once the change is saved
        line: dict[str, Any] = {"key": list(key), "event": type(event).__name__}
        if isinstance(event, AnnounceEnd):
            line["standings"] = {str(s.user_id): s.points for s in event.standings}
        emit(line)


def emit(line: dict[str, Any]) -> None:
    sys.stdout.write(orjson.dumps(line).decode() + "\n")
    sys.stdout.flush()


async def main(url: str, schema: str, owner: str, mode: str) -> None:
    db = await Database.connect(url, server_settings={"search_path": schema}, min_size=1, max_size=4)
    clock = ManualClock()
    supervisor = compose_supervisor(
        port=PrintingChannel(),
        store=PostgresSessionStore(db),
        snapshots=PostgresSnapshotStore(db),
        questions=PostgresQuestionStore(db),
        journal=PostgresJournalStore(db),
        clock=clock,
        owner=owner,
        tick=False,
    )
    ref = spawn(supervisor, name="supervisor")
    if mode == "start":
        for guild in range(1, SESSIONS + 1):
            await ref.ask(start_request(guild << 22, 100, count=QUESTIONS), timeout=ASK)
    else:
        await ref.ask(RespawnSessions(), timeout=ASK)
        for key in list(supervisor.directory):
            session = supervisor.directory.ref(key)
            if session is not None:
                await session.ask(ResumeQuiz(user_id=1, is_moderator=False), timeout=ASK)
    await ref.ask(FlushSnapshots(), timeout=ASK)
    emit({"event": "ready", "sessions": len(supervisor.directory)})
    thinking = random.Random(owner)  # each process answers at its own speed, so a redone close differs
    while len(supervisor.directory):
        clock.advance(thinking.uniform(0.5, 6.0))
        for key in list(supervisor.directory):
            await answer_everything(supervisor, key)
        await ref.ask(FlushSnapshots(), timeout=ASK)
        for seconds in (10.0, 2.0):  # past the close, then the move to the next question
            clock.advance(seconds)
            await settle(supervisor, ask_timeout=ASK)
            await ref.ask(FlushSnapshots(), timeout=ASK)
        emit({"event": "step"})
    emit({"event": "done"})


async def answer_everything(supervisor: Supervisor, key: SessionKey) -> None:
    session = supervisor.directory.ref(key)
    if session is None:
        return
    try:
        info: SessionInfo = await session.ask(Describe(), timeout=ASK)
        if info.phase != "question_open" or info.paused:
            return
        for user in range(1, PLAYERS + 1):
            choice = (user + info.index) % 4
            await session.ask(SubmitAnswer(user, f"player{user}", info.index, choice), timeout=ASK)
    except QuizbotError as error:  # the question closed meanwhile: nothing to answer
        emit({"event": "refused", "why": str(error)})


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:5]))
