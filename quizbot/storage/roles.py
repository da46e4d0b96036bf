"""Role rewards and the durable queue of role changes that carries them out.

A reward is a role for reaching a level (kind 'l') or for the top 1 or 3 of an ended season (kind
's'). role_grants holds, per (guild, member, role), whether the member should hold the role and
whether Discord has been told: 'pending' rows are claimed by moving next_try on (compare-and-set,
so one process sends each), then marked 'done', retried later, or 'failed' (shown in /supervisor
status, never retried). A level role is queued once per member and never again: it is granted once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

import asyncpg

from quizbot.errors import InvalidValue
from quizbot.game.progression import MAX_LEVEL
from quizbot.game.values import check_id
from quizbot.storage.pool import Database
from quizbot.storage.records import MemberProgress

MAX_REWARDS = 25
SEASON_TOPS = (1, 3)


class RewardKind(StrEnum):
    """What earns a role: reaching a level, or a place at the top of an ended season."""

    LEVEL = "l"
    SEASON = "s"


@dataclass(frozen=True, slots=True)
class RoleReward:
    """A role and what earns it (`threshold`: the level, or the season's top 1 or 3)."""

    role_id: int
    kind: RewardKind
    threshold: int


@dataclass(frozen=True, slots=True)
class RoleChange:
    """A claimed change to send: give (`held`) or take back a member's role; `attempts` so far."""

    guild_id: int
    user_id: int
    role_id: int
    held: bool
    attempts: int


@dataclass(frozen=True, slots=True)
class FailedGrant:
    """A role change Discord refused for good, and why."""

    guild_id: int
    user_id: int
    role_id: int
    held: bool
    error: str


_SET_REWARD = """
WITH counted AS (SELECT count(*) AS n FROM role_rewards WHERE guild_id = $1 AND role_id <> $2)
INSERT INTO role_rewards (guild_id, role_id, kind, threshold)
SELECT $1, $2, ($3::text)::"char", $4 FROM counted WHERE counted.n < $5
ON CONFLICT (guild_id, role_id) DO UPDATE SET kind = EXCLUDED.kind, threshold = EXCLUDED.threshold
RETURNING 1
"""


async def set_role_reward(db: Database, guild_id: int, reward: RoleReward) -> bool:
    """Make `reward.role_id` the guild's reward for a level or a season's top (replacing what it was
    for); False when the guild already has MAX_REWARDS other rewards."""
    check_id(guild_id, "guild_id")
    check_id(reward.role_id, "role_id")
    if reward.kind is RewardKind.SEASON and reward.threshold not in SEASON_TOPS:
        raise InvalidValue(f"a season role goes to the top 1 or 3, got {reward.threshold!r}")
    if isinstance(reward.threshold, bool) or not 1 <= reward.threshold <= MAX_LEVEL:
        raise InvalidValue(f"level must be from 1 to {MAX_LEVEL}, got {reward.threshold!r}")
    args = (guild_id, reward.role_id, reward.kind.value, reward.threshold, MAX_REWARDS)
    row = await db.run(lambda conn: conn.fetchrow(_SET_REWARD, *args))
    return row is not None


async def role_rewards(db: Database, guild_id: int) -> list[RoleReward]:
    """The guild's rewards: level roles by level, then season roles."""
    query = (
        "SELECT role_id, kind::text, threshold FROM role_rewards WHERE guild_id = $1 ORDER BY kind, threshold"
    )
    rows = await db.run(lambda conn: conn.fetch(query, guild_id), transaction=False)
    return [RoleReward(r["role_id"], RewardKind(r["kind"]), r["threshold"]) for r in rows]


# Queued with the answers that earned them (the caller's transaction); an existing row is left as
# it is, so a level role is granted once however often its level is reached.
_QUEUE_LEVELS = """
INSERT INTO role_grants AS g (guild_id, user_id, role_id, held, next_try, updated_at)
SELECT $1, p.user_id, r.role_id, true, $4, $4
FROM unnest($2::bigint[], $3::int[]) AS p (user_id, level)
JOIN role_rewards r ON r.guild_id = $1 AND r.kind = 'l' AND r.threshold <= p.level
ORDER BY p.user_id, r.role_id
ON CONFLICT (guild_id, user_id, role_id) DO NOTHING
"""


async def queue_level_roles(
    conn: asyncpg.Connection, guild_id: int, progress: Sequence[MemberProgress], now: datetime
) -> None:
    """Queue the level roles of members who just levelled up (nothing when none did)."""
    leveled = [p for p in progress if p.leveled_up]
    if guild_id == 0 or not leveled:
        return
    await conn.execute(_QUEUE_LEVELS, guild_id, [p.user_id for p in leveled], [p.level for p in leveled], now)


# Each season role goes to the top `threshold` (by place) and is taken back from everyone else who
# holds it; a holder who keeps it, or whose change is still pending, is left alone.
_QUEUE_SEASON = """
WITH rewards AS (
    SELECT role_id, threshold FROM role_rewards WHERE guild_id = $1 AND kind = 's'
),
wanted AS (
    SELECT rewards.role_id, w.user_id
    FROM rewards CROSS JOIN LATERAL unnest($2::bigint[]) WITH ORDINALITY AS w (user_id, place)
    WHERE w.place <= rewards.threshold
),
dropped AS (
    UPDATE role_grants AS g
    SET held = false, state = 'pending', attempts = 0, next_try = $3, error = NULL, updated_at = $3
    FROM rewards
    WHERE g.guild_id = $1 AND g.role_id = rewards.role_id AND g.held
      AND NOT EXISTS (SELECT 1 FROM wanted WHERE wanted.role_id = g.role_id AND wanted.user_id = g.user_id)
    RETURNING 1
),
given AS (
    INSERT INTO role_grants AS g (guild_id, user_id, role_id, held, next_try, updated_at)
    SELECT $1, user_id, role_id, true, $3, $3 FROM wanted ORDER BY user_id, role_id
    ON CONFLICT (guild_id, user_id, role_id) DO UPDATE
    SET held = true, state = 'pending', attempts = 0, next_try = $3, error = NULL, updated_at = $3
    WHERE NOT g.held OR g.state = 'failed'
    RETURNING 1
)
SELECT (SELECT count(*) FROM dropped) AS dropped, (SELECT count(*) FROM given) AS given
"""


async def queue_season_roles(
    conn: asyncpg.Connection, guild_id: int, places: Sequence[int], now: datetime
) -> None:
    """Queue the season roles for an ended season whose members are `places` (best first)."""
    await conn.execute(_QUEUE_SEASON, guild_id, list(places), now)


# Claims due changes by moving next_try on by the lease: another process skips them until then.
_CLAIM = """
WITH due AS (
    SELECT guild_id, user_id, role_id FROM role_grants
    WHERE state = 'pending' AND next_try <= $1
    ORDER BY next_try
    LIMIT $2
    FOR UPDATE SKIP LOCKED
)
UPDATE role_grants AS g SET next_try = $3, attempts = g.attempts + 1, updated_at = $1
FROM due
WHERE g.guild_id = due.guild_id AND g.user_id = due.user_id AND g.role_id = due.role_id
RETURNING g.guild_id, g.user_id, g.role_id, g.held, g.attempts
"""


async def claim_role_changes(
    db: Database, now: datetime, *, limit: int = 50, lease: timedelta = timedelta(minutes=2)
) -> list[RoleChange]:
    """Claim up to `limit` pending changes due by `now`; each is claimed by one process per lease."""
    rows = await db.run(lambda conn: conn.fetch(_CLAIM, now, limit, now + lease), transaction=False)
    return [RoleChange(**dict(r)) for r in rows]


# Each outcome applies only while the row still wants what was sent (a season may have changed it).
_DONE = """
UPDATE role_grants SET state = 'done', error = NULL, updated_at = $5
WHERE guild_id = $1 AND user_id = $2 AND role_id = $3 AND held = $4 AND state = 'pending'
"""
_RETRY = """
UPDATE role_grants SET next_try = $5, error = $6, updated_at = $7
WHERE guild_id = $1 AND user_id = $2 AND role_id = $3 AND held = $4 AND state = 'pending'
"""
_FAILED = """
UPDATE role_grants SET state = 'failed', error = $5, updated_at = $6
WHERE guild_id = $1 AND user_id = $2 AND role_id = $3 AND held = $4 AND state = 'pending'
"""


def _key(change: RoleChange) -> tuple[int, int, int, bool]:
    return (change.guild_id, change.user_id, change.role_id, change.held)


async def role_change_done(db: Database, change: RoleChange, now: datetime) -> None:
    """Discord made the change: never send it again."""
    await db.run(lambda conn: conn.execute(_DONE, *_key(change), now))


async def retry_role_change(
    db: Database, change: RoleChange, at: datetime, error: str, now: datetime
) -> None:
    """A transient failure: try again at `at`."""
    await db.run(lambda conn: conn.execute(_RETRY, *_key(change), at, error[:200], now))


async def role_change_failed(db: Database, change: RoleChange, error: str, now: datetime) -> None:
    """Discord refused for good (permissions, hierarchy, a member or role gone): show it, stop."""
    await db.run(lambda conn: conn.execute(_FAILED, *_key(change), error[:200], now))


_FAILURES = """
SELECT guild_id, user_id, role_id, held, coalesce(error, '') AS error, count(*) OVER () AS total
FROM role_grants
WHERE state = 'failed' AND ($1::bigint IS NULL OR guild_id = $1)
ORDER BY updated_at DESC
LIMIT $2
"""


async def failed_grants(
    db: Database, guild_id: int | None = None, limit: int = 5
) -> tuple[int, list[FailedGrant]]:
    """How many role changes failed for good (in one guild, or everywhere), and the latest `limit`."""
    rows = await db.run(lambda conn: conn.fetch(_FAILURES, guild_id, limit), transaction=False)
    total = rows[0]["total"] if rows else 0
    fields = ("guild_id", "user_id", "role_id", "held", "error")
    return int(total), [FailedGrant(**{name: r[name] for name in fields}) for r in rows]


async def remove_role_reward(db: Database, guild_id: int, role_id: int) -> bool:
    """Stop rewarding with `role_id` (roles already given stay given); False if it was no reward."""
    query = "DELETE FROM role_rewards WHERE guild_id = $1 AND role_id = $2"
    status = await db.run(lambda conn: conn.execute(query, guild_id, role_id))
    return bool(status != "DELETE 0")
