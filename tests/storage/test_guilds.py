"""Guild settings and asked-question memory against the real PostgreSQL."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import asyncpg
import pytest

from quizbot.errors import InvalidValue
from quizbot.game.progression import Difficulty
from quizbot.storage.guilds import (
    GuildSettings,
    asked_questions,
    forget_asked,
    guild_settings,
    mark_asked,
    save_guild_settings,
)
from quizbot.storage.pool import Database

GUILD = 81_234_567_890_123_456
OTHER_GUILD = 81_234_567_890_999_999

CUSTOM = GuildSettings(
    idle_timeout=600,
    time_zone="Europe/Paris",
    typed_answers=True,
    default_questions=5,
    default_timeout=60,
    default_difficulty=Difficulty.HARD,
)


async def store_raw(db: Database, guild_id: int, settings: dict[str, Any]) -> None:
    """Write a settings document as another version of the bot might have, bypassing validation."""

    async def write(conn: asyncpg.Connection) -> None:
        await conn.execute(
            "INSERT INTO guild_settings (guild_id, settings) VALUES ($1, $2)", guild_id, settings
        )

    await db.run(write)


async def read_raw(db: Database, guild_id: int) -> dict[str, Any]:
    """The settings document exactly as stored."""

    async def read(conn: asyncpg.Connection) -> dict[str, Any]:
        value: dict[str, Any] = await conn.fetchval(
            "SELECT settings FROM guild_settings WHERE guild_id = $1", guild_id
        )
        return value

    return await db.run(read)


async def test_defaults_when_nothing_stored(db: Database) -> None:
    """A guild that never saved settings gets the defaults."""
    settings = await guild_settings(db, GUILD)
    assert settings == GuildSettings()
    assert (settings.idle_timeout, settings.default_questions, settings.default_timeout) == (1800, 10, 30)
    assert settings.default_difficulty is Difficulty.MEDIUM


async def test_saved_settings_read_back_equal(db: Database) -> None:
    """Saved settings load back equal, with the difficulty as a Difficulty member."""
    await save_guild_settings(db, GUILD, CUSTOM)
    loaded = await guild_settings(db, GUILD)
    assert loaded == CUSTOM
    assert loaded.default_difficulty is Difficulty.HARD
    assert loaded.typed_answers is True


async def test_settings_are_stored_as_plain_json(db: Database) -> None:
    """The stored document holds every field, with the difficulty as its plain string value."""
    await save_guild_settings(db, GUILD, CUSTOM)
    assert await read_raw(db, GUILD) == {**asdict(CUSTOM), "default_difficulty": "hard"}


async def test_saving_again_replaces_the_settings(db: Database) -> None:
    """A second save overwrites the first whole."""
    await save_guild_settings(db, GUILD, CUSTOM)
    second = GuildSettings(default_questions=20)
    await save_guild_settings(db, GUILD, second)
    assert await guild_settings(db, GUILD) == second


async def test_settings_are_per_guild(db: Database) -> None:
    """One guild's saved settings do not change another guild's."""
    await save_guild_settings(db, GUILD, CUSTOM)
    assert await guild_settings(db, OTHER_GUILD) == GuildSettings()


@pytest.mark.parametrize("guild_id", [-1, 2**63, True], ids=["negative", "too-big", "bool"])
async def test_bad_guild_id_is_refused(db: Database, guild_id: int) -> None:
    """Reading or saving settings for an invalid guild id raises InvalidValue."""
    with pytest.raises(InvalidValue, match="guild_id"):
        await guild_settings(db, guild_id)
    with pytest.raises(InvalidValue, match="guild_id"):
        await save_guild_settings(db, guild_id, CUSTOM)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("idle_timeout", 59, r"idle_timeout must be a whole number from 60 to 86400, got 59"),
        ("idle_timeout", 86_401, r"idle_timeout must be a whole number from 60 to 86400"),
        ("idle_timeout", "600", r"idle_timeout must be a whole number .* got '600'"),
        ("idle_timeout", 600.0, r"idle_timeout must be a whole number .* got 600\.0"),
        ("idle_timeout", True, r"idle_timeout must be a whole number .* got True"),
        ("default_questions", 0, r"default_questions must be a whole number from 1 to 20, got 0"),
        ("default_questions", 21, r"default_questions must be a whole number from 1 to 20, got 21"),
        ("default_questions", True, r"default_questions must be a whole number .* got True"),
        ("default_timeout", 4, r"default_timeout must be a whole number from 5 to 120, got 4"),
        ("default_timeout", 121, r"default_timeout must be a whole number from 5 to 120, got 121"),
        ("default_timeout", False, r"default_timeout must be a whole number .* got False"),
        ("default_difficulty", "impossible", r"unknown difficulty 'impossible'; choose one of easy, medium"),
        ("default_difficulty", "HARD", r"unknown difficulty 'HARD'"),
        ("time_zone", "Mars/Olympus", r"unknown time zone 'Mars/Olympus'; use a name like Europe/Paris"),
        ("time_zone", "", r"unknown time zone ''"),
        ("time_zone", "/etc/passwd", r"unknown time zone '/etc/passwd'"),
        ("time_zone", None, r"unknown time zone None"),
        ("typed_answers", 1, r"typed_answers must be true or false"),
        ("typed_answers", 0, r"typed_answers must be true or false"),
        ("typed_answers", "yes", r"typed_answers must be true or false"),
    ],
    ids=repr,
)
def test_invalid_setting_is_refused_with_a_clear_message(field: str, value: object, message: str) -> None:
    """Each out-of-range or wrongly typed setting raises InvalidValue saying what is allowed."""
    with pytest.raises(InvalidValue, match=message):
        GuildSettings(**{field: value})


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("idle_timeout", 60),
        ("idle_timeout", 86_400),
        ("default_questions", 1),
        ("default_questions", 20),
        ("default_timeout", 5),
        ("default_timeout", 120),
        ("default_difficulty", "easy"),
        ("time_zone", "America/Argentina/Buenos_Aires"),
        ("typed_answers", False),
    ],
    ids=repr,
)
def test_boundary_settings_are_accepted(field: str, value: object) -> None:
    """Values at the edges of each allowed range are accepted as given."""
    settings = GuildSettings(**{field: value})
    assert getattr(settings, field) == value


def test_difficulty_given_as_text_becomes_a_member() -> None:
    """A difficulty passed as its string value is stored as the Difficulty member."""
    assert GuildSettings(default_difficulty="easy").default_difficulty is Difficulty.EASY  # type: ignore[arg-type]


def test_changed_applies_and_keeps_the_rest() -> None:
    """changed() returns a copy with the given settings replaced and the others kept."""
    updated = CUSTOM.changed(default_questions=12, typed_answers=False)
    assert updated == GuildSettings(**{**asdict(CUSTOM), "default_questions": 12, "typed_answers": False})
    assert CUSTOM.default_questions == 5


def test_changed_validates_the_new_values() -> None:
    """changed() checks the new values like the constructor does."""
    with pytest.raises(InvalidValue, match="default_timeout must be a whole number from 5 to 120"):
        CUSTOM.changed(default_timeout=500)


def test_changed_refuses_unknown_names() -> None:
    """changed() with a name that is not a setting raises InvalidValue naming it and the known ones."""
    with pytest.raises(InvalidValue, match=r"unknown setting colour, volume; known: default_difficulty"):
        CUSTOM.changed(volume=11, colour="red")


def test_from_stored_ignores_unknown_keys() -> None:
    """Keys another version wrote are ignored; missing ones fall back to the defaults."""
    settings = GuildSettings.from_stored({"default_questions": 7, "legacy_flag": True, "theme": "dark"})
    assert settings == GuildSettings(default_questions=7)


def test_from_stored_still_validates_known_keys() -> None:
    """A known key with a bad value in the stored document raises InvalidValue."""
    with pytest.raises(InvalidValue, match="default_questions"):
        GuildSettings.from_stored({"default_questions": 50})


async def test_stored_document_from_another_version_loads(db: Database) -> None:
    """A stored document with unknown keys and missing fields loads with the known values and defaults."""
    await store_raw(
        db,
        GUILD,
        {"default_difficulty": "easy", "time_zone": "Asia/Tokyo", "leaderboard_style": "compact", "v": 3},
    )
    loaded = await guild_settings(db, GUILD)
    assert loaded == GuildSettings(default_difficulty=Difficulty.EASY, time_zone="Asia/Tokyo")


async def test_mark_asked_then_read_back(db: Database) -> None:
    """Marked questions are exactly the ones asked_questions returns."""
    await mark_asked(db, GUILD, {"science": ["q1", "q2", "q3"]})
    assert await asked_questions(db, GUILD, ["science"]) == {"q1", "q2", "q3"}


async def test_nothing_asked_yet_is_empty(db: Database) -> None:
    """A guild that was asked nothing in a category gets an empty set."""
    assert await asked_questions(db, GUILD, ["science"]) == set()


async def test_marking_is_idempotent(db: Database) -> None:
    """Marking the same question twice, within one call or across calls, keeps it once."""
    await mark_asked(db, GUILD, {"science": ["q1", "q1", "q2"]})
    await mark_asked(db, GUILD, {"science": ["q2", "q3"]})
    assert await asked_questions(db, GUILD, ["science"]) == {"q1", "q2", "q3"}
    assert await forget_asked(db, GUILD, ["science"]) == 3


async def test_marking_nothing_is_a_no_op(db: Database) -> None:
    """Marking an empty list stores nothing and raises nothing."""
    await mark_asked(db, GUILD, {"science": []})
    assert await asked_questions(db, GUILD, ["science"]) == set()


async def test_mark_asked_accepts_any_iterable(db: Database) -> None:
    """mark_asked takes a generator of ids as well as a list."""
    await mark_asked(db, GUILD, {"science": (f"q{i}" for i in range(3))})
    assert await asked_questions(db, GUILD, ["science"]) == {"q0", "q1", "q2"}


async def test_asked_questions_are_per_guild(db: Database) -> None:
    """One guild's asked questions are not another guild's."""
    await mark_asked(db, GUILD, {"science": ["q1"]})
    await mark_asked(db, OTHER_GUILD, {"science": ["q2"]})
    assert await asked_questions(db, GUILD, ["science"]) == {"q1"}
    assert await asked_questions(db, OTHER_GUILD, ["science"]) == {"q2"}


async def test_asked_questions_are_per_category(db: Database) -> None:
    """The same question id can be asked in two categories and each keeps its own."""
    await mark_asked(db, GUILD, {"science": ["q1", "shared"]})
    await mark_asked(db, GUILD, {"history": ["shared", "h1"]})
    assert await asked_questions(db, GUILD, ["science"]) == {"q1", "shared"}
    assert await asked_questions(db, GUILD, ["history"]) == {"shared", "h1"}


async def test_forget_asked_clears_only_that_guild_and_category(db: Database) -> None:
    """forget_asked empties one guild's category, returns how many it forgot, and leaves the rest."""
    await mark_asked(db, GUILD, {"science": ["q1", "q2"]})
    await mark_asked(db, GUILD, {"history": ["h1"]})
    await mark_asked(db, OTHER_GUILD, {"science": ["q1"]})
    assert await forget_asked(db, GUILD, ["science"]) == 2
    assert await asked_questions(db, GUILD, ["science"]) == set()
    assert await asked_questions(db, GUILD, ["history"]) == {"h1"}
    assert await asked_questions(db, OTHER_GUILD, ["science"]) == {"q1"}


async def test_forget_asked_twice_forgets_nothing_the_second_time(db: Database) -> None:
    """Forgetting an already empty category returns 0."""
    await mark_asked(db, GUILD, {"science": ["q1"]})
    await forget_asked(db, GUILD, ["science"])
    assert await forget_asked(db, GUILD, ["science"]) == 0


async def test_questions_can_be_marked_again_after_forgetting(db: Database) -> None:
    """Once a category is forgotten, its questions can be marked as asked again."""
    await mark_asked(db, GUILD, {"science": ["q1"]})
    await forget_asked(db, GUILD, ["science"])
    await mark_asked(db, GUILD, {"science": ["q1", "q2"]})
    assert await asked_questions(db, GUILD, ["science"]) == {"q1", "q2"}


@pytest.mark.parametrize(
    ("guild_id", "category", "message"),
    [
        (-1, "science", "guild_id"),
        (GUILD, "", "category must be a non-empty name"),
        (GUILD, "   ", "category must be a non-empty name"),
        (GUILD, "x" * 65, "at most 64 characters"),
        (GUILD, "*", "means all categories"),
    ],
    ids=["negative-guild", "empty", "blank", "too-long", "all-marker"],
)
async def test_mark_asked_refuses_bad_guild_or_category(
    db: Database, guild_id: int, category: str, message: str
) -> None:
    """mark_asked raises InvalidValue for a bad guild id or category and stores nothing."""
    with pytest.raises(InvalidValue, match=message):
        await mark_asked(db, guild_id, {category: ["q1"]})
    assert await asked_questions(db, GUILD, ["science"]) == set()


async def test_several_categories_are_marked_read_and_forgotten_at_once(db: Database) -> None:
    """One call marks a set that spans categories; reads and forgets take several categories."""
    await mark_asked(db, GUILD, {"science": ["q1", "q2"], "history": ["h1"], "sport": ["s1"]})
    assert await asked_questions(db, GUILD, ["science", "history"]) == {"q1", "q2", "h1"}
    assert await forget_asked(db, GUILD, ["science", "sport"]) == 3
    assert await asked_questions(db, GUILD, ["science", "history", "sport"]) == {"h1"}
