"""Respawn isolates each snapshot: corrupt and hostile rows go to quarantine, every good game comes back."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import orjson

from quizbot.actors.messages import GetStatus, RespawnSessions, StopQuiz, SubmitAnswer
from quizbot.actors.policy import SupervisorSettings
from quizbot.actors.ports import Notice
from quizbot.actors.status import SupervisorStatus
from quizbot.clock import ManualClock
from quizbot.service import QuizService
from quizbot.storage.pool import Database
from quizbot.storage.snapshots import count_quarantined
from quizbot.testing.actors import InMemoryChannel
from tests.actors.support import ASK, Harness

GUILD = 77 << 22
GOOD = (1, 2)


async def _saved_state(db: Database, channel: int) -> dict[str, Any]:
    raw = await db.pool.fetchval("SELECT state FROM session_snapshots WHERE channel_id = $1", channel)
    return orjson.loads(raw)


async def _plant(db: Database, channel: int, state: bytes, epoch: int = 1) -> None:
    """Write a snapshot row straight into the table, as a bug or a hostile hand might."""
    await db.pool.execute(
        "INSERT INTO session_snapshots (guild_id, channel_id, owner, epoch, state, expires_at) "
        "VALUES ($1, $2, 'someone', $3, $4, to_timestamp($5))",
        GUILD,
        channel,
        epoch,
        state,
        ManualClock().time() + 3600,  # the harnesses' clocks start there
    )


def _with(state: dict[str, Any], channel: int, change: Callable[[dict[str, Any]], None]) -> bytes:
    copy = orjson.loads(orjson.dumps(state))
    copy["session"]["channel_id"] = channel
    copy["session"]["run_id"] = str(uuid.uuid4())
    change(copy)
    return orjson.dumps(copy)


def _unknown_format(state: dict[str, Any]) -> None:
    state["session"]["format"] = 99


def _unknown_question(state: dict[str, Any]) -> None:
    state["session"]["questions"][0] = "q1_" + "A" * 22  # named, but never stored


def _no_session(state: dict[str, Any]) -> None:
    del state["session"]


def _bad_seq(state: dict[str, Any]) -> None:
    state["seq"] = "seven"


HOSTILE: dict[int, bytes | Callable[[dict[str, Any]], None]] = {
    10: b"{this is not json",
    11: b"[1, 2, 3]",
    12: b"\x00\xff\xfe",
    13: _unknown_format,
    14: _unknown_question,
    15: _no_session,
    16: _bad_seq,
}


async def test_corrupt_rows_are_set_aside_and_every_good_game_comes_back(db: Database) -> None:
    """Bad JSON, unknown formats, broken questions and a bad journal: quarantined; good games resume."""
    origin = Harness(db, owner="origin")
    for channel in GOOD:
        ref = await origin.start(GUILD, channel)
        await ref.ask(SubmitAnswer(5, "ann", 0, 1), timeout=ASK)
    await origin.flush()
    template = await _saved_state(db, GOOD[0])
    for channel, hostile in HOSTILE.items():
        await _plant(
            db, channel, hostile if isinstance(hostile, bytes) else _with(template, channel, hostile)
        )
    # A readable snapshot whose journal holds an entry that cannot be decoded.
    run_id = str(uuid.uuid4())
    past_start = {"run_id": run_id}
    await _plant(db, 17, _with(template, 17, lambda s: (s["session"].update(past_start), s.update(seq=0))))
    await db.pool.execute(
        "INSERT INTO session_journal (guild_id, channel_id, run_id, seq, entry) VALUES ($1, 17, $2, 1, $3)",
        GUILD,
        uuid.UUID(run_id),
        b'[1.0, "Nonsense"]',
    )
    # process "origin" dies here.

    second = Harness(db, owner="second")
    assert await second.ref.ask(RespawnSessions(), timeout=ASK) == len(GOOD)
    await second.settle()
    for channel in GOOD:
        info = await second.describe(GUILD, channel)
        assert (info.phase, info.players, info.paused) == ("question_open", 1, True)
    set_aside = sorted((*HOSTILE, 17))
    rows = await db.pool.fetch(
        "SELECT channel_id, reason, state FROM quarantined_snapshots ORDER BY channel_id"
    )
    assert [r["channel_id"] for r in rows] == set_aside
    assert all(r["reason"] for r in rows)
    assert rows[0]["state"] == HOSTILE[10]  # the raw bytes, as they were
    assert "format" in next(r["reason"] for r in rows if r["channel_id"] == 13)
    left = await db.pool.fetch("SELECT channel_id FROM session_snapshots ORDER BY channel_id")
    assert [r["channel_id"] for r in left] == list(GOOD)
    assert await db.pool.fetchval("SELECT count(*) FROM session_journal WHERE channel_id = 17") == 0
    status: SupervisorStatus = await second.ref.ask(GetStatus(), timeout=ASK)
    assert status.quarantined == len(set_aside)
    for channel in set_aside:
        assert second.channel.of_type((GUILD, channel), Notice) == [Notice("session_set_aside")]
    await second.shutdown()
    await origin.shutdown()  # it was "dead": now fenced out, it saves nothing over the others
    assert await db.pool.fetchval("SELECT count(*) FROM session_snapshots WHERE owner = 'origin'") == 0


async def test_a_finished_game_the_database_refuses_is_set_aside_not_fatal(db: Database) -> None:
    """The NUL topic that once stopped every restart: its record is refused for its content, so it is
    quarantined (by the process that ends it, and by any restart that finds it), never retried."""
    host = Harness(db, owner="host")
    ref = await host.start(GUILD, 20, count=1, topic="cats\x00dogs")
    await ref.ask(SubmitAnswer(5, "ann", 0, 1), timeout=ASK)
    await host.advance(10)
    await host.advance(2)  # the game ends: recording it is refused
    [row] = await db.pool.fetch("SELECT channel_id, reason, state FROM quarantined_snapshots")
    assert row["channel_id"] == 20 and "refused" in row["reason"]
    assert host.channel.of_type((GUILD, 20), Notice) == [Notice("session_set_aside")]
    ref = await host.start(GUILD, 21, count=1)  # the process is fine
    await ref.ask(StopQuiz(1, False), timeout=ASK)
    await host.settle()
    assert await db.pool.fetchval("SELECT count(*) FROM quiz_runs") == 1
    await host.shutdown()

    # The same ended game as a restart would find it: respawn sets it aside and carries on.
    await _plant(db, 22, _with(orjson.loads(row["state"]), 22, lambda s: None))
    again = Harness(db, owner="again")
    assert await again.ref.ask(RespawnSessions(), timeout=ASK) == 0
    assert await count_quarantined(db) == 2
    assert await again.ref.ask(RespawnSessions(), timeout=ASK) == 0  # and it never comes back
    assert await db.pool.fetchval("SELECT count(*) FROM session_snapshots") == 0
    await again.shutdown()


async def test_the_service_starts_with_hostile_rows_and_stays_up(db: Database) -> None:
    """The process's own start (QuizService) with every hostile row planted: it serves the good game."""
    origin = Harness(db, owner="origin")
    ref = await origin.start(GUILD, GOOD[0])
    await ref.ask(SubmitAnswer(5, "ann", 0, 1), timeout=ASK)
    await origin.flush()
    template = await _saved_state(db, GOOD[0])
    for channel, hostile in HOSTILE.items():
        planted = hostile if isinstance(hostile, bytes) else _with(template, channel, hostile)
        await _plant(db, channel, planted)

    service = QuizService(db, InMemoryChannel(), SupervisorSettings(), owner="service")
    supervisor = await service.start()
    status: SupervisorStatus = await supervisor.ask(GetStatus(), timeout=ASK)
    assert [s.key for s in status.sessions] == [(GUILD, GOOD[0])]
    assert status.quarantined == len(HOSTILE)
    assert status.accepting and not supervisor.stopped
    await service.stop()
    await origin.shutdown()
