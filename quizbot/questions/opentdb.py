"""Open Trivia Database exports (its API's JSON answers) read into a Pack, HTML entities decoded.

An export is `{"response_code": 0, "results": [{"type": "multiple" | "boolean", "difficulty":
"easy" | "medium" | "hard", "category", "question", "correct_answer", "incorrect_answers"}]}` with
its text HTML-escaped (the API's default encoding). A file that is anything else is refused with an
ImportRefused naming the file, the question (counting from 1) and the field, and a reason the edge
words from the catalogue; the whole file is checked before a single question is built, and one
holding more questions than a pack may is refused before any is looked at. The questions are the
Open Trivia Database's, CC BY-SA 4.0: the pack carries that licence and its credit line.
"""

from __future__ import annotations

import html
import random
import re
import unicodedata
from collections.abc import Mapping
from html.entities import html5
from typing import Any

import orjson

from quizbot.errors import InvalidValue
from quizbot.game.languages import DEFAULT_LANGUAGE
from quizbot.game.progression import Difficulty
from quizbot.game.questions import (
    MAX_OPTION_LABEL,
    MAX_OPTIONS,
    MAX_TEXT,
    MIN_OPTIONS,
    TRUE_FALSE,
    Question,
    QuestionKind,
)
from quizbot.questions.packs import Pack
from quizbot.questions.provenance import OPENTDB
from quizbot.questions.yaml_subset import NOT_TEXT, PackError

MAX_IMPORT_QUESTIONS = 1000  # an OpenTDB pack's cap; the upload's 256 KiB holds about this many
MAX_IMPORT_BYTES = 16 * 1024 * 1024  # read to count a file's questions; uploads are far smaller
MAX_CATEGORY_CHARS = 200
TYPES = {"multiple": QuestionKind.MULTIPLE_CHOICE, "boolean": QuestionKind.TRUE_FALSE}
DIFFICULTIES = frozenset(difficulty.value for difficulty in Difficulty)
TEXT_FIELDS = ("type", "difficulty", "category", "question", "correct_answer")
# The API's other encodings, told by how they write a question's type.
BASE64_TYPES = {"bXVsdGlwbGU=", "Ym9vbGVhbg=="}
URL_ENCODED = re.compile(r"%[0-9A-Fa-f]{2}")
# An entity as HTML5 reads one: &#digits; or &#xhex; (the ; optional), &#anything-else (broken), or
# &name; (a name HTML5 does not know is broken; "AT&T" without a ; is plain text, as written).
ENTITY = re.compile(r"&(?:#(?P<number>[0-9]+;?|[xX][0-9A-Fa-f]+;?)?|(?P<name>[A-Za-z][A-Za-z0-9]*);)")
SHOWN_ENTITY = re.compile(r"&#?[^\s&;]{0,12};?")

# English for logs and for PackError's text; players read the catalogue's imports.why_<reason>.
REASONS: Mapping[str, str] = {
    "not_json": "is not valid JSON (line {line}, column {column})",
    "too_large": "is {size:,} bytes; an import is at most {limit:,}",
    "not_an_export": "is not an Open Trivia Database export: a JSON object with a results list",
    "response_code": "holds response_code {code}; only a successful export (response_code 0) has questions",
    "no_questions": "its results list holds no questions",
    "too_many": "holds {count:,} questions; a pack holds at most {limit:,}",
    "encoded": "is encoded as {encoding}; only the default encoding (HTML entities) is read",
    "not_a_question": "is not an object with a question's fields",
    "missing": "is missing",
    "not_text": "must be text",
    "not_text_list": "must be a list of text",
    "empty": "is empty",
    "too_long": "is longer than {count:,} characters",
    "broken_entity": "holds {entity}, which is not an HTML entity that decodes to text",
    "not_character": "holds {code}, which is not text",
    "unknown_type": "{value} is not a question type; use multiple or boolean",
    "unknown_difficulty": "{value} is not a difficulty; use easy, medium or hard",
    "boolean_answer": "a boolean question's correct_answer is True or False, its incorrect_answers the other",
    "option_count": "must hold {low} to {high} answers",
    "duplicate_option": "{option} is offered twice",
    "licence_fixed": "the Open Trivia Database's questions are {licence}; leave the licence option empty",
    "invalid": "{detail}",
}


class ImportRefused(PackError):
    """An import file that cannot be read: where (file, question, field), and why as a reason key."""

    def __init__(
        self, source: str, reason: str, *, number: int | None = None, key: str | None = None, **details: Any
    ) -> None:
        self.reason, self.number, self.key, self.details = reason, number, key, details
        where = ", ".join(part for part in (f"question {number}" if number else "", key or "") if part)
        super().__init__(source, None, where or None, REASONS[reason].format(**details))


def parse_opentdb(text: str, *, source: str, pack_id: str) -> Pack:
    """The pack an Open Trivia Database export holds, its category named `pack_id`; ImportRefused if not."""
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_IMPORT_BYTES:
        raise ImportRefused(source, "too_large", size=size, limit=MAX_IMPORT_BYTES)
    try:
        root = orjson.loads(text.removeprefix("\ufeff"))
    except orjson.JSONDecodeError as error:
        raise ImportRefused(source, "not_json", line=error.lineno, column=error.colno) from None
    results = _results(root, source)
    _plain_encoding(results[0], source)
    category = pack_id.lower()
    checked = [_fields(item, source, number) for number, item in enumerate(results, start=1)]
    questions = tuple(
        _question(fields, source, number, category) for number, fields in enumerate(checked, start=1)
    )
    name = pack_id.replace("_", " ").replace("-", " ").strip().title() or category
    return Pack(category, name[:100], "", questions, source, DEFAULT_LANGUAGE, OPENTDB)


def _results(root: object, source: str) -> list[Any]:
    """The export's results, once its shape, response code and size are right."""
    if not isinstance(root, dict) or not isinstance(root.get("results"), list):
        raise ImportRefused(source, "not_an_export")
    code = root.get("response_code", 0)
    if type(code) is not int:
        raise ImportRefused(source, "not_an_export")
    if code != 0:
        raise ImportRefused(source, "response_code", code=code)
    results: list[Any] = root["results"]
    if not results:
        raise ImportRefused(source, "no_questions")
    if len(results) > MAX_IMPORT_QUESTIONS:
        raise ImportRefused(source, "too_many", count=len(results), limit=MAX_IMPORT_QUESTIONS)
    return results


def _plain_encoding(first: object, source: str) -> None:
    """Refuse the API's base64 and URL encodings, told by the first question, before anything else."""
    if not isinstance(first, dict):
        return
    kind = first.get("type")
    if isinstance(kind, str) and kind in BASE64_TYPES:
        raise ImportRefused(source, "encoded", encoding="base64")
    question = first.get("question")
    if isinstance(question, str) and " " not in question and URL_ENCODED.search(question):
        raise ImportRefused(source, "encoded", encoding="url3986")


def _fields(item: object, source: str, number: int) -> dict[str, Any]:
    """One result's fields, decoded and checked: text where text belongs, known type and difficulty."""
    if not isinstance(item, dict):
        raise ImportRefused(source, "not_a_question", number=number)
    fields: dict[str, Any] = {}
    for key in TEXT_FIELDS:
        fields[key] = _decoded(item.get(key), source, number, key)
    wrong = item.get("incorrect_answers")
    if wrong is None:
        raise ImportRefused(source, "missing", number=number, key="incorrect_answers")
    if not isinstance(wrong, list) or not all(isinstance(answer, str) for answer in wrong):
        raise ImportRefused(source, "not_text_list", number=number, key="incorrect_answers")
    fields["incorrect_answers"] = [_decoded(a, source, number, "incorrect_answers") for a in wrong]
    if fields["type"] not in TYPES:
        raise ImportRefused(source, "unknown_type", number=number, key="type", value=fields["type"][:40])
    if fields["difficulty"] not in DIFFICULTIES:
        value = fields["difficulty"][:40]
        raise ImportRefused(source, "unknown_difficulty", number=number, key="difficulty", value=value)
    limits = {"question": MAX_TEXT, "category": MAX_CATEGORY_CHARS, "correct_answer": MAX_OPTION_LABEL}
    for key, limit in limits.items():
        if len(fields[key]) > limit:
            raise ImportRefused(source, "too_long", number=number, key=key, count=limit)
    if any(len(answer) > MAX_OPTION_LABEL for answer in fields["incorrect_answers"]):
        raise ImportRefused(
            source, "too_long", number=number, key="incorrect_answers", count=MAX_OPTION_LABEL
        )
    return fields


def _decoded(value: object, source: str, number: int, key: str) -> str:
    """A text field with its HTML entities decoded; a broken entity or a character that is not text
    is refused, and so is a value that is missing, not text or empty."""
    if value is None:
        raise ImportRefused(source, "missing", number=number, key=key)
    if not isinstance(value, str):
        raise ImportRefused(source, "not_text", number=number, key=key)

    def entity(found: re.Match[str]) -> str:
        if found.group("number"):
            decoded: str | None = html.unescape(found.group())
        elif found.group("name"):
            decoded = html5.get(f"{found.group('name')};")
        else:  # "&#" and no number
            decoded = None
        if not decoded or "\ufffd" in decoded or NOT_TEXT.search(decoded):  # "" for &#1; and non-characters
            shown = SHOWN_ENTITY.match(value, found.start())
            entity = shown.group() if shown else found.group()
            raise ImportRefused(source, "broken_entity", number=number, key=key, entity=entity)
        return decoded

    text = ENTITY.sub(entity, value)
    bad = NOT_TEXT.search(text)
    if bad is not None:
        code = f"U+{ord(bad.group()):04X}"
        raise ImportRefused(source, "not_character", number=number, key=key, code=code)
    text = " ".join(text.split())
    if not text:
        raise ImportRefused(source, "empty", number=number, key=key)
    return text


def _question(fields: dict[str, Any], source: str, number: int, category: str) -> Question:
    """The checked fields as a Question; a multiple-choice question's options in an order of its own."""
    correct, wrong = fields["correct_answer"], fields["incorrect_answers"]
    kind = TYPES[fields["type"]]
    options: tuple[str, ...]
    if kind is QuestionKind.TRUE_FALSE:
        if correct not in TRUE_FALSE or wrong != [other for other in TRUE_FALSE if other != correct]:
            raise ImportRefused(source, "boolean_answer", number=number, key="correct_answer")
        options, answer_index = TRUE_FALSE, TRUE_FALSE.index(correct)
    else:
        low, high = MIN_OPTIONS - 1, MAX_OPTIONS - 1
        if not low <= len(wrong) <= high:
            raise ImportRefused(
                source, "option_count", number=number, key="incorrect_answers", low=low, high=high
            )
        options, answer_index = _ordered(fields["question"], correct, wrong, source, number)
    try:
        return Question(
            question_id=f"{category}-{number:04d}",
            text=fields["question"],
            kind=kind,
            category=category,
            difficulty=Difficulty(fields["difficulty"]),
            explanation="",
            options=options,
            answer_index=answer_index,
            source=f"opentdb:{category}",
        )
    except InvalidValue as error:  # the model's own rules, such as the category's length
        raise ImportRefused(source, "invalid", number=number, detail=str(error).split(": ", 1)[-1]) from None


def _ordered(
    question: str, correct: str, wrong: list[str], source: str, number: int
) -> tuple[tuple[str, ...], int]:
    """The options shuffled by a seed drawn from the question, so the right one is not always first
    and the same file always gives the same order (and the same question identities)."""
    seen: set[str] = set()
    for option in (correct, *wrong):
        folded = _folded(option)
        if folded in seen:
            key = "correct_answer" if option is correct else "incorrect_answers"
            raise ImportRefused(source, "duplicate_option", number=number, key=key, option=option[:40])
        seen.add(folded)
    options = [correct, *wrong]
    random.Random(f"{question}\n{correct}").shuffle(options)  # str seeds hash with SHA-512: stable
    return tuple(options), options.index(correct)


def _folded(option: str) -> str:
    """An option as the question model compares options: case, accents and spacing aside."""
    decomposed = unicodedata.normalize("NFKD", option.casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())
