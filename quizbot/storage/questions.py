"""Questions by identity: each stored once under its content address, and found many at a time.

A row that cannot be rebuilt into the question its identity names (bytes that are not JSON, a
question that no longer validates, content that hashes to another identity) is logged and left out
of what `find_questions` returns, never raised, so one bad row cannot hide the others.
"""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg
import orjson
from loguru import logger

from quizbot.errors import InvalidValue
from quizbot.game.questions import Question
from quizbot.storage.pool import Database, content_refused

# Rows go in identity order, one lock order for every writer, so concurrent keeps never deadlock.
KEEP_SQL = """
INSERT INTO questions (identity, data, source)
SELECT * FROM unnest($1::text[], $2::bytea[], $3::text[])
ON CONFLICT (identity) DO NOTHING
"""


async def keep_questions(
    db: Database, questions: Sequence[Question], *, connection: asyncpg.Connection | None = None
) -> None:
    """Store each question once under its identity, in one statement; stored ones are left as they are."""
    by_identity = {q.identity: q for q in questions}
    if not by_identity:
        return
    identities = sorted(by_identity)
    kept = [by_identity[i] for i in identities]
    args = (identities, [orjson.dumps(q.to_dict()) for q in kept], [q.source for q in kept])

    async def write(conn: asyncpg.Connection) -> None:
        with content_refused("a batch of questions"):
            await conn.execute(KEEP_SQL, *args)

    await db.run(write, connection=connection, transaction=False)


FIND_SQL = "SELECT identity, data FROM questions WHERE identity = ANY ($1::text[])"


async def find_questions(
    db: Database, identities: Sequence[str], *, connection: asyncpg.Connection | None = None
) -> dict[str, Question]:
    """The stored questions among `identities`, by identity, in one query; unknown ones are absent."""
    wanted = list(set(identities))
    if not wanted:
        return {}

    async def read(conn: asyncpg.Connection) -> list[asyncpg.Record]:
        rows: list[asyncpg.Record] = await conn.fetch(FIND_SQL, wanted)
        return rows

    found: dict[str, Question] = {}
    for identity, data in await db.run(read, connection=connection, transaction=False):
        question = _rebuilt(identity, data)
        if question is not None:
            found[identity] = question
    return found


def _rebuilt(identity: str, data: bytes) -> Question | None:
    """The question a row holds (shared with equal ones by from_dict), or None, logged, if it has none."""
    try:
        question = Question.from_dict(orjson.loads(data))
    except (ValueError, TypeError, KeyError, AttributeError, InvalidValue) as error:
        problem = f"{type(error).__name__}: {error}"
    else:
        if question.identity == identity:
            return question
        problem = f"its content is question {question.identity}"
    logger.bind(identity=identity).warning("stored question {} left out: {}", identity, problem)
    return None


class PostgresQuestionStore:
    """The question store that snapshots name their questions through, over one database."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def keep(self, questions: Sequence[Question]) -> None:
        """Store each question once under its identity (idempotent: ON CONFLICT DO NOTHING); one statement."""
        await keep_questions(self.db, questions)

    async def find(self, identities: Sequence[str]) -> dict[str, Question]:
        """The stored questions among `identities`, by identity, in one query; unknown ones are absent."""
        return await find_questions(self.db, identities)
