"""Which language a channel speaks: the server's setting, its preferred locale, English; a DM its player's."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import pytest

from quizbot import i18n
from quizbot.bot import channel_language, validation
from quizbot.bot.catalogue import Refused
from quizbot.bot.channel_language import (
    SERVER_LANGUAGE,
    ChannelLanguages,
    known_language,
    language_choices,
    language_name,
)
from quizbot.clock import ManualClock
from quizbot.errors import StorageError

CLUB, OTHER, UNKNOWN, DM = 10, 20, 30, 99


@dataclass
class Place:
    """A guild's or DM channel's few attributes the lookup reads."""

    preferred_locale: str | None = None
    recipient: Person | None = None


@dataclass
class Person:
    id: int


@dataclass
class Bot:
    """The two lookups ChannelLanguages makes of the client, from the cache (no requests)."""

    guilds: dict[int, Place] = field(default_factory=dict)
    channels: dict[int, Place] = field(default_factory=dict)

    def get_guild(self, guild_id: int) -> Place | None:
        return self.guilds.get(guild_id)

    def get_channel(self, channel_id: int) -> Place | None:
        return self.channels.get(channel_id)


@dataclass
class Stored:
    """Guilds' stored languages; counts reads, and fails them while `down`."""

    languages: dict[int, str] = field(default_factory=dict)
    reads: list[int] = field(default_factory=list)
    down: bool = False
    gate: asyncio.Event | None = None

    async def __call__(self, guild_id: int) -> str | None:
        self.reads.append(guild_id)
        if self.gate is not None:
            await self.gate.wait()
        if self.down:
            raise StorageError("database kept failing after 3 tries")
        return self.languages.get(guild_id)


def make(stored: Stored, clock: ManualClock | None = None) -> ChannelLanguages:
    bot = Bot(
        guilds={CLUB: Place("en-GB"), OTHER: Place("tr")},
        channels={DM: Place(recipient=Person(7))},
    )
    return ChannelLanguages(bot, stored, clock=clock or ManualClock())


async def test_a_guild_without_a_setting_speaks_its_preferred_locale() -> None:
    """No /settings language: the guild's preferred locale, matched to a shipped one."""
    languages = make(Stored())
    for guild in (CLUB, OTHER, UNKNOWN):
        await languages.ready(guild)
    assert languages.of((CLUB, 1)) == "en-GB"
    assert languages.of((OTHER, 1)) == "en-US"  # Turkish is not shipped: English
    assert languages.of((UNKNOWN, 1)) == "en-US"  # a guild not in the cache: English


async def test_the_setting_is_read_once_and_wins_over_the_preferred_locale() -> None:
    """The stored language is read on the first miss only, and then speaks for the guild."""
    stored = Stored({OTHER: "en-GB"})
    languages = make(stored)
    await languages.ready(OTHER)
    await languages.ready(OTHER)
    assert stored.reads == [OTHER]
    assert languages.of((OTHER, 5)) == "en-GB" == languages.setting(OTHER)


async def test_a_change_through_settings_applies_at_once_and_clears_back() -> None:
    """/settings tells the cache; clearing goes back to the preferred locale, without reading storage."""
    stored = Stored()
    languages = make(stored)
    languages.chose(OTHER, "en-GB")
    await languages.ready(OTHER)
    assert stored.reads == [] and languages.of((OTHER, 5)) == "en-GB"
    languages.chose(CLUB, None)
    assert languages.of((CLUB, 5)) == "en-GB"  # its preferred locale
    languages.chose(CLUB, "en-US")
    assert languages.of((CLUB, 5)) == "en-US"


async def test_a_setting_made_while_storage_is_read_is_kept() -> None:
    """A read that started before /settings answered cannot undo the change."""
    stored = Stored({OTHER: "en-US"}, gate=asyncio.Event())
    languages = make(stored)
    reading = asyncio.create_task(languages.ready(OTHER))
    await asyncio.sleep(0)
    languages.chose(OTHER, "en-GB")
    assert stored.gate is not None
    stored.gate.set()
    await reading
    assert languages.of((OTHER, 5)) == "en-GB"


async def test_an_outage_falls_back_to_the_preferred_locale_and_asks_again_later() -> None:
    """Storage down: the guild speaks its preferred locale; storage is asked again after a while."""
    clock = ManualClock()
    stored = Stored({CLUB: "en-US"}, down=True)
    languages = make(stored, clock)
    await languages.ready(CLUB)
    assert languages.of((CLUB, 1)) == "en-GB"
    await languages.ready(CLUB)
    assert stored.reads == [CLUB]  # not hammered while it is down
    stored.down = False
    clock.advance(channel_language.RETRY_AFTER)
    await languages.ready(CLUB)
    assert stored.reads == [CLUB, CLUB] and languages.of((CLUB, 1)) == "en-US"


async def test_a_read_that_hangs_counts_as_an_outage(monkeypatch: pytest.MonkeyPatch) -> None:
    """A storage read past READ_TIMEOUT is given up; the message goes out in the fallback."""
    monkeypatch.setattr(channel_language, "READ_TIMEOUT", 0)
    languages = make(Stored({CLUB: "en-US"}, gate=asyncio.Event()))
    await languages.ready(CLUB)
    assert languages.of((CLUB, 1)) == "en-GB"


async def test_a_dm_speaks_its_player_s_locale_from_their_last_quiz_command() -> None:
    """Study quizzes (guild 0) use the locale /quiz last saw for the DM's player, else English."""
    languages = make(Stored())
    assert languages.of((0, DM)) == "en-US"
    languages.saw(7, "en-GB")
    assert languages.of((0, DM)) == "en-GB"
    languages.saw(7, "en-AU")  # no file of its own: its nearest
    assert languages.of((0, DM)) == "en-GB"
    assert languages.of((0, 12345)) == "en-US"  # a DM the client does not know


def test_languages_are_named_as_their_speakers_name_them() -> None:
    """Babel's names in the language itself, with the locale's code."""
    assert language_name("de") == "Deutsch (de)"
    assert language_name("en-GB") == "British English (en-GB)"
    assert language_name("fr") == "Français (fr)"
    assert language_name("pt-BR").endswith("(pt-BR)")


def test_a_language_is_known_by_its_code_or_its_name_in_any_case() -> None:
    """What /settings accepts: a shipped locale's code or name, or "default"; nothing else."""
    assert known_language("en-gb") == known_language("British English (en-GB)") == "en-GB"
    assert known_language(" EN_US ") == "en-US"
    assert known_language("Default") == SERVER_LANGUAGE
    assert known_language("xx") is None
    assert known_language("English") is None  # two shipped locales are English: say which


def test_the_choices_are_every_shipped_locale_and_the_server_s_own() -> None:
    """Every locale in i18n.SUPPORTED by its own name, then the server's own language, filtered by
    what was typed (so a new locale file shows here with no code change); at most Discord's 25."""
    offered = language_choices("")
    assert [c.value for c in offered] == [*i18n.SUPPORTED, SERVER_LANGUAGE]
    assert offered[-1].name == i18n.text("en-US", "channel.language.default")
    assert [c.value for c in language_choices("brit")] == ["en-GB"]
    assert [c.value for c in language_choices("EN-us")] == ["en-US"]
    assert len(language_choices("")) <= 25


def test_the_language_option_is_checked_at_the_edge() -> None:
    """validation.language: a shipped locale in its spelling, "default", or a private refusal naming
    every shipped language; a forged value of any other type is refused like any text option."""
    assert validation.language("language", None) is None
    assert validation.language("language", " en-gb ") == "en-GB"
    assert validation.language("language", "default") == SERVER_LANGUAGE
    with pytest.raises(Refused) as unknown:
        validation.language("language", "x" * 40)
    worded = unknown.value.problem.text_for("en-US")
    assert "(that value)" in worded  # a long value is not quoted back
    assert all(language_name(locale) in worded for locale in i18n.SUPPORTED)
    for forged in (5, True, ["en-GB"], "en-GB\x00"):
        with pytest.raises(Refused):
            validation.language("language", forged)
