"""Opens the database the settings name (or the embedded one) with the schema applied."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from quizbot.config import Settings
from quizbot.storage.embedded import EmbeddedPostgres
from quizbot.storage.pool import Backoff, Database
from quizbot.storage.schema import apply_schema


@asynccontextmanager
async def open_database(settings: Settings, *, upgrade: bool = True) -> AsyncIterator[Database]:
    """Yield a connected Database; start the embedded server first when no DATABASE_URL is set."""
    embedded = EmbeddedPostgres(settings.data_dir) if settings.embedded else None
    url = await embedded.start() if embedded is not None else settings.database_url
    assert url is not None  # embedded or configured, never neither
    try:
        db = await Database.connect(
            url,
            min_size=settings.pool_min_size,
            max_size=settings.pool_max_size,
            attempts=settings.connect_attempts,
            backoff=Backoff(attempts=3, base=0.2, cap=5.0),
        )
        try:
            if upgrade:
                await apply_schema(db)
            yield db
        finally:
            await db.close()
    finally:
        if embedded is not None:
            await embedded.stop()
