"""Custom packs: uploaded by a guild's admins, validated, and seen by that guild alone."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from quizbot.errors import InvalidValue
from quizbot.game.progression import Difficulty
from quizbot.questions.bank import QuestionBank
from quizbot.questions.custom import MAX_UPLOAD_BYTES, CustomPacks
from quizbot.questions.packs import PackError
from quizbot.questions.ports import StoredPack
from quizbot.questions.sources import BankSource, QuestionRequest
from quizbot.storage.guilds import PostgresAskedQuestions
from quizbot.storage.packs import MAX_GUILD_PACKS, PostgresPackStore
from quizbot.storage.pool import Database
from tests.questions.test_packs_hostile import CRASHERS, pack_with

PACK = b"""\
pack: house-rules
name: House Rules
questions:
  - id: hr-1
    difficulty: easy
    kind: true_false
    text: Our server was founded on a Tuesday.
    answer: true
    explanation: It was, at noon.
  - id: hr-2
    difficulty: easy
    kind: short_answer
    text: What is the name of our mascot?
    accepted: [Biscuit]
    explanation: Biscuit the corgi.
"""


@pytest.fixture
def library(db: Database) -> CustomPacks:
    shipped, errors = QuestionBank.load()
    assert errors == []
    return CustomPacks(PostgresPackStore(db), shipped, cache_seconds=0)


async def test_an_uploaded_pack_is_seen_by_its_guild_only(library: CustomPacks) -> None:
    """After an upload the guild's bank has the new category; another guild's bank does not."""
    pack = await library.add(1, 42, "house.yaml", PACK)
    assert (pack.pack_id, len(pack.questions)) == ("house-rules", 2)
    assert "house-rules" in (await library.bank_for(1)).categories
    assert "house-rules" not in (await library.bank_for(2)).categories
    assert [s.pack_id for s in await library.stored(1)] == ["house-rules"]


async def test_a_guild_quiz_can_draw_on_its_own_pack(library: CustomPacks, db: Database) -> None:
    """The bank source serves the guild's custom category, namespaced so ids never clash."""
    await library.add(1, 42, "house.yaml", PACK)
    source = BankSource(library.shipped, PostgresAskedQuestions(db), custom=library)
    prepared = await source.prepare(
        QuestionRequest(guild_id=1, difficulty=Difficulty.EASY, count=2, category="house-rules")
    )
    assert sorted(q.question_id for q in prepared.questions) == ["g1/house-rules/hr-1", "g1/house-rules/hr-2"]
    with pytest.raises(InvalidValue, match="unknown category"):
        await source.prepare(
            QuestionRequest(guild_id=2, difficulty=Difficulty.EASY, count=1, category="house-rules")
        )


async def test_removing_a_pack_takes_it_away(library: CustomPacks) -> None:
    """A removed pack's category is gone from the guild's bank."""
    await library.add(1, 42, "house.yaml", PACK)
    assert await library.remove(1, "house-rules") is True
    assert await library.remove(1, "house-rules") is False
    assert "house-rules" not in (await library.bank_for(1)).categories


@pytest.mark.parametrize(
    ("filename", "data", "message"),
    [
        ("pack.txt", PACK, "yaml"),
        ("big.yaml", b"#" * (MAX_UPLOAD_BYTES + 1), "bytes"),
        ("binary.yaml", b"\xff\xfe\x00", "UTF-8"),
        ("broken.yaml", b"questions: [\n", "line 2"),
        ("empty.yaml", b"pack: x\nquestions: []\n", "no questions"),
    ],
)
async def test_bad_uploads_are_refused_with_a_clear_reason(
    library: CustomPacks, filename: str, data: bytes, message: str
) -> None:
    """Wrong type, too big, not text, broken YAML or empty: PackError, nothing stored."""
    with pytest.raises(PackError, match=message):
        await library.add(1, 42, filename, data)
    assert await library.stored(1) == []


async def test_a_guild_keeps_a_bounded_number_of_packs(library: CustomPacks) -> None:
    """Past the limit a new pack is refused; replacing an existing one still works."""
    for number in range(MAX_GUILD_PACKS):
        await library.add(1, 42, f"p{number}.yaml", PACK.replace(b"house-rules", f"p{number}".encode()))
    with pytest.raises(InvalidValue, match="at most"):
        await library.add(1, 42, "one-too-many.yaml", PACK.replace(b"house-rules", b"extra"))
    await library.add(1, 42, "p0.yaml", PACK.replace(b"house-rules", b"p0"))


@pytest.mark.parametrize(("value", "field", "line"), CRASHERS)
async def test_an_upload_with_a_tag_is_refused_at_its_line_and_field(
    library: CustomPacks, value: str, field: str, line: int
) -> None:
    """The five tags that once crashed an upload with "Something went wrong": a PackError, nothing stored."""
    with pytest.raises(PackError) as caught:
        await library.add(1, 42, "tagged.yaml", pack_with(value, field).encode())
    error = caught.value
    assert (error.source, error.line, error.field) == ("tagged.yaml", line, field), str(error)
    assert str(error).startswith(f"tagged.yaml, line {line}: {field}: tags (")
    assert await library.stored(1) == []


async def test_a_bank_loaded_during_an_upload_is_never_cached_stale(
    library: CustomPacks, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bank read from the database before an upload is not cached over the upload (the write lock waits)."""
    library.cache_seconds = 60.0
    real_read, real_save = library.store.packs, library.store.save
    read, resume, saving = asyncio.Event(), asyncio.Event(), asyncio.Event()

    async def paused_read(*args: Any, **kwargs: Any) -> list[StoredPack]:
        rows = await real_read(*args, **kwargs)  # the guild's packs before the upload: none
        read.set()
        await resume.wait()
        return rows

    async def watched_save(*args: Any, **kwargs: Any) -> None:
        saving.set()
        await real_save(*args, **kwargs)

    monkeypatch.setattr(library.store, "packs", paused_read)
    monkeypatch.setattr(library.store, "save", watched_save)
    reader = asyncio.create_task(library.bank_for(1))
    await read.wait()
    writer = asyncio.create_task(library.add(1, 42, "house.yaml", PACK))
    for _ in range(20):
        await asyncio.sleep(0)  # the upload runs until it waits: on the guild's lock, or on the database
    if saving.is_set():
        await writer  # unguarded, the upload would finish while the old bank is still being built
    resume.set()
    assert "house-rules" not in (await reader).categories  # the read began before the upload
    await writer
    monkeypatch.setattr(library.store, "packs", real_read)
    assert "house-rules" in (await library.bank_for(1)).categories


async def test_loading_readers_share_the_lock_and_it_is_dropped_after(
    library: CustomPacks, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two loads of a guild's bank read at once; once done the guild keeps no lock."""
    real_read, inside, gate = library.store.packs, [], asyncio.Event()

    async def gated_read(*args: Any, **kwargs: Any) -> list[StoredPack]:
        inside.append(args[0])
        await gate.wait()
        return await real_read(*args, **kwargs)

    monkeypatch.setattr(library.store, "packs", gated_read)
    readers = [asyncio.create_task(library.bank_for(1)) for _ in range(2)]
    for _ in range(20):
        await asyncio.sleep(0)
    assert inside == [1, 1] and list(library._locks) == [1]
    gate.set()
    await asyncio.gather(*readers)
    await asyncio.gather(
        *(library.bank_for(guild) for guild in range(2, 40)), library.add(1, 42, "h.yaml", PACK)
    )
    assert library._locks == {}
