"""/stats reads "today" in the guild's time zone, so the streak it shows follows the streak it counts."""

from __future__ import annotations

from datetime import datetime

import pytest
from freezegun import freeze_time

from quizbot.storage.guilds import GuildSettings, save_guild_settings
from quizbot.testing import Member
from tests.bot.conftest import World
from tests.bot.test_stats_cog import fields, quiz, use
from tests.storage.test_streak_days import FIRST_MINUTE, LAST_MINUTE, ZONES, local


async def streak_shown(world: World, me: Member, now: datetime) -> str:
    """The Streak field of my /stats, with the clock at `now`."""
    with freeze_time(now, real_asyncio=True):
        record = await use(world, world.club, me, "stats")
    return fields(record)["Streak"]


@pytest.mark.parametrize("zone", ZONES)
async def test_a_streak_shows_until_a_local_day_is_missed(world: World, zone: str) -> None:
    """Played at 00:01 on day 1 (local): still live at 23:59 on day 2, gone at 00:01 on day 3."""
    await save_guild_settings(world.db, world.club.guild.id, GuildSettings(time_zone=zone))
    me = world.club.players[0]
    await quiz(world, world.club, [(me, 10)], at=local(zone, 0, FIRST_MINUTE))
    assert await streak_shown(world, me, local(zone, 1, LAST_MINUTE)) == "1 day (best 1 day)"
    assert await streak_shown(world, me, local(zone, 2, FIRST_MINUTE)) == "0 days (best 1 day)"
