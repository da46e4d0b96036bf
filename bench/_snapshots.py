"""Session snapshots: 10k realistic mid-game states saved in one call, saved again, then claimed."""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import asyncpg
import orjson

from bench._seed import CATEGORIES, DIFFICULTIES, World
from quizbot.actors.ports import Snapshot
from quizbot.storage.pool import Database
from quizbot.storage.snapshots import claim_snapshots, save_snapshots


def session_state(rng: random.Random, guild: int, channel: int) -> dict[str, object]:
    """A mid-game trivia session: 10 questions with options, whose turn it is, and 20 players' scores."""
    players = [rng.getrandbits(60) for _ in range(20)]
    questions = [
        {
            "id": f"bank-{rng.getrandbits(32):08x}",
            "prompt": f"Which of these is true about topic {rng.randrange(10_000)}?",
            "options": [f"Answer {rng.randrange(1000)}" for _ in range(4)],
            "correct": rng.randrange(4),
            "points": rng.choice((100, 150, 200)),
        }
        for _ in range(10)
    ]
    return {
        "version": 3,
        "kind": "trivia",
        "guild_id": guild,
        "channel_id": channel,
        "host_id": players[0],
        "category": rng.choice(CATEGORIES),
        "difficulty": rng.choice(DIFFICULTIES),
        "question_index": rng.randrange(10),
        "deadline": (datetime.now(UTC) + timedelta(seconds=20)).isoformat(),
        "questions": questions,
        "scores": [
            {
                "user_id": p,
                "points": rng.randrange(2000),
                "correct": rng.randrange(10),
                "streak": rng.randrange(5),
            }
            for p in players
        ],
    }


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
    snapshots = []
    for index, epoch in enumerate(taken):
        guild, channel = world.guild_ids[index % len(world.guild_ids)], rng.getrandbits(62)
        snapshots.append(
            Snapshot(guild, channel, "bench-shard-0", epoch, session_state(rng, guild, channel), expires)
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
