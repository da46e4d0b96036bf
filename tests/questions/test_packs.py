"""Pack files: quizbot packs and Red trivia lists load; every kind of bad pack names file, line and field."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

import pytest

from quizbot.game.questions import QuestionKind
from quizbot.questions.packs import MAX_PACK_BYTES, PackError, load_pack, parse_pack

GOOD = dedent(
    """\
    pack: science
    name: Science
    description: Basics.
    questions:
      - id: science-001
        difficulty: easy
        kind: multiple_choice
        text: What is the chemical symbol for gold?
        options: [Au, Ag, Gd, Go]
        answer: 0
        explanation: From the Latin aurum.
      - id: science-002
        difficulty: medium
        kind: true_false
        text: The Sun orbits the Earth.
        answer: false
        explanation: The Earth orbits the Sun, once a year.
      - id: science-003
        difficulty: hard
        kind: short_answer
        text: Which element has the atomic number 26?
        accepted: [iron, Fe]
        explanation: Iron.
        hints: [It rusts.]
    """
)


def test_a_good_pack_loads_every_kind() -> None:
    """Multiple choice, true/false and short answer all load with their answers."""
    pack = parse_pack(GOOD, source="science.yaml", default_id="science")
    kinds = [q.kind for q in pack.questions]
    assert kinds == [QuestionKind.MULTIPLE_CHOICE, QuestionKind.TRUE_FALSE, QuestionKind.SHORT_ANSWER]
    assert pack.questions[0].correct_text == "Au"
    assert pack.questions[1].correct_text == "False"
    assert pack.questions[2].accepted == ("iron", "Fe") and pack.questions[2].hints == ("It rusts.",)
    assert pack.categories == {"science"}


def test_a_red_trivia_list_loads_as_short_answers() -> None:
    """AUTHOR and CONFIG are skipped; each question maps to its accepted answers."""
    pack = parse_pack(
        "AUTHOR: someone\nCONFIG:\n  max_score: 5\n"
        "What is 2+2?:\n- 4\n- four\nCapital of France?:\n- Paris\n",
        source="red.yaml",
        default_id="red_list",
    )
    assert [(q.text, q.accepted) for q in pack.questions] == [
        ("What is 2+2?", ("4", "four")),
        ("Capital of France?", ("Paris",)),
    ]
    assert all(q.kind is QuestionKind.SHORT_ANSWER for q in pack.questions)


@pytest.mark.parametrize(
    ("text", "line", "field", "problem"),
    [
        ("questions: [\n", 2, None, "not valid YAML"),
        ("- just\n- a list\n", 1, None, "mapping"),
        ("pack: x\nquestions: []\n", 2, "questions", "no questions"),
        ("pack: x\nquestions: nope\n", 2, "questions", "list"),
        ("pack: x\ncolour: red\nquestions: []\n", 2, "colour", "unknown field"),
        (
            "questions:\n  - id: a\n    difficulty: easy\n    kind: multiple_choice\n    text: Which?\n"
            "    options: [one, two]\n    answer: 2\n    explanation: x\n",
            2,
            "question a",
            "correct",
        ),
        (
            "questions:\n  - id: a\n    difficulty: easy\n    kind: multiple_choice\n    text: Which?\n"
            f"    options: [one, {'x' * 81}]\n    answer: 0\n    explanation: x\n",
            2,
            "question a",
            "80 characters",
        ),
        (
            "questions:\n  - id: a\n    difficulty: easy\n    kind: multiple_choice\n    text: Which?\n"
            "    options: [one, One]\n    answer: 0\n    explanation: x\n",
            2,
            "question a",
            "same thing",
        ),
        (
            "questions:\n  - id: a\n    difficulty: easy\n    kind: multiple_choice\n    text: Which?\n"
            "    options: [one, two]\n    answer: yes\n    explanation: x\n",
            7,
            "answer",
            "number of the correct option",
        ),
        (
            "questions:\n  - id: a\n    difficulty: extreme\n    kind: true_false\n    text: Yes.\n"
            "    answer: true\n    explanation: x\n",
            3,
            "difficulty",
            "not one of",
        ),
        (
            "questions:\n  - id: a\n    difficulty: easy\n    kind: true_false\n    text: Yes.\n"
            "    answer: 1\n    explanation: x\n",
            6,
            "answer",
            "true or false",
        ),
        (
            "questions:\n  - id: a\n    difficulty: easy\n    kind: short_answer\n    text: Who?\n"
            "    explanation: x\n",
            2,
            "accepted",
            "required",
        ),
        ("questions:\n  - id: a\n    kind: short_answer\n", 2, "difficulty", "required"),
        (
            "questions:\n  - id: a\n    difficulty: easy\n    kind: true_false\n    text: Yes.\n"
            "    answer: true\n    explanation: x\n    colour: red\n",
            8,
            "colour",
            "unknown question field",
        ),
        (
            "questions:\n  - id: a\n    difficulty: easy\n    kind: true_false\n    text: Yes.\n"
            "    answer: true\n    explanation: x\n"
            "  - id: a\n    difficulty: easy\n    kind: true_false\n    text: No.\n"
            "    answer: false\n    explanation: y\n",
            8,
            "id",
            "already used on line 2",
        ),
        ("pack: x\npack: y\nquestions: []\n", 2, "pack", "twice"),
        ("AUTHOR: me\n", None, None, "no questions"),
        ("Why?: []\n", 1, None, "non-empty list"),
    ],
)
def test_bad_packs_name_the_line_and_the_field(
    text: str, line: int | None, field: str | None, problem: str
) -> None:
    """Each malformed pack raises PackError with the file, the line, the field and what is wrong."""
    with pytest.raises(PackError) as caught:
        parse_pack(text, source="bad.yaml", default_id="bad")
    error = caught.value
    assert (error.source, error.line) == ("bad.yaml", line), str(error)
    if field is not None:
        assert error.field is not None and error.field.startswith(field), str(error)
    assert problem in str(error)


def test_an_oversized_pack_is_refused_before_parsing(tmp_path: Path) -> None:
    """Files over the size limit are refused by size, with the file named."""
    path = tmp_path / "huge.yaml"
    path.write_text("#" * (MAX_PACK_BYTES + 1))
    with pytest.raises(PackError, match=r"huge\.yaml.*bytes"):
        load_pack(path)


def test_a_binary_file_is_refused_cleanly(tmp_path: Path) -> None:
    """Bytes that are not UTF-8 give a PackError, not a crash."""
    path = tmp_path / "binary.yaml"
    path.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(PackError, match="cannot be read"):
        load_pack(path)
