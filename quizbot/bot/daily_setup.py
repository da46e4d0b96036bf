"""/settings set's question-of-the-day options: daily_channel (checked now: the bot must be able to
post there), daily_hour (0-23, the server's zone; 9 by default), daily_names and daily_off; and
how /settings shows them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import disnake
from disnake import Localized
from disnake.ext import commands

from quizbot.bot import validation
from quizbot.bot.catalogue import Refused, problem, say
from quizbot.bot.types import CommandInter
from quizbot.i18n import LocaleLike
from quizbot.storage.daily import DEFAULT_HOUR, DailySettings, clear_daily, daily_settings, set_daily
from quizbot.storage.pool import Database

CHANNEL_OPTION: Any = commands.Param(  # B008: calls in defaults
    None,
    name=Localized("daily_channel", key="cmd.settings.set.daily_channel.name"),
    description=Localized(
        "Post a question of the day here", key="cmd.settings.set.daily_channel.description"
    ),
    channel_types=[disnake.ChannelType.text],
)
HOUR_OPTION: Any = commands.Param(
    None,
    name=Localized("daily_hour", key="cmd.settings.set.daily_hour.name"),
    description=Localized(
        "The hour it is posted, 0-23 in the server's time zone", key="cmd.settings.set.daily_hour.description"
    ),
)
NAMES_OPTION: Any = commands.Param(
    None,
    name=Localized("daily_names", key="cmd.settings.set.daily_names.name"),
    description=Localized(
        "Name who got the last question of the day right", key="cmd.settings.set.daily_names.description"
    ),
)
OFF_OPTION: Any = commands.Param(
    None,
    name=Localized("daily_off", key="cmd.settings.set.daily_off.name"),
    description=Localized("Stop the question of the day", key="cmd.settings.set.daily_off.description"),
)


@dataclass(frozen=True, slots=True)
class DailyChange:
    """What /settings set asked of the question of the day, each option checked (None: not given)."""

    channel_id: int | None = None
    hour: int | None = None
    names: bool | None = None
    off: bool = False

    @property
    def given(self) -> bool:
        return self.off or any(v is not None for v in (self.channel_id, self.hour, self.names))


def checked(inter: CommandInter, channel: object, hour: object, names: object, off: object) -> DailyChange:
    """The options as sent, each checked (Refused names the first bad one); daily_off comes alone."""
    refusals = {"not_a_channel": "daily.not_a_channel", "cannot_post": "daily.cannot_post"}
    found = (
        None if channel is None else validation.postable_channel(inter, "daily_channel", channel, **refusals)
    )
    change = DailyChange(
        channel_id=None if found is None else found.id,
        hour=validation.whole_number("daily_hour", hour, 0, 23),
        names=validation.flag("daily_names", names),
    )
    if validation.flag("daily_off", off):
        if change.given:
            raise Refused(problem("daily.off_alone"))
        return DailyChange(off=True)
    return change


async def apply(db: Database, guild_id: int, change: DailyChange, now: datetime) -> DailySettings | None:
    """Save the change (the hour and names keep their values unless given); the guild's question of
    the day as it now stands. Refused if an hour or names come with no channel chosen before."""
    current = await daily_settings(db, guild_id)
    if change.off:
        await clear_daily(db, guild_id)
        return None
    channel = change.channel_id or (current.channel_id if current is not None else None)
    if channel is None:
        raise Refused(problem("daily.needs_channel"))
    hour = change.hour if change.hour is not None else (current.hour if current else DEFAULT_HOUR)
    names = change.names if change.names is not None else (current.show_names if current else False)
    await set_daily(db, guild_id, channel, now, hour=hour, show_names=names)
    return await daily_settings(db, guild_id)


def add_field(
    embed: disnake.Embed, daily: DailySettings | None, locale: LocaleLike, *, changed: bool
) -> None:
    """The question of the day as /settings shows it: where, at what hour, names or counts; or off."""
    label = say("daily.setting", locale)
    if daily is None:
        value = say("daily.setting_off", locale)
    else:
        names = say("daily.names_shown" if daily.show_names else "daily.names_hidden", locale)
        value = say("daily.setting_on", locale, channel=f"<#{daily.channel_id}>", hour=f"{daily.hour:02d}:00")
        value = f"{value}\n{names}"
    embed.add_field(f"{label} ✏️" if changed else label, value, inline=False)
