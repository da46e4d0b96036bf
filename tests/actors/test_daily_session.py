"""A question of the day on the actor and snapshot machinery: it outlives the games' idle timeout and
snapshot lifetime, and a restart in the middle of its 24 hours keeps its answers and its close."""

from __future__ import annotations

from quizbot.actors.messages import RespawnSessions, SubmitAnswer, SweepIdle
from quizbot.actors.ports import RecoveryPrompt
from quizbot.clock import ManualClock
from quizbot.game.config import DAILY_WINDOW, SessionKind
from quizbot.game.effects import PostQuestion, Reveal
from quizbot.storage.pool import Database
from tests.actors.support import ASK, Harness
from tests.actors.test_supervisor import count, eventually

GUILD, CHANNEL = 333 << 22, 901
DAILY = {"count": 1, "question_timeout": DAILY_WINDOW, "reveal_pause": 0.0, "kind": SessionKind.DAILY}


async def test_a_restart_in_the_middle_keeps_the_answers_and_records_them_at_the_end(db: Database) -> None:
    """Process A takes answers for hours and dies; B brings it back unpaused, unprompted, takes more,
    and records everyone's at the 24 hours."""
    first = Harness(db, owner="process-a")
    ref = await first.start(GUILD, CHANNEL, idle_timeout=first.settings.idle_timeout + DAILY_WINDOW, **DAILY)
    await first.advance(3 * 3600)
    await ref.ask(SubmitAnswer(7, "ann", 0, 1), timeout=ASK)
    await first.advance(3600)
    await ref.ask(SubmitAnswer(8, "bob", 0, 2), timeout=ASK)
    await first.advance(2 * first.settings.snapshot_ttl)  # no change for longer than a game's row lives
    await first.flush()
    row = await db.pool.fetchrow("SELECT expires_at FROM session_snapshots WHERE channel_id = $1", CHANNEL)
    assert row is not None
    assert row["expires_at"].timestamp() > first.clock.time() + DAILY_WINDOW / 2

    second = Harness(db, owner="process-b", clock=ManualClock(first.clock.time()))
    assert await second.ref.ask(RespawnSessions(), timeout=ASK) == 1
    await second.settle()
    info = await second.describe(GUILD, CHANNEL)
    assert (info.phase, info.paused, info.players) == ("question_open", False, 2)
    assert not second.channel.of_type((GUILD, CHANNEL), RecoveryPrompt)
    [again] = second.channel.of_type((GUILD, CHANNEL), PostQuestion)  # with the new epoch's buttons
    assert again.deadline == first.clock.time() - 4 * 3600 - 2 * first.settings.snapshot_ttl + DAILY_WINDOW
    await second.directory_ref(GUILD, CHANNEL).ask(SubmitAnswer(9, "cy", 0, 1), timeout=ASK)
    assert await second.ref.ask(SweepIdle(), timeout=ASK) == 0  # quiet for hours, still not idle
    assert not second.channel.of_type((GUILD, CHANNEL), Reveal)

    await second.advance(DAILY_WINDOW)
    await second.advance(0)  # the end, with no pause after the reveal (a manual clock's past timer)
    assert not second.channel.of_type((GUILD, CHANNEL), Reveal)  # the next day's post reveals it
    await eventually(lambda: _counts(db, "SELECT count(*) FROM answers", 3))  # points, reviews
    rows = await db.pool.fetch("SELECT user_id, correct FROM answers ORDER BY user_id")
    assert [(r["user_id"], r["correct"]) for r in rows] == [(7, True), (8, False), (9, True)]
    await eventually(lambda: _counts(db, "SELECT count(*) FROM quiz_runs", 1))
    await eventually(lambda: _counts(db, "SELECT count(*) FROM session_snapshots", 0))
    assert (GUILD, CHANNEL) not in second.supervisor.directory
    await second.shutdown()
    await first.shutdown()


async def _counts(db: Database, query: str, expected: int) -> bool:
    return await count(db, query) == expected
