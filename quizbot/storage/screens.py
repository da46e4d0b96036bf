"""Live screens: the links a host gets to show a running game on a classroom screen.

A link names its screen by a random `selector` and proves itself with a random secret; only the
secret's SHA-256 (`digest`) is stored, so the table alone opens no screen. A screen shows the game
of one run in one channel until it expires; expired rows are dropped when a process starts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import asyncpg

from quizbot.errors import InvalidValue
from quizbot.game.values import check_id
from quizbot.storage.pool import Database

DIGEST_BYTES = 32  # SHA-256
MAX_SELECTOR = 32  # the schema's CHECK


@dataclass(frozen=True, slots=True)
class StoredScreen:
    """One live screen: its selector, its secret's digest, the game it shows, and until when."""

    selector: str
    digest: bytes
    guild_id: int
    channel_id: int
    run_id: UUID
    host_id: int
    expires_at: datetime


def _checked(screen: StoredScreen) -> tuple[object, ...]:
    if not 8 <= len(screen.selector) <= MAX_SELECTOR or not screen.selector.isascii():
        raise InvalidValue("a screen's selector is 8 to 32 ASCII characters")
    if len(screen.digest) != DIGEST_BYTES:
        raise InvalidValue("a screen's digest is a SHA-256 (32 bytes)")
    if screen.expires_at.tzinfo is None:
        raise InvalidValue("a screen's expiry is an aware datetime")
    return (
        screen.selector,
        screen.digest,
        check_id(screen.guild_id, "guild_id"),  # 0: a DM
        check_id(screen.channel_id, "channel_id"),
        screen.run_id,
        check_id(screen.host_id, "host_id"),
        screen.expires_at,
    )


async def save_screen(
    db: Database, screen: StoredScreen, *, connection: asyncpg.Connection | None = None
) -> None:
    """Store a new screen (its selector is fresh: a clash is an error, never an overwrite)."""
    query = """
        INSERT INTO live_screens (selector, digest, guild_id, channel_id, run_id, host_id, expires_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7)
    """
    args = _checked(screen)

    async def write(conn: asyncpg.Connection) -> None:
        await conn.execute(query, *args)

    await db.run(write, connection=connection)


async def live_screens(
    db: Database, now: datetime, *, connection: asyncpg.Connection | None = None
) -> list[StoredScreen]:
    """Every screen not yet expired at `now`, after dropping those that have (one transaction)."""
    drop = "DELETE FROM live_screens WHERE expires_at <= $1"
    query = """
        SELECT selector, digest, guild_id, channel_id, run_id, host_id, expires_at
        FROM live_screens WHERE expires_at > $1 ORDER BY expires_at
    """

    async def read(conn: asyncpg.Connection) -> list[StoredScreen]:
        await conn.execute(drop, now)
        return [StoredScreen(**dict(row)) for row in await conn.fetch(query, now)]

    return await db.run(read, connection=connection)
