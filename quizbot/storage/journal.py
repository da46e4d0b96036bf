"""The session journal: entries appended in one fenced statement per batch, read back past a snapshot.

An entry is appended only while its session's snapshot row holds the writer's epoch, and the
rows are share-locked in key order while it is, so a process claiming the session (which updates
that row) either waits for the append to commit or makes it refuse: whatever a claimer reads
afterwards is everything the old owner was told was saved.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

import asyncpg

from quizbot.actors.ports import ReplayFrom, StoredEntry
from quizbot.storage.pool import Database, content_refused

Key = tuple[int, int]


@dataclass(frozen=True, slots=True)
class JournalRow:
    """One journal entry as stored: its session, run, place in order, and encoded body."""

    guild_id: int
    channel_id: int
    run_id: UUID
    seq: int
    entry: bytes

    @property
    def key(self) -> Key:
        return (self.guild_id, self.channel_id)


@dataclass(frozen=True, slots=True)
class JournalCursor:
    """Where a session's replay starts: its run and the last seq its snapshot covers."""

    guild_id: int
    channel_id: int
    run_id: UUID
    after: int


APPEND_SQL = """
WITH owned AS (
    SELECT s.guild_id, s.channel_id, s.epoch
    FROM session_snapshots AS s
    WHERE (s.guild_id, s.channel_id, s.epoch) IN (
        SELECT * FROM unnest($1::bigint[], $2::bigint[], $6::bigint[])
    )
    ORDER BY s.guild_id, s.channel_id
    FOR SHARE OF s
)
INSERT INTO session_journal AS j (guild_id, channel_id, run_id, seq, entry)
SELECT e.guild_id, e.channel_id, e.run_id, e.seq, e.entry
FROM unnest($1::bigint[], $2::bigint[], $3::uuid[], $4::bigint[], $5::bytea[], $6::bigint[])
    AS e (guild_id, channel_id, run_id, seq, entry, epoch)
JOIN owned AS o ON o.guild_id = e.guild_id AND o.channel_id = e.channel_id AND o.epoch = e.epoch
ON CONFLICT (guild_id, channel_id, run_id, seq) DO UPDATE SET entry = EXCLUDED.entry
RETURNING j.guild_id, j.channel_id, j.seq
"""


async def append_entries(
    db: Database, rows: Sequence[tuple[JournalRow, int]], *, connection: asyncpg.Connection | None = None
) -> set[tuple[Key, int]]:
    """Append (row, epoch) pairs in one statement; return the (key, seq) of those the database holds.

    A row whose session's snapshot has another epoch (or none) is refused: it is left out of the
    result. Appending the same row again (a retry after a lost reply) is harmless.
    """
    if not rows:
        return set()
    args = (
        [row.guild_id for row, _ in rows],
        [row.channel_id for row, _ in rows],
        [row.run_id for row, _ in rows],
        [row.seq for row, _ in rows],
        [row.entry for row, _ in rows],
        [epoch for _, epoch in rows],
    )

    async def write(conn: asyncpg.Connection) -> set[tuple[Key, int]]:
        with content_refused("journal entries"):
            written = await conn.fetch(APPEND_SQL, *args)
        return {((r["guild_id"], r["channel_id"]), r["seq"]) for r in written}

    return await db.run(write, connection=connection, transaction=False)


LOAD_SQL = """
SELECT j.guild_id, j.channel_id, j.run_id, j.seq, j.entry
FROM unnest($1::bigint[], $2::bigint[], $3::uuid[], $4::bigint[]) AS c (guild_id, channel_id, run_id, after)
JOIN session_journal AS j
    ON j.guild_id = c.guild_id AND j.channel_id = c.channel_id AND j.run_id = c.run_id AND j.seq > c.after
ORDER BY j.guild_id, j.channel_id, j.seq
"""


async def load_entries(
    db: Database, cursors: Sequence[JournalCursor], *, connection: asyncpg.Connection | None = None
) -> dict[Key, list[JournalRow]]:
    """Each session's entries past its cursor, in order (a session with none is left out)."""
    if not cursors:
        return {}
    args = (
        [c.guild_id for c in cursors],
        [c.channel_id for c in cursors],
        [c.run_id for c in cursors],
        [c.after for c in cursors],
    )

    async def read(conn: asyncpg.Connection) -> dict[Key, list[JournalRow]]:
        found: defaultdict[Key, list[JournalRow]] = defaultdict(list)
        for r in await conn.fetch(LOAD_SQL, *args):
            row = JournalRow(r["guild_id"], r["channel_id"], r["run_id"], r["seq"], r["entry"])
            found[row.key].append(row)
        return dict(found)

    return await db.run(read, connection=connection, transaction=False)


class PostgresJournalStore:
    """The journal store the supervisor's SessionJournal writes to, over one database."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def append(self, entries: Sequence[StoredEntry]) -> set[tuple[Key, int]]:
        rows = [(JournalRow(*e.key, e.run_id, e.seq, e.data), e.epoch) for e in entries]
        return await append_entries(self.db, rows)

    async def load(self, cursors: Sequence[ReplayFrom]) -> dict[Key, list[tuple[int, bytes]]]:
        found = await load_entries(self.db, [JournalCursor(*c.key, c.run_id, c.after) for c in cursors])
        return {key: [(row.seq, row.entry) for row in rows] for key, rows in found.items()}
