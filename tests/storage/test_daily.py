"""The question of the day over PostgreSQL: the next post at the guild's hour in its zone (across a
DST change, frozen in time), one claim per post with two processes racing, the recap's counts, and
the daily streak (consecutive days right; a missed or wrong day breaks it)."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from freezegun import freeze_time

from quizbot.errors import InvalidValue
from quizbot.storage.answers import record_answers, record_finished_run
from quizbot.storage.daily import (
    DailyPost,
    claim_daily_posts,
    clear_daily,
    daily_recap,
    daily_settings,
    daily_streak,
    last_daily_post,
    record_daily_post,
    replan_daily,
    set_daily,
)
from quizbot.storage.guilds import GuildSettings, save_guild_settings
from quizbot.storage.pool import Database
from tests.database import connect_to_schema
from tests.storage.factories import answer, batch, finished_run

GUILD = 42 << 22
CHANNEL = 777


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


async def test_the_first_post_is_the_next_hour_in_the_guild_zone(db: Database) -> None:
    """09:00 in Berlin is 08:00 UTC in winter; set after it, the first post is tomorrow's."""
    await save_guild_settings(db, GUILD, GuildSettings(time_zone="Europe/Berlin"))
    first = await set_daily(db, GUILD, CHANNEL, utc(2026, 3, 10, 7, 0), hour=9, show_names=True)
    assert first == utc(2026, 3, 10, 8, 0)
    later = await set_daily(db, GUILD, CHANNEL, utc(2026, 3, 10, 8, 0), hour=9, show_names=False)
    assert later == utc(2026, 3, 11, 8, 0)
    found = await daily_settings(db, GUILD)
    assert found is not None and (found.channel_id, found.hour, found.show_names) == (CHANNEL, 9, False)


@pytest.mark.parametrize("hour", [-1, 24, True, "9"])
async def test_a_bad_hour_is_refused(db: Database, hour: object) -> None:
    """Only 0 to 23: nothing is saved otherwise."""
    with pytest.raises(InvalidValue):
        await set_daily(db, GUILD, CHANNEL, utc(2026, 3, 10), hour=hour, show_names=False)  # type: ignore[arg-type]
    assert await daily_settings(db, GUILD) is None


async def test_clearing_stops_the_posts(db: Database) -> None:
    """A cleared guild is never claimed; clearing twice says there was nothing."""
    await set_daily(db, GUILD, CHANNEL, utc(2026, 3, 10), hour=9, show_names=False)
    assert await clear_daily(db, GUILD)
    assert not await clear_daily(db, GUILD)
    assert await claim_daily_posts(db, utc(2026, 3, 12)) == []


async def test_posts_follow_the_local_hour_across_a_dst_change(db: Database) -> None:
    """Claimed each day at 09:00 Berlin time: 08:00 UTC, then 07:00 UTC after the clocks go forward
    (29 March 2026); the day's question stays open until the next post, 23 hours on that day."""
    await save_guild_settings(db, GUILD, GuildSettings(time_zone="Europe/Berlin"))
    await set_daily(db, GUILD, CHANNEL, utc(2026, 3, 27, 12, 0), hour=9, show_names=False)
    seen = []
    with freeze_time("2026-03-28 08:00:00", tz_offset=0) as frozen:
        for _ in range(3):
            now = datetime.now(UTC)
            [post] = await claim_daily_posts(db, now)
            assert await claim_daily_posts(db, now) == []  # claimed: not again
            seen.append((post.day, post.scheduled, post.next_post - post.scheduled))
            frozen.move_to(post.next_post)
    assert seen == [
        (date(2026, 3, 28), utc(2026, 3, 28, 8, 0), timedelta(hours=23)),
        (date(2026, 3, 29), utc(2026, 3, 29, 7, 0), timedelta(hours=24)),
        (date(2026, 3, 30), utc(2026, 3, 30, 7, 0), timedelta(hours=24)),
    ]


async def test_a_post_missed_while_down_is_claimed_once(db: Database) -> None:
    """Three days down: one claim, for the oldest moment, and the next post is tomorrow's hour."""
    await set_daily(db, GUILD, CHANNEL, utc(2026, 3, 9, 12, 0), hour=9, show_names=False)
    [post] = await claim_daily_posts(db, utc(2026, 3, 13, 10, 0))
    assert (post.scheduled, post.next_post) == (utc(2026, 3, 10, 9, 0), utc(2026, 3, 14, 9, 0))
    assert await claim_daily_posts(db, utc(2026, 3, 13, 23, 0)) == []


async def test_a_time_zone_change_moves_the_next_post(db: Database) -> None:
    """09:00 stays 09:00 on the server's new clocks."""
    await set_daily(db, GUILD, CHANNEL, utc(2026, 3, 10, 12, 0), hour=9, show_names=False)
    await save_guild_settings(db, GUILD, GuildSettings(time_zone="Asia/Tokyo"))
    await replan_daily(db, GUILD, utc(2026, 3, 10, 12, 0))
    found = await daily_settings(db, GUILD)
    assert found is not None and found.next_post == utc(2026, 3, 11, 0, 0)


async def test_two_processes_racing_post_each_day_once(
    db: Database, server_url: str, schema_name: str
) -> None:
    """Two processes claim 30 guilds' due posts at once, in small pages: each post once, by one."""
    guilds = [(n + 1) << 22 for n in range(30)]
    for guild in guilds:
        await set_daily(db, guild, CHANNEL, utc(2026, 3, 9, 12, 0), hour=9, show_names=False)
    first = await connect_to_schema(server_url, schema_name, max_size=2)
    second = await connect_to_schema(server_url, schema_name, max_size=2)
    try:
        now = utc(2026, 3, 10, 9, 0)

        async def sweep(db: Database) -> list[int]:
            claimed: list[int] = []
            while page := await claim_daily_posts(db, now, limit=3):
                claimed += [post.guild_id for post in page]
                await asyncio.sleep(0)
            return claimed

        for _ in range(2):  # the next day, the same again
            one, other = await asyncio.gather(sweep(first), sweep(second))
            assert not set(one) & set(other)
            assert sorted(one + other) == guilds
            now += timedelta(days=1)
    finally:
        await first.close()
        await second.close()


async def post_day(db: Database, day: int, answers: dict[int, bool]) -> uuid.UUID:
    """Guild GUILD's question of 2026-03-<day>, closed the next day, answered as `answers` says."""
    run_id = uuid.uuid4()
    opened = utc(2026, 3, day, 9, 0)
    await record_daily_post(
        db, DailyPost(GUILD, date(2026, 3, day), CHANNEL, run_id, f"q{day}", opened + timedelta(days=1))
    )
    rows = [
        answer(user, correct=right, answered_at=opened + timedelta(minutes=user))
        for user, right in answers.items()
    ]
    if rows:
        await record_answers(db, batch(*rows, run_id=run_id, guild_id=GUILD, channel_id=CHANNEL))
    return run_id


async def test_the_recap_counts_answers_and_names_the_right_fastest_first(db: Database) -> None:
    """Yesterday's run: three answered, two right, in the order they answered, recorded once its run
    is; the latest post before today is found."""
    await post_day(db, 9, {})
    run_id = await post_day(db, 10, {7: True, 5: True, 6: False})
    recap = await daily_recap(db, run_id)
    assert (recap.answered, recap.right, recap.recorded) == (3, (5, 7), False)
    await record_finished_run(db, finished_run(run_id, (5, 6, 7), guild_id=GUILD, question_count=1))
    assert (await daily_recap(db, run_id)).recorded
    found = await last_daily_post(db, GUILD, date(2026, 3, 11))
    assert found is not None and (found.run_id, found.question) == (run_id, "q10")
    assert await last_daily_post(db, GUILD, date(2026, 3, 9)) is None
    assert await daily_recap(db, uuid.uuid4()) == type(recap)(0, (), False)


async def test_the_streak_counts_consecutive_days_right_and_a_missed_day_breaks_it(db: Database) -> None:
    """Right on the 10th, 11th and 12th: three; the open 13th does not count yet; user 6 missed the
    11th (no answer) and user 8 got the 12th wrong: theirs restart."""
    await post_day(db, 9, {5: False, 6: True, 8: True})
    await post_day(db, 10, {5: True, 6: True, 8: True})
    await post_day(db, 11, {5: True, 8: True})
    await post_day(db, 12, {5: True, 6: True, 8: False})
    await post_day(db, 13, {5: True, 6: True, 8: True})  # closes on the 14th
    now = utc(2026, 3, 13, 12, 0)
    streaks = {user: await daily_streak(db, GUILD, user, now) for user in (5, 6, 8, 99)}
    assert streaks == {5: 3, 6: 1, 8: 0, 99: 0}
    assert await daily_streak(db, GUILD, 5, utc(2026, 3, 14, 9, 0)) == 4  # the 13th closed
    assert await daily_streak(db, GUILD + 1, 5, now) == 0  # another guild's days are its own
