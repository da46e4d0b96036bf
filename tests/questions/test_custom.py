"""Custom packs: uploaded by a guild's admins, validated, and seen by that guild alone."""

from __future__ import annotations

import pytest

from quizbot.errors import InvalidValue
from quizbot.game.progression import Difficulty
from quizbot.questions.bank import QuestionBank
from quizbot.questions.custom import MAX_UPLOAD_BYTES, CustomPacks
from quizbot.questions.packs import PackError
from quizbot.questions.sources import BankSource, QuestionRequest
from quizbot.storage.packs import MAX_GUILD_PACKS
from quizbot.storage.pool import Database

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
    return CustomPacks(db, shipped, cache_seconds=0)


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
    source = BankSource(library.shipped, db, custom=library)
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
