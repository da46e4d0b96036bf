"""The language each channel speaks, for the channel renderer: the game core never knows it.

A guild's channels speak the language /settings set it to, else the guild's preferred locale
(Discord's "Server Primary Language"), else English; a DM (a study quiz, guild 0) speaks what its
player's client spoke at their last /quiz. Settings are cached here, filled from storage on a miss
and updated when /settings changes them; a storage outage never stops a message (it falls back to
the guild's preferred locale and asks storage again later).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import disnake
from babel import Locale
from loguru import logger

from quizbot import i18n
from quizbot.bot.types import CommandInter
from quizbot.clock import Clock, LoopClock
from quizbot.i18n import DEFAULT, LocaleLike

SOLO_GUILD = 0  # DMs belong to no guild
SERVER_LANGUAGE = "default"  # /settings set language: back to the server's preferred locale
MAX_CHOICES = 25  # Discord's limit on autocomplete choices
READ_TIMEOUT = 2.0  # a storage read that takes longer is treated as an outage
RETRY_AFTER = 30.0  # after an outage, how long a guild speaks its fallback before storage is asked again
STUDY_COMMANDS = frozenset({"quiz", "study"})  # whose users' client locale their DMs speak
PLAYERS_KEPT = 10_000  # the most DM players whose client locale is remembered (the oldest go first)

StoredLanguage = Callable[[int], Awaitable[str | None]]  # a guild's /settings language, or None


class ChannelLanguages:
    """Which shipped locale a channel's messages are worded in; a cache of the guilds' settings."""

    def __init__(
        self,
        bot: disnake.Client,
        stored: StoredLanguage,
        *,
        clock: Clock | None = None,
    ) -> None:
        self.bot = bot
        self.stored = stored
        self.clock = clock or LoopClock()
        self._guilds: dict[int, str | None] = {}  # guild -> its /settings language (None: not set)
        self._unreadable: dict[int, float] = {}  # guild -> when storage may be asked again
        self._players: dict[int, str] = {}  # user -> their client's locale at their last /quiz

    async def ready(self, guild_id: int) -> None:
        """Read a guild's setting into the cache unless it is there already (never raises)."""
        if guild_id == SOLO_GUILD or guild_id in self._guilds:
            return
        if self._unreadable.get(guild_id, 0.0) > self.clock.time():
            return
        try:
            stored = await asyncio.wait_for(self.stored(guild_id), READ_TIMEOUT)
        except Exception as error:  # an outage, or anything storage does: the message still goes out
            self._unreadable[guild_id] = self.clock.time() + RETRY_AFTER
            logger.bind(guild=guild_id).warning(
                "could not read the server's language ({}); using its preferred locale for now", error
            )
            return
        if guild_id not in self._guilds:  # /settings may have answered while storage was read
            self._guilds[guild_id] = stored
        self._unreadable.pop(guild_id, None)

    def chose(self, guild_id: int, language: str | None) -> None:
        """/settings set a guild's language (None: back to its preferred locale); it applies at once."""
        self._guilds[guild_id] = language
        self._unreadable.pop(guild_id, None)

    def saw(self, user_id: int, locale: LocaleLike) -> None:
        """A player used /quiz with their client in `locale`: their study quiz's DM speaks it."""
        self._players.pop(user_id, None)
        self._players[user_id] = i18n.resolve(locale)
        while len(self._players) > PLAYERS_KEPT:
            del self._players[next(iter(self._players))]

    def setting(self, guild_id: int) -> str | None:
        """The language /settings chose for a guild, as cached (None: not set, or not read yet)."""
        return self._guilds.get(guild_id)

    def of_guild(self, guild_id: int) -> str:
        """The shipped locale a guild's channels speak: its setting, its preferred locale, else English."""
        chosen = self._guilds.get(guild_id)
        if chosen is not None:
            return i18n.resolve(chosen)
        guild = self.bot.get_guild(guild_id)
        return i18n.resolve(guild.preferred_locale if guild is not None else None)

    def of(self, key: tuple[int, int]) -> str:
        """The shipped locale a session's channel speaks; a DM speaks its player's."""
        guild_id, channel_id = key
        if guild_id != SOLO_GUILD:
            return self.of_guild(guild_id)
        channel = self.bot.get_channel(channel_id)
        recipient = getattr(channel, "recipient", None)
        return self.of_player(recipient.id) if recipient is not None else DEFAULT

    def of_player(self, user_id: int) -> str:
        """The shipped locale a player's DMs speak: their client's at their last /quiz or /study,
        else English."""
        return self._players.get(user_id, DEFAULT)

    async def seen_command(self, inter: CommandInter) -> None:
        """A listener for every slash command: remembers the locale of whoever used /quiz or /study
        (their study quiz and their reminders speak it)."""
        if inter.data.name in STUDY_COMMANDS:
            self.saw(inter.author.id, inter.locale)


def language_name(locale: str) -> str:
    """A shipped locale as its own speakers name it, with its code: "Deutsch (de)"."""
    parsed = Locale.parse(locale.replace("-", "_"))
    name = parsed.languages.get(str(parsed)) or parsed.get_display_name(parsed) or locale
    return f"{name[:1].upper()}{name[1:]} ({locale})"


def known_language(typed: str) -> str | None:
    """The shipped locale `typed` names, by its code or its name in any letter case ("en-gb",
    "British English (en-GB)"); SERVER_LANGUAGE for the server's own; else None."""
    wanted = typed.strip().casefold().replace("_", "-")
    if wanted == SERVER_LANGUAGE:
        return SERVER_LANGUAGE
    for locale in i18n.SUPPORTED:
        if wanted in (locale.casefold(), language_name(locale).casefold()):
            return locale
    return None


def language_choices(typed: str, locale: LocaleLike = DEFAULT) -> list[disnake.OptionChoice]:
    """/settings set language:'s choices containing `typed`: every shipped locale by its own name,
    then the server's own language (named in the reader's `locale`); at most 25."""
    wanted = typed.strip().casefold()
    offered = [(language_name(shipped), shipped) for shipped in i18n.SUPPORTED]
    offered.append((i18n.text(locale, "channel.language.default"), SERVER_LANGUAGE))
    return [
        disnake.OptionChoice(name, value)
        for name, value in offered
        if wanted in name.casefold() or wanted in value.casefold()
    ][:MAX_CHOICES]


def language_shown(stored: str | None, guild_locale: LocaleLike, locale: LocaleLike = DEFAULT) -> str:
    """The channels' language as /settings shows it, in `locale`: the one set, else the server's own."""
    if stored is not None:
        return language_name(i18n.resolve(stored))
    own = language_name(i18n.resolve(guild_locale))
    return i18n.text(locale, "channel.language.server_default", language=own)
