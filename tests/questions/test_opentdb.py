"""Open Trivia Database exports: read into a pack with entities decoded, or refused with file, question
and field. The questions here are written for these tests, in the export's shape."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quizbot.game.questions import QuestionKind
from quizbot.questions import opentdb
from quizbot.questions.imports import parse_stored, parse_upload
from quizbot.questions.opentdb import MAX_IMPORT_QUESTIONS, ImportRefused, parse_opentdb
from quizbot.questions.packs import Pack, PackError
from quizbot.questions.ports import StoredPack
from quizbot.questions.provenance import OPENTDB, PackFormat


def multiple(number: int, **changes: Any) -> dict[str, Any]:
    """A made-up multiple-choice result, numbered so each question's text differs."""
    result = {
        "type": "multiple",
        "difficulty": "medium",
        "category": "Test Kitchen",
        "question": f"Which of these is a &quot;root&quot; vegetable, number {number}?",
        "correct_answer": "Parsnip",
        "incorrect_answers": ["Lettuce", "Cucumber", "Courgette"],
    }
    return result | changes


def boolean(**changes: Any) -> dict[str, Any]:
    """A made-up true/false result."""
    result = {
        "type": "boolean",
        "difficulty": "easy",
        "category": "Test Kitchen",
        "question": "A caf&eacute; au lait is made with milk &amp; coffee.",
        "correct_answer": "True",
        "incorrect_answers": ["False"],
    }
    return result | changes


def export(*results: dict[str, Any], code: object = 0) -> str:
    """The JSON text of an export holding `results`."""
    return orjson.dumps({"response_code": code, "results": list(results)}).decode()


def read(text: str) -> Pack:
    return parse_opentdb(text, source="kitchen.json", pack_id="Kitchen")


def refused(text: str) -> ImportRefused:
    with pytest.raises(ImportRefused) as caught:
        read(text)
    return caught.value


# --- a good export ---------------------------------------------------------------------------------


def test_an_export_becomes_a_pack_with_entities_decoded() -> None:
    """Both kinds load, entities decoded, in the file's order, with the Open Trivia Database's licence."""
    pack = read(export(multiple(1, question="It&#039;s a &lt;test&gt;, isn&#x27;t it?"), boolean()))
    first, second = pack.questions
    assert first.text == "It's a <test>, isn't it?"
    assert first.kind is QuestionKind.MULTIPLE_CHOICE and first.correct_text == "Parsnip"
    assert sorted(first.options) == ["Courgette", "Cucumber", "Lettuce", "Parsnip"]
    assert second.text == "A café au lait is made with milk & coffee."
    assert second.kind is QuestionKind.TRUE_FALSE and second.correct_text == "True"
    assert (pack.pack_id, pack.name, pack.categories) == ("kitchen", "Kitchen", {"kitchen"})
    assert [q.question_id for q in pack.questions] == ["kitchen-0001", "kitchen-0002"]
    assert [q.difficulty.value for q in pack.questions] == ["medium", "easy"]
    assert pack.provenance == OPENTDB
    assert pack.provenance.licence == "CC BY-SA 4.0"
    assert "opentdb.com" in pack.provenance.attribution
    assert all(q.explanation == "" for q in pack.questions)  # the export has none; none is made up


def test_the_right_answer_is_not_always_first_and_the_order_is_stable() -> None:
    """Options are shuffled by a seed drawn from the question: varied, and the same on every read."""
    text = export(*(multiple(n) for n in range(1, 41)))
    places = {q.answer_index for q in read(text).questions}
    assert len(places) > 1
    again = read(text)
    assert [q.identity for q in read(text).questions] == [q.identity for q in again.questions]


def test_a_stored_export_reads_back_as_the_same_questions() -> None:
    """parse_stored reads an OpenTDB pack by its format: same ids, options and identities."""
    text = export(multiple(1), boolean())
    uploaded = parse_upload("kitchen.json", text)
    stored = StoredPack("kitchen", "Kitchen", text, 2, 42, None, OPENTDB)  # type: ignore[arg-type]
    assert [q.identity for q in parse_stored(stored).questions] == [q.identity for q in uploaded.questions]


def test_plain_ampersands_and_unknown_legacy_names_stay_as_written() -> None:
    """AT&T and Q&A are text; only a well-formed entity is decoded."""
    pack = read(export(multiple(1, question="Which company was once called AT&T, Q & A?")))
    assert pack.questions[0].text == "Which company was once called AT&T, Q & A?"


# --- refusals, each naming the file, the question and the field ----------------------------------


def mutated(change: Callable[[dict[str, Any]], object]) -> str:
    """An export of three questions whose second is what `change` makes of it."""
    return export(multiple(1), change(multiple(2)), boolean())  # type: ignore[arg-type]


def without(result: dict[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in result.items() if k != key}


QUESTION_REFUSALS: list[tuple[str, str | None, Callable[[dict[str, Any]], object]]] = [
    ("not_a_question", None, lambda q: ["a", "list"]),
    ("not_a_question", None, lambda q: "What is a parsnip?"),
    ("missing", "question", lambda q: without(q, "question")),
    ("missing", "incorrect_answers", lambda q: without(q, "incorrect_answers")),
    ("missing", "type", lambda q: q | {"type": None}),
    ("not_text", "correct_answer", lambda q: q | {"correct_answer": 7}),
    ("not_text", "type", lambda q: q | {"type": ["multiple"]}),
    ("not_text_list", "incorrect_answers", lambda q: q | {"incorrect_answers": "Leek"}),
    ("not_text_list", "incorrect_answers", lambda q: q | {"incorrect_answers": ["Leek", None]}),
    ("empty", "question", lambda q: q | {"question": "  &nbsp; "}),
    ("empty", "incorrect_answers", lambda q: q | {"incorrect_answers": ["Leek", " "]}),
    ("unknown_type", "type", lambda q: q | {"type": "short"}),
    ("unknown_difficulty", "difficulty", lambda q: q | {"difficulty": "expert"}),
    ("too_long", "question", lambda q: q | {"question": "Why? " * 201}),
    ("too_long", "incorrect_answers", lambda q: q | {"incorrect_answers": ["x" * 81, "a", "b"]}),
    ("broken_entity", "question", lambda q: q | {"question": "What is &#xZZ; here?"}),
    ("broken_entity", "question", lambda q: q | {"question": "What is &#0; here?"}),
    ("broken_entity", "question", lambda q: q | {"question": "What is &#x110000; here?"}),
    ("broken_entity", "correct_answer", lambda q: q | {"correct_answer": "&#xD800;"}),
    ("broken_entity", "incorrect_answers", lambda q: q | {"incorrect_answers": ["&#xFFFF;", "a", "b"]}),
    ("broken_entity", "question", lambda q: q | {"question": "Which is &notanentity; here?"}),
    ("broken_entity", "question", lambda q: q | {"question": "Bell &#7; rings?"}),
    ("broken_entity", "question", lambda q: q | {"question": "A replacement &#xFFFD; mark?"}),
    ("not_character", "question", lambda q: q | {"question": "Bell \u0007 rings?"}),
    ("option_count", "incorrect_answers", lambda q: q | {"incorrect_answers": []}),
    ("option_count", "incorrect_answers", lambda q: q | {"incorrect_answers": list("abcde")}),
    ("duplicate_option", "incorrect_answers", lambda q: q | {"incorrect_answers": ["parsnip", "a"]}),
    ("duplicate_option", "incorrect_answers", lambda q: q | {"incorrect_answers": ["Leek", "Leek"]}),
    ("duplicate_option", "incorrect_answers", lambda q: q | {"incorrect_answers": ["Caf&eacute;", "Cafe"]}),
    (
        "boolean_answer",
        "correct_answer",
        lambda q: q | {"type": "boolean", "correct_answer": "Yes", "incorrect_answers": ["No"]},
    ),
    (
        "boolean_answer",
        "correct_answer",
        lambda q: q | {"type": "boolean", "correct_answer": "True", "incorrect_answers": ["True"]},
    ),
]


@pytest.mark.parametrize(("reason", "key", "change"), QUESTION_REFUSALS)
def test_a_bad_question_is_refused_with_its_number_and_field(
    reason: str, key: str | None, change: Callable[[dict[str, Any]], object]
) -> None:
    """Each problem in the second question names question 2, its field and the reason."""
    error = refused(mutated(change))
    assert (error.reason, error.number, error.key) == (reason, 2, key)
    assert error.source == "kitchen.json" and str(error).startswith("kitchen.json: question 2")


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("{not json", "not_json"),
        ("", "not_json"),
        ("[]", "not_an_export"),
        ('"results"', "not_an_export"),
        ('{"response_code": 0}', "not_an_export"),
        ('{"response_code": 0, "results": {}}', "not_an_export"),
        ('{"response_code": "0", "results": []}', "not_an_export"),
        ('{"response_code": true, "results": []}', "not_an_export"),
        ('{"response_code": 1, "results": []}', "response_code"),
        ('{"response_code": 5, "results": []}', "response_code"),
        ('{"response_code": 0, "results": []}', "no_questions"),
        ("[" * 5000 + "]" * 5000, "not_json"),
    ],
)
def test_a_file_that_is_not_an_export_is_refused(text: str, reason: str) -> None:
    """Wrong shapes, failed answers and empty ones are refused before any question is read."""
    error = refused(text)
    assert (error.reason, error.number) == (reason, None)


def test_a_failed_export_says_its_response_code() -> None:
    """response_code 4 (a session token used up) is named."""
    error = refused(export(multiple(1), code=4))
    assert error.details == {"code": 4}
    assert "response_code 4" in str(error)


def encoded_base64(result: dict[str, Any]) -> dict[str, Any]:
    def b64(text: str) -> str:
        return base64.b64encode(text.encode()).decode()

    return {
        k: [b64(v) for v in value] if isinstance(value, list) else b64(value) for k, value in result.items()
    }


def encoded_url(result: dict[str, Any]) -> dict[str, Any]:
    return {
        k: [quote(v) for v in value] if isinstance(value, list) else quote(value)
        for k, value in result.items()
    }


@pytest.mark.parametrize(("encode", "encoding"), [(encoded_base64, "base64"), (encoded_url, "url3986")])
def test_other_encodings_are_refused_by_name(
    encode: Callable[[dict[str, Any]], dict[str, Any]], encoding: str
) -> None:
    """The API's base64 and url3986 exports are named, and the default encoding asked for."""
    error = refused(export(encode(multiple(1)), encode(boolean())))
    assert (error.reason, error.details) == ("encoded", {"encoding": encoding})
    assert "HTML entities" in str(error)


def test_fifty_thousand_questions_are_refused_quickly_with_the_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    """The count is checked before any question is: no result is looked at, and the cap is said."""
    looked_at: list[object] = []
    monkeypatch.setattr(opentdb, "_fields", lambda item, *_: looked_at.append(item))
    text = export(*(multiple(n) for n in range(50_000)))
    started = time.perf_counter()
    error = refused(text)
    assert time.perf_counter() - started < 2.0
    assert error.reason == "too_many"
    assert error.details == {"count": 50_000, "limit": MAX_IMPORT_QUESTIONS}
    assert f"at most {MAX_IMPORT_QUESTIONS:,}" in str(error)
    assert looked_at == []


def test_the_cap_itself_is_allowed() -> None:
    """Exactly MAX_IMPORT_QUESTIONS questions make a pack."""
    pack = read(export(*(boolean(question=f"Statement {n} is true.") for n in range(MAX_IMPORT_QUESTIONS))))
    assert len(pack.questions) == MAX_IMPORT_QUESTIONS


def test_an_oversized_text_is_refused_by_its_size() -> None:
    """A text beyond what is read to count questions is refused by its size, unread."""
    error = refused(" " * (opentdb.MAX_IMPORT_BYTES + 1))
    assert error.reason == "too_large"


def test_a_licence_stated_for_an_export_must_be_its_own() -> None:
    """The Open Trivia Database's questions are CC BY-SA 4.0: another stated licence is refused."""
    text = export(multiple(1))
    assert parse_upload("kitchen.json", text, licence="CC BY-SA 4.0").provenance == OPENTDB
    with pytest.raises(ImportRefused) as caught:
        parse_upload("kitchen.json", text, licence="public domain")
    assert caught.value.reason == "licence_fixed"


# --- provenance of the other formats -------------------------------------------------------------


def test_a_red_list_records_its_author_and_the_stated_licence() -> None:
    """A Red list's AUTHOR is its origin; the uploader's licence is kept, none if none is stated."""
    text = "AUTHOR: Jo  Bloggs\nWhat is 2+2?:\n- 4\n- four\n"
    stated = parse_upload("sums.yaml", text, licence=" CC0 ")
    assert stated.provenance.format is PackFormat.RED
    assert (stated.provenance.origin, stated.provenance.licence) == ("Jo Bloggs", "CC0")
    plain = parse_upload("sums.yaml", "What is 2+2?:\n- 4\n")
    assert (plain.provenance.format, plain.provenance.origin, plain.provenance.licence) == (
        PackFormat.RED,
        "",
        "",
    )


def test_a_quizbot_pack_records_its_author() -> None:
    """A quizbot pack's author: is its origin; its format is quizbot's."""
    text = (
        "pack: sums\nauthor: Maths Club\nquestions:\n"
        "  - {id: s1, difficulty: easy, kind: short_answer, text: 2+2?, accepted: ['4'],\n"
        "     explanation: Four.}\n"
    )
    pack = parse_upload("sums.yaml", text)
    assert (pack.provenance.format, pack.provenance.origin) == (PackFormat.QUIZBOT, "Maths Club")


# --- any JSON at all -------------------------------------------------------------------------------

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)
FIELD_VALUES = st.one_of(
    st.sampled_from(["multiple", "boolean", "easy", "hard", "True", "False", "&amp;", "&#xZZ;", "&#0;", ""]),
    st.text(max_size=30),
    st.lists(st.text(max_size=12), max_size=6),
    JSON,
)
RESULT = st.dictionaries(
    st.sampled_from(["type", "difficulty", "category", "question", "correct_answer", "incorrect_answers"]),
    FIELD_VALUES,
)
PRINTABLE = st.characters(exclude_categories=("Cc", "Cs"))
WELL_FORMED = st.fixed_dictionaries(  # right shape, any text: exercises entities and the question's rules
    {
        "type": st.sampled_from(["multiple", "boolean"]),
        "difficulty": st.sampled_from(["easy", "medium", "hard"]),
        "category": st.text(PRINTABLE, max_size=12),
        "question": st.text(PRINTABLE, min_size=1, max_size=40)
        | st.sampled_from(["&eacute;&#39;", "a&#x41;b"]),
        "correct_answer": st.sampled_from(["True", "False", "é", "e", "&amp;"])
        | st.text(PRINTABLE, max_size=10),
        "incorrect_answers": st.lists(
            st.sampled_from(["True", "False", "E", "&"]) | st.text(PRINTABLE, max_size=10)
        ),
    }
)
EXPORTS = st.fixed_dictionaries(
    {"results": st.lists(WELL_FORMED | RESULT | JSON, max_size=4)},
    optional={"response_code": st.integers(-2, 6) | JSON},
)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(JSON, EXPORTS))
def test_any_json_gives_a_pack_or_a_pack_error(value: object) -> None:
    """Whatever JSON arrives, the parser returns a pack or raises PackError, never anything else."""
    try:
        pack = parse_opentdb(json.dumps(value), source="any.json", pack_id="any")
    except PackError:
        return
    assert pack.questions and pack.provenance == OPENTDB


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_any_text_gives_a_pack_or_a_pack_error(text: str) -> None:
    """Text that is not even JSON is a PackError too."""
    try:
        parse_opentdb(text, source="any.json", pack_id="any")
    except PackError:
        return
