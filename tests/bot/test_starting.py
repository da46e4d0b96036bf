"""Starting a quiz: the config follows the questions actually prepared, and none at all is told plainly."""

from __future__ import annotations

import pytest

from quizbot.bot.catalogue import MESSAGES, problem_for
from quizbot.bot.starting import sized_to
from quizbot.errors import GenerationFailed
from quizbot.game.session import SessionConfig
from quizbot.questions.sources import Fallback, PreparedQuestions
from tests.questions.llm.support import bank_question

QUESTIONS = tuple(bank_question(f"s{n}", "science", f"Offline science fact {n}?") for n in range(3))


def test_a_full_set_keeps_the_config() -> None:
    config = SessionConfig(question_count=3)
    assert sized_to(config, PreparedQuestions(QUESTIONS, "the offline bank")) is config


def test_a_short_set_makes_a_shorter_quiz_and_keeps_everything_else() -> None:
    config = SessionConfig(question_count=10, question_timeout=45, topic="volcanoes")
    short = Fallback("generation_partial", "OpenAI", got=2, total=2)
    sized = sized_to(config, PreparedQuestions(QUESTIONS[:2], "OpenAI", short))
    assert sized.question_count == 2
    assert (sized.question_timeout, sized.topic) == (45, "volcanoes")


def test_no_questions_at_all_is_generation_failed_with_the_catalogue_message() -> None:
    with pytest.raises(GenerationFailed) as raised:
        sized_to(SessionConfig(question_count=5), PreparedQuestions((), "nowhere"))
    shown = problem_for(raised.value)
    assert shown.key == "generation_failed"
    assert shown.text == MESSAGES["generation_failed"]
