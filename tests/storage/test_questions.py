"""The question store: kept once by identity, found many at once, bad rows left out and logged."""

from __future__ import annotations

import orjson
import pytest

from quizbot.errors import DataRejected
from quizbot.game.questions import Question
from quizbot.storage.pool import Database
from quizbot.storage.questions import PostgresQuestionStore
from tests.game.factories import mc_question, short_question, tf_question


def numbered(count: int) -> list[Question]:
    """`count` distinct multiple-choice questions."""
    return [mc_question(f"n{i}", text=f"Which planet is number {i}?") for i in range(count)]


async def stored_rows(db: Database) -> int:
    count: int = await db.pool.fetchval("SELECT count(*) FROM questions")
    return count


async def test_find_returns_equal_questions_by_identity(db: Database) -> None:
    """Kept questions of every kind come back equal, keyed by their identities."""
    store = PostgresQuestionStore(db)
    questions = [
        mc_question(hints=("The fourth planet.",), source="generated"),
        tf_question(),
        short_question(),
    ]
    await store.keep(questions)
    found = await store.find([q.identity for q in questions])
    assert found == {q.identity: q for q in questions}


async def test_keep_twice_is_idempotent(db: Database) -> None:
    """Keeping the same questions again, or twice in one call, stores each once."""
    store = PostgresQuestionStore(db)
    questions = numbered(3)
    await store.keep(questions)
    await store.keep([*questions, *reversed(questions)])
    assert await stored_rows(db) == 3
    assert len(await store.find([q.identity for q in questions])) == 3


async def test_keep_records_each_source(db: Database) -> None:
    """The source column holds each question's source."""
    await PostgresQuestionStore(db).keep([mc_question(source="generated"), tf_question()])
    rows = await db.pool.fetch("SELECT source FROM questions ORDER BY source")
    assert [r["source"] for r in rows] == ["bank", "generated"]


async def test_unknown_identities_are_absent(db: Database) -> None:
    """An identity never kept is simply missing from the result."""
    store = PostgresQuestionStore(db)
    kept, never = mc_question("kept"), mc_question("never")
    await store.keep([kept])
    assert await store.find([never.identity, kept.identity, "q1_" + "A" * 22]) == {kept.identity: kept}


async def test_nothing_asked_nothing_found(db: Database) -> None:
    """Keeping and finding nothing are no-ops."""
    store = PostgresQuestionStore(db)
    await store.keep([])
    assert await store.find([]) == {}


async def test_repeated_identities_are_found_once(db: Database) -> None:
    """Asking for one identity several times returns it once."""
    store = PostgresQuestionStore(db)
    question = mc_question()
    await store.keep([question])
    assert await store.find([question.identity] * 3) == {question.identity: question}


async def test_found_questions_are_shared_instances(db: Database) -> None:
    """Equal stored questions rebuild through from_dict's interning, as restored sessions share them."""
    store = PostgresQuestionStore(db)
    question = short_question("shared-store")
    await store.keep([question])
    first = await store.find([question.identity])
    second = await store.find([question.identity])
    assert first[question.identity] is second[question.identity]


@pytest.mark.parametrize(
    "data",
    [
        b"not json",
        b"[1, 2]",
        b'{"id": "x"}',
        orjson.dumps({**mc_question("bad").to_dict(), "answer": 9}),
        orjson.dumps({**mc_question("bad").to_dict(), "text": 5}),
        orjson.dumps(mc_question("other").to_dict()),
    ],
    ids=["not-json", "not-an-object", "missing-fields", "invalid", "wrong-type", "other-identity"],
)
async def test_a_bad_row_is_left_out_and_logged(db: Database, warnings: list[str], data: bytes) -> None:
    """A row that does not rebuild into its identity's question is skipped with a warning; the rest load."""
    store = PostgresQuestionStore(db)
    good = numbered(3)
    await store.keep(good)
    broken = good[1].identity
    await db.pool.execute("UPDATE questions SET data = $1 WHERE identity = $2", data, broken)
    found = await store.find([q.identity for q in good])
    assert found == {q.identity: q for q in good if q.identity != broken}
    left_out = [m for m in warnings if "left out" in m]
    assert len(left_out) == 1 and broken in left_out[0]


async def test_refused_content_is_named(db: Database) -> None:
    """A source PostgreSQL cannot hold as text (a NUL) raises DataRejected, not a bare driver error."""
    with pytest.raises(DataRejected, match="questions"):
        await PostgresQuestionStore(db).keep([mc_question(source="bank\x00")])


async def test_many_in_one_call(db: Database) -> None:
    """5,000 questions are kept in one call and all found in another."""
    store = PostgresQuestionStore(db)
    questions = numbered(5_000)
    await store.keep(questions)
    found = await store.find([q.identity for q in questions])
    assert len(found) == 5_000
    assert all(found[q.identity] == q for q in questions)
