"""Live screens in PostgreSQL: stored with the secret's digest only, read back until they expire."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import asyncpg
import pytest

from quizbot.errors import InvalidValue
from quizbot.storage.pool import Database
from quizbot.storage.screens import StoredScreen, live_screens, save_screen

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def screen(selector: str = "selector-0001", hours: float = 12) -> StoredScreen:
    return StoredScreen(selector, bytes(range(32)), 111 << 22, 900, uuid4(), 7, NOW + timedelta(hours=hours))


async def test_a_screen_is_read_back_as_stored(db: Database) -> None:
    """Every field comes back; no secret is stored, only its 32-byte digest."""
    stored = screen()
    await save_screen(db, stored)
    assert await live_screens(db, NOW) == [stored]
    columns = {
        r["column_name"]
        for r in await db.pool.fetch(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'live_screens'"
            " AND table_schema = current_schema()"
        )
    }
    assert "digest" in columns and not any("secret" in c or "token" in c for c in columns)


async def test_expired_screens_are_dropped_when_read(db: Database) -> None:
    """A screen past its expiry is neither returned nor kept."""
    await save_screen(db, screen("selector-old1", hours=1))
    await save_screen(db, screen("selector-new1", hours=12))
    later = NOW + timedelta(hours=2)
    assert [s.selector for s in await live_screens(db, later)] == ["selector-new1"]
    assert await db.pool.fetchval("SELECT count(*) FROM live_screens") == 1


async def test_a_selector_is_never_overwritten(db: Database) -> None:
    """A second screen with the same selector is refused; the first stays as it was."""
    first = screen()
    await save_screen(db, first)
    with pytest.raises(asyncpg.UniqueViolationError):
        await save_screen(db, replace(first, run_id=uuid4()))
    assert await live_screens(db, NOW) == [first]


@pytest.mark.parametrize(
    "bad",
    [
        replace(screen(), selector="short"),
        replace(screen(), selector="x" * 33),
        replace(screen(), selector="sélecteur-01"),
        replace(screen(), digest=b"\x00" * 31),
        replace(screen(), expires_at=datetime(2026, 3, 2, 21, 0)),
        replace(screen(), channel_id=-1),
        replace(screen(), host_id=True),
    ],
)
async def test_bad_values_are_refused_before_the_database(db: Database, bad: StoredScreen) -> None:
    """Malformed selectors, digests, naive times and ids are InvalidValue, and nothing is stored."""
    with pytest.raises(InvalidValue):
        await save_screen(db, bad)
    assert await live_screens(db, NOW) == []
