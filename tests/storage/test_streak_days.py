"""Daily streaks count calendar days in the guild's time zone, across local midnight, with their XP."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from quizbot.game.progression import STREAK_MULTIPLIERS
from quizbot.storage.answers import record_answers
from quizbot.storage.guilds import GuildSettings, save_guild_settings
from quizbot.storage.pool import Database
from quizbot.storage.stats import user_stats
from tests.storage.factories import answer, batch

# In November 2026 Auckland is 13 hours ahead of UTC and Los Angeles 8 behind: each of the
# scenarios below counts differently in UTC days for both, so UTC arithmetic cannot pass them.
ZONES = ["Pacific/Auckland", "America/Los_Angeles", "UTC"]
DAY = date(2026, 11, 18)
FIRST_MINUTE = time(0, 1)
LAST_MINUTE = time(23, 59)


def local(zone: str, days_after: int, clock: time) -> datetime:
    """A wall-clock moment in `zone`, `days_after` DAY."""
    return datetime.combine(DAY + timedelta(days=days_after), clock, tzinfo=ZoneInfo(zone))


async def play(db: Database, moments: list[datetime], guild_id: int = 1) -> list[int]:
    """One 10-XP answer by user 1 at each moment, one batch each; the XP each earned."""
    gained = []
    for moment in moments:
        [progress] = await record_answers(db, batch(answer(1, xp=10, answered_at=moment), guild_id=guild_id))
        gained.append(progress.xp_gained)
    return gained


async def streak(db: Database, guild_id: int = 1) -> tuple[int, int, date | None]:
    found = await user_stats(db, guild_id, 1)
    assert found is not None
    return found.current_streak, found.best_streak, found.last_played_day


@pytest.mark.parametrize("zone", ZONES)
async def test_first_and_last_minutes_of_next_days_extend_the_streak(db: Database, zone: str) -> None:
    """00:01 on day 1, 23:59 on day 2, 00:01 on day 3 (local): three days in a row, x1.0, x1.1, x1.2."""
    await save_guild_settings(db, 1, GuildSettings(time_zone=zone))
    moments = [local(zone, 0, FIRST_MINUTE), local(zone, 1, LAST_MINUTE), local(zone, 2, FIRST_MINUTE)]
    assert await play(db, moments) == [round(10 * m) for m in STREAK_MULTIPLIERS[:3]] == [10, 11, 12]
    assert await streak(db) == (3, 3, DAY + timedelta(days=2))


@pytest.mark.parametrize("zone", ZONES)
async def test_first_and_last_minutes_of_one_day_are_the_same_day(db: Database, zone: str) -> None:
    """00:01 and 23:59 on one local day: still day one of the streak, and no bonus XP."""
    await save_guild_settings(db, 1, GuildSettings(time_zone=zone))
    assert await play(db, [local(zone, 0, FIRST_MINUTE), local(zone, 0, LAST_MINUTE)]) == [10, 10]
    assert await streak(db) == (1, 1, DAY)


@pytest.mark.parametrize("zone", ZONES)
async def test_a_missed_local_day_breaks_the_streak(db: Database, zone: str) -> None:
    """Two days in a row, then 23:59 to 00:01 two local days later: the streak and its bonus restart."""
    await save_guild_settings(db, 1, GuildSettings(time_zone=zone))
    moments = [local(zone, -1, LAST_MINUTE), local(zone, 0, LAST_MINUTE), local(zone, 2, FIRST_MINUTE)]
    assert await play(db, moments) == [10, 11, 10]
    assert await streak(db) == (1, 2, DAY + timedelta(days=2))


async def test_a_guild_without_settings_counts_utc_days(db: Database) -> None:
    """No time zone chosen: days are UTC days, so 23:59 and 00:01 UTC are two days in a row."""
    assert await play(db, [local("UTC", 0, LAST_MINUTE), local("UTC", 1, FIRST_MINUTE)]) == [10, 11]
    assert await streak(db) == (2, 2, DAY + timedelta(days=1))


async def test_solo_play_counts_utc_days_whatever_is_stored_for_guild_zero(db: Database) -> None:
    """Study quizzes (guild 0) count UTC days: a settings row for guild 0 would not change that."""
    await save_guild_settings(db, 0, GuildSettings(time_zone="Pacific/Auckland"))
    moments = [local("UTC", 0, LAST_MINUTE), local("UTC", 1, FIRST_MINUTE)]  # one Auckland day
    assert await play(db, moments, guild_id=0) == [10, 11]
    assert await streak(db, guild_id=0) == (2, 2, DAY + timedelta(days=1))


async def test_changing_the_time_zone_counts_later_days_in_the_new_zone(db: Database) -> None:
    """The zone is read at each write: after a switch, the next answer's day is the new zone's."""
    await play(db, [local("UTC", 0, time(10))])
    await save_guild_settings(db, 1, GuildSettings(time_zone="Pacific/Auckland"))
    # 11:30 UTC, later the same UTC day, is 00:30 the next day in Auckland: a streak's second day.
    assert await play(db, [local("UTC", 0, time(11, 30))]) == [11]
    assert await streak(db) == (2, 2, DAY + timedelta(days=1))


async def test_stats_say_which_zone_the_days_are_in(db: Database) -> None:
    """user_stats reports the guild's time zone, UTC when it chose none, for /stats' today."""
    await record_answers(db, batch(answer(1), guild_id=1))
    await record_answers(db, batch(answer(1), guild_id=2))
    await save_guild_settings(db, 2, GuildSettings(time_zone="America/Los_Angeles"))
    assert (await user_stats(db, 1, 1)).time_zone == "UTC"  # type: ignore[union-attr]
    assert (await user_stats(db, 2, 1)).time_zone == "America/Los_Angeles"  # type: ignore[union-attr]
