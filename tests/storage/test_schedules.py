"""Scheduled games over PostgreSQL: the next run in the guild's zone (days, weekdays, named days, a
DST change), claims that start each run once (two processes racing too), pings, and the 10 limit."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, time, timedelta

import pytest

from quizbot.errors import InvalidValue
from quizbot.storage.guilds import GuildSettings, save_guild_settings
from quizbot.storage.pool import Database
from quizbot.storage.schedules import (
    DAILY,
    MAX_PER_GUILD,
    WEEKDAYS,
    GameOptions,
    Shards,
    add_schedule,
    claim_pings,
    claim_runs,
    disable_schedule,
    list_schedules,
    remove_schedule,
    replan_schedules,
)
from tests.database import connect_to_schema

GUILD = 42
CHANNEL = 777
ADMIN = 5
FRIDAY, SATURDAY = 0b0010000, 0b0100000
TUESDAY_MORNING = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)  # a Tuesday


async def add(
    db: Database, at: time, days: int, now: datetime, *, guild: int = GUILD, **ping: int
) -> int | None:
    return await add_schedule(db, guild, CHANNEL, ADMIN, at, days, GameOptions(questions=3), now, **ping)


async def next_runs(db: Database, guild: int = GUILD) -> list[datetime]:
    return [schedule.next_run for schedule in await list_schedules(db, guild)]


async def in_zone(db: Database, zone: str) -> None:
    await save_guild_settings(db, GUILD, GuildSettings(time_zone=zone))


@pytest.mark.parametrize(
    ("at", "days", "first"),
    [
        (time(20, 0), DAILY, datetime(2026, 3, 10, 20, 0, tzinfo=UTC)),  # later today
        (time(7, 0), DAILY, datetime(2026, 3, 11, 7, 0, tzinfo=UTC)),  # passed today: tomorrow
        (time(8, 0), DAILY, datetime(2026, 3, 11, 8, 0, tzinfo=UTC)),  # exactly now: tomorrow
        (time(20, 0), FRIDAY, datetime(2026, 3, 13, 20, 0, tzinfo=UTC)),
        (time(7, 0), 0b0000010, datetime(2026, 3, 17, 7, 0, tzinfo=UTC)),  # Tuesday, passed: next week
        (time(9, 0), SATURDAY | 0b1000000, datetime(2026, 3, 14, 9, 0, tzinfo=UTC)),  # weekend
    ],
    ids=["daily-later", "daily-passed", "daily-now", "friday", "tuesday-passed", "weekend"],
)
async def test_the_first_run_is_the_next_chosen_day_at_its_time(
    db: Database, at: time, days: int, first: datetime
) -> None:
    """In UTC (no zone set), the first run is the first moment after now on a chosen day."""
    assert await add(db, at, days, TUESDAY_MORNING) == 1
    assert await next_runs(db) == [first]


async def test_weekday_runs_skip_the_weekend_in_the_guild_s_zone(db: Database) -> None:
    """A weekdays schedule at 18:00 in New York runs Monday to Friday there, across the weekend."""
    await in_zone(db, "America/New_York")
    await add(db, time(18, 0), WEEKDAYS, datetime(2026, 3, 13, 23, 30, tzinfo=UTC))  # Friday 19:30 local
    runs = []
    for _ in range(3):
        [run] = await claim_runs(db, (await next_runs(db))[0])
        runs.append(run.scheduled)
    assert [r.astimezone(UTC) for r in runs] == [
        datetime(2026, 3, 16, 22, 0, tzinfo=UTC),  # Monday 18:00 EDT
        datetime(2026, 3, 17, 22, 0, tzinfo=UTC),
        datetime(2026, 3, 18, 22, 0, tzinfo=UTC),
    ]


async def test_a_daily_run_keeps_its_local_time_across_a_dst_change(db: Database) -> None:
    """20:00 in Berlin is 19:00 UTC before the clocks go forward (29 March 2026) and 18:00 after."""
    await in_zone(db, "Europe/Berlin")
    await add(db, time(20, 0), DAILY, datetime(2026, 3, 27, 12, 0, tzinfo=UTC))
    moments = []
    for _ in range(4):
        moment = (await next_runs(db))[0]
        moments.append(moment)
        assert [run.scheduled for run in await claim_runs(db, moment)] == [moment]
    assert moments == [
        datetime(2026, 3, 27, 19, 0, tzinfo=UTC),
        datetime(2026, 3, 28, 19, 0, tzinfo=UTC),
        datetime(2026, 3, 29, 18, 0, tzinfo=UTC),  # the DST day
        datetime(2026, 3, 30, 18, 0, tzinfo=UTC),
    ]


async def test_a_run_is_claimed_once_and_the_schedule_moves_on(db: Database) -> None:
    """Before its time nothing is claimed; at it, once, with its options; again, nothing."""
    await add(db, time(20, 0), DAILY, TUESDAY_MORNING)
    at_eight = datetime(2026, 3, 10, 20, 0, tzinfo=UTC)
    assert await claim_runs(db, at_eight - timedelta(seconds=1)) == []
    [run] = await claim_runs(db, at_eight)
    assert (run.guild_id, run.schedule_id, run.channel_id, run.created_by) == (GUILD, 1, CHANNEL, ADMIN)
    assert run.scheduled == at_eight and run.options == GameOptions(questions=3)
    assert await claim_runs(db, at_eight + timedelta(minutes=5)) == []
    assert await next_runs(db) == [at_eight + timedelta(days=1)]


async def test_runs_missed_for_days_are_claimed_once_and_the_next_is_in_the_future(db: Database) -> None:
    """Down for three days: one claim (for the oldest missed run), then the next run after now."""
    await add(db, time(20, 0), DAILY, TUESDAY_MORNING)
    back = datetime(2026, 3, 13, 21, 0, tzinfo=UTC)
    [run] = await claim_runs(db, back)
    assert run.scheduled == datetime(2026, 3, 10, 20, 0, tzinfo=UTC)
    assert await claim_runs(db, back) == []
    assert await next_runs(db) == [datetime(2026, 3, 14, 20, 0, tzinfo=UTC)]


async def test_two_processes_racing_start_each_run_once(
    db: Database, server_url: str, schema_name: str
) -> None:
    """Two processes claim 40 due runs (four guilds of ten) at once, in small pages, on connections
    of their own: every run is claimed, and by one of them only."""
    for guild in range(1, 5):
        for _ in range(MAX_PER_GUILD):
            await add(db, time(9, 0), DAILY, TUESDAY_MORNING, guild=guild)
    first = await connect_to_schema(server_url, schema_name, max_size=2)
    second = await connect_to_schema(server_url, schema_name, max_size=2)
    try:
        now = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)

        async def sweep(db: Database) -> list[tuple[int, int]]:
            claimed: list[tuple[int, int]] = []
            while page := await claim_runs(db, now, limit=3):
                claimed += [(run.guild_id, run.schedule_id) for run in page]
                await asyncio.sleep(0)
            return claimed

        for _ in range(2):  # the same 40, due again the next day
            one, other = await asyncio.gather(sweep(first), sweep(second))
            assert not set(one) & set(other)
            assert sorted(one + other) == [(g, n) for g in range(1, 5) for n in range(1, 11)]
            now += timedelta(days=1)
    finally:
        await first.close()
        await second.close()


async def test_a_guild_holds_at_most_ten_schedules_even_when_added_at_once(
    db: Database, server_url: str, schema_name: str
) -> None:
    """Twelve adds racing on three connections: ten are numbered 1..10, two refused; another guild
    is not affected; a removal makes room again."""
    pools = [await connect_to_schema(server_url, schema_name, max_size=4) for _ in range(3)]
    try:
        added = await asyncio.gather(
            *(add(pools[n % 3], time(9, 0), DAILY, TUESDAY_MORNING) for n in range(12))
        )
    finally:
        for pool in pools:
            await pool.close()
    assert sorted(n for n in added if n is not None) == list(range(1, 11))
    assert added.count(None) == 2
    assert await add(db, time(9, 0), DAILY, TUESDAY_MORNING, guild=GUILD + 1) == 1
    assert await remove_schedule(db, GUILD, 4)
    assert not await remove_schedule(db, GUILD, 4)
    assert await add(db, time(9, 0), DAILY, TUESDAY_MORNING) == 11
    assert await add(db, time(9, 0), DAILY, TUESDAY_MORNING) is None


async def test_a_disabled_schedule_is_listed_with_its_reason_and_never_claimed(db: Database) -> None:
    await add(db, time(9, 0), DAILY, TUESDAY_MORNING, ping_role_id=99, ping_minutes=10)
    await disable_schedule(db, GUILD, 1, "channel_deleted")
    [schedule] = await list_schedules(db, GUILD)
    assert not schedule.enabled and schedule.disabled_reason == "channel_deleted"
    later = datetime(2026, 3, 12, tzinfo=UTC)
    assert await claim_runs(db, later) == [] and await claim_pings(db, later) == []


async def test_a_ping_is_claimed_once_minutes_before_each_run(db: Database) -> None:
    """Ten minutes before 20:00 the ping is claimed once; the run's claim sets the next day's."""
    await add(db, time(20, 0), DAILY, TUESDAY_MORNING, ping_role_id=99, ping_minutes=10)
    run = datetime(2026, 3, 10, 20, 0, tzinfo=UTC)
    assert await claim_pings(db, run - timedelta(minutes=11)) == []
    [ping] = await claim_pings(db, run - timedelta(minutes=10))
    assert (ping.role_id, ping.channel_id, ping.next_run) == (99, CHANNEL, run)
    assert await claim_pings(db, run - timedelta(minutes=5)) == []
    await claim_runs(db, run)
    [tomorrow] = await claim_pings(db, run + timedelta(days=1, minutes=-10))
    assert tomorrow.next_run == run + timedelta(days=1)


async def test_a_ping_missed_with_its_run_while_down_is_dropped(db: Database) -> None:
    await add(db, time(20, 0), DAILY, TUESDAY_MORNING, ping_role_id=99, ping_minutes=10)
    assert await claim_pings(db, datetime(2026, 3, 10, 20, 30, tzinfo=UTC)) == []


@pytest.mark.parametrize(
    "bad",
    [
        {"questions": 0},
        {"questions": True},
        {"timeout": 500},
        {"difficulty": "insane"},
        {"mode": "x"},
        {"topic": ""},
    ],
)
def test_options_are_checked(bad: dict[str, object]) -> None:
    with pytest.raises(InvalidValue):
        GameOptions(**bad)  # type: ignore[arg-type]


async def test_a_day_mask_and_a_half_ping_are_refused(db: Database) -> None:
    with pytest.raises(InvalidValue):
        await add(db, time(9, 0), 0, TUESDAY_MORNING)
    with pytest.raises(InvalidValue):
        await add(db, time(9, 0), 128, TUESDAY_MORNING)
    with pytest.raises(InvalidValue):
        await add(db, time(9, 0), DAILY, TUESDAY_MORNING, ping_role_id=99)


async def test_a_process_claims_only_the_runs_and_pings_of_guilds_on_its_shards(db: Database) -> None:
    """Of two shards, shard 0 gets the guild whose id falls on it; the other guild waits for shard 1."""
    on_zero, on_one = 2 << 22, 1 << 22  # (guild_id >> 22) % 2
    for guild in (on_zero, on_one):
        await add(db, time(9, 0), DAILY, TUESDAY_MORNING, guild=guild, ping_role_id=99, ping_minutes=5)
    at_nine = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
    pings = await claim_pings(db, at_nine - timedelta(minutes=5), shards=Shards(2, (0,)))
    assert [ping.guild_id for ping in pings] == [on_zero]
    assert [run.guild_id for run in await claim_runs(db, at_nine, shards=Shards(2, (0,)))] == [on_zero]
    assert [run.guild_id for run in await claim_runs(db, at_nine, shards=Shards(2, (1,)))] == [on_one]
    with pytest.raises(InvalidValue):
        Shards(2, (2,))


async def test_runs_of_guilds_in_different_zones_claimed_together_move_on_in_their_own_zone(
    db: Database,
) -> None:
    """Berlin's and New York's 20:00 games, claimed in one page, each move to 20:00 of their own
    zone the next day (each guild's zone read for its own row)."""
    zones = {GUILD: "Europe/Berlin", GUILD + 1: "America/New_York", GUILD + 2: "UTC"}
    for guild, zone in zones.items():
        await save_guild_settings(db, guild, GuildSettings(time_zone=zone))
        await add(db, time(20, 0), DAILY, TUESDAY_MORNING, guild=guild)
    claimed = await claim_runs(db, datetime(2026, 3, 11, 1, 0, tzinfo=UTC))
    assert [(run.guild_id, run.scheduled) for run in claimed] == [
        (GUILD, datetime(2026, 3, 10, 19, 0, tzinfo=UTC)),
        (GUILD + 2, datetime(2026, 3, 10, 20, 0, tzinfo=UTC)),
        (GUILD + 1, datetime(2026, 3, 11, 0, 0, tzinfo=UTC)),  # 20:00 EDT (DST began on 8 March)
    ]
    moved = {guild: (await next_runs(db, guild))[0] for guild in zones}
    assert moved == {
        GUILD: datetime(2026, 3, 11, 19, 0, tzinfo=UTC),
        GUILD + 1: datetime(2026, 3, 12, 0, 0, tzinfo=UTC),
        GUILD + 2: datetime(2026, 3, 11, 20, 0, tzinfo=UTC),
    }


async def test_a_time_zone_change_keeps_the_wall_clock_time_in_the_new_zone(db: Database) -> None:
    """A 20:00 game made in UTC moves to 20:00 Berlin time (19:00 UTC) once the server's zone is
    Berlin, ping and all; another guild's schedule is left alone."""
    await add(db, time(20, 0), DAILY, TUESDAY_MORNING, ping_role_id=99, ping_minutes=10)
    await add(db, time(20, 0), DAILY, TUESDAY_MORNING, guild=GUILD + 1)
    await in_zone(db, "Europe/Berlin")
    await replan_schedules(db, GUILD, TUESDAY_MORNING)
    berlin = datetime(2026, 3, 10, 19, 0, tzinfo=UTC)
    assert await next_runs(db) == [berlin]
    assert await next_runs(db, GUILD + 1) == [datetime(2026, 3, 10, 20, 0, tzinfo=UTC)]
    [ping] = await claim_pings(db, berlin - timedelta(minutes=10))
    assert ping.guild_id == GUILD and ping.next_run == berlin
