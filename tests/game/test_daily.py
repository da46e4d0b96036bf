"""The question of the day in the game core: one question open for 24 hours, answers that reveal
nothing until the close, the reveal at the end, and a restart that keeps its deadline."""

from __future__ import annotations

import orjson
import pytest

from quizbot.errors import InvalidState, InvalidValue, QuestionClosed
from quizbot.game.config import DAILY_WINDOW, SessionKind
from quizbot.game.effects import (
    AnnounceEnd,
    PostQuestion,
    RecordAnswers,
    RecordRun,
    Reveal,
    ScheduleTimer,
    ShowScores,
)
from quizbot.game.session import AnswerMode, AnswerOutcome, Phase, QuizSession, SessionConfig
from quizbot.game.snapshot import open_until, session_from_dict, session_to_dict
from tests.game.factories import CHANNEL_ID, CORRECT, GUILD_ID, HOST_ID, RUN_ID, T0, WRONG, mc_question


def daily() -> QuizSession:
    """A question of the day opened at T0."""
    game = QuizSession(
        GUILD_ID, CHANNEL_ID, RUN_ID, HOST_ID, SessionConfig.daily("general"), (mc_question(),), T0
    )
    game.start(T0)
    return game


def test_the_question_stays_open_for_24_hours() -> None:
    """Its deadline is a day after it opened, and its close timer is set for then."""
    game = QuizSession(
        GUILD_ID, CHANNEL_ID, RUN_ID, HOST_ID, SessionConfig.daily("general"), (mc_question(),), T0
    )
    effects = game.start(T0)
    assert effects == [
        PostQuestion(0, 1, game.question, T0 + DAILY_WINDOW),
        ScheduleTimer("close", 0, T0 + DAILY_WINDOW),
    ]
    assert game.config.kind is SessionKind.DAILY


@pytest.mark.parametrize("hours", [23, 25])
def test_on_the_days_clocks_change_it_stays_open_until_the_next_post(hours: int) -> None:
    """A window of 23 or 25 hours (the next day's post at the same local hour) closes then."""
    config = SessionConfig.daily("general", window=hours * 3600.0)
    game = QuizSession(GUILD_ID, CHANNEL_ID, RUN_ID, HOST_ID, config, (mc_question(),), T0)
    assert game.start(T0)[-1] == ScheduleTimer("close", 0, T0 + hours * 3600)
    game.answer(10, "ten", 0, CORRECT, T0 + hours * 3600)
    with pytest.raises(QuestionClosed):
        game.answer(11, "eleven", 0, CORRECT, T0 + hours * 3600 + 1)


def test_answers_are_taken_all_day_and_say_nothing_of_being_right() -> None:
    """An answer hours later is accepted and changes nothing in the channel; a change is allowed."""
    game = daily()
    assert game.answer(10, "ten", 0, CORRECT, T0 + 3600) == (AnswerOutcome.ACCEPTED, [])
    assert game.answer(11, "eleven", 0, WRONG, T0 + DAILY_WINDOW - 1) == (AnswerOutcome.ACCEPTED, [])
    assert game.answer(11, "eleven", 0, CORRECT, T0 + DAILY_WINDOW) == (AnswerOutcome.CHANGED, [])
    assert game.phase is Phase.QUESTION_OPEN


def test_an_answer_after_the_24_hours_is_refused() -> None:
    """A click a second past the deadline is too late, even before the close timer fired."""
    game = daily()
    with pytest.raises(QuestionClosed):
        game.answer(10, "ten", 0, CORRECT, T0 + DAILY_WINDOW + 1)


def test_the_close_records_everyone_and_leaves_the_reveal_to_the_next_post() -> None:
    """At the end: the answers recorded (the next day's post reveals them), then the run; no scores,
    no podium, nothing shown in the channel by the session itself."""
    game = daily()
    game.answer(10, "ten", 0, CORRECT, T0 + 60)
    game.answer(11, "eleven", 0, WRONG, T0 + 120)
    effects = game.close(0, T0 + DAILY_WINDOW)
    assert [type(e) for e in effects] == [RecordAnswers, ScheduleTimer]
    record = effects[0]
    assert isinstance(record, RecordAnswers)
    assert [(r.user_id, r.correct) for r in record.results] == [(10, True), (11, False)]
    assert not any(isinstance(e, Reveal | ShowScores) for e in effects)
    ending = game.advance(0, T0 + DAILY_WINDOW)
    assert [type(e) for e in ending] == [RecordRun]
    assert not any(isinstance(e, AnnounceEnd) for e in ending)
    assert game.phase is Phase.FINISHED


def test_a_restart_keeps_its_answers_and_deadline_without_pausing() -> None:
    """A respawned question of the day is not held for Continue: it is posted again, closing at the
    same time."""
    game = daily()
    game.answer(10, "ten", 0, CORRECT, T0 + 60)
    restored = session_from_dict(
        orjson.loads(orjson.dumps(session_to_dict(game))),
        questions={game.question.identity: game.question},
    )
    assert restored.config == game.config and restored.answers == game.answers
    assert restored.pause() == [
        PostQuestion(0, 1, game.question, T0 + DAILY_WINDOW),  # fresh buttons for the new process
        ScheduleTimer("close", 0, T0 + DAILY_WINDOW),
    ]
    assert not restored.paused
    assert restored.answer(12, "twelve", 0, CORRECT, T0 + 7200)[0] is AnswerOutcome.ACCEPTED


def test_a_restart_after_the_close_finishes_it_at_once() -> None:
    """Revealed but not yet ended when the process died: the advance is set again, and ends it."""
    game = daily()
    game.close(0, T0 + DAILY_WINDOW)
    assert game.pause() == [ScheduleTimer("advance", 0, T0 + DAILY_WINDOW)]


def test_a_game_still_pauses() -> None:
    """Only the question of the day skips the pause: a game waits for Continue as before."""
    game = QuizSession(GUILD_ID, CHANNEL_ID, RUN_ID, HOST_ID, SessionConfig(1), (mc_question(),), T0)
    game.start(T0)
    assert game.pause() == []
    assert game.paused


def test_its_snapshot_row_outlives_the_24_hours() -> None:
    """The snapshot says until when the session waits on its own; a game's says nothing."""
    game = daily()
    assert open_until({"session": session_to_dict(game)}) == T0 + DAILY_WINDOW
    plain = QuizSession(GUILD_ID, CHANNEL_ID, RUN_ID, HOST_ID, SessionConfig(1), (mc_question(),), T0)
    assert open_until({"session": session_to_dict(plain)}) == 0.0
    assert open_until({}) == 0.0


@pytest.mark.parametrize(
    "fields",
    [
        {"question_count": 2},
        {"question_timeout": 120.0},
        {"question_timeout": DAILY_WINDOW + 3601},
        {"question_timeout": True},
        {"mode": AnswerMode.TYPED},
        {"teams": 2},
        {"single_answer": True},
        {"close_on_answer": True},
    ],
)
def test_a_daily_config_is_one_button_question_for_a_day(fields: dict[str, object]) -> None:
    """Anything else is refused (open 1 to 25 hours), and a game may still not last a day."""
    values: dict[str, object] = {
        "question_count": 1,
        "question_timeout": DAILY_WINDOW,
        "kind": SessionKind.DAILY,
    }
    values.update(fields)
    with pytest.raises(InvalidValue):
        SessionConfig(**values)  # type: ignore[arg-type]
    with pytest.raises(InvalidValue):
        SessionConfig(1, DAILY_WINDOW)
    with pytest.raises(InvalidValue):
        SessionConfig(kind="weekly")  # type: ignore[arg-type]


def test_a_question_of_the_day_gives_no_hints() -> None:
    """A hint would be shown to the whole channel for a day: there are none to give."""
    game = daily()
    with pytest.raises(InvalidState, match="no more hints"):
        game.hint(T0 + 60)
    assert game.hints_shown == 0


@pytest.mark.parametrize("action", ["stop", "skip"])
def test_a_moderator_cannot_stop_or_skip_the_question_of_the_day(action: str) -> None:
    """Stopping would throw the day's answers away and skipping would reveal it early: both are
    refused, even to a moderator, and the answers stay."""
    game = daily()
    game.answer(10, "ten", 0, CORRECT, T0 + 60)
    with pytest.raises(InvalidState, match="question of the day is not stopped or skipped"):
        getattr(game, action)(HOST_ID, True, T0 + 120)
    assert game.phase is Phase.QUESTION_OPEN and 10 in game.answers
