"""Builders for game-core values, so each test states only what it is about."""

from __future__ import annotations

import uuid
from typing import Any
from unittest.mock import ANY

from quizbot.game.effects import RecordRun
from quizbot.game.progression import Difficulty
from quizbot.game.questions import TRUE_FALSE, Question, QuestionKind
from quizbot.game.session import AnswerMode, QuizSession, SessionConfig

T0 = 1_900_000_000.0  # a fixed "now" in epoch seconds
GUILD_ID = 100
CHANNEL_ID = 200
HOST_ID = 1
STRANGER_ID = 9  # neither the host nor a moderator
RUN_ID = uuid.UUID("12345678-1234-5678-1234-567812345678")
TIMEOUT = 30.0
REVEAL_PAUSE = 4.0
CORRECT = 1  # the answer index of every multiple-choice question built here
WRONG = 0


def mc_question(question_id: str = "q1", **fields: Any) -> Question:
    """A valid four-option medium science question whose answer is option 1 ("Mars")."""
    values: dict[str, Any] = {
        "text": "Which planet is known as the red planet?",
        "kind": QuestionKind.MULTIPLE_CHOICE,
        "category": "science",
        "difficulty": Difficulty.MEDIUM,
        "explanation": "Iron oxide on its surface makes Mars look red.",
        "options": ("Venus", "Mars", "Jupiter", "Saturn"),
        "answer_index": CORRECT,
    }
    values.update(fields)
    return Question(question_id=question_id, **values)


def tf_question(question_id: str = "tf1", **fields: Any) -> Question:
    """A valid easy true/false question whose answer is True (index 0)."""
    values: dict[str, Any] = {
        "text": "Water boils at 100 °C at sea level.",
        "kind": QuestionKind.TRUE_FALSE,
        "category": "science",
        "difficulty": Difficulty.EASY,
        "explanation": "At one atmosphere, yes.",
        "options": TRUE_FALSE,
        "answer_index": 0,
    }
    values.update(fields)
    return Question(question_id=question_id, **values)


def short_question(question_id: str = "sa1", **fields: Any) -> Question:
    """A valid hard short-answer question accepting "Paris" or "Ville Lumière"."""
    values: dict[str, Any] = {
        "text": "What is the capital of France?",
        "kind": QuestionKind.SHORT_ANSWER,
        "category": "geography",
        "difficulty": Difficulty.HARD,
        "explanation": "Paris has been the capital since 987.",
        "accepted": ("Paris", "Ville Lumière"),
    }
    values.update(fields)
    return Question(question_id=question_id, **values)


def questions(count: int, *, difficulty: Difficulty = Difficulty.MEDIUM) -> tuple[Question, ...]:
    """`count` multiple-choice questions q0, q1, ... of one difficulty."""
    return tuple(mc_question(f"q{i}", difficulty=difficulty) for i in range(count))


def session(
    count: int = 3,
    *,
    mode: AnswerMode = AnswerMode.BUTTONS,
    single_answer: bool = False,
    items: tuple[Question, ...] | None = None,
    **fields: Any,
) -> QuizSession:
    """A created (not yet started) session of `count` questions hosted by HOST_ID at T0."""
    chosen = items if items is not None else questions(count)
    config = SessionConfig(
        question_count=len(chosen),
        question_timeout=TIMEOUT,
        mode=mode,
        single_answer=single_answer,
        reveal_pause=REVEAL_PAUSE,
    )
    values: dict[str, Any] = {
        "guild_id": GUILD_ID,
        "channel_id": CHANNEL_ID,
        "run_id": RUN_ID,
        "host_id": HOST_ID,
        "config": config,
        "questions": chosen,
        "created_at": T0,
    }
    values.update(fields)
    return QuizSession(**values)


def started(count: int = 3, **options: Any) -> QuizSession:
    """A session whose first question opened at T0."""
    game = session(count, **options)
    game.start(T0)
    return game


def typed_session(count: int = 2, **options: Any) -> QuizSession:
    """A created typed-answer session of short-answer questions."""
    items = tuple(short_question(f"sa{i}") for i in range(count))
    return session(items=items, mode=AnswerMode.TYPED, **options)


def revealed(count: int = 3, **options: Any) -> QuizSession:
    """A session whose first question was answered by user 10 (right) and 11 (wrong), then closed."""
    game = started(count, **options)
    game.answer(10, "ten", 0, CORRECT, T0 + 3)
    game.answer(11, "eleven", 0, WRONG, T0 + 6)
    game.close(0, T0 + TIMEOUT)
    return game


def finished(count: int = 2) -> QuizSession:
    """A session played to the end, user 10 answering every question right."""
    game = started(count)
    now = T0
    for index in range(count):
        game.answer(10, "ten", index, CORRECT, now + 1)
        game.close(index, now + TIMEOUT)
        now += TIMEOUT + REVEAL_PAUSE
        game.advance(index, now)
    return game


def run_record(
    outcome: str, participants: tuple[int, ...], finished_at: float, *, question_count: int = 3
) -> RecordRun:
    """The RecordRun a factory-built medium science session by HOST_ID ends with."""
    return RecordRun(
        run_id=RUN_ID,
        host_id=HOST_ID,
        topic="general",
        category="science",
        difficulty=Difficulty.MEDIUM,
        question_count=question_count,
        outcome=outcome,
        participants=participants,
        started_at=T0,
        finished_at=finished_at,
        facts=ANY,  # what each player did: checked by the achievement tests
    )
