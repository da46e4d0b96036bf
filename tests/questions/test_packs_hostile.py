"""Hostile pack YAML: tags, anchors, aliases, deep nesting, odd scalars and non-text all end in a PackError.

Whatever the text, parse_pack returns a valid Pack or raises PackError naming the file and the
line; no YAML, value or recursion error ever escapes to the user as "Something went wrong".
"""

from __future__ import annotations

from textwrap import dedent

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quizbot.game.questions import Question
from quizbot.questions.packs import QUESTION_FIELDS, Pack, PackError, parse_pack
from quizbot.questions.yaml_subset import MAX_DEPTH, MAX_NODES, MAX_SCALAR_CHARS

SOURCE = "hostile.yaml"
TEMPLATE = dedent(
    """\
    pack: hostile
    questions:
      - id: q1
        difficulty: easy
        kind: {kind}
        text: {text}
        answer: {answer}
        explanation: {explanation}
    """
)
# The five inputs that once crashed validation with a traceback, each where a pack would put it.
CRASHERS = [
    ("!!python/name:os.system", "text", 6),
    ("!custom x", "explanation", 8),
    ('!!int "abc"', "answer", 7),
    ('!!timestamp "garbage"', "text", 6),
    ('!!bool "maybe"', "answer", 7),
]


def pack_with(value: str, field: str) -> str:
    """A one-question pack with `value` as `field`: true/false for a !!bool, else multiple choice."""
    fields = {"text": "Which?", "answer": "0", "explanation": "Because.", field: value}
    if "!!bool" in value:
        return TEMPLATE.format(kind="true_false", **fields)
    return TEMPLATE.format(kind="multiple_choice", **fields) + "    options: [one, two]\n"


def parse(text: str) -> Pack:
    return parse_pack(text, source=SOURCE, default_id="hostile")


def refusal(text: str) -> PackError:
    with pytest.raises(PackError) as caught:
        parse(text)
    return caught.value


def test_the_template_itself_is_a_valid_pack() -> None:
    """Without a hostile value the template loads, so each refusal below is the value's doing."""
    assert [q.question_id for q in parse(pack_with("Which?", "text")).questions] == ["q1"]


@pytest.mark.parametrize(("value", "field", "line"), CRASHERS)
def test_the_tags_that_crashed_validation_are_refused_at_their_line(
    value: str, field: str, line: int
) -> None:
    """!!python/name, !custom, !!int, !!timestamp and !!bool: a PackError with file, line and field."""
    error = refusal(pack_with(value, field))
    assert (error.source, error.line, error.field) == (SOURCE, line, field), str(error)
    assert "tags" in error.problem and "not allowed" in error.problem
    assert str(error).startswith(f"{SOURCE}, line {line}: {field}: ")


@pytest.mark.parametrize(
    ("text", "line", "field", "problem"),
    [
        ("pack: !<tag:yaml.org,2002:str> x\nquestions: []\n", 1, "pack", "tags (!!str)"),
        ("pack: ! x\nquestions: []\n", 1, "pack", "tags (!)"),
        ("pack: x\nquestions: !!seq []\n", 2, "questions", "tags (!!seq)"),
        ("!!map\npack: x\n", 1, None, "tags (!!map)"),
        ("%TAG !e! tag:example.com,2000:\n---\npack: !e!thing x\n", 3, "pack", "tags (tag:example.com"),
        ("pack: &a x\nquestions: []\n", 1, "pack", "anchors and aliases (&a)"),
        ("questions:\n  - *nowhere\n", 2, "questions", "anchors and aliases (*nowhere)"),
        ("pack: x\n---\npack: y\n", 2, None, "one YAML document"),
        ("", 1, None, "empty"),
        ("# only a comment\n", 1, None, "empty"),
        ("? [a, b]\n: [c]\n", 1, None, "keys must be plain text"),
        ("~: [a]\n", 1, "~", "key must be text"),
        ("yes: [a]\n", 1, "yes", "key must be text"),
        ("Off: [a]\n", 1, "Off", "key must be text"),
        ("1984: [Orwell]\n", 1, "1984", "key must be text"),
        ("pack: x\nquestions: []\ntext: a\x00b\n", 3, "text", "U+0000"),
        ("pack: x\nname: bell\x07\nquestions: []\n", 2, "name", "U+0007"),
        ('pack: x\nname: "nul \\0 here"\nquestions: []\n', 2, "name", "U+0000"),
        ('pack: x\nname: "\\x1b[31m"\nquestions: []\n', 2, "name", "U+001B"),
        ("pack: x\nname: half \ud83d\nquestions: []\n", 2, "name", "U+D83D"),
        ('pack: x\nname: "\\ud83d"\nquestions: []\n', 2, None, "not valid YAML"),
        (f"pack: x\nname: {'n' * (MAX_SCALAR_CHARS + 1)}\n", 2, "name", "at most"),
    ],
)
def test_what_a_pack_never_needs_is_refused_with_line_and_field(
    text: str, line: int, field: str | None, problem: str
) -> None:
    """Other tags, anchors, aliases, documents, keys and characters: each a PackError at its line."""
    error = refusal(text)
    assert (error.source, error.line, error.field) == (SOURCE, line, field), str(error)
    assert problem in error.problem, str(error)


def test_a_billion_laughs_is_refused_at_the_first_anchor() -> None:
    """Nested aliases are never expanded: the first anchor is refused before any alias is read."""
    lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 9)}]" for n in range(1, 30)]
    error = refusal("\n".join(lines) + "\n")
    assert (error.line, error.field) == (1, "a0") and "&a0" in error.problem


@pytest.mark.parametrize(
    "text",
    [
        "[" * 100_000,
        "questions: " + "[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5) + "\n",
        "".join(f"{'  ' * depth}k{depth}:\n" for depth in range(500)),
        "".join(f"{'  ' * depth}- \n" for depth in range(500)),
    ],
)
def test_deep_nesting_is_a_pack_error_not_a_recursion_error(text: str) -> None:
    """Flow or block, nesting past the bound stops the read at a line; nothing recurses."""
    error = refusal(text)
    assert error.line is not None and error.line >= 1
    assert "nested" in error.problem or "nesting" in error.problem, str(error)


def test_a_pack_holds_a_bounded_number_of_values() -> None:
    """Past MAX_NODES values reading stops, so a small file of tiny values cannot take long."""
    text = "questions:\n" + "".join(f"  - [{', '.join(['a'] * 9)}]\n" for _ in range(MAX_NODES // 9))
    error = refusal(text)
    assert error.field == "questions" and "at most" in error.problem


@pytest.mark.parametrize("answer", ["9" * 5000, "-1" + "0" * 40, "1_000_000_000_000", "0x10", "1e3", ".inf"])
def test_an_answer_that_is_no_option_number_is_refused(answer: str) -> None:
    """Huge, hexadecimal, float or infinite answers are refused by field; int() never sees 5,000 digits."""
    error = refusal(pack_with(answer, "answer"))
    assert (error.line, error.field) == (7, "answer"), str(error)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("3.14", "3.14"),
        ("1e3", "1e3"),
        (".nan", ".nan"),
        ("2001-12-14t21:59:43.10-05:00", "2001-12-14t21:59:43.10-05:00"),
        ("0x1F", "0x1F"),
        ("007", "007"),
        ("'yes'", "yes"),
        ('"null"', "null"),
    ],
)
def test_text_fields_keep_numbers_and_dates_as_written(value: str, expected: str) -> None:
    """Plain scalars are never turned into floats, dates or octal: text is the text as written."""
    assert parse(pack_with(value, "text")).questions[0].text == expected


@pytest.mark.parametrize("value", ["yes", "No", "TRUE", "off", "~", "null", ""])
def test_a_boolean_or_null_is_not_text(value: str) -> None:
    """Unquoted YAML 1.1 booleans and nulls in a text field are refused by field, not shown as "True"."""
    error = refusal(pack_with(value, "explanation"))
    assert (error.line, error.field) == (8, "explanation"), str(error)


@pytest.mark.parametrize(
    ("spelling", "correct"),
    [(word, True) for word in ("yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON")]
    + [(word, False) for word in ("no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF")],
)
def test_true_false_answers_take_every_yaml_1_1_spelling(spelling: str, correct: bool) -> None:
    """Each YAML 1.1 boolean spelling is read as it always was."""
    text = TEMPLATE.format(kind="true_false", text="Is it?", answer=spelling, explanation="So.")
    assert parse(text).questions[0].correct_text == ("True" if correct else "False")


# --- hypothesis: hostile text of every shape --------------------------------------------------

TAGS = ["!x", "!!str", "!!int", "!!float", "!!bool", "!!null", "!!binary", "!!timestamp", "!!set", "!!omap"]
TAGS += ["!!python/name:os.system", "!!python/object/apply:os.system", "!<tag:yaml.org,2002:str>", "!"]
ODD_SCALARS = [
    "9" * 400,
    "-0",
    "0o17",
    "0b1010",
    "0x_ff",
    "190:20:30",
    "1_000",
    "6.8523015e+5",
    ".NaN",
    "-.inf",
    ".Inf",
    "2001-12-14",
    "2002-12-14 21:59:43.10 -5",
    "R0lGODlhDAAMAIQAAP",
    "~",
    "null",
    "",
    "<<",
    "=",
    "y",
    "n",
    *["yes", "Yes", "YES", "no", "No", "NO", "true", "True", "TRUE", "false", "False", "FALSE"],
    *["on", "On", "ON", "off", "Off", "OFF"],
    '"\\0\\a\\b\\e\\x7f\\u2028\\U0001F600"',
    "'single ''quoted'''",
    "|\n  block\n",
    ">-\n  folded\n",
    "@reserved",
    "`tick",
    "%percent",
]
ANY_CHAR = st.characters(exclude_categories=())  # surrogates, NUL and every control character too
YAML_CHAR = st.one_of(
    st.sampled_from(list(":-[]{}&*!|>'\"#%@`?,~\n\r \t\\\x00\x07\x85\ud800\udfff\ufeff\u2028")), ANY_CHAR
)


def texts(alphabet: st.SearchStrategy[str], max_size: int) -> st.SearchStrategy[str]:
    """Strings of `alphabet`, lone surrogates kept (st.text quietly drops them)."""
    return st.lists(alphabet, max_size=max_size).map("".join)


def scalars() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(ODD_SCALARS),
        st.integers().map(str),
        st.floats(allow_nan=True, allow_infinity=True).map(str),
        texts(ANY_CHAR, 12),
        texts(ANY_CHAR, 12).map(lambda s: '"' + s.replace('"', '\\"') + '"'),
    )


def decorated(value: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """A value with, at times, a tag or an anchor before it; or an alias instead of it."""
    prefix = st.one_of(st.just(""), st.sampled_from(TAGS).map(lambda t: t + " "), st.just("&a "))
    return st.one_of(st.tuples(prefix, value).map("".join), st.just("*a"))


flow_values = st.recursive(
    decorated(scalars()),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4).map(lambda items: "[" + ", ".join(items) + "]"),
        st.lists(st.tuples(inner, inner), max_size=4).map(
            lambda pairs: "{" + ", ".join(f"{k}: {v}" for k, v in pairs) + "}"
        ),
        decorated(inner.map(lambda v: f"[{v}]")),
    ),
    max_leaves=12,
)
GOOD = pack_with("Which is first?", "text")
FIELDS_OF_GOOD = ["pack", "id", "difficulty", "kind", "text", "answer", "explanation", "options", "questions"]


def check(text: str) -> None:
    """The property: a valid Pack, or a PackError naming this file and, when given, a real line."""
    try:
        pack = parse(text)
    except PackError as error:
        assert error.source == SOURCE and str(error).startswith(SOURCE)
        assert error.line is None or 1 <= error.line <= len(text.splitlines()) + 1, str(error)
        assert error.field is None or isinstance(error.field, str)
        return
    assert isinstance(pack, Pack) and pack.questions
    assert all(isinstance(q, Question) for q in pack.questions)


FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(st.sampled_from(FIELDS_OF_GOOD), flow_values)
def test_any_value_in_any_field_gives_a_pack_or_a_pack_error(field: str, value: str) -> None:
    """Tags, anchors, aliases, nested flow collections and odd scalars in place of a good field's value."""
    lines = GOOD.splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if line.lstrip(" -").startswith(field + ":"))
    head = lines[at].split(":", 1)[0]
    check("".join([*lines[:at], f"{head}: {value}\n", *lines[at + 1 :]]))


@FAST
@given(texts(YAML_CHAR, 200))
def test_any_text_at_all_gives_a_pack_or_a_pack_error(text: str) -> None:
    """Random unicode, with surrogates, NUL and control characters: never another exception."""
    check(text)


@FAST
@given(st.lists(st.tuples(st.sampled_from(["", "  ", "    ", "- ", "  - "]), flow_values), max_size=8))
def test_block_structures_of_hostile_values_give_a_pack_or_a_pack_error(
    rows: list[tuple[str, str]],
) -> None:
    """Block mappings and lists of hostile values at random indents, as a second document at times."""
    text = "".join(f"{indent}k{n}: {value}\n" for n, (indent, value) in enumerate(rows))
    check(text)
    check(f"{text}---\n{text}")
    check(f"---\n...\n{text}")


@st.composite
def mutated_packs(draw: st.DrawFn) -> str:
    """The good pack with lines dropped, doubled, swapped, re-indented, cut, tagged or spliced into."""
    lines = GOOD.splitlines(keepends=True)
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(lines) - 1))
        action = draw(st.sampled_from(["drop", "double", "swap", "indent", "splice", "cut", "tag", "value"]))
        if action == "drop" and len(lines) > 1:
            del lines[at]
        elif action == "double":
            lines.insert(at, lines[at])
        elif action == "swap":
            other = draw(st.integers(0, len(lines) - 1))
            lines[at], lines[other] = lines[other], lines[at]
        elif action == "indent":
            lines[at] = draw(st.sampled_from(["", " ", "  ", "      ", "\t"])) + lines[at].lstrip()
        elif action == "splice":
            cut = draw(st.integers(0, len(lines[at])))
            lines[at] = lines[at][:cut] + draw(texts(ANY_CHAR, 6)) + lines[at][cut:]
        elif action == "cut":
            lines[at] = lines[at][: draw(st.integers(0, len(lines[at])))]
        elif action == "tag":
            lines[at] = lines[at].replace(": ", f": {draw(st.sampled_from(TAGS))} ", 1)
        elif ":" in lines[at]:
            lines[at] = lines[at].split(":", 1)[0] + ": " + draw(flow_values) + "\n"
    return "".join(lines)


@FAST
@given(mutated_packs())
def test_a_mutated_pack_gives_a_pack_or_a_pack_error(text: str) -> None:
    """Random edits of a valid pack: every outcome is a valid Pack or a clean PackError."""
    check(text)


python_values = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(10**60), max_value=10**60),
        st.floats(),
        st.dates(),
        st.datetimes(),
        st.binary(max_size=16),
        st.complex_numbers(allow_nan=False),
        st.sampled_from([print, ValueError, pytest.raises]),  # !!python/name
        st.text(ANY_CHAR, max_size=16),  # PyYAML cannot dump a surrogate,
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.tuples(inner, inner),
        st.frozensets(st.integers(), max_size=3),
        st.dictionaries(st.one_of(st.text(max_size=8), st.integers(), st.booleans()), inner, max_size=4),
    ),
    max_leaves=10,
)


@FAST
@given(st.dictionaries(st.sampled_from(sorted(QUESTION_FIELDS)), python_values, max_size=3), st.booleans())
def test_python_objects_dumped_as_yaml_give_a_pack_or_a_pack_error(
    overrides: dict[str, object], shared: bool
) -> None:
    """PyYAML's own output for tuples, sets, bytes, complex numbers, functions, dates and floats."""
    question = {"id": "q1", "difficulty": "easy", "kind": "multiple_choice", "text": "Which?"}
    question |= {"options": ["one", "two"], "answer": 0, "explanation": "Because."} | overrides
    questions = [question, question] if shared else [question]  # one object twice: an anchor and an alias
    check(yaml.dump({"pack": "dumped", "questions": questions}, allow_unicode=True))
