"""Session snapshots: batched saves fenced by owner and epoch, shard-filtered loads, atomic claims.

A row whose state cannot be parsed comes back as an UnreadableSnapshot, never as an exception, so
one bad row cannot stop the rest from loading; `quarantine_snapshot` then sets it aside.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

import asyncpg
import orjson

from quizbot.actors.ports import SaveResult, Snapshot, UnreadableSnapshot
from quizbot.errors import InvalidValue
from quizbot.game.values import check_id
from quizbot.storage.pool import Database, content_refused

Key = tuple[int, int]
Loaded = Snapshot | UnreadableSnapshot
MAX_OWNER_LENGTH = 200
MAX_REASON_LENGTH = 2000


def _check_owner(owner: str) -> str:
    if not owner or len(owner) > MAX_OWNER_LENGTH:
        raise InvalidValue(f"owner must be 1 to {MAX_OWNER_LENGTH} characters")
    return owner


def _snapshot(row: asyncpg.Record) -> Loaded:
    """The row as a Snapshot, or as an UnreadableSnapshot when its state is not a JSON object."""
    try:
        state = orjson.loads(row["state"])
    except orjson.JSONDecodeError as error:
        state, problem = None, f"its state is not JSON: {error}"
    else:
        problem = f"its state is a JSON {type(state).__name__}, not an object"
    if not isinstance(state, dict):
        return UnreadableSnapshot(row["guild_id"], row["channel_id"], row["owner"], row["epoch"], problem)
    return Snapshot(
        guild_id=row["guild_id"],
        channel_id=row["channel_id"],
        owner=row["owner"],
        epoch=row["epoch"],
        state=state,
        expires_at=row["expires_at"],
        updated_at=row["updated_at"],
    )


async def new_epoch(db: Database, *, connection: asyncpg.Connection | None = None) -> int:
    """A fresh fencing epoch, larger than any handed out before, for a newly started session."""

    async def take(conn: asyncpg.Connection) -> int:
        epoch: int = await conn.fetchval("SELECT nextval('session_epochs')")
        return epoch

    return await db.run(take, connection=connection, transaction=False)


# Saved rows drop the journal entries they cover, and any left by an earlier run in the channel.
# Rows are written in key order (the caller sorts them), as journal appends lock them.
SAVE_SNAPSHOTS_SQL = """
WITH saved AS (
    INSERT INTO session_snapshots AS s (guild_id, channel_id, owner, epoch, state, updated_at, expires_at)
    SELECT t.guild_id, t.channel_id, t.owner, t.epoch, t.state, now(), t.expires_at
    FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::bigint[], $5::bytea[], $6::timestamptz[])
        AS t (guild_id, channel_id, owner, epoch, state, expires_at)
    ON CONFLICT (guild_id, channel_id) DO UPDATE SET
        owner = EXCLUDED.owner, epoch = EXCLUDED.epoch, state = EXCLUDED.state,
        updated_at = now(), expires_at = EXCLUDED.expires_at
    WHERE s.epoch < EXCLUDED.epoch OR (s.epoch = EXCLUDED.epoch AND s.owner = EXCLUDED.owner)
    RETURNING guild_id, channel_id
), covered AS (
    DELETE FROM session_journal AS j
    USING saved,
        unnest($1::bigint[], $2::bigint[], $7::uuid[], $8::bigint[]) AS c (guild_id, channel_id, run_id, seq)
    WHERE saved.guild_id = c.guild_id AND saved.channel_id = c.channel_id
      AND j.guild_id = c.guild_id AND j.channel_id = c.channel_id
      AND (j.run_id IS DISTINCT FROM c.run_id OR j.seq <= c.seq)
)
SELECT guild_id, channel_id FROM saved
"""


async def save_snapshots(
    db: Database, snapshots: Sequence[Snapshot], *, connection: asyncpg.Connection | None = None
) -> SaveResult:
    """Save many snapshots in one statement; a snapshot whose row has a newer epoch is refused."""
    keys = [s.key for s in snapshots]
    if len(set(keys)) != len(keys):
        raise InvalidValue("a snapshot batch names the same session twice")
    for snapshot in snapshots:
        check_id(snapshot.guild_id, "guild_id")
        check_id(snapshot.channel_id, "channel_id")
        _check_owner(snapshot.owner)
    if not snapshots:
        return SaveResult(frozenset(), frozenset())
    snapshots = sorted(snapshots, key=lambda s: s.key)
    args = (
        [s.guild_id for s in snapshots],
        [s.channel_id for s in snapshots],
        [s.owner for s in snapshots],
        [s.epoch for s in snapshots],
        [orjson.dumps(s.state) for s in snapshots],
        [s.expires_at for s in snapshots],
        [s.run_id for s in snapshots],
        [s.seq for s in snapshots],
    )

    async def write(conn: asyncpg.Connection) -> SaveResult:
        with content_refused("a snapshot batch"):
            rows = await conn.fetch(SAVE_SNAPSHOTS_SQL, *args)
        saved = frozenset((r["guild_id"], r["channel_id"]) for r in rows)
        return SaveResult(saved, frozenset(keys) - saved)

    return await db.run(write, connection=connection)


async def load_live_snapshots(
    db: Database,
    *,
    now: datetime,
    shard_ids: Sequence[int] = (),
    shard_count: int | None = None,
    connection: asyncpg.Connection | None = None,
) -> list[Loaded]:
    """Every unexpired snapshot, or only those whose guild falls in `shard_ids` of `shard_count`."""
    if shard_count is not None and (shard_count < 1 or any(not 0 <= s < shard_count for s in shard_ids)):
        raise InvalidValue(f"shard ids must be from 0 to {shard_count - 1} of {shard_count} shards")
    query = """
        SELECT * FROM session_snapshots
        WHERE expires_at > $1
          AND ($2::int IS NULL OR ((guild_id >> 22) % $2) = ANY ($3::int[]))
        ORDER BY guild_id, channel_id
    """
    shards = list(shard_ids) if shard_count is not None else []

    async def read(conn: asyncpg.Connection) -> list[Loaded]:
        return [_snapshot(r) for r in await conn.fetch(query, now, shard_count, shards)]

    return await db.run(read, connection=connection, transaction=False)


CLAIM_SNAPSHOTS_SQL = """
UPDATE session_snapshots AS s
SET owner = $3, epoch = nextval('session_epochs'), updated_at = now()
FROM unnest($1::bigint[], $2::bigint[], $4::bigint[]) AS t (guild_id, channel_id, seen_epoch)
WHERE s.guild_id = t.guild_id AND s.channel_id = t.channel_id AND s.epoch = t.seen_epoch
  AND s.expires_at > $5
RETURNING s.*
"""

# The same claim of the rows not written since they were loaded (the usual case): their state is
# the one the caller holds already, so it is neither sent back nor parsed again.
CLAIM_UNCHANGED_SQL = """
UPDATE session_snapshots AS s
SET owner = $3, epoch = nextval('session_epochs'), updated_at = now()
FROM unnest($1::bigint[], $2::bigint[], $4::bigint[], $6::timestamptz[])
    AS t (guild_id, channel_id, seen_epoch, seen_updated_at)
WHERE s.guild_id = t.guild_id AND s.channel_id = t.channel_id AND s.epoch = t.seen_epoch
  AND s.updated_at = t.seen_updated_at AND s.expires_at > $5
RETURNING s.guild_id, s.channel_id, s.owner, s.epoch, s.expires_at, s.updated_at
"""


def _claim_args(owner: str, seen: Sequence[Snapshot], now: datetime) -> tuple[object, ...]:
    return (
        [s.guild_id for s in seen],
        [s.channel_id for s in seen],
        owner,
        [s.epoch for s in seen],
        now,
    )


async def claim_snapshots(
    db: Database,
    owner: str,
    seen: Sequence[Snapshot],
    *,
    now: datetime,
    connection: asyncpg.Connection | None = None,
) -> list[Loaded]:
    """Take ownership of snapshots as last seen; each claim succeeds only if its epoch is unchanged.

    Returns the claimed snapshots with their new, larger epochs. Two owners racing for one
    snapshot: exactly one gets it back. A row unchanged since it was loaded (its updated_at as
    seen) keeps the seen state object; any other comes back as stored now.
    """
    _check_owner(owner)
    if not seen:
        return []
    loaded = [s for s in seen if s.updated_at is not None]

    async def write(conn: asyncpg.Connection) -> list[Loaded]:
        claimed: list[Loaded] = []
        if loaded:
            by_key = {s.key: s for s in loaded}
            args = (*_claim_args(owner, loaded, now), [s.updated_at for s in loaded])
            for row in await conn.fetch(CLAIM_UNCHANGED_SQL, *args):
                as_seen = by_key[(row["guild_id"], row["channel_id"])]
                claimed.append(
                    replace(
                        as_seen,
                        owner=row["owner"],
                        epoch=row["epoch"],
                        expires_at=row["expires_at"],
                        updated_at=row["updated_at"],
                    )
                )
        taken = {s.key for s in claimed}
        rest = [s for s in seen if s.key not in taken]
        if rest:
            claimed += [
                _snapshot(r) for r in await conn.fetch(CLAIM_SNAPSHOTS_SQL, *_claim_args(owner, rest, now))
            ]
        return claimed

    return await db.run(write, connection=connection)


async def delete_snapshot(
    db: Database, key: Key, owner: str, epoch: int, *, connection: asyncpg.Connection | None = None
) -> bool:
    """Delete a session's snapshot (and its journal) if this owner and epoch still hold it."""
    query = """
        WITH gone AS (
            DELETE FROM session_snapshots
            WHERE guild_id = $1 AND channel_id = $2 AND owner = $3 AND epoch = $4
            RETURNING guild_id, channel_id
        ), journal AS (
            DELETE FROM session_journal AS j USING gone
            WHERE j.guild_id = gone.guild_id AND j.channel_id = gone.channel_id
        )
        SELECT count(*) FROM gone
    """

    async def write(conn: asyncpg.Connection) -> bool:
        deleted: int = await conn.fetchval(query, key[0], key[1], owner, epoch)
        return deleted == 1

    return await db.run(write, connection=connection)


async def expire_snapshots(
    db: Database, *, now: datetime, connection: asyncpg.Connection | None = None
) -> list[Key]:
    """Delete every snapshot past its expiry, and its journal; return their keys."""
    query = """
        WITH gone AS (
            DELETE FROM session_snapshots WHERE expires_at <= $1 RETURNING guild_id, channel_id
        ), journal AS (
            DELETE FROM session_journal AS j USING gone
            WHERE j.guild_id = gone.guild_id AND j.channel_id = gone.channel_id
        )
        SELECT guild_id, channel_id FROM gone
    """

    async def write(conn: asyncpg.Connection) -> list[Key]:
        return [(r["guild_id"], r["channel_id"]) for r in await conn.fetch(query, now)]

    return await db.run(write, connection=connection)


QUARANTINE_SQL = """
WITH moved AS (
    DELETE FROM session_snapshots WHERE guild_id = $1 AND channel_id = $2 AND epoch = $3
    RETURNING guild_id, channel_id, owner, epoch, state
), journal AS (
    DELETE FROM session_journal AS j USING moved
    WHERE j.guild_id = moved.guild_id AND j.channel_id = moved.channel_id
    RETURNING j.seq, j.entry
)
INSERT INTO quarantined_snapshots (guild_id, channel_id, owner, epoch, reason, state, journal)
SELECT guild_id, channel_id, owner, epoch, $4,
       state, coalesce((SELECT array_agg(entry ORDER BY seq) FROM journal), '{}')
FROM moved
RETURNING id
"""


def printable_reason(reason: str) -> str:
    """A reason PostgreSQL can store and a person can read: no NUL or other control characters."""
    shown = "".join(c if c.isprintable() or c == "\n" else repr(c)[1:-1] for c in reason)
    shown = shown.encode("utf-8", "backslashreplace").decode("utf-8")  # lone surrogates too
    return shown[:MAX_REASON_LENGTH]


async def quarantine_snapshot(
    db: Database, key: Key, epoch: int, reason: str, *, connection: asyncpg.Connection | None = None
) -> int | None:
    """Move a snapshot row (raw bytes and journal) aside with why; its quarantine id, or None if gone.

    Fenced by `epoch`: a row another process has claimed since is left where it is.
    """

    async def write(conn: asyncpg.Connection) -> int | None:
        found: int | None = await conn.fetchval(
            QUARANTINE_SQL, key[0], key[1], epoch, printable_reason(reason)
        )
        return found

    return await db.run(write, connection=connection)


async def count_quarantined(db: Database, *, connection: asyncpg.Connection | None = None) -> int:
    """How many snapshots have been set aside, in all."""

    async def read(conn: asyncpg.Connection) -> int:
        count: int = await conn.fetchval("SELECT count(*) FROM quarantined_snapshots")
        return count

    return await db.run(read, connection=connection, transaction=False)


class PostgresSnapshotStore:
    """The snapshot repository, bound to one database, as the supervisor uses it."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def new_epoch(self) -> int:
        return await new_epoch(self.db)

    async def save(self, batch: Sequence[Snapshot]) -> SaveResult:
        return await save_snapshots(self.db, batch)

    async def load_live(
        self, now: datetime, shard_ids: Sequence[int], shard_count: int | None
    ) -> list[Loaded]:
        return await load_live_snapshots(self.db, now=now, shard_ids=shard_ids, shard_count=shard_count)

    async def claim(self, owner: str, seen: Sequence[Snapshot], now: datetime) -> list[Loaded]:
        return await claim_snapshots(self.db, owner, seen, now=now)

    async def delete(self, key: Key, owner: str, epoch: int) -> bool:
        return await delete_snapshot(self.db, key, owner, epoch)

    async def expire(self, now: datetime) -> list[Key]:
        return await expire_snapshots(self.db, now=now)

    async def quarantine(self, key: Key, epoch: int, reason: str) -> bool:
        return await quarantine_snapshot(self.db, key, epoch, reason) is not None
