"""A player is told an answer counts only once it is saved: slow saves defer, an outage says so plainly."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

import pytest

from quizbot.actors.messages import SessionKey
from quizbot.actors.ports import ReplayFrom, StoredEntry
from quizbot.bot import durable
from quizbot.errors import StorageError
from quizbot.testing.actors import answers_written
from tests.bot.conftest import World
from tests.bot.play import answer_buttons, next_question, start_quiz  # options A and B: every kind

DEFERRED = 5  # Discord's "deferred channel message with source" callback


class HeldJournal:
    """A journal store whose writes wait for `release`, or fail while `down`."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.release = asyncio.Event()
        self.release.set()
        self.down = False

    async def append(self, entries: Sequence[StoredEntry]) -> set[tuple[SessionKey, int]]:
        await self.release.wait()
        if self.down:
            raise StorageError("connection refused")
        held: set[tuple[SessionKey, int]] = await self.inner.append(entries)
        return held

    async def load(self, cursors: Sequence[ReplayFrom]) -> dict[SessionKey, list[tuple[int, bytes]]]:
        found: dict[SessionKey, list[tuple[int, bytes]]] = await self.inner.load(cursors)
        return found


@pytest.fixture
def journal(world: World) -> HeldJournal:
    held = HeldJournal(world.running.service.supervisor.checkpointer.journal.store)
    world.running.service.supervisor.checkpointer.journal.store = held
    return held


async def test_an_answer_is_acknowledged_once_its_journal_entry_is_written(
    world: World, journal: HeldJournal
) -> None:
    """The reply waits for the write; the entry is in PostgreSQL by the time the player reads it."""
    await start_quiz(world, world.club, questions=1)
    question = await next_question(world, world.club)
    click = await world.double.click(question, answer_buttons(question)[1], world.club.players[0])
    await click.wait_ack()
    assert click.response_type != DEFERRED and click.response_data.get("flags", 0) & 64  # private, at once
    assert "You chose **B**" in (click.response_data.get("content") or "")
    stored = await world.db.pool.fetchval("SELECT count(*) FROM session_journal")
    assert stored >= 2  # the start and this answer


async def test_a_slow_save_defers_privately_then_confirms(
    world: World, journal: HeldJournal, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past Discord's window the reply is deferred (privately), and confirmed once the write lands."""
    monkeypatch.setattr(durable, "REPLY_WINDOW", 0.05)  # Discord's 3 s, shortened for the test
    await start_quiz(world, world.club, questions=1)
    question = await next_question(world, world.club)
    journal.release.clear()
    click = await world.double.click(question, answer_buttons(question)[1], world.club.players[1])
    await click.wait_ack()
    assert click.response_type == DEFERRED and click.response_data.get("flags", 0) & 64
    assert not click.followups
    journal.release.set()
    (confirmed,) = await click.wait_followups(1, timeout=5)
    assert confirmed.ephemeral and "You chose **B**" in confirmed.text


async def test_while_the_database_is_away_the_answer_counts_but_is_not_called_saved(
    world: World, journal: HeldJournal
) -> None:
    """An outage: the game takes the answer and says plainly it is not saved; then the guarantee returns."""
    await start_quiz(world, world.club, questions=1)
    question = await next_question(world, world.club)
    journal.down = True
    click = await world.double.click(question, answer_buttons(question)[0], world.club.players[0])
    await click.wait_ack(timeout=5)
    text = click.response_data.get("content") or ""
    assert "You chose **A**" in text and "isn't saved yet" in text
    assert click.response_data.get("flags", 0) & 64

    journal.down = False
    await world.advance(1)  # the journal's retry falls due, and succeeds
    again = await world.double.click(question, answer_buttons(question)[1], world.club.players[1])
    await again.wait_ack(timeout=5)
    assert (again.response_data.get("content") or "") == "You chose **B**."
    await world.advance(5)  # the question closes with both answers
    await world.advance(4)
    await world.settle()
    await answers_written()
    players = await world.db.pool.fetchval("SELECT count(*) FROM answers")
    assert players == 2
