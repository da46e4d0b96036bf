"""The tests' connections handed on from test to test (tests/connections.py): set to the next
schema with nothing left over, and never one that is in a transaction or goes through a proxy."""

from __future__ import annotations

import asyncpg

from quizbot.storage.pool import Database
from tests.connections import Idle
from tests.database import SchemaFactory, connect_to_schema


async def open_on(idle: Idle, url: str, schema: str) -> Database:
    """A one-connection pool on `schema` that hands its connection on through `idle` (not the worker's)."""
    return await connect_to_schema(url, schema, reuse=False, connect=idle.connect, max_size=1)


async def test_a_closed_pools_connection_serves_the_next_schema_with_nothing_left_over(
    server_url: str, schemas: SchemaFactory
) -> None:
    first_schema, second_schema = await schemas.take(applied=False), await schemas.take(applied=False)
    idle = Idle()
    idle.servers.add(server_url)
    first = await open_on(idle, server_url, first_schema)
    async with first.acquire() as connection:
        pid = await connection.fetchval("SELECT pg_backend_pid()")
        await connection.execute("SET statement_timeout = '7s'")
        await connection.execute("SELECT pg_advisory_lock(42)")
        await connection.execute("CREATE TEMP TABLE leftover (x int)")
    await first.close()
    assert [c.get_server_pid() for c in idle.waiting[server_url]] == [pid]

    second = await open_on(idle, server_url, second_schema)
    async with second.acquire() as connection:
        assert await connection.fetchval("SELECT pg_backend_pid()") == pid
        assert await connection.fetchval("SELECT current_schema()") == second_schema
        assert await connection.fetchval("SHOW statement_timeout") == "0"
        held = "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()"
        assert await connection.fetchval(held) == 0
        assert await connection.fetchval("SELECT to_regclass('pg_temp.leftover')") is None
    await second.close()
    await idle.close()
    for name in (first_schema, second_schema):
        schemas.drop(name)


async def test_a_connection_in_a_transaction_or_elsewhere_is_closed_not_kept(
    server_url: str, schemas: SchemaFactory
) -> None:
    schema = await schemas.take(applied=False)
    idle = Idle()
    idle.servers.add(server_url)
    connection = await idle.connect(server_url, server_settings={"search_path": schema})
    transaction = connection.transaction()
    await transaction.start()
    await connection.close()
    assert connection.is_closed() and not idle.waiting.get(server_url)

    elsewhere = Idle()  # the run's server is not one of its own: a plain connection, closed as ever
    plain = await elsewhere.connect(server_url, server_settings={"search_path": schema})
    assert type(plain) is asyncpg.Connection
    await plain.close()
    assert not elsewhere.waiting
    schemas.drop(schema)
