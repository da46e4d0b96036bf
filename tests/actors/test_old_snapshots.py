"""A snapshot written in format 1 (questions inline, before questions were named) still restores."""

from __future__ import annotations

from pathlib import Path

import orjson

from quizbot.actors.messages import RespawnSessions, ResumeQuiz
from quizbot.clock import ManualClock
from quizbot.game.snapshot import SNAPSHOT_FORMAT
from quizbot.storage.pool import Database
from quizbot.testing.actors import answers_written
from tests.actors.support import ASK, Harness

FORMAT_1 = Path(__file__).parent / "data" / "snapshot_format1.json"  # written by the format-1 code
GUILD, CHANNEL = 77 << 22, 4242  # where that snapshot's game runs


async def test_a_format_1_snapshot_resumes_where_it_stopped_and_is_saved_in_the_new_format(
    db: Database,
) -> None:
    """The old row comes back with its scores, writes what it owed, plays on, and is saved as format 2."""
    state = orjson.loads(FORMAT_1.read_bytes())
    assert state["session"]["format"] == 1 and isinstance(state["session"]["questions"][0], dict)
    await db.pool.execute(
        "INSERT INTO session_snapshots (guild_id, channel_id, owner, epoch, state, expires_at) "
        "VALUES ($1, $2, 'old-process', 1, $3, to_timestamp($4))",
        GUILD,
        CHANNEL,
        FORMAT_1.read_bytes(),
        ManualClock().time() + 3600,
    )
    harness = Harness(db, owner="upgraded")
    assert await harness.ref.ask(RespawnSessions(), timeout=ASK) == 1
    await harness.settle()
    info = await harness.describe(GUILD, CHANNEL)
    assert (info.phase, info.index, info.total, info.players) == ("revealed", 0, 3, 2)
    assert [(s.user_id, s.points > 0) for s in info.standings] == [(11, True), (12, False)]
    await answers_written()
    rows = await db.pool.fetch("SELECT user_id, correct FROM answers ORDER BY user_id")
    assert [(r["user_id"], r["correct"]) for r in rows] == [(11, True), (12, False)]

    ref = harness.directory_ref(GUILD, CHANNEL)
    await ref.ask(ResumeQuiz(user_id=1, is_moderator=False), timeout=ASK)
    await harness.advance(2)  # past the reveal's pause: the second question opens
    assert (await harness.describe(GUILD, CHANNEL)).index == 1
    await harness.flush()
    raw = await db.pool.fetchval("SELECT state FROM session_snapshots WHERE channel_id = $1", CHANNEL)
    saved = orjson.loads(raw)
    assert saved["session"]["format"] == SNAPSHOT_FORMAT
    assert all(isinstance(q, str) for q in saved["session"]["questions"])
    await harness.shutdown()
