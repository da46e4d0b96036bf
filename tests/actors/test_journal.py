"""The session journal: an acknowledged change is durable, replayed once, and honest in an outage."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

import pytest

from quizbot.actors.entries import JournalEntry, decode_entry, encode_entry
from quizbot.actors.messages import (
    ExpireQuiz,
    RequestHint,
    RespawnSessions,
    ResumeQuiz,
    SessionKey,
    SkipQuestion,
    StartQuiz,
    StopQuiz,
    SubmitAnswer,
    TimerFired,
)
from quizbot.actors.ports import ReplayFrom, SaveResult, Snapshot, StoredEntry
from quizbot.clock import ManualClock
from quizbot.errors import InvalidValue, NotYetSaved, StorageError
from quizbot.game.effects import Reveal
from quizbot.storage.pool import Database
from quizbot.testing.actors import answers_written
from tests.actors.support import ASK, Harness

GUILD, CHANNEL = 55 << 22, 300
KEY = (GUILD, CHANNEL)


class NoSaves:
    """A snapshot store whose saves fail, as in the moment between a change and the next snapshot."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    async def save(self, batch: Sequence[Snapshot]) -> SaveResult:
        raise StorageError("snapshots are not being saved in this test")


class Outage:
    """A journal store that fails while `down` is set, and counts its statements."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.down = False
        self.statements: list[int] = []

    async def append(self, entries: Sequence[StoredEntry]) -> set[tuple[SessionKey, int]]:
        if self.down:
            raise StorageError("connection refused")
        self.statements.append(len(entries))
        held: set[tuple[SessionKey, int]] = await self.inner.append(entries)
        return held

    async def load(self, cursors: Sequence[ReplayFrom]) -> dict[SessionKey, list[tuple[int, bytes]]]:
        found: dict[SessionKey, list[tuple[int, bytes]]] = await self.inner.load(cursors)
        return found


async def _journal_rows(db: Database) -> int:
    count: int = await db.pool.fetchval("SELECT count(*) FROM session_journal")
    return count


@pytest.mark.parametrize(
    "message",
    [
        StartQuiz(),
        SubmitAnswer(7, "ann ⚡", 2, 1),
        SubmitAnswer(7, "ann", None, "Paris, of course"),
        TimerFired("close", 3),
        RequestHint(9),
        SkipQuestion(1, True),
        StopQuiz(2, False),
        ResumeQuiz(1, False),
        ExpireQuiz(),
    ],
)
def test_every_journaled_message_round_trips(message: Any) -> None:
    """Each kind of change comes back from its stored form as it went in, with its time."""
    entry = JournalEntry(12, 1_800_000_123.25, message)
    assert decode_entry(12, encode_entry(entry)) == entry


@pytest.mark.parametrize(
    "data", [b"", b"{}", b"[]", b"[1.0]", b'[1.0, "Nope"]', b'["x", "StartQuiz"]', b'[1, "TimerFired"]']
)
def test_a_malformed_entry_is_an_invalid_value(data: bytes) -> None:
    """A stored entry that is not one of ours says so, and never raises anything else."""
    with pytest.raises(InvalidValue):
        decode_entry(3, data)


async def test_acknowledged_answers_survive_a_crash_with_no_snapshot_after_the_start(db: Database) -> None:
    """Only the first snapshot exists; answers, a close and the next question live in the journal alone."""
    first = Harness(db, owner="first")
    ref = await first.start(GUILD, CHANNEL, count=3)
    first.supervisor.checkpointer.snapshots = NoSaves(first.supervisor.checkpointer.snapshots)
    for user in (7, 8, 9):
        assert (
            await ref.ask(SubmitAnswer(user, f"p{user}", 0, 1 if user != 9 else 2), timeout=ASK) == "accepted"
        )
    await first.advance(10)  # question 1 closes: its results would be written once a snapshot held them
    await first.advance(2)  # question 2 opens
    assert await ref.ask(SubmitAnswer(8, "p8", 1, 1), timeout=ASK) == "accepted"
    assert await ref.ask(SubmitAnswer(8, "p8", 1, 3), timeout=ASK) == "changed"
    assert await db.pool.fetchval("SELECT count(*) FROM answers") == 0
    # "first" is killed here: nothing it held in memory survives, only what it was told was saved.

    second = Harness(db, owner="second")
    assert await second.ref.ask(RespawnSessions(), timeout=ASK) == 1
    info = await second.describe(GUILD, CHANNEL)
    assert (info.phase, info.index, info.paused, info.players) == ("question_open", 1, True, 3)
    assert {(s.user_id, s.points > 0) for s in info.standings} == {(7, True), (8, True), (9, False)}
    await second.settle()  # the respawn's flush saved the replayed state, so question 1 is written
    await answers_written()
    rows = await db.pool.fetch("SELECT user_id, question_index FROM answers ORDER BY user_id")
    assert [(r["user_id"], r["question_index"]) for r in rows] == [(7, 0), (8, 0), (9, 0)]
    assert await _journal_rows(db) == 0  # the saved snapshot covers every entry

    revived = second.supervisor.directory.ref(KEY)
    assert revived is not None
    await revived.ask(ResumeQuiz(1, False), timeout=ASK)
    await second.advance(10)
    [reveal] = second.channel.of_type(KEY, Reveal)
    assert [(r.user_id, r.correct) for r in reveal.results] == [(8, False)]  # the changed answer: option 3
    await second.shutdown()
    await first.shutdown()


async def test_replay_applies_each_entry_once_across_two_restarts(db: Database) -> None:
    """A respawned session that dies again before changing comes back the same, nothing doubled."""
    first = Harness(db, owner="first")
    ref = await first.start(GUILD, CHANNEL, count=2)
    first.supervisor.checkpointer.snapshots = NoSaves(first.supervisor.checkpointer.snapshots)
    for user in (7, 8):
        await ref.ask(SubmitAnswer(user, f"p{user}", 0, 1), timeout=ASK)
    await first.advance(10)
    await answers_written()  # the reveal is in the journal before anyone respawns from it

    states = []
    for owner in ("second", "third"):
        harness = Harness(db, owner=owner)
        assert await harness.ref.ask(RespawnSessions(), timeout=ASK) == 1
        await harness.settle()
        await answers_written()
        info = await harness.describe(GUILD, CHANNEL)
        states.append((info.phase, info.index, info.players, [(s.user_id, s.points) for s in info.standings]))
        harness.supervisor.checkpointer.snapshots = NoSaves(harness.supervisor.checkpointer.snapshots)
        await harness.shutdown()  # its final save fails: the next process starts from what is stored
    assert states[0] == states[1]
    assert states[0][:3] == ("revealed", 0, 2)
    assert await db.pool.fetchval("SELECT count(*) FROM answers") == 2
    await first.shutdown()


async def test_clicks_arriving_together_share_a_statement(db: Database) -> None:
    """Fifty simultaneous answers are each acknowledged after a handful of writes, not fifty."""
    harness = Harness(db, owner="solo")
    ref = await harness.start(GUILD, CHANNEL)
    store = Outage(harness.supervisor.checkpointer.journal.store)
    harness.supervisor.checkpointer.journal.store = store
    outcomes = await asyncio.gather(
        *(ref.ask(SubmitAnswer(100 + n, f"p{n}", 0, n % 4), timeout=ASK) for n in range(50))
    )
    assert outcomes == ["accepted"] * 50
    assert sum(store.statements) == 50
    assert len(store.statements) <= 3, store.statements
    await harness.shutdown()


async def test_an_outage_is_told_honestly_and_the_guarantee_comes_back(db: Database) -> None:
    """With the database away the game plays on and says 'not saved'; once back, every entry is written."""
    harness = Harness(db, owner="solo")
    ref = await harness.start(GUILD, CHANNEL)
    store = Outage(harness.supervisor.checkpointer.journal.store)
    harness.supervisor.checkpointer.journal.store = store
    store.down = True
    with pytest.raises(NotYetSaved) as first:
        await ref.ask(SubmitAnswer(7, "ann", 0, 1), timeout=ASK)
    assert first.value.result == "accepted"
    later = ref.request(SubmitAnswer(7, "ann", 0, 2), timeout=ASK)  # waits for the writer's next try
    await harness.advance(1)
    with pytest.raises(NotYetSaved) as second:
        await later
    assert second.value.result == "changed"
    assert (await harness.describe(GUILD, CHANNEL)).players == 1  # the game took both

    store.down = False
    await harness.advance(1)  # the writer's retry falls due
    assert await ref.ask(SubmitAnswer(8, "bob", 0, 1), timeout=ASK) == "accepted"
    seqs = await db.pool.fetch("SELECT seq FROM session_journal ORDER BY seq")
    assert [r["seq"] for r in seqs] == [1, 2, 3, 4]  # the start, both noted answers, then bob's
    assert harness.supervisor.checkpointer.journal.healthy
    await harness.shutdown()


async def test_a_game_resumed_by_a_second_process_replays_after_its_pause(db: Database) -> None:
    """A respawn's pause is journaled: a Continue and later answers replay even when its row was
    not saved again (the claimed row outlived the idle timeout) and the old deadline has passed."""
    first = Harness(db, owner="first")
    ref = await first.start(GUILD, CHANNEL, count=2)
    await ref.ask(SubmitAnswer(7, "ann", 0, 1), timeout=ASK)
    await first.flush()

    second = Harness(db, owner="second", clock=ManualClock(first.clock.time() + 60))
    assert await second.ref.ask(RespawnSessions(), timeout=ASK) == 1
    second.supervisor.checkpointer.snapshots = NoSaves(second.supervisor.checkpointer.snapshots)
    revived = second.supervisor.directory.ref(KEY)
    assert revived is not None
    await revived.ask(ResumeQuiz(1, False), timeout=ASK)
    second.clock.advance(3)  # past the question's first deadline, inside its new one
    assert await revived.ask(SubmitAnswer(8, "bob", 0, 2), timeout=ASK) == "accepted"

    third = Harness(db, owner="third", clock=ManualClock(second.clock.time() + 5))
    assert await third.ref.ask(RespawnSessions(), timeout=ASK) == 1
    info = await third.describe(GUILD, CHANNEL)
    assert (info.phase, info.index, info.players, info.paused) == ("question_open", 0, 2, True)
    for harness in (third, second, first):
        await harness.shutdown()
