"""Rows for the study tests: cards and reviews put straight into their tables, and read back."""

from __future__ import annotations

from datetime import datetime

import asyncpg

from quizbot.game.reviews import CardState
from quizbot.storage.pool import Database


def identity(n: int) -> str:
    """A question identity shaped like Question.identity (q1_ and 22 characters)."""
    return f"q1_{n:022d}"


async def put_card(
    db: Database, user_id: int, question: int, due: datetime, state: CardState = CardState.REVIEW
) -> None:
    """A card of `user_id` for question `question`, due at `due`."""
    await db.pool.execute(
        "INSERT INTO review_cards (user_id, question_id, due, stability, difficulty, state, step,"
        " last_review) VALUES ($1, $2, $3, 5.0, 5.0, $4, NULL, $3::timestamptz - interval '5 days')",
        user_id,
        identity(question),
        due,
        int(state),
    )


async def put_review(
    db: Database,
    user_id: int,
    at: datetime,
    *,
    rating: int = 3,
    state_before: int = 0,
    study: bool = True,
    question: int = 1,
) -> None:
    """One review_log row: by default a new card answered Good in a study session."""
    await db.pool.execute(
        "INSERT INTO review_log (user_id, question_id, reviewed_at, rating, state_before, study)"
        " VALUES ($1, $2, $3, $4, $5, $6)",
        user_id,
        identity(question),
        at,
        rating,
        state_before,
        study,
    )


async def cards_of(db: Database, user_id: int) -> dict[str, asyncpg.Record]:
    """The player's cards by question identity."""
    rows = await db.pool.fetch("SELECT * FROM review_cards WHERE user_id = $1", user_id)
    return {row["question_id"]: row for row in rows}


async def reviews_of(db: Database, user_id: int) -> list[asyncpg.Record]:
    """The player's review log, oldest first."""
    return list(
        await db.pool.fetch(
            "SELECT * FROM review_log WHERE user_id = $1 ORDER BY reviewed_at, question_id", user_id
        )
    )


async def count(db: Database, table: str) -> int:
    """Rows in a table."""
    return int(await db.pool.fetchval(f"SELECT count(*) FROM {table}"))
