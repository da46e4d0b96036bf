"""Imported packs in PostgreSQL: each keeps its format, origin, licence and credit, and reads back as
it was uploaded; a refused file stores nothing."""

from __future__ import annotations

import orjson
import pytest

from quizbot.questions.bank import QuestionBank
from quizbot.questions.custom import CustomPacks
from quizbot.questions.opentdb import ImportRefused
from quizbot.questions.provenance import OPENTDB, PackFormat, Provenance
from quizbot.storage.packs import PostgresPackStore
from quizbot.storage.pool import Database

EXPORT = orjson.dumps(
    {
        "response_code": 0,
        "results": [
            {
                "type": "multiple",
                "difficulty": "hard",
                "category": "Test Garden",
                "question": "Which of these plants is grown for its &quot;tuber&quot;?",
                "correct_answer": "Potato",
                "incorrect_answers": ["Basil", "Ivy", "Fern"],
            },
            {
                "type": "boolean",
                "difficulty": "easy",
                "category": "Test Garden",
                "question": "Sunflowers turn to face the Sun while they are young.",
                "correct_answer": "True",
                "incorrect_answers": ["False"],
            },
        ],
    }
)
RED_LIST = b"AUTHOR: Garden Club\nWhich bulb makes you cry when cut?:\n- onion\n- onions\n"


@pytest.fixture
def library(db: Database) -> CustomPacks:
    shipped, errors = QuestionBank.load()
    assert errors == []
    return CustomPacks(PostgresPackStore(db), shipped, cache_seconds=0)


async def columns(db: Database, pack_id: str) -> tuple[str, str, str, str]:
    row = await db.pool.fetchrow(
        "SELECT format, origin, licence, attribution FROM guild_packs WHERE guild_id = 1 AND pack_id = $1",
        pack_id,
    )
    assert row is not None
    return (row["format"], row["origin"], row["licence"], row["attribution"])


async def test_an_opentdb_export_is_stored_with_its_licence_and_read_back(
    library: CustomPacks, db: Database
) -> None:
    """The export's pack keeps CC BY-SA 4.0 and its credit; the guild's bank serves the same questions."""
    pack = await library.add(1, 42, "garden.json", EXPORT)
    assert await columns(db, "garden") == (
        "opentdb",
        "Open Trivia Database",
        "CC BY-SA 4.0",
        "Questions from the Open Trivia Database (opentdb.com), CC BY-SA 4.0",
    )
    (stored,) = await library.stored(1)
    assert stored.provenance == OPENTDB
    served = (await library.bank_for(1)).by_category["garden"]
    assert [q.text for q in served] == [q.text for q in pack.questions]
    assert [q.options for q in served] == [q.options for q in pack.questions]


async def test_a_red_list_keeps_its_author_and_the_stated_licence(library: CustomPacks, db: Database) -> None:
    """A Red list's AUTHOR and the uploader's licence are stored; replacing it replaces them."""
    await library.add(1, 42, "bulbs.yaml", RED_LIST, licence="CC BY 4.0")
    assert await columns(db, "bulbs") == ("red", "Garden Club", "CC BY 4.0", "")
    await library.add(1, 42, "bulbs.yaml", RED_LIST)
    (stored,) = await library.stored(1)
    assert stored.provenance == Provenance(PackFormat.RED, "Garden Club")


async def test_a_refused_export_stores_nothing(library: CustomPacks, db: Database) -> None:
    """A broken entity is refused and the guild keeps no pack."""
    broken = EXPORT.replace(b"&quot;tuber&quot;", b"&#xZZ;tuber")
    with pytest.raises(ImportRefused) as caught:
        await library.add(1, 42, "garden.json", broken)
    assert (caught.value.reason, caught.value.number, caught.value.key) == ("broken_entity", 1, "question")
    assert await library.stored(1) == []
    assert await db.pool.fetchval("SELECT count(*) FROM guild_packs") == 0


def test_an_unknown_stored_format_reads_as_a_quizbot_pack() -> None:
    """A format this version does not know is read as the column's default, not an error."""
    assert Provenance.stored("future", "x", "", "").format is PackFormat.QUIZBOT
