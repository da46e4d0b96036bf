"""Custom question packs a guild uploaded, stored as their validated YAML text; PostgresPackStore is
the question sources' PackStore over these functions."""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg

from quizbot.errors import InvalidValue
from quizbot.game.values import check_id
from quizbot.questions.images import CheckedImage
from quizbot.questions.ports import StoredPack
from quizbot.questions.provenance import QUIZBOT_PACK, Provenance
from quizbot.storage.pack_images import replace_pack_images
from quizbot.storage.pool import Database

MAX_GUILD_PACKS = 20


async def save_guild_pack(
    db: Database,
    guild_id: int,
    *,
    pack_id: str,
    name: str,
    body: str,
    question_count: int,
    added_by: int,
    provenance: Provenance = QUIZBOT_PACK,
    images: Sequence[CheckedImage] = (),
    connection: asyncpg.Connection | None = None,
) -> None:
    """Store (or replace) a guild's pack, its provenance and its pictures (replacing any it had), in one
    transaction; a guild keeps at most MAX_GUILD_PACKS packs."""
    check_id(guild_id, "guild_id")
    check_id(added_by, "added_by")
    query = """
        INSERT INTO guild_packs (
            guild_id, pack_id, name, body, question_count, added_by, format, origin, licence, attribution
        )
        SELECT $1, $2, $3, $4, $5, $6, $8, $9, $10, $11
        WHERE (SELECT count(*) FROM guild_packs WHERE guild_id = $1 AND pack_id <> $2) < $7
        ON CONFLICT (guild_id, pack_id) DO UPDATE SET
            name = EXCLUDED.name, body = EXCLUDED.body, question_count = EXCLUDED.question_count,
            added_by = EXCLUDED.added_by, added_at = now(), format = EXCLUDED.format,
            origin = EXCLUDED.origin, licence = EXCLUDED.licence, attribution = EXCLUDED.attribution
        RETURNING 1
    """

    async def write(conn: asyncpg.Connection) -> None:
        stored = await conn.fetchval(
            query,
            guild_id,
            pack_id,
            name,
            body,
            question_count,
            added_by,
            MAX_GUILD_PACKS,
            provenance.format.value,
            provenance.origin,
            provenance.licence,
            provenance.attribution,
        )
        if stored is None:
            raise InvalidValue(f"a server can keep at most {MAX_GUILD_PACKS} packs; remove one first")
        await replace_pack_images(conn, guild_id, pack_id, images)

    await db.run(write, connection=connection)


async def guild_packs(
    db: Database, guild_id: int, *, connection: asyncpg.Connection | None = None
) -> list[StoredPack]:
    """Every pack a guild uploaded, by pack id."""
    check_id(guild_id, "guild_id")
    query = """
        SELECT pack_id, name, body, question_count, added_by, added_at, format, origin, licence, attribution
        FROM guild_packs WHERE guild_id = $1 ORDER BY pack_id
    """

    async def read(conn: asyncpg.Connection) -> list[StoredPack]:
        return [
            StoredPack(
                r["pack_id"],
                r["name"],
                r["body"],
                r["question_count"],
                r["added_by"],
                r["added_at"],
                Provenance.stored(r["format"], r["origin"], r["licence"], r["attribution"]),
            )
            for r in await conn.fetch(query, guild_id)
        ]

    return await db.run(read, connection=connection, transaction=False)


async def delete_guild_pack(
    db: Database, guild_id: int, pack_id: str, *, connection: asyncpg.Connection | None = None
) -> bool:
    """Remove a guild's pack; False if it had none by that id."""
    check_id(guild_id, "guild_id")
    query = "DELETE FROM guild_packs WHERE guild_id = $1 AND pack_id = $2"

    async def write(conn: asyncpg.Connection) -> bool:
        status: str = await conn.execute(query, guild_id, pack_id)
        return status == "DELETE 1"

    return await db.run(write, connection=connection)


class PostgresPackStore:
    """The question sources' PackStore, bound to one database."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def save(
        self,
        guild_id: int,
        *,
        pack_id: str,
        name: str,
        body: str,
        question_count: int,
        added_by: int,
        provenance: Provenance = QUIZBOT_PACK,
        images: Sequence[CheckedImage] = (),
    ) -> None:
        await save_guild_pack(
            self.db,
            guild_id,
            pack_id=pack_id,
            name=name,
            body=body,
            question_count=question_count,
            added_by=added_by,
            provenance=provenance,
            images=images,
        )

    async def packs(self, guild_id: int) -> list[StoredPack]:
        return await guild_packs(self.db, guild_id)

    async def delete(self, guild_id: int, pack_id: str) -> bool:
        return await delete_guild_pack(self.db, guild_id, pack_id)
