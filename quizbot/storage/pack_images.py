"""The pictures a guild's pack carries as attachments (pack_images): replaced with their pack, read one
at a time as a question showing one is posted, and removed with the pack (ON DELETE CASCADE)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import asyncpg

from quizbot.game.values import check_id
from quizbot.questions.images import CheckedImage
from quizbot.storage.pool import Database

INSERT_SQL = """
INSERT INTO pack_images (guild_id, pack_id, name, content_type, width, height, data)
SELECT $1, $2, * FROM unnest($3::text[], $4::text[], $5::int[], $6::int[], $7::bytea[])
"""
DELETE_SQL = "DELETE FROM pack_images WHERE guild_id = $1 AND pack_id = $2"


@dataclass(frozen=True, slots=True)
class PackImage:
    """One stored picture: its file name, type and bytes."""

    name: str
    content_type: str
    data: bytes


async def replace_pack_images(
    conn: asyncpg.Connection, guild_id: int, pack_id: str, images: Sequence[CheckedImage]
) -> None:
    """Make `images` the pack's pictures, dropping any it had; on the caller's connection inside its
    transaction, so they commit with the pack's own row (which must exist: the foreign key says so)."""
    check_id(guild_id, "guild_id")
    await conn.execute(DELETE_SQL, guild_id, pack_id)
    if not images:
        return
    columns = (
        [i.name for i in images],
        [i.content_type for i in images],
        [i.width for i in images],
        [i.height for i in images],
        [i.data for i in images],
    )
    await conn.execute(INSERT_SQL, guild_id, pack_id, *columns)


async def pack_image(
    db: Database, guild_id: int, pack_id: str, name: str, *, connection: asyncpg.Connection | None = None
) -> PackImage | None:
    """A guild pack's picture by file name, or None when the pack (or the picture) is gone."""
    check_id(guild_id, "guild_id")
    query = """
        SELECT name, content_type, data FROM pack_images WHERE guild_id = $1 AND pack_id = $2 AND name = $3
    """

    async def read(conn: asyncpg.Connection) -> PackImage | None:
        row = await conn.fetchrow(query, guild_id, pack_id, name)
        return None if row is None else PackImage(row["name"], row["content_type"], bytes(row["data"]))

    return await db.run(read, connection=connection, transaction=False)
