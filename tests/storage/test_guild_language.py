"""A guild's channel language (/settings set language:) against the real PostgreSQL."""

from __future__ import annotations

import pytest

from quizbot.errors import InvalidValue
from quizbot.storage.guilds import (
    GuildSettings,
    guild_language,
    guild_settings,
    save_guild_language,
    save_guild_settings,
)
from quizbot.storage.pool import Database
from quizbot.storage.schema import apply_schema, schema_version

GUILD = 81_234_567_890_123_456


async def test_no_language_until_one_is_set(db: Database) -> None:
    """A guild that never chose a language has none stored (its preferred locale applies)."""
    assert await guild_language(db, GUILD) is None


async def test_a_set_language_is_read_back_and_can_be_cleared(db: Database) -> None:
    """Setting stores the locale; None clears it again."""
    await save_guild_language(db, GUILD, "en-GB")
    assert await guild_language(db, GUILD) == "en-GB"
    await save_guild_language(db, GUILD, None)
    assert await guild_language(db, GUILD) is None


async def test_the_language_and_the_settings_document_leave_each_other_alone(db: Database) -> None:
    """Saving settings keeps the language, and saving the language keeps the settings."""
    custom = GuildSettings(idle_timeout=600, default_questions=5)
    await save_guild_settings(db, GUILD, custom)
    await save_guild_language(db, GUILD, "en-GB")
    assert await guild_settings(db, GUILD) == custom
    await save_guild_settings(db, GUILD, GuildSettings())
    assert await guild_language(db, GUILD) == "en-GB"


async def test_a_language_that_is_not_a_locale_name_is_refused(db: Database) -> None:
    """Empty or over-long values never reach the table."""
    for bad in ("", "x" * 17):
        with pytest.raises(InvalidValue, match="language"):
            await save_guild_language(db, GUILD, bad)
    assert await guild_language(db, GUILD) is None


async def test_the_schema_version_counts_the_language_column(db: Database) -> None:
    """The column came with schema version 5, and applying the schema again keeps it."""
    await save_guild_language(db, GUILD, "en-US")
    assert await apply_schema(db) == await schema_version(db) >= 5
    assert await guild_language(db, GUILD) == "en-US"
