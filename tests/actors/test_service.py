"""SIGTERM and SIGINT stop a real process within 5 s with every session snapshotted and respawnable."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from pathlib import Path

import pytest

from quizbot.actors.messages import RespawnSessions
from quizbot.clock import ManualClock
from quizbot.storage.pool import Database
from tests.actors.support import ASK, Harness

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
async def test_a_signal_snapshots_everything_and_exits_within_five_seconds(
    server_url: str, schema_name: str, db: Database, signum: signal.Signals
) -> None:
    """The process saves all three games, exits 0 inside the deadline, and they come back after."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.actors.signal_worker",
        server_url,
        schema_name,
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert process.stdout is not None
    try:
        assert await asyncio.wait_for(process.stdout.readline(), timeout=60) == b"ready\n"
        saved_phases = await db.pool.fetch(
            "SELECT convert_from(state, 'UTF8')::jsonb -> 'session' ->> 'phase' AS phase"
            " FROM session_snapshots"
        )
        assert [r["phase"] for r in saved_phases] == ["created"] * 3  # each game's first snapshot only
        signalled = time.monotonic()
        process.send_signal(signum)
        assert await asyncio.wait_for(process.stdout.readline(), timeout=10) == b"stopped\n"
        assert await process.wait() == 0
        assert time.monotonic() - signalled < 5.0
    finally:  # a failed assertion must not leave the worker serving
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert await db.pool.fetchval("SELECT count(*) FROM session_snapshots") == 3

    successor = Harness(db, owner="successor", clock=ManualClock(time.time()))  # the worker's real time
    assert await successor.ref.ask(RespawnSessions(), timeout=ASK) == 3
    for guild in (1, 2, 3):
        info = await successor.describe(guild << 22, 7)
        assert (info.phase, info.players, info.paused) == ("question_open", 1, True)
    await successor.shutdown()
