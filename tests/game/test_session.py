"""The session state machine: opening, answering, closing, advancing, control by the host, and the end."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest

from quizbot.errors import InvalidState, InvalidValue, NotHost, QuestionClosed, QuizbotError
from quizbot.game.effects import (
    AnnounceEnd,
    AnnounceExpiry,
    AnswersIn,
    Effect,
    PostQuestion,
    RecordAnswers,
    RecordRun,
    Result,
    Reveal,
    ScheduleTimer,
    ShowScores,
    Standing,
)
from quizbot.game.progression import Difficulty
from quizbot.game.reviews import Recall
from quizbot.game.scoring import points_for
from quizbot.game.session import (
    AnswerMode,
    AnswerOutcome,
    Phase,
    Player,
    QuizSession,
    SessionConfig,
)
from quizbot.game.snapshot import session_to_dict
from tests.game.factories import (
    CORRECT,
    HOST_ID,
    REVEAL_PAUSE,
    RUN_ID,
    STRANGER_ID,
    T0,
    TIMEOUT,
    WRONG,
    finished,
    mc_question,
    questions,
    revealed,
    run_record,
    session,
    started,
    typed_session,
)

MODERATOR_ID = 2
Setup = Callable[[], QuizSession]


def stopped() -> QuizSession:
    """A session the host stopped during its first question."""
    game = started()
    game.stop(HOST_ID, False, T0 + 1)
    return game


def expired() -> QuizSession:
    """A session that expired during its first question."""
    game = started()
    game.expire(T0 + 600)
    return game


def paused() -> QuizSession:
    """A session paused (after a restart) while its first question is open."""
    game = started()
    game.pause()
    return game


# --- start -------------------------------------------------------------------------------------


def test_start_posts_the_first_question_and_schedules_its_close() -> None:
    """start opens question 0 with a deadline `timeout` seconds later and a close timer for it."""
    game = session(3)
    effects = game.start(T0)
    deadline = T0 + TIMEOUT
    assert effects == [PostQuestion(0, 3, game.questions[0], deadline), ScheduleTimer("close", 0, deadline)]
    assert (game.phase, game.index, game.opened_at, game.deadline) == (Phase.QUESTION_OPEN, 0, T0, deadline)


@pytest.mark.parametrize("setup", [started, revealed, finished, paused], ids=lambda f: f.__name__)
def test_start_only_from_created(setup: Setup) -> None:
    """A session that already started cannot start again."""
    with pytest.raises(InvalidState, match="cannot start"):
        setup().start(T0 + 100)


def test_new_session_has_activity_at_creation() -> None:
    """last_activity starts at created_at, so an idle new session can expire."""
    assert session().last_activity == T0


# --- answering ---------------------------------------------------------------------------------


def test_first_answer_is_accepted() -> None:
    """A player's first answer is ACCEPTED, recorded with its time, and makes them a player."""
    game = started()
    outcome, effects = game.answer(10, "ten", 0, CORRECT, T0 + 2)
    assert (outcome, effects) == (AnswerOutcome.ACCEPTED, [AnswersIn(0, 1)])
    assert game.answers == {10: (CORRECT, T0 + 2, 2.0)}
    assert game.players == {10: Player("ten")}
    assert game.last_activity == T0 + 2


def test_button_answer_can_change_and_the_last_choice_counts() -> None:
    """With buttons, a second click before the close is CHANGED and replaces the first."""
    game = started()
    game.answer(10, "ten", 0, WRONG, T0 + 1)
    outcome, _ = game.answer(10, "ten", 0, CORRECT, T0 + 15)
    assert outcome is AnswerOutcome.CHANGED
    reveal = game.close(0, T0 + TIMEOUT)[0]
    assert isinstance(reveal, Reveal)
    assert reveal.results == (Result(10, "ten", True, 150, 15, T0 + 15),)


def test_typed_second_answer_is_ignored_and_the_first_counts() -> None:
    """In typed mode a player's second message is IGNORED; only the first answer is judged."""
    game = typed_session()
    game.start(T0)
    game.answer(10, "ten", 0, "Lyon", T0 + 1)
    outcome, effects = game.answer(10, "ten", 0, "Paris", T0 + 2)
    assert (outcome, effects) == (AnswerOutcome.IGNORED, [])
    assert game.answers == {10: ("Lyon", T0 + 1, 1.0)}
    reveal = game.close(0, T0 + TIMEOUT)[0]
    assert isinstance(reveal, Reveal)
    assert [r.correct for r in reveal.results] == [False]


def test_typed_answer_is_judged_by_the_matcher() -> None:
    """A typed answer differing only in case and accents is correct and scores by speed."""
    game = typed_session()
    game.start(T0)
    game.answer(10, "ten", 0, "  ville LUMIERE ", T0)
    reveal = game.close(0, T0 + TIMEOUT)[0]
    assert isinstance(reveal, Reveal)
    assert reveal.results == (Result(10, "ten", True, 300, 30, T0, Recall.EASY),)  # right at once


def test_custom_matcher_is_used_for_typed_answers() -> None:
    """The session judges typed answers with the matcher it was given."""
    game = typed_session(matcher=lambda _question, response: response == "anything goes")
    game.start(T0)
    game.answer(10, "ten", 0, "anything goes", T0)
    game.answer(11, "eleven", 0, "Paris", T0)
    reveal = game.close(0, T0 + TIMEOUT)[0]
    assert isinstance(reveal, Reveal)
    assert {r.user_id: r.correct for r in reveal.results} == {10: True, 11: False}


def test_answer_exactly_at_the_deadline_is_accepted() -> None:
    """The deadline instant itself still counts, for half the points."""
    game = started()
    outcome, _ = game.answer(10, "ten", 0, CORRECT, T0 + TIMEOUT)
    assert outcome is AnswerOutcome.ACCEPTED


def answer_wrong_index(game: QuizSession) -> None:
    game.answer(10, "ten", 1, CORRECT, T0 + 1)


def answer_late(game: QuizSession) -> None:
    game.answer(10, "ten", 0, CORRECT, T0 + TIMEOUT + 0.001)


def answer_after_close(game: QuizSession) -> None:
    game.close(0, T0 + 5)
    game.answer(10, "ten", 0, CORRECT, T0 + 6)


def answer_before_start(_game: QuizSession) -> None:
    session().answer(10, "ten", 0, CORRECT, T0)


def answer_while_paused(game: QuizSession) -> None:
    game.pause()
    game.answer(10, "ten", 0, CORRECT, T0 + 1)


def answer_after_stop(game: QuizSession) -> None:
    game.stop(HOST_ID, False, T0 + 1)
    game.answer(10, "ten", 0, CORRECT, T0 + 2)


def answer_after_finish(_game: QuizSession) -> None:
    finished().answer(10, "ten", 1, CORRECT, T0 + 1000)


@pytest.mark.parametrize(
    ("act", "error"),
    [
        (answer_wrong_index, QuestionClosed),
        (answer_late, QuestionClosed),
        (answer_after_close, QuestionClosed),
        (answer_before_start, QuestionClosed),
        (answer_while_paused, InvalidState),
        (answer_after_stop, InvalidState),
        (answer_after_finish, InvalidState),
    ],
    ids=lambda value: getattr(value, "__name__", ""),
)
def test_answer_when_not_open_is_refused(act: Callable[[QuizSession], None], error: type[Exception]) -> None:
    """Answers to another question, after the deadline or close, or while paused or over are refused."""
    with pytest.raises(error):
        act(started())


def test_late_answer_changes_nothing() -> None:
    """An answer after the deadline (timer not yet fired) is not recorded and adds no player."""
    game = started()
    with pytest.raises(QuestionClosed, match="question 1 is no longer open"):
        game.answer(10, "ten", 0, CORRECT, T0 + TIMEOUT + 1)
    assert (game.answers, game.players, game.last_activity) == ({}, {}, T0)


@pytest.mark.parametrize(
    ("mode", "response"),
    [
        (AnswerMode.BUTTONS, 4),
        (AnswerMode.BUTTONS, -1),
        (AnswerMode.BUTTONS, True),
        (AnswerMode.BUTTONS, False),
        (AnswerMode.BUTTONS, "1"),
        (AnswerMode.BUTTONS, 1.0),
        (AnswerMode.BUTTONS, None),
        (AnswerMode.TYPED, ""),
        (AnswerMode.TYPED, "   "),
        (AnswerMode.TYPED, "x" * 201),
        (AnswerMode.TYPED, 1),
        (AnswerMode.TYPED, None),
    ],
)
def test_bad_response_is_refused(mode: AnswerMode, response: Any) -> None:
    """Out-of-range or non-integer button answers and empty, overlong or non-text typed ones fail."""
    game = started(mode=mode)
    with pytest.raises(InvalidValue):
        game.answer(10, "ten", 0, response, T0 + 1)
    assert (game.answers, game.players) == ({}, {})


def test_typed_answer_of_200_characters_is_accepted() -> None:
    """200 characters is the longest typed answer."""
    game = typed_session()
    game.start(T0)
    outcome, _ = game.answer(10, "ten", 0, "y" * 200, T0 + 1)
    assert outcome is AnswerOutcome.ACCEPTED


@pytest.mark.parametrize("user_id", [-1, True, 2**63, "10"])
def test_bad_user_id_is_refused(user_id: Any) -> None:
    """An answer from something that is not a Discord id raises InvalidValue."""
    with pytest.raises(InvalidValue, match="user_id"):
        started().answer(user_id, "who", 0, CORRECT, T0 + 1)


# --- closing -----------------------------------------------------------------------------------


def test_close_reveals_records_scores_and_schedules_advance() -> None:
    """Closing yields Reveal, RecordAnswers, ShowScores and an advance timer after the reveal pause."""
    game = started()
    game.answer(11, "eleven", 0, WRONG, T0 + 6)
    game.answer(10, "ten", 0, CORRECT, T0 + 3)
    now = T0 + TIMEOUT
    effects = game.close(0, now)
    results = (
        Result(10, "ten", True, 190, 19, T0 + 3, Recall.EASY),
        Result(11, "eleven", False, 0, 0, T0 + 6, Recall.AGAIN),
    )
    standings = (Standing(10, "ten", 190, 1, 0), Standing(11, "eleven", 0, 0, 1))
    assert effects == [
        Reveal(0, game.questions[0], results),
        RecordAnswers(RUN_ID, 0, "science", Difficulty.MEDIUM, results, game.questions[0].identity),
        ShowScores(standings),
        ScheduleTimer("advance", 0, now + REVEAL_PAUSE),
    ]
    assert game.phase is Phase.REVEALED


def test_close_with_no_answers_reveals_nobody() -> None:
    """A question nobody answered still reveals, with no results."""
    game = started()
    effects = game.close(0, T0 + TIMEOUT)
    assert effects[0] == Reveal(0, game.questions[0], ())
    assert effects[2] == ShowScores(())


@pytest.mark.parametrize(
    ("difficulty", "elapsed", "points", "recall"),
    [
        (Difficulty.EASY, 0.0, 100, Recall.EASY),
        (Difficulty.MEDIUM, 0.0, 200, Recall.EASY),
        (Difficulty.HARD, 0.0, 300, Recall.EASY),
        (Difficulty.EASY, TIMEOUT, 50, Recall.GOOD),
        (Difficulty.MEDIUM, TIMEOUT / 2, 150, Recall.GOOD),
        (Difficulty.HARD, TIMEOUT, 150, Recall.GOOD),
    ],
)
def test_points_follow_speed_and_question_difficulty(
    difficulty: Difficulty, elapsed: float, points: int, recall: Recall
) -> None:
    """A correct answer scores by the question's difficulty and how soon it came; XP is a tenth."""
    game = session(items=questions(2, difficulty=difficulty))
    game.start(T0)
    game.answer(10, "ten", 0, CORRECT, T0 + elapsed)
    reveal = game.close(0, T0 + TIMEOUT)[0]
    assert isinstance(reveal, Reveal)
    assert reveal.results == (Result(10, "ten", True, points, points // 10, T0 + elapsed, recall),)


def test_scores_add_up_across_questions() -> None:
    """Points, correct and wrong counts accumulate over the whole quiz."""
    game = started(3)
    game.answer(10, "ten", 0, CORRECT, T0)
    game.close(0, T0 + TIMEOUT)
    game.advance(0, T0 + 40)
    game.answer(10, "ten", 1, WRONG, T0 + 40)
    game.close(1, T0 + 70)
    game.advance(1, T0 + 80)
    game.answer(10, "ten", 2, CORRECT, T0 + 95)
    game.close(2, T0 + 110)
    assert game.players[10] == Player("ten", 350, 2, 1, current_run=1, best_run=1, fastest_correct=0.0)


@pytest.mark.parametrize(
    ("setup", "kind", "index"),
    [
        (started, "close", 1),
        (revealed, "close", 0),
        (paused, "close", 0),
        (started, "advance", 0),
        (revealed, "advance", 1),
        (finished, "close", 1),
        (finished, "advance", 1),
        (stopped, "close", 0),
        (expired, "advance", 0),
    ],
    ids=lambda value: getattr(value, "__name__", str(value)),
)
def test_stale_timer_does_nothing(setup: Setup, kind: str, index: int) -> None:
    """A timer for another question or the wrong phase returns no effects and changes no state."""
    game = setup()
    before = session_to_dict(game)
    fire = game.close if kind == "close" else game.advance
    assert fire(index, T0 + 500) == []
    assert session_to_dict(game) == before


def test_revealed_and_paused_advance_timer_does_nothing() -> None:
    """While paused after a reveal, the advance timer is ignored until Continue."""
    game = revealed()
    game.pause()
    assert game.advance(0, T0 + 100) == []
    assert game.phase is Phase.REVEALED


# --- advancing and finishing -------------------------------------------------------------------


def test_advance_opens_the_next_question_with_no_answers() -> None:
    """After a reveal, advance posts the next question with a fresh deadline and clears the answers."""
    game = revealed(3)
    now = T0 + 40
    effects = game.advance(0, now)
    assert effects == [
        PostQuestion(1, 3, game.questions[1], now + TIMEOUT),
        ScheduleTimer("close", 1, now + TIMEOUT),
    ]
    assert (game.phase, game.index, game.answers) == (Phase.QUESTION_OPEN, 1, {})


def test_advance_after_the_last_question_finishes() -> None:
    """Advancing past the last question ends FINISHED with the podium and the run to record."""
    game = revealed(1)
    now = T0 + 40
    effects = game.advance(0, now)
    standings = (Standing(10, "ten", 190, 1, 0), Standing(11, "eleven", 0, 0, 1))
    assert effects == [
        AnnounceEnd("finished", standings, None, RUN_ID),
        run_record("finished", (10, 11), now, question_count=1),
    ]
    assert game.phase is Phase.FINISHED


def test_participants_are_sorted_by_user_id() -> None:
    """RecordRun lists every player once, in ascending user id order."""
    game = started(1)
    for user_id in (30, 10, 20):
        game.answer(user_id, f"user{user_id}", 0, CORRECT, T0 + 1)
    game.close(0, T0 + TIMEOUT)
    run = game.advance(0, T0 + 40)[1]
    assert isinstance(run, RecordRun)
    assert run.participants == (10, 20, 30)


# --- single answer -----------------------------------------------------------------------------


def test_single_answer_closes_on_the_first_correct_answer() -> None:
    """In single-answer mode the first right answer reveals at once."""
    game = started(single_answer=True)
    outcome, effects = game.answer(10, "ten", 0, CORRECT, T0 + 3)
    assert outcome is AnswerOutcome.ACCEPTED
    assert [type(e) for e in effects] == [Reveal, RecordAnswers, ShowScores, ScheduleTimer]
    assert effects[-1] == ScheduleTimer("advance", 0, T0 + 3 + REVEAL_PAUSE)
    assert game.phase is Phase.REVEALED


def test_single_answer_wrong_answer_keeps_the_question_open() -> None:
    """A wrong answer in single-answer mode does not close the question."""
    game = started(single_answer=True)
    outcome, effects = game.answer(10, "ten", 0, WRONG, T0 + 3)
    assert (outcome, effects) == (AnswerOutcome.ACCEPTED, [AnswersIn(0, 1)])
    assert game.phase is Phase.QUESTION_OPEN


def test_single_answer_typed_closes_on_a_matching_answer() -> None:
    """Typed single-answer mode closes when the typed answer matches."""
    game = typed_session(single_answer=True)
    game.start(T0)
    assert game.answer(10, "ten", 0, "Lyon", T0 + 1)[1] == [AnswersIn(0, 1)]
    _, effects = game.answer(11, "eleven", 0, "paris", T0 + 2)
    reveal = effects[0]
    assert isinstance(reveal, Reveal)
    assert {r.user_id: r.correct for r in reveal.results} == {10: False, 11: True}


def test_close_on_answer_closes_on_a_wrong_answer_too() -> None:
    """A study session's question closes at its player's first answer, right or wrong, rated Again."""
    game = started(config=replace(session().config, close_on_answer=True))
    outcome, effects = game.answer(10, "ten", 0, WRONG, T0 + 3)
    assert outcome is AnswerOutcome.ACCEPTED
    assert [type(e) for e in effects] == [Reveal, RecordAnswers, ShowScores, ScheduleTimer]
    reveal = effects[0]
    assert isinstance(reveal, Reveal)
    assert [(r.user_id, r.correct, r.recall) for r in reveal.results] == [(10, False, Recall.AGAIN)]
    assert game.phase is Phase.REVEALED


def test_close_on_answer_is_off_by_default() -> None:
    """Without it (a channel game) a wrong answer leaves the question open for the others."""
    game = started()
    assert game.answer(10, "ten", 0, WRONG, T0 + 3) == (AnswerOutcome.ACCEPTED, [AnswersIn(0, 1)])
    assert game.phase is Phase.QUESTION_OPEN


# --- host control ------------------------------------------------------------------------------


def skip(game: QuizSession, user_id: int, is_moderator: bool) -> list[Effect]:
    return game.skip(user_id, is_moderator, T0 + 5)


def stop(game: QuizSession, user_id: int, is_moderator: bool) -> list[Effect]:
    return game.stop(user_id, is_moderator, T0 + 5)


def resume(game: QuizSession, user_id: int, is_moderator: bool) -> list[Effect]:
    game.pause()
    return game.resume(user_id, is_moderator, T0 + 5)


Control = Callable[[QuizSession, int, bool], list[Effect]]
CONTROLS = [skip, stop, resume]


@pytest.mark.parametrize("control", CONTROLS, ids=lambda f: f.__name__)
def test_control_by_a_stranger_is_refused(control: Control) -> None:
    """Skip, stop and continue by someone neither host nor moderator raise NotHost and change nothing."""
    game = started()
    game.answer(10, "ten", 0, CORRECT, T0 + 1)
    if control is resume:
        game.pause()
    before = session_to_dict(game)
    with pytest.raises(NotHost):
        control(game, STRANGER_ID, False)
    assert session_to_dict(game) == before


@pytest.mark.parametrize("control", CONTROLS, ids=lambda f: f.__name__)
@pytest.mark.parametrize(("user_id", "is_moderator"), [(HOST_ID, False), (MODERATOR_ID, True)])
def test_control_by_host_or_moderator_works(control: Control, user_id: int, is_moderator: bool) -> None:
    """The host and any moderator may skip, stop and continue."""
    game = started()
    assert control(game, user_id, is_moderator) != []


def test_skip_reveals_now() -> None:
    """Skipping closes the open question at once and schedules the advance from now."""
    game = started()
    game.answer(10, "ten", 0, CORRECT, T0 + 1)
    effects = game.skip(HOST_ID, False, T0 + 5)
    assert effects[-1] == ScheduleTimer("advance", 0, T0 + 5 + REVEAL_PAUSE)
    assert game.phase is Phase.REVEALED
    assert game.last_activity == T0 + 5


@pytest.mark.parametrize("setup", [session, revealed], ids=lambda f: f.__name__)
def test_skip_without_an_open_question_is_invalid(setup: Setup) -> None:
    """There is nothing to skip before the start or during a reveal."""
    with pytest.raises(InvalidState, match="no open question"):
        setup().skip(HOST_ID, False, T0 + 100)


@pytest.mark.parametrize("setup", [finished, stopped, expired, paused], ids=lambda f: f.__name__)
def test_skip_when_over_or_paused_is_invalid(setup: Setup) -> None:
    """A quiz that is over or paused cannot be skipped."""
    with pytest.raises(InvalidState):
        setup().skip(HOST_ID, False, T0 + 100)


def test_stop_discards_open_answers_and_ends_stopped() -> None:
    """Stopping ends STOPPED by whom; answers to the open question score nothing and are not recorded."""
    game = revealed(3)
    game.advance(0, T0 + 40)
    game.answer(11, "eleven", 1, CORRECT, T0 + 41)
    effects = game.stop(MODERATOR_ID, True, T0 + 50)
    standings = (Standing(10, "ten", 190, 1, 0), Standing(11, "eleven", 0, 0, 1))
    assert effects == [
        AnnounceEnd("stopped", standings, MODERATOR_ID, RUN_ID),
        run_record("stopped", (10, 11), T0 + 50),
    ]
    assert game.phase is Phase.STOPPED


def test_stop_before_start_ends_with_nobody() -> None:
    """A quiz stopped before its first question records a run without participants."""
    effects = session().stop(HOST_ID, False, T0 + 1)
    assert effects == [AnnounceEnd("stopped", (), HOST_ID, RUN_ID), run_record("stopped", (), T0 + 1)]


@pytest.mark.parametrize("setup", [finished, stopped, expired], ids=lambda f: f.__name__)
def test_stop_when_over_is_invalid(setup: Setup) -> None:
    """A quiz that is already over cannot be stopped again."""
    with pytest.raises(InvalidState, match="already over"):
        setup().stop(HOST_ID, False, T0 + 1000)


# --- expiry ------------------------------------------------------------------------------------


def test_expire_announces_idle_time_and_records_the_run() -> None:
    """Expiry reports how long the quiz sat idle and records an expired run, without a podium."""
    game = started()
    game.answer(10, "ten", 0, CORRECT, T0 + 5)
    effects = game.expire(T0 + 905)
    assert effects == [AnnounceExpiry(900.0), run_record("expired", (10,), T0 + 905)]
    assert game.phase is Phase.EXPIRED


def test_expire_a_paused_session() -> None:
    """A paused session nobody continued can expire and is no longer paused."""
    game = paused()
    effects = game.expire(T0 + 3600)
    assert effects[0] == AnnounceExpiry(3600.0)
    assert (game.phase, game.paused) == (Phase.EXPIRED, False)


@pytest.mark.parametrize("setup", [finished, stopped, expired], ids=lambda f: f.__name__)
def test_expire_when_over_does_nothing(setup: Setup) -> None:
    """Expiring a quiz that is already over returns no effects and keeps its outcome."""
    game = setup()
    phase = game.phase
    assert game.expire(T0 + 10_000) == []
    assert game.phase is phase


# --- pause and resume --------------------------------------------------------------------------


def test_resume_reopens_the_same_question_keeping_answers_and_scores() -> None:
    """Continue re-posts the open question with a fresh deadline; answers and scores survive."""
    game = revealed(3)
    game.advance(0, T0 + 40)
    game.answer(11, "eleven", 1, CORRECT, T0 + 45)
    game.pause()
    scores = session_to_dict(game)["players"]
    now = T0 + 500
    effects = game.resume(HOST_ID, False, now)
    assert effects == [
        PostQuestion(1, 3, game.questions[1], now + TIMEOUT),
        AnswersIn(1, 1),  # the tally so far, for a live screen
        ScheduleTimer("close", 1, now + TIMEOUT),
    ]
    assert (game.phase, game.index, game.paused, game.deadline) == (
        Phase.QUESTION_OPEN,
        1,
        False,
        now + TIMEOUT,
    )
    assert game.answers == {11: (CORRECT, T0 + 45, 5.0)}
    assert session_to_dict(game)["players"] == scores


def test_answers_are_taken_again_after_resume() -> None:
    """After Continue, answers before the fresh deadline are accepted again."""
    game = paused()
    game.resume(HOST_ID, False, T0 + 500)
    outcome, _ = game.answer(10, "ten", 0, CORRECT, T0 + 520)
    assert outcome is AnswerOutcome.ACCEPTED


def test_resume_before_the_start_opens_the_first_question() -> None:
    """A session paused before it started opens question 0 on Continue."""
    game = session()
    game.pause()
    effects = game.resume(HOST_ID, False, T0 + 10)
    assert effects[0] == PostQuestion(0, 3, game.questions[0], T0 + 10 + TIMEOUT)


def test_resume_after_a_reveal_moves_on() -> None:
    """A session paused during a reveal continues with the next question."""
    game = revealed(3)
    game.pause()
    effects = game.resume(HOST_ID, False, T0 + 100)
    assert effects[0] == PostQuestion(1, 3, game.questions[1], T0 + 100 + TIMEOUT)


def test_resume_after_the_last_reveal_finishes() -> None:
    """A session paused during its last reveal finishes on Continue."""
    game = revealed(1)
    game.pause()
    effects = game.resume(HOST_ID, False, T0 + 100)
    assert [type(e) for e in effects] == [AnnounceEnd, RecordRun]
    assert game.phase is Phase.FINISHED


@pytest.mark.parametrize("setup", [session, started, revealed, finished], ids=lambda f: f.__name__)
def test_resume_when_not_paused_is_invalid(setup: Setup) -> None:
    """Continue on a session that is not waiting for it raises InvalidState."""
    with pytest.raises(InvalidState, match="not waiting to continue"):
        setup().resume(HOST_ID, False, T0 + 100)


def test_pause_when_over_does_nothing() -> None:
    """A finished quiz cannot be paused."""
    game = finished()
    game.pause()
    assert game.paused is False


def test_timers_do_nothing_while_paused() -> None:
    """The close timer of a paused question is ignored, leaving the question open."""
    game = paused()
    assert game.close(0, T0 + TIMEOUT) == []
    assert game.phase is Phase.QUESTION_OPEN


# --- standings ---------------------------------------------------------------------------------


def test_standings_order() -> None:
    """Standings rank by points, then fewer wrong answers, then lower user id."""
    players = {
        50: Player("e", 100, 1, 3),
        40: Player("d", 300, 2, 0),
        30: Player("c", 100, 1, 1),
        20: Player("b", 100, 1, 1),
        10: Player("a", 0, 0, 0),
    }
    game = session(players=players)
    assert [s.user_id for s in game.standings()] == [40, 20, 30, 50, 10]
    assert game.standings()[0] == Standing(40, "d", 300, 2, 0)


# --- construction ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"question_count": 0}, "question count"),
        ({"question_count": 21}, "question count"),
        ({"question_count": True}, "question count"),
        ({"question_count": 2.0}, "question count"),
        ({"question_count": "5"}, "question count"),
        ({"question_timeout": 4}, "timeout"),
        ({"question_timeout": 4.99}, "timeout"),
        ({"question_timeout": 121}, "timeout"),
        ({"question_timeout": True}, "timeout"),
        ({"question_timeout": float("nan")}, "timeout"),
        ({"question_timeout": "30"}, "timeout"),
        ({"question_timeout": None}, "timeout"),
        ({"difficulty": "impossible"}, "unknown difficulty"),
        ({"mode": "voice"}, "unknown answer mode"),
    ],
)
def test_invalid_session_config_is_refused(fields: dict[str, Any], problem: str) -> None:
    """Counts outside 1..20, timeouts outside 5..120 s, and unknown difficulty or mode raise InvalidValue."""
    with pytest.raises(InvalidValue, match=problem):
        SessionConfig(**fields)


@pytest.mark.parametrize(
    "fields",
    [{"question_count": 1}, {"question_count": 20}, {"question_timeout": 5}, {"question_timeout": 120.0}],
)
def test_session_config_limits_are_inclusive(fields: dict[str, Any]) -> None:
    """The ends of each range are allowed."""
    assert SessionConfig(**fields) is not None


def test_session_config_strings_become_enums() -> None:
    """Difficulty and mode given as strings are stored as their enums."""
    fields: dict[str, Any] = {"difficulty": "hard", "mode": "typed"}
    config = SessionConfig(**fields)
    assert (config.difficulty, config.mode) == (Difficulty.HARD, AnswerMode.TYPED)


@pytest.mark.parametrize("count", [2, 4])
def test_wrong_number_of_questions_is_refused(count: int) -> None:
    """A 3-question quiz must get exactly 3 questions."""
    config = SessionConfig(question_count=3)
    with pytest.raises(InvalidValue, match="3-question quiz got"):
        session(items=questions(3), config=config, questions=questions(count))


@pytest.mark.parametrize("field", ["guild_id", "channel_id", "host_id"])
@pytest.mark.parametrize("value", [-1, True, 2**63])
def test_bad_ids_are_refused(field: str, value: Any) -> None:
    """Guild, channel and host must be Discord ids."""
    with pytest.raises(InvalidValue, match=field):
        session(**{field: value})


# --- many players ------------------------------------------------------------------------------


def test_fifty_players_are_each_counted_once() -> None:
    """50 players answering (some changing their minds) yield exactly one result and standing each."""
    game = started(2)
    users = range(1000, 1050)
    for offset, user_id in enumerate(users):
        game.answer(user_id, f"p{user_id}", 0, WRONG, T0 + offset * 0.1)
    for user_id in users[::2]:
        assert game.answer(user_id, f"p{user_id}", 0, CORRECT, T0 + 10)[0] is AnswerOutcome.CHANGED
    effects = game.close(0, T0 + TIMEOUT)
    reveal, record, scores = effects[0], effects[1], effects[2]
    assert isinstance(reveal, Reveal)
    assert isinstance(record, RecordAnswers)
    assert isinstance(scores, ShowScores)
    assert sorted(r.user_id for r in reveal.results) == list(users)
    assert record.results == reveal.results
    assert sorted(s.user_id for s in scores.standings) == list(users)
    assert sum(r.correct for r in reveal.results) == 25
    assert all(p.correct + p.wrong == 1 for p in game.players.values())


def test_results_are_in_answer_order() -> None:
    """Results list players by when they (last) answered."""
    game = started()
    game.answer(30, "c", 0, CORRECT, T0 + 1)
    game.answer(10, "a", 0, CORRECT, T0 + 2)
    game.answer(20, "b", 0, CORRECT, T0 + 3)
    game.answer(30, "c", 0, WRONG, T0 + 4)
    reveal = game.close(0, T0 + TIMEOUT)[0]
    assert isinstance(reveal, Reveal)
    assert [r.user_id for r in reveal.results] == [10, 20, 30]


def test_errors_are_quizbot_errors() -> None:
    """Refusals are QuizbotError subclasses the edge can turn into replies."""
    with pytest.raises(QuizbotError):
        finished().stop(HOST_ID, False, T0)


def test_missing_option_is_named() -> None:
    """A button answer beyond the options says which option does not exist."""
    game = session(items=(mc_question("q0", options=("Mars", "Venus"), answer_index=0), mc_question("q1")))
    game.start(T0)
    with pytest.raises(InvalidValue, match="option 7 does not exist"):
        game.answer(10, "ten", 0, 7, T0 + 1)


def test_an_answer_kept_over_a_restart_keeps_its_speed() -> None:
    """A slow answer given before a pause earns the same points after Continue, not full marks."""
    game = started(1)
    game.answer(11, "eleven", 0, CORRECT, T0 + TIMEOUT - 1)
    expected = points_for(game.question.difficulty, TIMEOUT - 1, TIMEOUT)
    game.pause()
    game.resume(HOST_ID, False, T0 + 1000)
    [reveal, *_] = game.close(0, T0 + 1000 + TIMEOUT)
    assert isinstance(reveal, Reveal)
    assert [r.points for r in reveal.results] == [expected]
    assert expected < points_for(game.question.difficulty, 0, TIMEOUT)


def test_hints_come_one_at_a_time_and_lower_the_points() -> None:
    """Each hint is the next step; a correct answer after two hints earns 60% of its points."""
    game = started(1)
    first = game.hint(T0 + 1)
    second = game.hint(T0 + 2)
    assert [(h.level, h.points_share) for h in (*first, *second)] == [(1, 0.8), (2, 0.6)]  # type: ignore[union-attr]
    game.answer(10, "ten", 0, CORRECT, T0)
    [reveal, *_] = game.close(0, T0 + TIMEOUT)
    assert isinstance(reveal, Reveal)
    assert reveal.results[0].points == round(points_for(game.question.difficulty, 0, TIMEOUT) * 0.6)


def test_hints_run_out_and_need_an_open_question() -> None:
    """Asking past the last hint, or with no question open, is refused."""
    game = started(1)
    while True:
        try:
            game.hint(T0 + 1)
        except InvalidState as error:
            assert "no more hints" in str(error)
            break
    game.close(0, T0 + TIMEOUT)
    with pytest.raises(InvalidState, match="no open question"):
        game.hint(T0 + TIMEOUT + 1)


def test_a_right_answer_after_a_hint_is_recalled_hard_and_one_before_it_is_not() -> None:
    """Only answers given once the first hint was shown were helped: those count as Hard reviews;
    a right answer before it keeps its own rating (Easy when quick), a wrong one is Again."""
    game = started(1)
    game.answer(10, "ten", 0, CORRECT, T0 + 1)
    game.hint(T0 + 5)
    game.answer(11, "eleven", 0, CORRECT, T0 + 6)
    game.answer(12, "twelve", 0, WRONG, T0 + 7)
    [reveal, *_] = game.close(0, T0 + TIMEOUT)
    assert isinstance(reveal, Reveal)
    recalls = {r.user_id: r.recall for r in reveal.results}
    assert recalls == {10: Recall.EASY, 11: Recall.HARD, 12: Recall.AGAIN}
