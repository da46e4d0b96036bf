"""Players' reports of questions and the questions taken out of play, per guild or everywhere.

A player reports a question once (the primary key), at most REPORTS_PER_HOUR times an hour across
guilds; a guild's admins hide a reported question for their server or dismiss its reports; a
question reported by FLAG_GUILDS servers is flagged to the bot's owner, who can hide it everywhere
(guild 0). Games, study decks and the question of the day read `hidden_for` once as they choose.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

import asyncpg

from quizbot.errors import InvalidValue
from quizbot.game.questions import is_identity
from quizbot.game.values import check_id
from quizbot.storage.pool import Database, content_refused

REASONS = ("wrong", "unclear", "offensive", "outdated")  # the schema's CHECK; shown in this order
MAX_NOTE = 300  # characters of a report's note, and of a hide's reason (the schema's CHECKs)
REPORTS_PER_HOUR = 10  # per user, across guilds: the rate limit
RATE_WINDOW = timedelta(hours=1)
FLAG_GUILDS = 3  # distinct guilds reporting a question flag it to the bot's owner
EVERYWHERE = 0  # the guild id of a question hidden everywhere (by the owner)
MAX_PAGE = 100  # reported questions one `open_reports` call returns at most


class Filed(StrEnum):
    """What became of a report: stored, refused as this player's second, or refused by the rate limit."""

    FILED = "filed"
    ALREADY = "already"
    RATE_LIMITED = "rate_limited"


@dataclass(frozen=True, slots=True)
class ReportSummary:
    """One question's open reports in a guild: how many, for which reasons, the latest notes."""

    question_id: str
    count: int
    reasons: dict[str, int]  # reason -> reports, in REASONS order, only reasons given
    notes: tuple[str, ...]  # the latest three non-empty notes, newest first
    first_reported: datetime
    last_reported: datetime


@dataclass(frozen=True, slots=True)
class Flagged:
    """A question reported from several servers, for the bot's owner to look at."""

    question_id: str
    guilds: int
    reports: int
    reasons: dict[str, int]  # reason -> reports, in REASONS order, only reasons given


def check_identity(question_id: object) -> str:
    """A question's identity (q1_ and 22 base64url characters); InvalidValue for anything else."""
    if not isinstance(question_id, str) or not is_identity(question_id):
        raise InvalidValue(f"question_id must be a question's identity, got {question_id!r}")
    return question_id


def check_reason(reason: object) -> str:
    """One of REASONS; InvalidValue for anything else."""
    if not isinstance(reason, str) or reason not in REASONS:
        raise InvalidValue(f"reason must be one of {', '.join(REASONS)}, got {reason!r}")
    return reason


def check_note(note: object, what: str = "note") -> str:
    """Text of at most MAX_NOTE characters PostgreSQL can store (no NUL); InvalidValue otherwise."""
    if not isinstance(note, str):
        raise InvalidValue(f"{what} must be text, got {type(note).__name__}")
    if len(note) > MAX_NOTE:
        raise InvalidValue(f"{what} must be at most {MAX_NOTE} characters, got {len(note)}")
    if "\x00" in note:
        raise InvalidValue(f"{what} cannot contain a NUL character")
    return note


def _reason_counts(reasons: list[str]) -> dict[str, int]:
    counted = Counter(reasons)
    return {reason: counted[reason] for reason in REASONS if counted[reason]}


# One statement: the user's reports of the last hour are counted in it, and the insert happens only
# under the limit. Two submissions of one user racing can each pass the count, so a user can go over
# by at most the submissions they have in flight at once. `already` reads the table as it was before
# this insert (a statement sees one snapshot), so it says whether this player had reported it before.
# One player's reports are filed one at a time (a transaction lock on the player), so two sent at
# once cannot both pass the hour's count.
_LOCK_PLAYER = "SELECT pg_advisory_xact_lock(hashtextextended('question_reports:' || $1::bigint::text, 0))"
FILE_SQL = """
WITH recent AS (
    SELECT count(*) AS reports FROM question_reports WHERE user_id = $2 AND reported_at > $7
), filed AS (
    INSERT INTO question_reports (question_id, user_id, guild_id, reason, note, reported_at)
    SELECT $1, $2, $3, $4, $5, $6 FROM recent WHERE reports < $8
    ON CONFLICT (question_id, user_id) DO NOTHING
    RETURNING 1
)
SELECT EXISTS (SELECT 1 FROM filed) AS filed,
       EXISTS (SELECT 1 FROM question_reports WHERE question_id = $1 AND user_id = $2) AS already
"""


async def file_report(
    db: Database,
    *,
    question_id: str,
    user_id: int,
    guild_id: int,
    reason: str,
    note: str,
    now: datetime,
    connection: asyncpg.Connection | None = None,
) -> Filed:
    """Store a player's report of a question (guild 0 from a DM), once per player, under the rate limit.

    Raises InvalidValue, before any SQL, for a malformed identity or id, a reason not in REASONS or a
    note over MAX_NOTE characters.
    """
    args = (
        check_identity(question_id),
        check_id(user_id, "user_id"),
        check_id(guild_id, "guild_id"),
        check_reason(reason),
        check_note(note),
        _aware(now),
        now - RATE_WINDOW,
        REPORTS_PER_HOUR,
    )

    async def write(conn: asyncpg.Connection) -> Filed:
        await conn.execute(_LOCK_PLAYER, user_id)
        with content_refused("a question report"):
            row = await conn.fetchrow(FILE_SQL, *args)
        if row["filed"]:
            return Filed.FILED
        return Filed.ALREADY if row["already"] else Filed.RATE_LIMITED

    return await db.run(write, connection=connection)


async def has_reported(
    db: Database, *, question_id: str, user_id: int, connection: asyncpg.Connection | None = None
) -> bool:
    """Whether this player has reported this question (whatever became of the report)."""
    query = "SELECT EXISTS (SELECT 1 FROM question_reports WHERE question_id = $1 AND user_id = $2)"
    args = (check_identity(question_id), check_id(user_id, "user_id"))

    async def read(conn: asyncpg.Connection) -> bool:
        return bool(await conn.fetchval(query, *args))

    return await db.run(read, connection=connection, transaction=False)


async def is_rate_limited(
    db: Database, *, user_id: int, now: datetime, connection: asyncpg.Connection | None = None
) -> bool:
    """Whether this player has used up the hour's reports (asked before a report form is shown)."""
    query = "SELECT count(*) >= $3 FROM question_reports WHERE user_id = $1 AND reported_at > $2"
    args = (check_id(user_id, "user_id"), _aware(now) - RATE_WINDOW, REPORTS_PER_HOUR)

    async def read(conn: asyncpg.Connection) -> bool:
        return bool(await conn.fetchval(query, *args))

    return await db.run(read, connection=connection, transaction=False)


# A guild's open reports of questions not hidden there (nor everywhere): a report filed from an old
# message after the question was hidden does not bring it back to the list.
OPEN_WHERE = """
    r.guild_id = $1 AND r.status = 'open'
    AND NOT EXISTS (
        SELECT 1 FROM hidden_questions h
        WHERE h.guild_id IN (0, $1) AND h.question_id = r.question_id
    )
"""

OPEN_REPORTS_SQL = f"""
SELECT r.question_id, count(*) AS reports, array_agg(r.reason) AS reasons,
       (array_remove(array_agg(r.note ORDER BY r.reported_at DESC), ''))[1:3] AS notes,
       min(r.reported_at) AS first_reported, max(r.reported_at) AS last_reported
FROM question_reports r
WHERE {OPEN_WHERE}
GROUP BY r.question_id
ORDER BY count(*) DESC, max(r.reported_at) DESC, r.question_id
LIMIT $2 OFFSET $3
"""


async def open_reports(
    db: Database,
    guild_id: int,
    *,
    limit: int,
    offset: int = 0,
    connection: asyncpg.Connection | None = None,
) -> list[ReportSummary]:
    """A page of the guild's reported questions: most reported first, then most recently reported."""
    check_id(guild_id, "guild_id")
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_PAGE:
        raise InvalidValue(f"limit must be from 1 to {MAX_PAGE}, got {limit!r}")
    if isinstance(offset, bool) or not isinstance(offset, int) or offset < 0:
        raise InvalidValue(f"offset must be a non-negative integer, got {offset!r}")

    async def read(conn: asyncpg.Connection) -> list[asyncpg.Record]:
        rows: list[asyncpg.Record] = await conn.fetch(OPEN_REPORTS_SQL, guild_id, limit, offset)
        return rows

    return [
        ReportSummary(
            question_id=row["question_id"],
            count=row["reports"],
            reasons=_reason_counts(row["reasons"]),
            notes=tuple(row["notes"]),
            first_reported=row["first_reported"],
            last_reported=row["last_reported"],
        )
        for row in await db.run(read, connection=connection, transaction=False)
    ]


async def count_open_reports(
    db: Database, guild_id: int, *, connection: asyncpg.Connection | None = None
) -> int:
    """How many distinct questions the guild has open reports of (what `open_reports` pages through)."""
    check_id(guild_id, "guild_id")
    query = f"SELECT count(DISTINCT r.question_id) FROM question_reports r WHERE {OPEN_WHERE}"

    async def read(conn: asyncpg.Connection) -> int:
        return int(await conn.fetchval(query, guild_id))

    return await db.run(read, connection=connection, transaction=False)


# One statement: the hide (once per guild and question) and the reports it settles. The owner's hide
# (guild 0) settles every guild's open reports of the question; a guild's only its own.
HIDE_SQL = """
WITH hidden AS (
    INSERT INTO hidden_questions (guild_id, question_id, reason, hidden_by)
    VALUES ($1, $2, $3, $4)
    ON CONFLICT (guild_id, question_id) DO NOTHING
    RETURNING 1
), settled AS (
    UPDATE question_reports SET status = 'hidden'
    WHERE question_id = $2 AND status = 'open' AND ($1 = 0 OR guild_id = $1)
    RETURNING 1
)
SELECT EXISTS (SELECT 1 FROM hidden)
"""


async def hide_question(
    db: Database,
    *,
    guild_id: int,
    question_id: str,
    hidden_by: int,
    reason: str,
    connection: asyncpg.Connection | None = None,
) -> bool:
    """Take a question out of play in a guild (EVERYWHERE, 0, for the owner); True if it was in play there.

    Its open reports there (everywhere, for 0) become 'hidden'. InvalidValue for a reason over
    MAX_NOTE characters.
    """
    args = (
        check_id(guild_id, "guild_id"),
        check_identity(question_id),
        check_note(reason, "reason"),
        check_id(hidden_by, "hidden_by"),
    )

    async def write(conn: asyncpg.Connection) -> bool:
        with content_refused("a hidden question"):
            return bool(await conn.fetchval(HIDE_SQL, *args))

    return await db.run(write, connection=connection)


async def dismiss_reports(
    db: Database, *, guild_id: int, question_id: str, connection: asyncpg.Connection | None = None
) -> int:
    """Dismiss the guild's open reports of a question (the question stays in play); how many there were."""
    query = """
        UPDATE question_reports SET status = 'dismissed'
        WHERE guild_id = $1 AND question_id = $2 AND status = 'open'
    """
    args = (check_id(guild_id, "guild_id"), check_identity(question_id))

    async def write(conn: asyncpg.Connection) -> int:
        status: str = await conn.execute(query, *args)
        return int(status.rsplit(" ", 1)[1])

    return await db.run(write, connection=connection)


async def hidden_for(
    db: Database, guild_id: int, *, connection: asyncpg.Connection | None = None
) -> frozenset[str]:
    """The identities of the questions out of play in a guild: its own hides and everywhere's.

    A DM (guild 0) has everywhere's only. Read once as a game, a study session or a daily post starts.
    """
    check_id(guild_id, "guild_id")
    query = "SELECT question_id FROM hidden_questions WHERE guild_id IN (0, $1)"

    async def read(conn: asyncpg.Connection) -> frozenset[str]:
        return frozenset(row[0] for row in await conn.fetch(query, guild_id))

    return await db.run(read, connection=connection, transaction=False)


async def is_hidden(
    db: Database, *, guild_id: int, question_id: str, connection: asyncpg.Connection | None = None
) -> bool:
    """Whether one question is out of play in a guild (hidden there or everywhere)."""
    query = "SELECT EXISTS (SELECT 1 FROM hidden_questions WHERE guild_id IN (0, $1) AND question_id = $2)"
    args = (check_id(guild_id, "guild_id"), check_identity(question_id))

    async def read(conn: asyncpg.Connection) -> bool:
        return bool(await conn.fetchval(query, *args))

    return await db.run(read, connection=connection, transaction=False)


# Reports count towards the owner's flag unless a guild's admins dismissed them: a report a guild
# settled by hiding the question there is one more server saying it is wrong. Reports from DMs
# (guild 0) are not a server's. Questions already hidden everywhere are done with.
FLAGGED_FROM = """
FROM question_reports r
WHERE r.status <> 'dismissed'
  AND NOT EXISTS (SELECT 1 FROM hidden_questions h WHERE h.guild_id = 0 AND h.question_id = r.question_id)
GROUP BY r.question_id
HAVING count(DISTINCT r.guild_id) FILTER (WHERE r.guild_id <> 0) >= $1
"""

FLAGGED_SQL = f"""
SELECT r.question_id, count(DISTINCT r.guild_id) FILTER (WHERE r.guild_id <> 0) AS guilds,
       count(*) AS reports, array_agg(r.reason) AS reasons
{FLAGGED_FROM}
ORDER BY guilds DESC, reports DESC, r.question_id
"""


def _check_min_guilds(min_guilds: int) -> int:
    if isinstance(min_guilds, bool) or not isinstance(min_guilds, int) or min_guilds < 1:
        raise InvalidValue(f"min_guilds must be a positive integer, got {min_guilds!r}")
    return min_guilds


async def flagged_questions(
    db: Database, *, min_guilds: int = FLAG_GUILDS, connection: asyncpg.Connection | None = None
) -> list[Flagged]:
    """Questions reported (and not dismissed) from at least `min_guilds` servers, not hidden everywhere;
    reported from the most servers first."""
    _check_min_guilds(min_guilds)

    async def read(conn: asyncpg.Connection) -> list[asyncpg.Record]:
        rows: list[asyncpg.Record] = await conn.fetch(FLAGGED_SQL, min_guilds)
        return rows

    return [
        Flagged(
            question_id=row["question_id"],
            guilds=row["guilds"],
            reports=row["reports"],
            reasons=_reason_counts(row["reasons"]),
        )
        for row in await db.run(read, connection=connection, transaction=False)
    ]


async def count_flagged(
    db: Database, *, min_guilds: int = FLAG_GUILDS, connection: asyncpg.Connection | None = None
) -> int:
    """How many questions `flagged_questions` lists (for /supervisor status)."""
    _check_min_guilds(min_guilds)
    query = f"SELECT count(*) FROM (SELECT 1 {FLAGGED_FROM}) AS flagged"

    async def read(conn: asyncpg.Connection) -> int:
        return int(await conn.fetchval(query, min_guilds))

    return await db.run(read, connection=connection, transaction=False)


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise InvalidValue("datetimes must carry a time zone")
    return moment


class PostgresHiddenQuestions:
    """The question sources' HiddenQuestions, over one database."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def hidden_for(self, guild_id: int) -> frozenset[str]:
        """The identities of the questions out of play in a guild (its own and everywhere's)."""
        return await hidden_for(self.db, guild_id)
