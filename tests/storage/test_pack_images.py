"""pack_images: a pack's pictures replaced with it, read by name, and gone with the pack."""

from __future__ import annotations

from quizbot.questions.images import CheckedImage
from quizbot.storage.pack_images import pack_image
from quizbot.storage.packs import delete_guild_pack, save_guild_pack
from quizbot.storage.pool import Database

RED = CheckedImage("red.png", "image/png", 64, 48, b"\x89PNG red")
BLUE = CheckedImage("blue.webp", "image/webp", 20, 20, b"RIFF blue")


async def save(db: Database, *images: CheckedImage, guild_id: int = 1) -> None:
    await save_guild_pack(
        db,
        guild_id,
        pack_id="pics",
        name="Pictures",
        body="pack: pics",
        question_count=1,
        added_by=9,
        images=images,
    )


async def test_a_packs_pictures_are_stored_and_read_by_name(db: Database) -> None:
    await save(db, RED, BLUE)
    found = await pack_image(db, 1, "pics", "red.png")
    assert found is not None and (found.content_type, found.data) == ("image/png", RED.data)
    assert await pack_image(db, 2, "pics", "red.png") is None  # another guild's pack of the same id


async def test_a_replaced_pack_keeps_only_its_new_pictures(db: Database) -> None:
    await save(db, RED, BLUE)
    await save(db, BLUE)
    assert await pack_image(db, 1, "pics", "red.png") is None
    assert await pack_image(db, 1, "pics", "blue.webp") is not None
    await save(db)
    assert await db.pool.fetchval("SELECT count(*) FROM pack_images") == 0


async def test_removing_a_pack_removes_its_pictures(db: Database) -> None:
    await save(db, RED)
    assert await delete_guild_pack(db, 1, "pics")
    assert await db.pool.fetchval("SELECT count(*) FROM pack_images") == 0
