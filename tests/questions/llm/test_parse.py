"""Checking a model's reply: valid items become Questions, safe repairs are made, the rest dropped."""

from __future__ import annotations

import json
from typing import Any

import pytest

from quizbot.game.progression import Difficulty
from quizbot.game.questions import MAX_EXPLANATION, TRUE_FALSE, QuestionKind
from quizbot.questions.llm import parse_questions
from quizbot.questions.llm.parse import shorten_explanation
from tests.questions.llm.support import item, payload


def parse(raw: object, count: int = 5) -> Any:
    return parse_questions(raw, provider="openai", category="science", count=count)


def one(entry: dict[str, Any]) -> Any:
    return parse({"questions": [entry]})


def test_a_good_item_becomes_a_question() -> None:
    """Every field lands on the Question, with the provider as its source."""
    question = one(item()).questions[0]
    assert question.kind is QuestionKind.MULTIPLE_CHOICE and question.difficulty is Difficulty.EASY
    assert question.options == ("Carbon dioxide", "Oxygen", "Helium") and question.answer_index == 0
    assert (question.category, question.source) == ("science", "openai")
    assert question.question_id.startswith("llm-openai-")


def test_whitespace_is_trimmed() -> None:
    """Leading, trailing and repeated spaces are removed from the text, options and explanation."""
    entry = item("  What  is water?  ", (("  H2O ", True), ("CO2\n", False)), explanation=" It is H2O. ")
    question = one(entry).questions[0]
    assert (question.text, question.options, question.explanation) == (
        "What  is water?",
        ("H2O", "CO2"),
        "It is H2O.",
    )


def test_a_repeated_option_is_dropped() -> None:
    """Two options saying the same thing (case and accents aside) become one."""
    entry = item(options=(("Paris", True), ("Rome", False), ("rome", False), ("Berlin", False)))
    assert one(entry).questions[0].options == ("Paris", "Rome", "Berlin")


def test_a_repeat_marked_both_right_and_wrong_drops_the_item() -> None:
    """If a repeated option is correct once and wrong once the item is ambiguous and dropped."""
    result = one(item(options=(("Paris", True), ("paris", False), ("Rome", False))))
    assert result.questions == () and "both right and wrong" in result.dropped[0]


@pytest.mark.parametrize(
    ("options", "reason"),
    [
        ((("A", False), ("B", False)), "no correct option"),
        ((("A", True), ("B", True), ("C", False)), "more than one correct option"),
        ((("A", True),), "1 options"),
        (tuple((f"O{i}", i == 0) for i in range(6)), "6 options"),
        ((("A" * 81, True), ("B", False)), "over 80 characters"),
        ((("", True), ("B", False)), "empty"),
    ],
)
def test_bad_options_drop_the_item(options: tuple[tuple[str, bool], ...], reason: str) -> None:
    """No correct option, two correct, too few, too many, too long or empty: the item is dropped."""
    result = one(item(options=options))
    assert result.questions == () and reason in result.dropped[0]


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"explanation": "  "}, "no explanation"),
        ({"question": None}, "no question"),
        ({"difficulty": "brutal"}, "difficulty"),
        ({"kind": "essay"}, "unknown kind"),
        ({"options": "A or B"}, "not a list"),
        (
            {"options": [{"text": "A", "correct": "yes"}, {"text": "B", "correct": False}]},
            "true/false 'correct'",
        ),
        ({"question": "Q" * 1001}, "text must be"),
    ],
)
def test_missing_or_wrong_fields_drop_the_item(change: dict[str, Any], reason: str) -> None:
    """Each required field must be there and of the right kind."""
    result = one({**item(), **change})
    assert result.questions == () and reason in result.dropped[0]


def test_true_false_is_normalised() -> None:
    """True/false options in any case and order become ("True", "False") with the answer kept."""
    question = one(item(options=(("false", True), ("TRUE", False)), kind="true_false")).questions[0]
    assert question.kind is QuestionKind.TRUE_FALSE
    assert question.options == TRUE_FALSE and question.correct_text == "False"


def test_a_true_false_item_with_other_options_is_dropped() -> None:
    """kind true_false needs exactly the options True and False."""
    assert one(item(kind="true_false")).questions == ()


def test_a_long_explanation_is_cut_at_a_sentence() -> None:
    """An explanation over the limit ends at the last full sentence that fits."""
    sentences = "This is one sentence. " * 30
    question = one(item(explanation=sentences + "and then a word " * 60)).questions[0]
    assert question.explanation == sentences.strip()


def test_a_long_sentence_is_cut_at_a_word() -> None:
    """With no sentence end to cut at, the explanation ends at a word, with an ellipsis, within the limit."""
    shortened = shorten_explanation("word " * 400)
    assert len(shortened) <= MAX_EXPLANATION and shortened.endswith("word…")


@pytest.mark.parametrize("raw", ["not json", '{"questions": [', "", "[1, 2", b"\xff\xfe"])
def test_text_that_is_not_json_gives_nothing(raw: object) -> None:
    """A reply that does not decode gives no questions and says so."""
    result = parse(raw)
    assert result.questions == () and result.dropped == ("the reply is not JSON",)


@pytest.mark.parametrize("raw", [{"items": []}, {"questions": "many"}, "42", '"questions"', None])
def test_the_wrong_shape_gives_nothing(raw: object) -> None:
    """JSON that is not {"questions": [...]} gives no questions."""
    result = parse(raw)
    assert result.questions == () and "not {" in result.dropped[0]


def test_json_in_a_code_block_is_read() -> None:
    """A reply wrapped in a Markdown code block is unwrapped."""
    assert len(parse("```json\n" + json.dumps(payload(2)) + "\n```").questions) == 2


def test_a_bare_list_is_read() -> None:
    """A reply that is just the list of questions is accepted."""
    assert len(parse(json.dumps(payload(2)["questions"])).questions) == 2


def test_no_more_than_count_are_kept() -> None:
    """Extra questions beyond the count asked for are ignored."""
    assert len(parse(payload(5), count=3).questions) == 3


def test_a_repeated_question_is_dropped() -> None:
    """The same question twice is kept once; good items around a bad one are kept."""
    result = parse({"questions": [item(), "junk", item(), item("Another one?")]})
    assert [q.text for q in result.questions] == [item()["question"], "Another one?"]
    assert len(result.dropped) == 2


def test_ids_are_stable_and_distinct() -> None:
    """The same question gets the same id each time; different questions get different ids."""
    first, second = parse(payload(2)).questions, parse(payload(2)).questions
    assert [q.question_id for q in first] == [q.question_id for q in second]
    assert first[0].question_id != first[1].question_id
