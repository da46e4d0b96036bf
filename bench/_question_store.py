"""The question store: 10k distinct questions kept in one call, kept again, then found by identity."""

from __future__ import annotations

import random
import time
from dataclasses import dataclass

import orjson

from bench._seed import CATEGORIES
from quizbot.game.progression import Difficulty
from quizbot.game.questions import Question, QuestionKind
from quizbot.storage.pool import Database
from quizbot.storage.questions import PostgresQuestionStore


def distinct_questions(rng: random.Random, count: int) -> list[Question]:
    """`count` different four-option questions of bank size, with an explanation and a hint."""
    return [
        Question(
            question_id=f"bench-{number:06d}",
            text=f"Which of these is true about topic {rng.randrange(10_000)} in set {number}?",
            kind=QuestionKind.MULTIPLE_CHOICE,
            category=rng.choice(CATEGORIES),
            difficulty=rng.choice(tuple(Difficulty)),
            explanation=f"Topic {number} is explained here in a sentence or two, as the bank does.",
            options=tuple(f"Answer {n}" for n in rng.sample(range(1000), 4)),
            answer_index=rng.randrange(4),
            hints=(f"It is not answer {rng.randrange(1000)}.",),
        )
        for number in range(count)
    ]


@dataclass(frozen=True, slots=True)
class QuestionStoreResult:
    """Seconds to keep `count` new questions, to keep them again (all stored), and to find them all."""

    count: int
    mean_bytes: float
    keep_seconds: float
    keep_again_seconds: float
    find_seconds: float


async def measure_question_store(db: Database, rng: random.Random, count: int) -> QuestionStoreResult:
    """keep() of `count` distinct questions (new, then already stored), then find() of their identities.

    The questions are built beforehand and their identities are not computed yet, as for questions
    a session has just drawn: keep pays for hashing them. find() gets each identity once and
    rebuilds every question from its row, validated and checked against its identity.
    """
    questions = distinct_questions(rng, count)
    store = PostgresQuestionStore(db)
    started = time.perf_counter()
    await store.keep(questions)
    keep_seconds = time.perf_counter() - started
    started = time.perf_counter()
    await store.keep(questions)
    keep_again_seconds = time.perf_counter() - started
    identities = [q.identity for q in questions]
    started = time.perf_counter()
    found = await store.find(identities)
    find_seconds = time.perf_counter() - started
    if len(found) != count or any(found[q.identity] != q for q in questions):
        raise AssertionError("the question store lost or changed questions")
    size = sum(len(orjson.dumps(q.to_dict())) for q in questions) / count
    return QuestionStoreResult(count, size, keep_seconds, keep_again_seconds, find_seconds)
