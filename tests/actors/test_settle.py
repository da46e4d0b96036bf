"""Settling the actors (quizbot/testing/actors.py) while another settle runs, as a test's own and a
stepping clock's do: each finishes, and neither mistakes the other's status probes for work."""

from __future__ import annotations

import asyncio
from typing import Any

from quizbot.actors.base import ActorRef, Mailbox
from quizbot.actors.messages import Describe, GetStatus, SubmitAnswer
from quizbot.storage.pool import Database
from quizbot.testing.actors import settle, work_waiting
from tests.actors.support import ASK, Harness

GUILD, CHANNEL = 111 << 22, 900


async def test_two_settles_at_once_both_finish(db: Database) -> None:
    harness = Harness(db, owner="settling")
    try:
        session = await harness.start(GUILD, CHANNEL)
        for _ in range(20):
            await asyncio.gather(*(settle(harness.supervisor, ask_timeout=ASK, rounds=3) for _ in range(3)))
        assert not work_waiting(session)
    finally:
        await harness.shutdown()


def test_only_a_message_other_than_a_probe_is_work_waiting() -> None:
    ref: ActorRef[Any] = ActorRef("session:probed", Mailbox(), None)
    ref.tell(Describe())
    ref.tell(GetStatus())
    assert not work_waiting(ref)
    ref.tell(SubmitAnswer(7, "ann", 0, 1))
    assert work_waiting(ref)
