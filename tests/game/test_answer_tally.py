"""The answer tally a live screen shows: how many have answered, never what, told by the game core."""

from __future__ import annotations

from quizbot.game.config import SessionConfig
from quizbot.game.effects import AnswersIn, PostQuestion, ScheduleTimer
from quizbot.game.session import QuizSession
from tests.game.factories import (
    CHANNEL_ID,
    CORRECT,
    GUILD_ID,
    HOST_ID,
    RUN_ID,
    T0,
    TIMEOUT,
    WRONG,
    mc_question,
    started,
    typed_session,
)


def test_each_new_player_raises_the_tally_by_one() -> None:
    """Three players answer: the tally goes 1, 2, 3, and says nothing of who was right."""
    game = started()
    tallies = [
        game.answer(user, "p", 0, answer, T0 + user)[1] for user, answer in ((10, 1), (11, 0), (12, 1))
    ]
    assert tallies == [[AnswersIn(0, 1)], [AnswersIn(0, 2)], [AnswersIn(0, 3)]]


def test_a_changed_answer_adds_nobody() -> None:
    """A button game's second click by the same player changes the answer and tells no new tally."""
    game = started()
    game.answer(10, "ten", 0, WRONG, T0 + 1)
    _, effects = game.answer(10, "ten", 0, CORRECT, T0 + 2)
    assert effects == []


def test_a_typed_repeat_is_ignored_without_a_tally() -> None:
    """In a typed game a player's later messages are ignored: no tally for them."""
    game = typed_session()
    game.start(T0)
    assert game.answer(10, "ten", 0, "Lyon", T0 + 1)[1] == [AnswersIn(0, 1)]
    assert game.answer(10, "ten", 0, "Nice", T0 + 2)[1] == []


def test_the_tally_counts_the_question_it_belongs_to() -> None:
    """The second question's tally starts again from one."""
    game = started()
    game.answer(10, "ten", 0, CORRECT, T0 + 1)
    game.answer(11, "eleven", 0, CORRECT, T0 + 2)
    game.close(0, T0 + TIMEOUT)
    game.advance(0, T0 + TIMEOUT + 5)
    assert game.answer(11, "eleven", 1, CORRECT, T0 + TIMEOUT + 6)[1] == [AnswersIn(1, 1)]


def test_a_question_of_the_day_tells_no_tally() -> None:
    """A day's answers trickle in for hours and no screen shows them: nothing is told."""
    game = QuizSession(
        GUILD_ID, CHANNEL_ID, RUN_ID, HOST_ID, SessionConfig.daily("general"), (mc_question(),), T0
    )
    game.start(T0)
    assert game.answer(10, "ten", 0, CORRECT, T0 + 60)[1] == []


def test_a_resumed_question_without_answers_tells_no_tally() -> None:
    """Continue after a restart re-opens an unanswered question: just the question and its timer."""
    game = started()
    game.pause()
    effects = game.resume(HOST_ID, False, T0 + 100)
    assert effects == [
        PostQuestion(0, 3, game.question, T0 + 100 + TIMEOUT),
        ScheduleTimer("close", 0, T0 + 100 + TIMEOUT),
    ]
