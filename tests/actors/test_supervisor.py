"""The supervisor against a real PostgreSQL: games, expiry, crashes, respawn, fencing, shutdown."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest

from quizbot.actors.base import Envelope
from quizbot.actors.messages import (
    GetStatus,
    RespawnSessions,
    ResumeQuiz,
    SessionChanged,
    SessionCrashed,
    SessionOver,
    StopQuiz,
    SubmitAnswer,
    SweepIdle,
)
from quizbot.actors.policy import RestartPolicy, SupervisorSettings
from quizbot.actors.ports import Notice, RecoveryPrompt
from quizbot.actors.status import SupervisorStatus
from quizbot.errors import (
    InvalidState,
    NotHost,
    PoisonMessage,
    QuestionClosed,
    SessionExists,
    SessionMoved,
    ShuttingDown,
    UnknownMessage,
)
from quizbot.game.effects import AnnounceEnd, AnnounceExpiry, PostQuestion, Reveal
from quizbot.storage.pool import Database
from tests.actors.support import ASK, Harness, session_tasks

GUILD, OTHER_GUILD, CHANNEL = 111 << 22, 222 << 22, 900


@pytest.fixture
async def harness(db: Database) -> AsyncIterator[Harness]:
    h = Harness(db, owner="process-a")
    yield h
    await h.shutdown()


async def eventually(check: Callable[[], Awaitable[bool]], within: float = 15.0) -> None:
    """Wait until `check` holds (writes happen in the background), or fail."""
    deadline = asyncio.get_running_loop().time() + within
    while not await check():
        assert asyncio.get_running_loop().time() < deadline, "condition never held"
        await asyncio.sleep(0.02)


async def count(db: Database, query: str, *args: Any) -> int:
    return int(await db.pool.fetchval(query, *args))


async def test_a_session_starts_with_its_first_question(harness: Harness) -> None:
    """Starting posts question 1 and schedules its close timer."""
    await harness.start(GUILD, CHANNEL)
    posted = harness.channel.of_type((GUILD, CHANNEL), PostQuestion)
    assert [p.index for p in posted] == [0]
    assert (GUILD, CHANNEL) in harness.supervisor.factory.timers


async def test_a_busy_channel_refuses_a_second_session(harness: Harness) -> None:
    """A second quiz in the same channel gets SessionExists."""
    await harness.start(GUILD, CHANNEL)
    with pytest.raises(SessionExists):
        await harness.start(GUILD, CHANNEL)


async def test_same_channel_id_in_two_guilds_are_two_sessions(harness: Harness) -> None:
    """Channel ids shared across guilds never collide: each guild has its own game."""
    first = await harness.start(GUILD, CHANNEL)
    second = await harness.start(OTHER_GUILD, CHANNEL)
    assert first is not second
    await first.ask(SubmitAnswer(5, "ann", 0, 1), timeout=ASK)
    assert (await harness.describe(GUILD, CHANNEL)).players == 1
    assert (await harness.describe(OTHER_GUILD, CHANNEL)).players == 0


async def test_a_full_game_records_everything_and_leaves_nothing_behind(
    harness: Harness, db: Database
) -> None:
    """Play to the end: answers and the run are recorded; no timer, entry or snapshot remains."""
    ref = await harness.start(GUILD, CHANNEL, count=2)
    await harness.flush()
    assert await count(db, "SELECT count(*) FROM session_snapshots") == 1
    for index in range(2):
        await ref.ask(SubmitAnswer(7, "ann", index, 1), timeout=ASK)
        await ref.ask(SubmitAnswer(8, "bob", index, 0), timeout=ASK)
        await harness.advance(10)  # close
        await harness.advance(2)  # next question or the end
    key = (GUILD, CHANNEL)
    assert len(harness.channel.of_type(key, Reveal)) == 2
    [end] = harness.channel.of_type(key, AnnounceEnd)
    assert end.outcome == "finished" and end.standings[0].user_id == 7
    await eventually(lambda: _is(count(db, "SELECT count(*) FROM answers"), 4))
    await eventually(lambda: _is(count(db, "SELECT count(*) FROM quiz_runs"), 1))
    await eventually(lambda: _is(count(db, "SELECT count(*) FROM session_snapshots"), 0))
    assert key not in harness.supervisor.directory
    assert len(harness.supervisor.factory.timers) == 0
    assert ref.stopped and not ref.running
    assert session_tasks() == []


async def test_fifty_players_answering_at_once_are_each_counted_once(harness: Harness, db: Database) -> None:
    """Fifty concurrent answers to one question: fifty rows, fifty points totals, no duplicates."""
    ref = await harness.start(GUILD, CHANNEL, count=1)
    replies = await asyncio.gather(
        *(ref.ask(SubmitAnswer(1000 + n, f"p{n}", 0, 1), timeout=ASK) for n in range(50))
    )
    assert len(replies) == 50
    await harness.advance(10)
    [reveal] = harness.channel.of_type((GUILD, CHANNEL), Reveal)
    assert sorted(r.user_id for r in reveal.results) == list(range(1000, 1050))
    await eventually(lambda: _is(count(db, "SELECT count(*) FROM answers"), 50))
    assert await count(db, "SELECT count(DISTINCT user_id) FROM guild_members WHERE correct = 1") == 50


async def test_questions_closing_together_are_saved_in_one_statement(harness: Harness, db: Database) -> None:
    """Urgent reports queued together (questions closing at once) make one snapshot save, not one each."""
    refs = [await harness.start(GUILD, channel, count=2) for channel in range(1, 6)]
    for ref in refs:
        await ref.ask(SubmitAnswer(7, "ann", 0, 1), timeout=ASK)
    await harness.flush()
    saves = _CountingSaves(harness.supervisor.checkpointer.snapshots)
    harness.supervisor.checkpointer.snapshots = saves
    await harness.advance(10)  # all five close, each reporting an urgent change
    assert saves.batches == [5]
    await eventually(lambda: _is(count(db, "SELECT count(*) FROM answers"), 5))


class _CountingSaves:
    """A snapshot store that records how many rows each save carried."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner
        self.batches: list[int] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    async def save(self, batch: Any) -> Any:
        self.batches.append(len(batch))
        return await self._inner.save(batch)


async def test_only_the_host_or_a_moderator_can_stop(harness: Harness) -> None:
    """A player's stop is refused and the game goes on; a moderator's stop ends it."""
    ref = await harness.start(GUILD, CHANNEL, host=1)
    with pytest.raises(NotHost):
        await ref.ask(StopQuiz(user_id=2, is_moderator=False), timeout=ASK)
    assert ref.running
    await ref.ask(StopQuiz(user_id=3, is_moderator=True), timeout=ASK)
    await harness.settle()
    [end] = harness.channel.of_type((GUILD, CHANNEL), AnnounceEnd)
    assert end.outcome == "stopped" and end.stopped_by == 3
    assert (GUILD, CHANNEL) not in harness.supervisor.directory
    assert len(harness.supervisor.factory.timers) == 0 and session_tasks() == []


async def test_bad_messages_get_domain_errors_and_never_kill_the_actor(harness: Harness) -> None:
    """Unknown messages, stale answers and bad options are refused; the session carries on."""
    ref = await harness.start(GUILD, CHANNEL)
    with pytest.raises(UnknownMessage):
        await ref.ask(object(), timeout=ASK)
    with pytest.raises(QuestionClosed):
        await ref.ask(SubmitAnswer(5, "ann", 3, 1), timeout=ASK)
    await harness.advance(10)  # closes question 1
    with pytest.raises(QuestionClosed):
        await ref.ask(SubmitAnswer(5, "ann", 0, 1), timeout=ASK)
    with pytest.raises(InvalidState):
        await ref.ask(ResumeQuiz(1, False), timeout=ASK)
    assert ref.running and ref.crashes == 0


async def test_idle_sessions_expire_and_leave_nothing_behind(harness: Harness, db: Database) -> None:
    """Past the idle timeout the channel is told, and the session, timer and snapshot are gone."""
    ref = await harness.start(GUILD, CHANNEL, question_timeout=120.0, idle_timeout=60.0)
    await harness.flush()
    harness.clock.advance(61)  # idle past its timeout, before the question's own timer
    await harness.ref.ask(SweepIdle(), timeout=ASK)
    await harness.settle()
    assert harness.channel.of_type((GUILD, CHANNEL), AnnounceExpiry)
    assert (GUILD, CHANNEL) not in harness.supervisor.directory
    assert len(harness.supervisor.factory.timers) == 0 and not ref.running
    assert session_tasks() == []
    await eventually(lambda: _is(count(db, "SELECT count(*) FROM session_snapshots"), 0))


async def test_status_reports_sessions_phases_and_the_pool(harness: Harness) -> None:
    """Status lists each session with its phase and mailbox depth, plus pool health."""
    await harness.start(GUILD, CHANNEL)
    await harness.start(OTHER_GUILD, CHANNEL)
    status: SupervisorStatus = await harness.ref.ask(GetStatus(), timeout=ASK)
    assert status.by_phase == {"question_open": 2}
    assert status.timers == 2 and status.accepting
    assert status.pool is not None and status.pool.max_size >= 1
    assert status.oldest_idle is not None


async def test_shutdown_snapshots_everything_and_refuses_new_games(harness: Harness, db: Database) -> None:
    """Shutdown saves every session, stops them all, and takes no new quiz."""
    refs = [await harness.start(GUILD, c) for c in (1, 2, 3)]
    await harness.shutdown()
    assert await count(db, "SELECT count(*) FROM session_snapshots") == 3
    assert all(not r.running for r in refs)
    assert len(harness.supervisor.directory) == 0 and len(harness.supervisor.factory.timers) == 0
    assert not harness.supervisor.accepting


async def test_a_new_game_is_refused_while_shutting_down(db: Database) -> None:
    """After shutdown has begun, StartSession gets ShuttingDown."""
    harness = Harness(db, owner="closing")
    harness.supervisor.accepting = False
    with pytest.raises(ShuttingDown):
        await harness.start(GUILD, CHANNEL)
    await harness.shutdown()


async def test_respawn_brings_sessions_back_paused_at_the_same_question(db: Database) -> None:
    """A second process picks the sessions up paused, prompts, and Continue resumes with scores intact."""
    first = Harness(db, owner="process-a")
    ref = await first.start(GUILD, CHANNEL, count=3)
    await ref.ask(SubmitAnswer(7, "ann", 0, 1), timeout=ASK)
    await first.advance(10)
    await first.advance(2)  # question 2 is open now
    await ref.ask(SubmitAnswer(8, "bob", 1, 1), timeout=ASK)
    await first.flush()
    # process A dies here, without a shutdown: nothing more is written.

    second = Harness(db, owner="process-b")
    assert await second.ref.ask(RespawnSessions(), timeout=ASK) == 1
    await second.settle()
    info = await second.describe(GUILD, CHANNEL)
    assert (info.phase, info.index, info.paused, info.players) == ("question_open", 1, True, 2)
    assert second.channel.of_type((GUILD, CHANNEL), RecoveryPrompt)
    revived = second.supervisor.directory.ref((GUILD, CHANNEL))
    assert revived is not None
    with pytest.raises(InvalidState):
        await revived.ask(SubmitAnswer(9, "cy", 1, 1), timeout=ASK)
    await revived.ask(ResumeQuiz(user_id=1, is_moderator=False), timeout=ASK)
    [reposted] = second.channel.of_type((GUILD, CHANNEL), PostQuestion)
    assert reposted.index == 1
    await second.advance(10)
    [reveal] = second.channel.of_type((GUILD, CHANNEL), Reveal)
    assert [r.user_id for r in reveal.results] == [8]  # bob's answer survived the restart

    # process A comes back to life and takes an answer: its epoch is stale, so the journal refuses it
    # (the player is not told it counts), and its next save fails, so it lets go.
    with pytest.raises(SessionMoved):
        await ref.ask(SubmitAnswer(10, "dan", 1, 2), timeout=ASK)
    assert await first.flush() == 0
    assert (GUILD, CHANNEL) not in first.supervisor.directory
    await first.shutdown()
    await second.shutdown()


async def test_respawn_saves_again_only_the_snapshots_that_would_expire_first(db: Database) -> None:
    """A claimed row serves as snapshot while it outlives the idle timeout; one expiring sooner is saved."""
    origin = Harness(db, owner="origin")
    for channel in (1, 2):
        await origin.start(GUILD, channel)
    await origin.flush()
    soon = origin.clock.time() + 60
    await db.pool.execute(
        "UPDATE session_snapshots SET expires_at = to_timestamp($1) WHERE channel_id = 2", soon
    )
    second = Harness(db, owner="second")
    saves = _CountingSaves(second.supervisor.checkpointer.snapshots)
    second.supervisor.checkpointer.snapshots = saves
    assert await second.ref.ask(RespawnSessions(), timeout=ASK) == 2
    assert saves.batches == [1]
    rows = await db.pool.fetch(
        "SELECT channel_id, owner, expires_at FROM session_snapshots ORDER BY channel_id"
    )
    assert [(r["channel_id"], r["owner"]) for r in rows] == [(1, "second"), (2, "second")]
    assert rows[1]["expires_at"].timestamp() == second.clock.time() + second.settings.snapshot_ttl
    status: SupervisorStatus = await second.ref.ask(GetStatus(), timeout=ASK)
    assert all(s.snapshot_age == 0 for s in status.sessions)
    await second.shutdown()
    await origin.shutdown()


async def test_two_processes_racing_to_respawn_each_session_get_it_once(db: Database) -> None:
    """Two supervisors load the same snapshots, then claim at once: each session goes to exactly one."""
    origin = Harness(db, owner="origin")
    for channel in range(1, 11):
        await origin.start(GUILD, channel)
    await origin.flush()
    a, b = Harness(db, owner="a"), Harness(db, owner="b")
    both_loaded = asyncio.Barrier(2)
    for harness in (a, b):
        harness.supervisor.checkpointer.snapshots = _LoadThenWait(
            harness.supervisor.checkpointer.snapshots, both_loaded
        )
    counts = await asyncio.gather(
        a.ref.ask(RespawnSessions(), timeout=ASK), b.ref.ask(RespawnSessions(), timeout=ASK)
    )
    assert sum(counts) == 10
    assert len(set(a.supervisor.directory) | set(b.supervisor.directory)) == 10
    assert set(a.supervisor.directory).isdisjoint(set(b.supervisor.directory))
    for harness in (a, b, origin):
        await harness.shutdown()


class _LoadThenWait:
    """A snapshot store whose loads wait for each other, so both claims race on the same epochs."""

    def __init__(self, inner: Any, barrier: asyncio.Barrier) -> None:
        self._inner, self._barrier = inner, barrier

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    async def load_live(self, *args: Any) -> Any:
        loaded = await self._inner.load_live(*args)
        await self._barrier.wait()
        return loaded


@pytest.mark.parametrize("journal", ["postgres", "none"])
async def test_a_crash_restarts_from_the_snapshot_and_keeps_acknowledged_answers(
    db: Database, journal: str
) -> None:
    """A session that crashes mid-question comes back with every answer it had acknowledged, with a
    journal store or without one (the journal keeps what a crash replays either way)."""
    failures = {"count": 1}

    def flaky_matcher(question: Any, response: str) -> bool:
        if response == "boom" and failures["count"] > 0:
            failures["count"] -= 1
            raise RuntimeError("injected crash")
        return response == question.correct_text

    harness = Harness(db, owner="crashy")
    harness.use_matcher(flaky_matcher)
    if journal == "none":
        harness.supervisor.checkpointer.journal.store = None
    ref = await harness.start(GUILD, CHANNEL, count=1, mode="typed", single_answer=True)
    await harness.flush()
    for user in range(1, 6):
        await ref.ask(SubmitAnswer(user, f"u{user}", 0, "wrong"), timeout=ASK)
    assert await ref.ask(SubmitAnswer(6, "boomer", 0, "boom"), timeout=ASK) == "accepted"
    assert ref.crashes == 1
    await harness.advance(10)
    [reveal] = harness.channel.of_type((GUILD, CHANNEL), Reveal)
    assert sorted(r.user_id for r in reveal.results) == [1, 2, 3, 4, 5, 6]
    await eventually(lambda: _is(count(db, "SELECT count(*) FROM answers"), 6))
    await harness.shutdown()


async def test_a_message_that_crashes_twice_is_dropped_as_poison(db: Database) -> None:
    """The same message crashing the session twice is dropped; the session lives on."""

    def broken_matcher(question: Any, response: str) -> bool:
        if response == "boom":
            raise RuntimeError("always broken")
        return False

    harness = Harness(db, owner="poison")
    harness.use_matcher(broken_matcher)
    ref = await harness.start(GUILD, CHANNEL, count=1, mode="typed", single_answer=True)
    with pytest.raises(PoisonMessage):
        await ref.ask(SubmitAnswer(6, "boomer", 0, "boom"), timeout=ASK)
    assert ref.running and ref.crashes == 2
    assert await ref.ask(SubmitAnswer(7, "ann", 0, "fine"), timeout=ASK) == "accepted"
    await harness.shutdown()


async def test_too_many_crashes_stop_the_session_and_tell_the_channel(db: Database) -> None:
    """Past the restart intensity the session is stopped for good and the channel hears why."""

    def broken_matcher(question: Any, response: str) -> bool:
        raise RuntimeError("always broken")

    settings = SupervisorSettings(policy=RestartPolicy(max_restarts=2, within_seconds=60))
    harness = Harness(db, owner="fragile", settings=settings)
    harness.use_matcher(broken_matcher)
    ref = await harness.start(GUILD, CHANNEL, count=1, mode="typed", single_answer=True)
    outcomes = []
    for user in range(3):
        try:
            outcomes.append(await ref.ask(SubmitAnswer(user + 1, "x", 0, "anything"), timeout=ASK))
        except Exception as error:
            outcomes.append(type(error).__name__)
    # crash, restart, crash again: poison (2 restarts); the next crash is one too many; then it is gone
    assert outcomes == ["PoisonMessage", "RuntimeError", "ActorDead"]
    await harness.settle()
    assert (GUILD, CHANNEL) not in harness.supervisor.directory
    assert harness.channel.of_type((GUILD, CHANNEL), Notice)
    assert not ref.running and len(harness.supervisor.factory.timers) == 0
    await harness.shutdown()


async def _is(value: Awaitable[int], expected: int) -> bool:
    return await value == expected


async def test_reports_about_unknown_sessions_are_ignored(harness: Harness) -> None:
    """Changes, ends and crashes naming a session that is not here change nothing and kill nothing."""
    ref = await harness.start(GUILD, CHANNEL)
    stranger = (OTHER_GUILD, CHANNEL)
    harness.ref.tell(SessionChanged(stranger, "question_open", urgent=True))
    harness.ref.tell(SessionOver(stranger))
    harness.ref.tell(SessionCrashed(stranger, Envelope(object()), RuntimeError("not ours")))
    await harness.settle()
    assert harness.ref.running and ref.running
    assert list(harness.supervisor.directory) == [(GUILD, CHANNEL)]
    assert harness.supervisor.directory.ref(stranger) is None
    with pytest.raises(UnknownMessage):
        await harness.ref.ask(object(), timeout=ASK)
