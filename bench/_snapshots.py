"""Session snapshots: 10k realistic mid-game states saved in one call, saved again, then claimed.

Each state is what the supervisor saves: a game played through the game core to a random question
and encoded by the snapshot codec (`quizbot/game/snapshot.py`), so its questions are named by
identity (format 2) and its size is the real one.
"""

from __future__ import annotations

import random
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import orjson

from bench._question_store import distinct_questions
from bench._seed import World
from quizbot.actors.ports import Snapshot
from quizbot.game.questions import Question
from quizbot.game.session import QuizSession, SessionConfig
from quizbot.game.snapshot import SessionState, encode, position
from quizbot.storage.pool import Database
from quizbot.storage.snapshots import claim_snapshots, save_snapshots

BANK_SIZE = 1_000  # distinct questions the sessions draw theirs from
QUESTIONS = 10
PLAYERS = 20
QUESTION_TIMEOUT = 30.0
REVEAL_PAUSE = 4.0


def session_state(
    rng: random.Random, bank: list[Question], guild: int, channel: int, now: float
) -> dict[str, Any]:
    """A mid-game session as a flush or shutdown snapshots it: 20 players scored on the questions
    before a random one, some of them answering the open one; the answers of each close are already
    written (a close's own urgent snapshot carries them too, until they are)."""
    players = [(rng.getrandbits(60), f"player-{n:02d}") for n in range(PLAYERS)]
    config = SessionConfig(
        question_count=QUESTIONS, question_timeout=QUESTION_TIMEOUT, reveal_pause=REVEAL_PAUSE
    )
    session = QuizSession(
        guild_id=guild,
        channel_id=channel,
        run_id=uuid.UUID(int=rng.getrandbits(128)),
        host_id=players[0][0],
        config=config,
        questions=tuple(rng.sample(bank, QUESTIONS)),
        created_at=now,
    )
    session.start(now)
    seq = 1  # the start
    for index in range(rng.randrange(1, QUESTIONS)):  # questions closed before the open one
        at = now + index * (QUESTION_TIMEOUT + REVEAL_PAUSE)
        for user_id, name in players:
            session.answer(user_id, name, index, rng.randrange(4), at + rng.uniform(1, QUESTION_TIMEOUT))
        session.close(index, at + QUESTION_TIMEOUT)
        session.advance(index, at + QUESTION_TIMEOUT + REVEAL_PAUSE)
        seq += PLAYERS + 2
    opened = session.opened_at
    for user_id, name in rng.sample(players, rng.randrange(PLAYERS)):
        session.answer(user_id, name, session.index, rng.randrange(4), opened + rng.uniform(1, 10))
        seq += 1
    return encode(SessionState(session, [], None, seq))


@dataclass(frozen=True, slots=True)
class SnapshotResult:
    """Seconds to save 10k new snapshots, to save them again (update), and to claim them all."""

    sessions: int
    mean_state_bytes: float
    insert_seconds: float
    update_seconds: float
    claim_seconds: float


async def measure_snapshots(db: Database, world: World, rng: random.Random, sessions: int) -> SnapshotResult:
    """save_snapshots of `sessions` sessions in one call (insert, then update), then claim_snapshots."""

    async def epochs(conn: asyncpg.Connection) -> list[int]:
        rows = await conn.fetch("SELECT nextval('session_epochs') FROM generate_series(1, $1)", sessions)
        return [r[0] for r in rows]

    taken = await db.run(epochs, transaction=False)
    expires = datetime.now(UTC) + timedelta(hours=1)
    bank = distinct_questions(rng, BANK_SIZE)
    now = time.time()
    snapshots = []
    for index, epoch in enumerate(taken):
        guild, channel = world.guild_ids[index % len(world.guild_ids)], rng.getrandbits(62)
        state = session_state(rng, bank, guild, channel, now)
        run_id, seq = position(state)
        snapshots.append(
            Snapshot(guild, channel, "bench-shard-0", epoch, state, expires, run_id=run_id, seq=seq)
        )
    size = sum(len(orjson.dumps(s.state)) for s in snapshots) / sessions

    started = time.perf_counter()
    inserted = await save_snapshots(db, snapshots)
    insert_seconds = time.perf_counter() - started
    started = time.perf_counter()
    updated = await save_snapshots(db, snapshots)
    update_seconds = time.perf_counter() - started
    started = time.perf_counter()
    claimed = await claim_snapshots(db, "bench-shard-1", snapshots, now=datetime.now(UTC))
    claim_seconds = time.perf_counter() - started
    if not len(inserted.saved) == len(updated.saved) == len(claimed) == sessions:
        raise AssertionError("snapshot round trip lost sessions")
    return SnapshotResult(sessions, size, insert_seconds, update_seconds, claim_seconds)
