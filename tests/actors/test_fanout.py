"""The web as one more port a session tells: FanOut, the answer tally, and a recovered game's run."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any
from uuid import uuid4

from quizbot.actors.fanout import FanOut
from quizbot.actors.messages import RespawnSessions, ResumeQuiz, SessionKey, SubmitAnswer
from quizbot.actors.ports import ChannelEvent, RecoveryPrompt
from quizbot.game.effects import AnswersIn, PostQuestion, Reveal, ShowScores
from quizbot.storage.pool import Database
from quizbot.testing.actors import InMemoryChannel
from tests.actors.support import ASK, Harness, start_request

GUILD, CHANNEL = 333 << 22, 901
KEY = (GUILD, CHANNEL)


class Recorder:
    """A port that keeps each event with whether the change behind it was saved when it came."""

    def __init__(self) -> None:
        self.told: list[tuple[ChannelEvent, asyncio.Future[Any] | None]] = []

    async def show(
        self, key: SessionKey, event: ChannelEvent, *, after: asyncio.Future[Any] | None = None
    ) -> None:
        self.told.append((event, after))


class Broken:
    """A port that always fails."""

    async def show(
        self, key: SessionKey, event: ChannelEvent, *, after: asyncio.Future[Any] | None = None
    ) -> None:
        raise RuntimeError("the web is down")


async def test_every_port_hears_the_same_events_in_the_same_order(db: Database) -> None:
    """Two players answer and the question closes: both ports hear question, tally 1, tally 2,
    reveal and scores, each tally with the journal write of the answer behind it."""
    channel, web = InMemoryChannel(), Recorder()
    harness = Harness(db, owner="fan", port=FanOut(channel, web))
    try:
        ref = await harness.start(GUILD, CHANNEL, count=2)
        await ref.ask(SubmitAnswer(7, "ann", 0, 1), timeout=ASK)
        await ref.ask(SubmitAnswer(8, "bob", 0, 0), timeout=ASK)
        await ref.ask(SubmitAnswer(8, "bob", 0, 2), timeout=ASK)  # a change: nobody new
        await harness.advance(10)
        kinds = [type(event) for event, _ in web.told]
        assert kinds == [PostQuestion, AnswersIn, AnswersIn, Reveal, ShowScores]
        assert [type(event) for event in channel.events[KEY]] == kinds
        tallies = [(event, after) for event, after in web.told if isinstance(event, AnswersIn)]
        assert [event for event, _ in tallies] == [AnswersIn(0, 1), AnswersIn(0, 2)]
        assert all(after is not None and after.done() and after.exception() is None for _, after in tallies)
    finally:
        await harness.shutdown()


async def test_a_failing_port_never_keeps_the_others_from_hearing() -> None:
    """The first port raises on every event; the second still hears each one, and the game goes on."""
    web = Recorder()
    fan = FanOut(Broken(), web)
    await fan.show(KEY, AnswersIn(0, 1))
    await fan.show(KEY, AnswersIn(0, 2))
    assert [event for event, _ in web.told] == [AnswersIn(0, 1), AnswersIn(0, 2)]


async def test_a_recovered_game_names_its_run_and_tells_its_tally_again(db: Database) -> None:
    """After a restart the prompt names the game's run (so a live screen of it picks it up), and
    Continue re-opens the question with its tally so far."""
    first = Harness(db, owner="before")
    run_id = uuid4()
    ref = await first.ref.ask(replace(start_request(GUILD, CHANNEL, count=2), run_id=run_id), timeout=ASK)
    await first.settle()
    await ref.ask(SubmitAnswer(7, "ann", 0, 1), timeout=ASK)
    await first.flush()
    web = Recorder()
    second = Harness(db, owner="after", port=FanOut(InMemoryChannel(), web))
    try:
        assert await second.ref.ask(RespawnSessions(), timeout=ASK) == 1
        await second.settle()
        [prompt] = [event for event, _ in web.told if isinstance(event, RecoveryPrompt)]
        assert prompt.run_id == run_id
        revived = second.directory_ref(GUILD, CHANNEL)
        await revived.ask(ResumeQuiz(user_id=1, is_moderator=False), timeout=ASK)
        await second.settle()
        after_prompt = [event for event, _ in web.told][1:]
        assert [type(e) for e in after_prompt] == [PostQuestion, AnswersIn]
        assert after_prompt[1] == AnswersIn(0, 1)
    finally:
        await second.shutdown()
        await first.shutdown()
