"""A real process is SIGKILLed at random points; every game still ends with scores that match the database."""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import signal
import sys
from pathlib import Path

import orjson
import pytest

from quizbot.storage.pool import Database
from tests.actors.kill_worker import PLAYERS, QUESTIONS, SESSIONS

ROOT = Path(__file__).resolve().parents[2]
KILLS = 4


async def run_worker(
    url: str, schema: str, owner: str, mode: str, kill_after_steps: int | None
) -> list[dict]:
    """Run one worker; SIGKILL it after `kill_after_steps` steps (plus a random moment), or let it finish."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.actors.kill_worker",
        url,
        schema,
        owner,
        mode,
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert process.stdout is not None
    events: list[dict] = []
    steps = 0
    while line := await asyncio.wait_for(process.stdout.readline(), timeout=60):
        event = orjson.loads(line)
        events.append(event)
        steps += event["event"] == "step"
        if kill_after_steps is not None and steps >= kill_after_steps:
            await asyncio.sleep(random.uniform(0, 0.03))  # somewhere inside the next step
            with contextlib.suppress(ProcessLookupError):  # it may have finished meanwhile
                process.send_signal(signal.SIGKILL)
            # What it wrote before it died was shown: read it too (a line cut by the kill is not).
            rest = await asyncio.wait_for(process.stdout.read(), timeout=60)
            events += [orjson.loads(line) for line in rest.split(b"\n")[:-1]]
            break
    await process.wait()
    if kill_after_steps is None:
        assert process.returncode == 0 and events[-1]["event"] == "done", events[-3:]
    return events


@pytest.mark.slow
async def test_sigkill_at_random_points_loses_nothing_and_counts_nothing_twice(
    server_url: str, schema_name: str, db: Database
) -> None:
    """Kill the process repeatedly mid-game: each game finishes, and scores shown equal scores stored."""
    url = server_url
    rng = random.Random(os.environ.get("QUIZBOT_KILL_SEED", "7"))
    events = await run_worker(url, schema_name, "worker-0", "start", kill_after_steps=rng.randint(1, 3))
    for round_number in range(1, KILLS):
        events += await run_worker(
            url, schema_name, f"worker-{round_number}", "respawn", kill_after_steps=rng.randint(0, 3)
        )
    events += await run_worker(url, schema_name, "worker-last", "respawn", kill_after_steps=None)

    podiums: dict[tuple[int, int], dict[str, int]] = {}
    for event in events:
        if event["event"] == "AnnounceEnd":
            podiums[tuple(event["key"])] = event["standings"]
    assert len(podiums) == SESSIONS, "every game reached its end"

    answers = await db.pool.fetch(
        "SELECT guild_id, channel_id, user_id, count(*) AS n, sum(points) AS points FROM answers "
        "GROUP BY guild_id, channel_id, user_id"
    )
    stored = {(r["guild_id"], r["channel_id"], r["user_id"]): (r["n"], r["points"]) for r in answers}
    for (guild, channel), standings in podiums.items():
        for user in range(1, PLAYERS + 1):
            count, points = stored[(guild, channel, user)]
            assert count == QUESTIONS, f"user {user} in {guild}: {count} answers stored"
            assert points == standings[str(user)], f"user {user} in {guild}: shown and stored differ"
    members = await db.pool.fetch(
        "SELECT guild_id, user_id, points, correct + wrong AS answered FROM guild_members"
    )
    for member in members:
        count, points = stored[(member["guild_id"], 100, member["user_id"])]
        assert (member["points"], member["answered"]) == (points, count), "a total counted twice"
    rollups = await db.pool.fetchval(
        "SELECT sum(points) FROM leaderboard_rollups WHERE scope_id = 0 AND category = '*' AND period = 'a'"
    )
    assert rollups == sum(points for _, points in stored.values())
    assert await db.pool.fetchval("SELECT count(*) FROM quiz_runs") == SESSIONS
    assert await db.pool.fetchval("SELECT sum(quizzes) FROM guild_members") == SESSIONS * PLAYERS
    assert await db.pool.fetchval("SELECT count(*) FROM session_snapshots") == 0
