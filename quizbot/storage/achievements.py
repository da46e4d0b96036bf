"""Achievement definitions and grants; a grant happens once per member, enforced by the key."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import asyncpg

from quizbot.errors import InvalidValue
from quizbot.game.values import check_id
from quizbot.storage.pool import Database


@dataclass(frozen=True, slots=True)
class AchievementDefinition:
    """What an achievement is called and how it is earned."""

    achievement_id: str
    name: str
    description: str


@dataclass(frozen=True, slots=True)
class GrantedAchievement:
    """An achievement a member holds."""

    achievement_id: str
    name: str
    description: str
    granted_at: datetime


async def sync_achievements(
    db: Database,
    definitions: Sequence[AchievementDefinition],
    *,
    connection: asyncpg.Connection | None = None,
) -> None:
    """Insert or update the catalogue of achievements in one statement."""
    query = """
        INSERT INTO achievements AS a (achievement_id, name, description)
        SELECT * FROM unnest($1::text[], $2::text[], $3::text[])
        ON CONFLICT (achievement_id) DO UPDATE
        SET name = EXCLUDED.name, description = EXCLUDED.description
        WHERE (a.name, a.description) IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.description)
    """
    ids = [d.achievement_id for d in definitions]
    if len(set(ids)) != len(ids) or not all(ids):
        raise InvalidValue("achievement ids must be non-empty and unique")

    async def write(conn: asyncpg.Connection) -> None:
        await conn.execute(query, ids, [d.name for d in definitions], [d.description for d in definitions])

    await db.run(write, connection=connection)


async def grant_achievements(
    db: Database,
    guild_id: int,
    user_id: int,
    achievement_ids: Sequence[str],
    *,
    connection: asyncpg.Connection | None = None,
) -> list[str]:
    """Grant achievements to a member; return only the ones that are new to them."""
    check_id(guild_id, "guild_id")
    check_id(user_id, "user_id")
    query = """
        INSERT INTO user_achievements (guild_id, user_id, achievement_id)
        SELECT $1, $2, id FROM unnest($3::text[]) AS t (id)
        ON CONFLICT DO NOTHING
        RETURNING achievement_id
    """
    if not achievement_ids:
        return []

    async def write(conn: asyncpg.Connection) -> list[str]:
        rows = await conn.fetch(query, guild_id, user_id, list(dict.fromkeys(achievement_ids)))
        return [r["achievement_id"] for r in rows]

    return await db.run(write, connection=connection)


async def member_achievements(
    db: Database, guild_id: int, user_id: int, *, connection: asyncpg.Connection | None = None
) -> list[GrantedAchievement]:
    """A member's achievements in a guild, newest first."""
    query = """
        SELECT a.achievement_id, a.name, a.description, ua.granted_at
        FROM user_achievements ua JOIN achievements a USING (achievement_id)
        WHERE ua.guild_id = $1 AND ua.user_id = $2
        ORDER BY ua.granted_at DESC, a.achievement_id
    """

    async def read(conn: asyncpg.Connection) -> list[GrantedAchievement]:
        return [GrantedAchievement(**dict(r)) for r in await conn.fetch(query, guild_id, user_id)]

    return await db.run(read, connection=connection, transaction=False)
