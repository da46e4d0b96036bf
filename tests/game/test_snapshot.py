"""Snapshots: a session survives JSON at every point of a game and, restored, plays on identically."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any
from uuid import uuid4

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quizbot.errors import InvalidValue, QuizbotError
from quizbot.game.effects import RecordAnswers, Result, Reveal
from quizbot.game.progression import Difficulty
from quizbot.game.reviews import Recall
from quizbot.game.session import AnswerMode, QuizSession, SessionConfig
from quizbot.game.snapshot import (
    SNAPSHOT_FORMAT,
    answers_from_dict,
    answers_to_dict,
    by_identity,
    session_from_dict,
    session_to_dict,
)
from tests.game.factories import (
    CORRECT,
    HOST_ID,
    STRANGER_ID,
    T0,
    TIMEOUT,
    WRONG,
    finished,
    mc_question,
    revealed,
    session,
    short_question,
    started,
    tf_question,
    typed_session,
)

Setup = Callable[[], QuizSession]
Action = tuple[Any, ...]


def through_json(game: QuizSession) -> QuizSession:
    """The session as the store would bring it back: to dict, to JSON bytes, and back."""
    data = orjson.loads(orjson.dumps(session_to_dict(game)))
    return session_from_dict(data, questions=by_identity(game.questions))


def in_format_1(game: QuizSession) -> dict[str, Any]:
    """The session as format 1 wrote it: its questions inline."""
    data = orjson.loads(orjson.dumps(session_to_dict(game)))
    return {**data, "format": 1, "questions": [q.to_dict() for q in game.questions]}


def created() -> QuizSession:
    return session()


def open_with_answers() -> QuizSession:
    game = started()
    game.answer(10, "Zoë 🦊", 0, CORRECT, T0 + 1.25)
    game.answer(11, "eleven", 0, WRONG, T0 + 2.5)
    game.answer(10, "Zoë 🦊", 0, 2, T0 + 3.125)
    return game


def typed_open_with_answers() -> QuizSession:
    game = typed_session()
    game.start(T0)
    game.answer(10, "ten", 0, "Ville Lumière", T0 + 0.1)
    game.answer(11, "eleven", 0, "Lyon", T0 + 0.2)
    return game


def answered_out_of_id_order() -> QuizSession:
    game = started()
    for user_id in (14, 10, 12, 11):
        game.answer(user_id, f"user{user_id}", 0, user_id % 4, T0 + 1)
    return game


def second_question_open() -> QuizSession:
    game = revealed()
    game.advance(0, T0 + 34)
    game.answer(12, "twelve", 1, CORRECT, T0 + 35)
    return game


def paused_open() -> QuizSession:
    game = open_with_answers()
    game.pause()
    return game


def paused_revealed() -> QuizSession:
    game = revealed()
    game.pause()
    return game


def stopped() -> QuizSession:
    game = open_with_answers()
    game.stop(HOST_ID, False, T0 + 10)
    return game


def expired() -> QuizSession:
    game = revealed()
    game.expire(T0 + 3600)
    return game


POINTS: list[Setup] = [
    created,
    started,
    open_with_answers,
    typed_open_with_answers,
    answered_out_of_id_order,
    revealed,
    second_question_open,
    paused_open,
    paused_revealed,
    finished,
    stopped,
    expired,
]


@pytest.mark.parametrize("setup", POINTS, ids=lambda f: f.__name__)
def test_snapshot_is_json_serialisable(setup: Setup) -> None:
    """session_to_dict output goes through orjson unchanged."""
    data = session_to_dict(setup())
    assert orjson.loads(orjson.dumps(data)) == data


@pytest.mark.parametrize("setup", POINTS, ids=lambda f: f.__name__)
def test_snapshot_round_trip(setup: Setup) -> None:
    """Restoring a snapshot reproduces the session exactly, at every point of a game."""
    game = setup()
    restored = through_json(game)
    assert session_to_dict(restored) == session_to_dict(game)
    assert restored == game


def test_snapshot_records_the_format() -> None:
    """Every snapshot carries the format number it was written in."""
    assert session_to_dict(session())["format"] == SNAPSHOT_FORMAT


def test_restore_uses_the_given_matcher() -> None:
    """A restored session judges typed answers with the matcher passed to session_from_dict."""
    game = typed_session()
    game.start(T0)
    restored = session_from_dict(
        session_to_dict(game),
        matcher=lambda _question, _response: True,
        questions=by_identity(game.questions),
    )
    restored.answer(10, "ten", 0, "anything", T0 + 1)
    reveal = restored.close(0, T0 + TIMEOUT)[0]
    assert isinstance(reveal, Reveal)
    assert [r.correct for r in reveal.results] == [True]


def test_questions_are_named_and_config_is_shared_read_only() -> None:
    """Snapshots name their questions by identity and share their config's JSON form, read-only."""
    game = started()
    first, second = session_to_dict(game), session_to_dict(session())
    assert first["questions"] == [q.identity for q in game.questions] == second["questions"]
    assert first["config"] is second["config"]
    for change in (
        lambda: first["config"].update(topic="x"),
        lambda: first["config"].__setitem__("topic", "x"),
        lambda: first["config"].pop("topic"),
    ):
        with pytest.raises(TypeError, match="read-only"):
            change()
    assert copy.deepcopy(first) == first == orjson.loads(orjson.dumps(first))


@pytest.mark.parametrize("setup", POINTS, ids=lambda f: f.__name__)
def test_a_format_1_snapshot_restores_the_same_game(setup: Setup) -> None:
    """A snapshot written before questions were named (format 1, questions inline) still restores."""
    game = setup()
    restored = session_from_dict(in_format_1(game))
    assert restored == game
    assert session_to_dict(restored) == session_to_dict(game)


def test_a_question_the_store_lacks_is_refused() -> None:
    """A snapshot naming a question not found by identity raises InvalidValue, naming it."""
    game = started()
    known = by_identity(game.questions[1:])
    with pytest.raises(InvalidValue, match=game.questions[0].identity):
        session_from_dict(session_to_dict(game), questions=known)


def test_equal_values_of_other_types_are_not_shared() -> None:
    """A config timeout of 30 and one of 30.0 are equal, but each snapshot keeps its own type."""
    as_int = session_to_dict(session(config=SessionConfig(3, 30)))["config"]["question_timeout"]
    as_float = session_to_dict(session(config=SessionConfig(3, 30.0)))["config"]["question_timeout"]
    assert (type(as_int), type(as_float)) == (int, float)


def test_close_on_answer_round_trips_and_older_snapshots_lack_it() -> None:
    """A study session keeps close-on-answer across a snapshot; a snapshot written before the field
    existed restores with it off."""
    study = session(config=SessionConfig(3, 30, close_on_answer=True))
    data = session_to_dict(study)
    assert session_from_dict(data, questions=by_identity(study.questions)).config.close_on_answer
    older = {**data, "config": {k: v for k, v in data["config"].items() if k != "close_on_answer"}}
    assert not session_from_dict(older, questions=by_identity(study.questions)).config.close_on_answer


# --- random games --------------------------------------------------------------------------------

USERS = st.sampled_from([10, 11, 12, 13, 14])
QUICK = st.sampled_from([0.5, 0.0, 0.25, 1.0, 1.5, 2.0, 3.0])
DELAYS = QUICK | QUICK | QUICK | st.floats(0, 45)  # mostly quick, sometimes past a deadline
TYPED_RESPONSES = st.sampled_from(["Paris", " paris ", "Ville Lumiere", "Lyon", "Mars", "venus", ""])
RAW_RESPONSES = st.tuples(st.just("raw"), st.integers(-1, 5) | TYPED_RESPONSES)  # valid or not, either mode
RIGHT_OR_WRONG = st.sampled_from([("right",), ("wrong",)])  # resolved against the open question
RESPONSES = RIGHT_OR_WRONG | RIGHT_OR_WRONG | RAW_RESPONSES
RELATIVE_INDEX = st.sampled_from([0] * 8 + [-1, 1])  # mostly the current question
ACTORS = st.sampled_from([(HOST_ID, False), (STRANGER_ID, True), (STRANGER_ID, False)])


KINDS = (  # weighted so that most games get well into their questions before anything ends them
    ["answer"] * 16
    + ["close"] * 6
    + ["advance"] * 8
    + ["skip", "resume", "pause"] * 2
    + ["start", "stop", "expire"]
)


def arguments(kind: str) -> st.SearchStrategy[Action]:
    """The arguments of one action of `kind`, led by the kind itself."""
    if kind == "answer":
        return st.tuples(st.just(kind), USERS, RESPONSES, RELATIVE_INDEX)
    if kind in ("close", "advance"):
        return st.tuples(st.just(kind), RELATIVE_INDEX)
    if kind in ("skip", "resume", "stop"):
        return st.tuples(st.just(kind), ACTORS)
    return st.just((kind,))


def actions() -> st.SearchStrategy[tuple[float, Action]]:
    """One step of a game after a delay: mostly answers and timers, sometimes host control or expiry."""
    return st.tuples(DELAYS, st.sampled_from(KINDS).flatmap(arguments))


@st.composite
def games(draw: st.DrawFn) -> QuizSession:
    """A session, usually started at T0, in either mode, of 1 to 4 questions of mixed kinds and levels."""
    mode = draw(st.sampled_from(list(AnswerMode)))
    single_answer = draw(st.booleans())
    count = draw(st.integers(1, 4))
    difficulties = draw(st.lists(st.sampled_from(list(Difficulty)), min_size=count, max_size=count))
    builders = [mc_question, short_question] if mode is AnswerMode.TYPED else [mc_question, tf_question]
    items = tuple(
        draw(st.sampled_from(builders))(f"q{i}", difficulty=difficulty)
        for i, difficulty in enumerate(difficulties)
    )
    game = session(items=items, mode=mode, single_answer=single_answer)
    if draw(st.sampled_from([True] * 9 + [False])):  # mostly under way; "start" actions cover the rest
        game.start(T0)
    return game


def response_for(game: QuizSession, choice: tuple[Any, ...]) -> object:
    """A right or wrong answer to the current question in the session's mode, or the raw value given."""
    question = game.question
    if choice[0] == "raw":
        return choice[1]
    right = choice[0] == "right"
    if game.config.mode is AnswerMode.TYPED:
        return f" {question.correct_text.upper()} " if right else "certainly not this"
    assert question.answer_index is not None
    return question.answer_index if right else (question.answer_index + 1) % len(question.options)


def act(game: QuizSession, action: tuple[Any, ...], now: float) -> object:
    """Apply one action; what it returned, or the refusal it raised, as a comparable value."""
    kind, *args = action
    try:
        if kind == "answer":
            user_id, choice, offset = args
            response = response_for(game, choice)
            return game.answer(user_id, f"user{user_id}", game.index + offset, response, now)
        if kind in ("close", "advance"):
            fire = game.close if kind == "close" else game.advance
            return fire(game.index + args[0], now)
        if kind in ("skip", "resume", "stop"):
            user_id, is_moderator = args[0]
            return getattr(game, kind)(user_id, is_moderator, now)
        if kind == "pause":
            game.pause()
            return None
        if kind == "start":
            return game.start(now)
        return game.expire(now)
    except QuizbotError as error:
        return (type(error).__name__, str(error))


@settings(max_examples=150, deadline=None)
@given(game=games(), steps=st.lists(actions(), min_size=5, max_size=40))
def test_round_trip_after_every_step(game: QuizSession, steps: list[tuple[float, Action]]) -> None:
    """After any sequence of answers, timers and host actions the snapshot restores the same state."""
    now = T0
    for delay, action in steps:
        now += delay
        act(game, action, now)
        assert session_to_dict(through_json(game)) == session_to_dict(game)


@settings(max_examples=150, deadline=None)
@given(
    game=games(),
    before=st.lists(actions(), min_size=3, max_size=25),
    after=st.lists(actions(), min_size=3, max_size=25),
)
def test_restored_session_plays_on_like_the_original(
    game: QuizSession, before: list[tuple[float, Action]], after: list[tuple[float, Action]]
) -> None:
    """A session restored mid-game gives the same effects and refusals as the original from then on."""
    now = T0
    for delay, action in before:
        now += delay
        act(game, action, now)
    twin = through_json(game)
    for delay, action in after:
        now += delay
        assert act(twin, action, now) == act(game, action, now)
        assert session_to_dict(twin) == session_to_dict(game)


# --- malformed snapshots -------------------------------------------------------------------------

SNAPSHOT_KEYS = sorted(session_to_dict(session()))


@pytest.mark.parametrize("key", SNAPSHOT_KEYS)
def test_missing_key_is_refused(key: str) -> None:
    """A snapshot without any one of its keys raises InvalidValue."""
    data = session_to_dict(open_with_answers())
    del data[key]
    with pytest.raises(InvalidValue):
        session_from_dict(data)


@pytest.mark.parametrize("version", [0, 3, None, "1", "2", True])
def test_unknown_format_is_refused(version: object) -> None:
    """A snapshot written in another format is refused, naming the format."""
    data = session_to_dict(session())
    data["format"] = version
    with pytest.raises(InvalidValue, match=f"unknown snapshot format {version!r}"):
        session_from_dict(data)


def with_question_broken(data: dict[str, Any]) -> None:
    if data["format"] == 1:
        data["questions"][0] = {**data["questions"][0], "answer": 7}
    else:
        data["questions"][0] = data["questions"][0][:-1] + "x"  # an identity nothing has


def with_too_few_questions(data: dict[str, Any]) -> None:
    data["questions"] = data["questions"][:1]


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data.update(phase="ended"),
        lambda data: data.update(phase=None),
        lambda data: data.update(run_id="not-a-uuid"),
        lambda data: data.update(guild_id=-5),
        lambda data: data.update(answers=[[10, 1]]),
        lambda data: data.update(answers=[10]),
        lambda data: data.update(players=[[10, "ten", 0, 0]]),
        lambda data: data.update(players={"10": "ten"}),
        lambda data: data.update(config={"question_count": 0}),
        lambda data: data.update(config={"colour": "red"}),
        lambda data: data.update(questions=[{"id": "x"}]),
        with_question_broken,
        with_too_few_questions,
    ],
)
@pytest.mark.parametrize("version", [SNAPSHOT_FORMAT, 1])
def test_malformed_snapshot_is_refused(damage: Callable[[dict[str, Any]], None], version: int) -> None:
    """Bad phases, ids, rows, configs or questions raise InvalidValue rather than a stray error."""
    game = open_with_answers()
    data = in_format_1(game) if version == 1 else orjson.loads(orjson.dumps(session_to_dict(game)))
    damage(data)
    with pytest.raises(InvalidValue):
        session_from_dict(data, questions=by_identity(game.questions))


def test_an_unrecorded_batch_keeps_each_answer_s_recall_and_its_question() -> None:
    """A pending answer batch round-trips with every answer's review rating and its question's
    identity; one saved before study cards (no rating, no identity) reads as Good, or Again if wrong."""
    results = (
        Result(10, "ten", True, 190, 19, 1.0, Recall.EASY),
        Result(11, "eleven", True, 120, 12, 2.0, Recall.HARD),
        Result(12, "twelve", False, 0, 0, 3.0, Recall.AGAIN),
    )
    batch = RecordAnswers(uuid4(), 2, "science", Difficulty.HARD, results, "q1_abc")
    assert answers_from_dict(orjson.loads(orjson.dumps(answers_to_dict(batch)))) == batch
    old = answers_to_dict(batch)
    old["results"] = [row[:6] for row in old["results"]]
    del old["question_id"]
    restored = answers_from_dict(old)
    assert [r.recall for r in restored.results] == [Recall.GOOD, Recall.GOOD, Recall.AGAIN]
    assert restored.question_id is None


def test_when_the_first_hint_came_survives_a_snapshot_and_older_ones_count_hints_from_the_opening() -> None:
    """hinted_at round-trips; a snapshot from before it was kept, with hints shown, counts every
    answer as helped (from the question's opening); a malformed one is refused."""
    game = started()
    game.hint(T0 + 4)
    data = session_to_dict(game)
    assert (
        session_from_dict(orjson.loads(orjson.dumps(data)), questions=by_identity(game.questions)).hinted_at
        == T0 + 4
    )
    del data["hinted_at"]
    assert session_from_dict(data, questions=by_identity(game.questions)).hinted_at == game.opened_at
    data["hinted_at"] = "soon"
    with pytest.raises(InvalidValue):
        session_from_dict(data, questions=by_identity(game.questions))
