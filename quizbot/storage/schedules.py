"""Scheduled games over PostgreSQL: add, list, remove and disable schedules; claim due runs and pings.

A schedule runs at its HH:MM in the guild's time zone on the days of its mask (bit 0 Monday ..
bit 6 Sunday). `next_run` is worked out in SQL by local arithmetic, then back to UTC, so a DST
change keeps the wall-clock time. A run is claimed by moving `next_run` on in the same statement
that finds it (FOR UPDATE SKIP LOCKED, then the row re-checked), so of several processes exactly
one gets each run, and never twice. A guild holds at most `MAX_PER_GUILD` schedules: the insert
itself counts them, under a per-guild transaction lock, so two simultaneous adds cannot both pass.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, time
from typing import Any

import asyncpg

from quizbot.errors import InvalidValue
from quizbot.game.values import check_id
from quizbot.storage.guilds import time_zone_sql
from quizbot.storage.pool import Database

MAX_PER_GUILD = 10
DAILY = 0b1111111
WEEKDAYS = 0b0011111
DIFFICULTIES = ("easy", "medium", "hard")
MODES = ("buttons", "typed")
PROVIDERS = ("bank", "openai", "anthropic", "google")


@dataclass(frozen=True, slots=True)
class GameOptions:
    """The options a scheduled game starts with, checked as /trivia start checks them; None takes
    the server's default when the game starts."""

    topic: str | None = None
    difficulty: str | None = None
    questions: int | None = None
    timeout: int | None = None
    mode: str | None = None
    provider: str | None = None
    single_answer: bool = False

    def __post_init__(self) -> None:
        if self.topic is not None and (not isinstance(self.topic, str) or not 0 < len(self.topic) <= 100):
            raise InvalidValue("topic must be text of 1 to 100 characters")
        for name, allowed in (("difficulty", DIFFICULTIES), ("mode", MODES), ("provider", PROVIDERS)):
            value = getattr(self, name)
            if value is not None and value not in allowed:
                raise InvalidValue(f"{name} must be one of {', '.join(allowed)}, got {value!r}")
        for name, low, high in (("questions", 1, 20), ("timeout", 5, 120)):
            value = getattr(self, name)
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high
            ):
                raise InvalidValue(f"{name} must be a whole number from {low} to {high}, got {value!r}")
        if not isinstance(self.single_answer, bool):
            raise InvalidValue("single_answer must be true or false")

    def stored(self) -> dict[str, Any]:
        """The jsonb form (options left out are not written)."""
        return {name: value for name, value in asdict(self).items() if value is not None}

    @classmethod
    def from_stored(cls, stored: dict[str, Any]) -> GameOptions:
        """Options from their jsonb form, checked again; keys another version wrote are ignored."""
        known = set(cls.__dataclass_fields__)
        return cls(**{name: value for name, value in stored.items() if name in known})


@dataclass(frozen=True, slots=True)
class Schedule:
    """One schedule as /trivia schedule list shows it."""

    guild_id: int
    schedule_id: int
    channel_id: int
    created_by: int
    run_at: time
    days: int
    options: GameOptions
    ping_role_id: int | None
    ping_minutes: int | None
    next_run: datetime
    enabled: bool
    disabled_reason: str | None


@dataclass(frozen=True, slots=True)
class ClaimedRun:
    """A run this process claimed: the schedule, and the moment it was due."""

    guild_id: int
    schedule_id: int
    channel_id: int
    created_by: int
    options: GameOptions
    scheduled: datetime


@dataclass(frozen=True, slots=True)
class ClaimedPing:
    """A role ping this process claimed, for the run at `next_run`."""

    guild_id: int
    schedule_id: int
    channel_id: int
    role_id: int
    next_run: datetime


def next_run_sql(now: str, zone: str, at: str, days: str) -> str:
    """SQL for the first moment after `now` when it is `at` o'clock in `zone` on a day of the mask
    `days` (bit 0 Monday .. bit 6 Sunday): local arithmetic, then back to UTC, so a DST change keeps
    the wall-clock time (storage/study.py's `next_local_sql`, by day). The days ahead come from the mask
    turned to start today (bit k: k days from now), its lowest set bit (today's only if its time is
    still to come; none left: a week on), so a row costs three time zone conversions, no scan."""
    ahead = " ".join(f"WHEN m.r & {1 << k} <> 0 THEN {k}" for k in range(1, 7))
    return f"""(SELECT (t.today + (CASE WHEN m.r & 1 <> 0 AND w.later_today THEN 0 {ahead} ELSE 7 END)
                       * interval '1 day' + {at}) AT TIME ZONE {zone}
        FROM (SELECT date_trunc('day', {now} AT TIME ZONE {zone}) AS today) AS t,
             LATERAL (SELECT extract(isodow FROM t.today)::int - 1 AS weekday,
                             (t.today + {at}) AT TIME ZONE {zone} > {now} AS later_today) AS w,
             LATERAL (SELECT (({days}::int >> w.weekday) | ({days}::int << (7 - w.weekday))) & 127
                      AS r) AS m)"""


_LOCK_GUILD = "SELECT pg_advisory_xact_lock(hashtextextended('game_schedules:' || $1::bigint::text, 0))"
_FIRST_RUN = next_run_sql("$9::timestamptz", "zone.tz", "$4::time", "$5::smallint")
_ADD = f"""
INSERT INTO game_schedules (guild_id, schedule_id, channel_id, created_by, run_at, days, options,
                            ping_role_id, ping_minutes, next_run, announce_next)
SELECT $1, coalesce(max(g.schedule_id), 0) + 1, $2, $3, $4, $5, $6, $7, $8::smallint, first.moment,
       first.moment - make_interval(mins => $8::smallint)
FROM (SELECT {time_zone_sql("$1")} AS tz) AS zone,
     LATERAL (SELECT {_FIRST_RUN} AS moment) AS first
LEFT JOIN game_schedules g ON g.guild_id = $1
GROUP BY first.moment
HAVING count(g.guild_id) < {MAX_PER_GUILD}
RETURNING schedule_id
"""


async def add_schedule(  # noqa: PLR0917 - a schedule is made of these
    db: Database,
    guild_id: int,
    channel_id: int,
    created_by: int,
    run_at: time,
    days: int,
    options: GameOptions,
    now: datetime,
    *,
    ping_role_id: int | None = None,
    ping_minutes: int | None = None,
) -> int | None:
    """Store a schedule and return its number in the guild, or None when the guild already has
    `MAX_PER_GUILD` (counted by the insert, under the guild's lock)."""
    check_id(guild_id, "guild_id")
    if not isinstance(days, int) or not 1 <= days <= DAILY:
        raise InvalidValue(f"days must be a mask from 1 to {DAILY}, got {days!r}")
    if (ping_role_id is None) != (ping_minutes is None):
        raise InvalidValue("a ping needs both its role and its minutes")

    async def write(conn: asyncpg.Connection) -> int | None:
        await conn.execute(_LOCK_GUILD, guild_id)
        number: int | None = await conn.fetchval(
            _ADD,
            guild_id,
            channel_id,
            created_by,
            run_at,
            days,
            options.stored(),
            ping_role_id,
            ping_minutes,
            now,
        )
        return number

    return await db.run(write)


async def list_schedules(db: Database, guild_id: int) -> list[Schedule]:
    """The guild's schedules, by number."""
    query = """
        SELECT guild_id, schedule_id, channel_id, created_by, run_at, days, options, ping_role_id,
               ping_minutes, next_run, enabled, disabled_reason
        FROM game_schedules WHERE guild_id = $1 ORDER BY schedule_id
    """

    async def read(conn: asyncpg.Connection) -> list[asyncpg.Record]:
        rows: list[asyncpg.Record] = await conn.fetch(query, guild_id)
        return rows

    rows = await db.run(read, transaction=False)
    return [Schedule(**(dict(row) | {"options": GameOptions.from_stored(row["options"])})) for row in rows]


async def remove_schedule(db: Database, guild_id: int, schedule_id: int) -> bool:
    """Remove one of the guild's schedules; False if it has no such one."""
    query = "DELETE FROM game_schedules WHERE guild_id = $1 AND schedule_id = $2"

    async def write(conn: asyncpg.Connection) -> bool:
        return bool(await conn.execute(query, guild_id, schedule_id) != "DELETE 0")

    return await db.run(write)


async def disable_schedule(db: Database, guild_id: int, schedule_id: int, reason: str) -> None:
    """Stop running a schedule, keeping it (and why) for /trivia schedule list."""
    query = """
        UPDATE game_schedules SET enabled = false, disabled_reason = $3, announce_next = NULL
        WHERE guild_id = $1 AND schedule_id = $2
    """

    async def write(conn: asyncpg.Connection) -> None:
        await conn.execute(query, guild_id, schedule_id, reason)

    await db.run(write)


_REPLAN = f"""
UPDATE game_schedules AS g
SET next_run = {next_run_sql("$2::timestamptz", "zone.tz", "g.run_at", "g.days")},
    announce_next = {next_run_sql("$2::timestamptz", "zone.tz", "g.run_at", "g.days")}
                    - make_interval(mins => g.ping_minutes)
FROM (SELECT {time_zone_sql("$1")} AS tz) AS zone
WHERE g.guild_id = $1 AND g.enabled
"""


async def replan_schedules(db: Database, guild_id: int, now: datetime) -> None:
    """Move the guild's schedules to their next run in its zone as it is now: after a time zone
    change, 20:00 stays 20:00 on the clocks of the server's new zone."""

    async def write(conn: asyncpg.Connection) -> None:
        await conn.execute(_REPLAN, guild_id, now)

    await db.run(write)


# Only the guilds on this process's gateway shards: their games' clicks arrive here. $3 NULL: all.
_OUR_SHARDS = "($3::int IS NULL OR ((g.guild_id >> 22) % $3) = ANY ($4::int[]))"

_CLAIM_RUNS = f"""
WITH due AS (
    SELECT g.ctid AS row_id, g.run_at, g.days, {time_zone_sql("g.guild_id")} AS tz
    FROM game_schedules AS g
    WHERE g.enabled AND g.next_run <= $1 AND {_OUR_SHARDS} ORDER BY g.next_run LIMIT $2
    FOR UPDATE SKIP LOCKED
), moved AS MATERIALIZED (  -- each next run worked out once
    SELECT row_id, {next_run_sql("$1::timestamptz", "tz", "run_at", "days")} AS moment FROM due
)
UPDATE game_schedules AS s
SET ran_for = s.next_run, next_run = moved.moment,
    announce_next = moved.moment - make_interval(mins => s.ping_minutes)
FROM moved
WHERE s.ctid = moved.row_id  -- the row locked above (a locked row keeps its place): a Tid Scan
  AND s.enabled AND s.next_run <= $1
RETURNING s.guild_id, s.schedule_id, s.channel_id, s.created_by, s.options, s.ran_for
"""


@dataclass(frozen=True, slots=True)
class Shards:
    """The gateway shards a process runs: `ids` of `count`; no count means every guild."""

    count: int | None = None
    ids: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        if self.count is not None and (self.count < 1 or any(not 0 <= s < self.count for s in self.ids)):
            raise InvalidValue(f"shard ids must be from 0 to {self.count - 1} of {self.count} shards")

    def arguments(self) -> tuple[int | None, list[int]]:
        return (self.count, list(self.ids)) if self.count is not None and self.ids else (None, [])


ALL_SHARDS = Shards()


async def claim_runs(
    db: Database, now: datetime, *, limit: int = 100, shards: Shards = ALL_SHARDS
) -> list[ClaimedRun]:
    """Claim up to `limit` runs due by `now` (oldest first) in guilds of `shards`, moving each
    schedule to its next run in the same statement (compare-and-set): no other process gets the
    same run. A schedule that missed several runs (the bot was down) is claimed once, for the
    oldest; the caller decides whether it is still worth starting."""

    async def write(conn: asyncpg.Connection) -> list[asyncpg.Record]:
        rows: list[asyncpg.Record] = await conn.fetch(_CLAIM_RUNS, now, limit, *shards.arguments())
        return rows

    runs = [
        ClaimedRun(
            row["guild_id"],
            row["schedule_id"],
            row["channel_id"],
            row["created_by"],
            GameOptions.from_stored(row["options"]),
            row["ran_for"],
        )
        for row in await db.run(write, transaction=False)  # one statement: a transaction of its own
    ]
    return sorted(runs, key=lambda run: (run.scheduled, run.guild_id, run.schedule_id))


_CLAIM_PINGS = f"""
WITH due AS (
    SELECT g.guild_id, g.schedule_id FROM game_schedules AS g
    WHERE g.enabled AND g.announce_next <= $1 AND {_OUR_SHARDS} ORDER BY g.announce_next LIMIT $2
    FOR UPDATE SKIP LOCKED
)
UPDATE game_schedules AS s SET announce_next = NULL
FROM due
WHERE s.guild_id = due.guild_id AND s.schedule_id = due.schedule_id
  AND s.enabled AND s.announce_next <= $1
RETURNING s.guild_id, s.schedule_id, s.channel_id, s.ping_role_id, s.next_run
"""


async def claim_pings(
    db: Database, now: datetime, *, limit: int = 100, shards: Shards = ALL_SHARDS
) -> list[ClaimedPing]:
    """Claim the role pings due by `now` whose run is still ahead (one missed with its run, while
    the bot was down, is dropped: the run's own claim sets the next one)."""

    async def write(conn: asyncpg.Connection) -> list[asyncpg.Record]:
        rows: list[asyncpg.Record] = await conn.fetch(_CLAIM_PINGS, now, limit, *shards.arguments())
        return rows

    rows = await db.run(write, transaction=False)  # one statement: a transaction of its own
    return [
        ClaimedPing(
            row["guild_id"], row["schedule_id"], row["channel_id"], row["ping_role_id"], row["next_run"]
        )
        for row in rows
        if row["next_run"] > now
    ]
