"""The web view's opt-ins and the one figure of a profile no other query reads.

A guild's board is public only while guild_settings.web_board is set (by its admins, with the name
the guild had then); a player's profile is public unless users.profile_hidden is set.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import asyncpg

from quizbot.errors import InvalidValue
from quizbot.game.values import check_id
from quizbot.storage.pool import Database

MAX_WEB_NAME = 100  # characters of a guild's name kept for its public board (Discord's limit)
MAX_PUBLIC_BOARDS = 200  # listed on the home page


@dataclass(frozen=True, slots=True)
class PublicBoard:
    """A guild whose admins made its board public, and the name it had when they did."""

    guild_id: int
    name: str


@dataclass(frozen=True, slots=True)
class CategoryAccuracy:
    """How a member did in one category of one guild."""

    category: str
    correct: int
    answered: int

    @property
    def accuracy(self) -> float:
        """Share of answers that were correct, 0.0 to 1.0."""
        return self.correct / self.answered if self.answered else 0.0


async def public_board(
    db: Database, guild_id: int, *, connection: asyncpg.Connection | None = None
) -> PublicBoard | None:
    """The guild's public board, or None while its admins have not opted in."""
    check_id(guild_id, "guild_id")
    query = "SELECT guild_id, web_name FROM guild_settings WHERE guild_id = $1 AND web_board"

    async def read(conn: asyncpg.Connection) -> PublicBoard | None:
        row = await conn.fetchrow(query, guild_id)
        return None if row is None else PublicBoard(row["guild_id"], row["web_name"])

    return await db.run(read, connection=connection, transaction=False)


async def public_boards(db: Database, *, limit: int = MAX_PUBLIC_BOARDS) -> list[PublicBoard]:
    """The guilds whose boards are public, by name (at most `limit`)."""
    query = """
        SELECT guild_id, web_name FROM guild_settings WHERE web_board
        ORDER BY lower(web_name), guild_id LIMIT $1
    """

    async def read(conn: asyncpg.Connection) -> list[PublicBoard]:
        return [PublicBoard(r["guild_id"], r["web_name"]) for r in await conn.fetch(query, limit)]

    return await db.run(read, transaction=False)


async def set_public_board(
    db: Database, guild_id: int, public: bool, name: str, *, connection: asyncpg.Connection | None = None
) -> None:
    """Make a guild's board public (under `name`) or private again."""
    check_id(guild_id, "guild_id")
    if not isinstance(public, bool):
        raise InvalidValue("web_board must be true or false")
    shown = name.strip()[:MAX_WEB_NAME] if isinstance(name, str) else ""
    query = """
        INSERT INTO guild_settings (guild_id, web_board, web_name) VALUES ($1, $2, $3)
        ON CONFLICT (guild_id) DO UPDATE
        SET web_board = EXCLUDED.web_board, web_name = EXCLUDED.web_name, updated_at = now()
    """

    async def write(conn: asyncpg.Connection) -> None:
        await conn.execute(query, guild_id, public, shown)

    await db.run(write, connection=connection)


async def board_is_public(db: Database, guild_id: int) -> bool:
    """True while the guild's board is public (what /settings show says)."""
    return await public_board(db, guild_id) is not None


async def profile_hidden(db: Database, user_id: int) -> bool:
    """True when the player hid their profile from the web (/stats privacy:hidden)."""
    check_id(user_id, "user_id")
    query = "SELECT profile_hidden FROM users WHERE user_id = $1"

    async def read(conn: asyncpg.Connection) -> bool:
        return bool(await conn.fetchval(query, user_id))

    return await db.run(read, transaction=False)


async def hidden_profiles(db: Database, user_ids: Sequence[int]) -> set[int]:
    """Which of these players hid their profiles, in one query."""
    for user_id in user_ids:
        check_id(user_id, "user_id")
    query = "SELECT user_id FROM users WHERE user_id = ANY($1::bigint[]) AND profile_hidden"

    async def read(conn: asyncpg.Connection) -> set[int]:
        return {r["user_id"] for r in await conn.fetch(query, list(dict.fromkeys(user_ids)))}

    return await db.run(read, transaction=False)


async def set_profile_hidden(db: Database, user_id: int, hidden: bool) -> None:
    """Hide a player's profile from the web, or show it again (a player who never answered too)."""
    check_id(user_id, "user_id")
    if not isinstance(hidden, bool):
        raise InvalidValue("privacy must be hidden or shown")
    query = """
        INSERT INTO users (user_id, profile_hidden) VALUES ($1, $2)
        ON CONFLICT (user_id) DO UPDATE SET profile_hidden = EXCLUDED.profile_hidden
    """

    async def write(conn: asyncpg.Connection) -> None:
        await conn.execute(query, user_id, hidden)

    await db.run(write)


# Index-only off answers_user_idx (user_id, guild_id) INCLUDE (category, correct).
CATEGORY_ACCURACY_SQL = """
SELECT category, count(*) FILTER (WHERE correct) AS correct, count(*) AS answered
FROM answers WHERE user_id = $2 AND guild_id = $1
GROUP BY category ORDER BY count(*) DESC, category
"""


async def category_accuracy(db: Database, guild_id: int, user_id: int) -> list[CategoryAccuracy]:
    """A member's answers in a guild by category, most answered first."""
    check_id(guild_id, "guild_id")
    check_id(user_id, "user_id")

    async def read(conn: asyncpg.Connection) -> list[CategoryAccuracy]:
        rows = await conn.fetch(CATEGORY_ACCURACY_SQL, guild_id, user_id)
        return [CategoryAccuracy(r["category"], r["correct"], r["answered"]) for r in rows]

    return await db.run(read, transaction=False)


@dataclass(frozen=True, slots=True)
class WebPlayer:
    """A player as their profile page names them, and whether they hid it."""

    user_id: int
    username: str
    hidden: bool


async def web_player(db: Database, user_id: int) -> WebPlayer | None:
    """The player's stored name and privacy, or None when quizbot has never stored them."""
    check_id(user_id, "user_id")
    query = "SELECT username, profile_hidden FROM users WHERE user_id = $1"

    async def read(conn: asyncpg.Connection) -> WebPlayer | None:
        row = await conn.fetchrow(query, user_id)
        return None if row is None else WebPlayer(user_id, row["username"], row["profile_hidden"])

    return await db.run(read, transaction=False)
