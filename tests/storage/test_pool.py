"""The pool: orjson jsonb, health figures, and retries for transient failures only."""

from __future__ import annotations

import asyncio
import time
import uuid

import asyncpg
import pytest

from quizbot.errors import DatabaseUnavailable, StorageError
from quizbot.storage.answers import record_answers
from quizbot.storage.pool import Backoff, Database, is_transient
from tests.conftest import connect_to_schema
from tests.storage.factories import answer, batch


async def test_jsonb_round_trips_through_orjson(db: Database) -> None:
    """Nested JSON with unicode goes in as Python values and comes back equal."""
    value = {"name": "Zoë ✓", "scores": [1, 2.5, None], "nested": {"ok": True}}
    assert await db.pool.fetchval("SELECT $1::jsonb", value) == value


async def test_health_counts_connections_in_use(db: Database) -> None:
    """While a connection is held, health shows it in use and not idle."""
    async with db.acquire():
        health = db.health()
        assert health.in_use >= 1
        assert health.size == health.idle + health.in_use
    assert db.health().acquire_wait_p95_ms >= 0


async def test_ran_dry_counts_waits_for_a_connection(server_url: str, schema_name: str) -> None:
    """When every connection is busy, the next acquire counts the pool as having run dry."""
    small = await connect_to_schema(server_url, schema_name, min_size=1, max_size=1)
    try:
        async with small.acquire():
            waiter = asyncio.create_task(small.run(lambda c: c.fetchval("SELECT 1"), transaction=False))
            await asyncio.sleep(0.05)
            assert not waiter.done()
        assert await waiter == 1
        assert small.health().ran_dry == 1
    finally:
        await small.close()


async def test_a_transient_failure_is_retried(db: Database) -> None:
    """A lost connection on the first try is retried and the second try's result returned."""
    calls = 0

    async def flaky(connection: asyncpg.Connection) -> int:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise asyncpg.ConnectionDoesNotExistError("connection was closed in the middle of operation")
        return int(await connection.fetchval("SELECT 7"))

    assert await db.run(flaky) == 7
    assert calls == 2
    assert db.health().retries == 1


async def test_our_own_sql_errors_are_not_retried(db: Database) -> None:
    """A syntax error or constraint violation raises at once, after one try."""
    calls = 0

    async def broken(connection: asyncpg.Connection) -> None:
        nonlocal calls
        calls += 1
        await connection.execute("SELEC 1")

    with pytest.raises(asyncpg.PostgresSyntaxError):
        await db.run(broken)
    assert calls == 1


async def test_failures_that_persist_end_in_a_storage_error(db: Database) -> None:
    """After every try fails transiently, a StorageError says how many tries were made."""

    async def always_down(connection: asyncpg.Connection) -> None:
        raise asyncpg.CannotConnectNowError("the database system is starting up")

    with pytest.raises(StorageError, match="after 3 tries"):
        await db.run(always_down)


async def test_a_connection_killed_mid_transaction_rolls_back_and_retries(
    db: Database, server_url: str
) -> None:
    """The server drops the connection half-way through an answer write: no partial write, one retry.

    A trigger on the rollup insert terminates its own backend the first time it fires, after the
    answers were already inserted in the same transaction.
    """
    await db.pool.execute(
        """
        CREATE SEQUENCE fault_once;
        CREATE FUNCTION kill_once() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF nextval('fault_once') = 1 THEN
                PERFORM pg_terminate_backend(pg_backend_pid());
            END IF;
            RETURN NULL;
        END $$;
        CREATE TRIGGER kill_once AFTER INSERT ON leaderboard_rollups
            FOR EACH STATEMENT EXECUTE FUNCTION kill_once();
        """
    )
    run = uuid.uuid4()
    progress = await record_answers(db, batch(answer(1), answer(2), run_id=run))
    assert sorted(p.user_id for p in progress) == [1, 2]
    assert db.health().retries == 1
    assert await db.pool.fetchval("SELECT count(*) FROM answers") == 2
    assert await db.pool.fetchval("SELECT sum(points) FROM guild_members") == 200
    assert await db.pool.fetchval("SELECT count(*) FROM leaderboard_rollups") == 32


async def test_a_refusing_server_fails_with_a_clear_error_after_retries() -> None:
    """Nothing listens on the port: a few quick retries, then DatabaseUnavailable naming the host."""
    started = time.monotonic()
    with pytest.raises(DatabaseUnavailable, match=r"127\.0\.0\.1:1.*after 3 attempts"):
        await Database.connect(
            "postgresql://quizbot:secret@127.0.0.1:1/none",
            attempts=3,
            backoff=Backoff(attempts=3, base=0.01, cap=0.02),
        )
    assert time.monotonic() - started < 10


async def test_connection_errors_never_show_the_password() -> None:
    """The error message carries the URL with its password replaced."""
    with pytest.raises(DatabaseUnavailable) as caught:
        await Database.connect(
            "postgresql://quizbot:hunter2@127.0.0.1:1/none", attempts=1, backoff=Backoff(base=0.01)
        )
    assert "hunter2" not in str(caught.value)
    assert "***" in str(caught.value)


@pytest.mark.parametrize(
    ("error", "transient"),
    [
        (asyncpg.ConnectionDoesNotExistError("closed"), True),
        (asyncpg.AdminShutdownError("terminating"), True),
        (asyncpg.SerializationError("could not serialize"), True),
        (ConnectionRefusedError(), True),
        (TimeoutError(), True),
        (asyncpg.InterfaceError("connection is closed"), True),
        (asyncpg.InterfaceError("cannot perform operation: another operation is in progress"), False),
        (asyncpg.UniqueViolationError("duplicate key"), False),
        (asyncpg.PostgresSyntaxError("syntax"), False),
        (ValueError("bad"), False),
    ],
)
def test_which_failures_count_as_transient(error: BaseException, transient: bool) -> None:
    """Connection and server-restart failures retry; our mistakes and constraints do not."""
    assert is_transient(error) is transient
