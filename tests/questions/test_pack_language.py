"""Packs in other languages: `language:` is a Discord locale, and a server's language is preferred."""

from __future__ import annotations

import random
from textwrap import dedent

import pytest

from quizbot.game.progression import Difficulty
from quizbot.game.questions import Question, QuestionKind
from quizbot.questions.bank import QuestionBank
from quizbot.questions.custom import CustomPacks
from quizbot.questions.matching import fuzzy_matcher
from quizbot.questions.packs import Pack, PackError, parse_pack
from quizbot.questions.sources import BankSource, QuestionRequest
from quizbot.storage.guilds import PostgresAskedQuestions
from quizbot.storage.packs import PostgresPackStore
from quizbot.storage.pool import Database

GERMAN = dedent(
    """\
    pack: tiere
    name: Tiere
    language: {language}
    questions:
      - id: t1
        difficulty: easy
        kind: short_answer
        text: Wie viele Beine hat eine Spinne?
        accepted: ["8"]
        explanation: Spinnen haben acht Beine.
      - id: t2
        difficulty: easy
        kind: true_false
        text: Wale sind Säugetiere.
        answer: true
        explanation: Sie atmen Luft und säugen ihre Jungen.
    """
)


def german(language: str = "de") -> Pack:
    return parse_pack(GERMAN.format(language=language), source="tiere.yaml", default_id="tiere")


def test_a_pack_declares_its_language_and_its_questions_carry_it() -> None:
    """`language: de` makes a German pack of German questions, matched in German."""
    pack = german()
    assert pack.language == "de"
    assert {q.language for q in pack.questions} == {"de"}
    spider, whales = pack.questions
    assert fuzzy_matcher(spider, "acht") and not fuzzy_matcher(spider, "eight")
    assert fuzzy_matcher(whales, "wahr") and not fuzzy_matcher(whales, "falsch")


@pytest.mark.parametrize(
    ("written", "expected"), [("pt-BR", "pt-BR"), ("PT_br", "pt-BR"), ("'es-419'", "es-419")]
)
def test_a_pack_language_is_spelt_as_discord_spells_it(written: str, expected: str) -> None:
    """Any letter case, _ for - and quotes name the same locale."""
    assert german(written).language == expected


def test_a_pack_without_a_language_is_english() -> None:
    """No `language:` means en-US, as every shipped pack and Red trivia list is."""
    plain = GERMAN.replace("language: {language}\n", "")
    assert parse_pack(plain, source="x.yaml", default_id="x").language == "en-US"
    red = parse_pack("What is 2+2?:\n- 4\n", source="red.yaml", default_id="red")
    assert red.language == "en-US" and red.questions[0].language == "en-US"


def test_the_shipped_bank_is_english() -> None:
    """Every shipped pack and question is en-US."""
    bank, errors = QuestionBank.load()
    assert errors == []
    assert {p.language for p in bank.packs.values()} == {"en-US"}
    assert {q.language for qs in bank.by_category.values() for q in qs} == {"en-US"}


@pytest.mark.parametrize(
    ("written", "problem"),
    [
        (
            "klingon",
            "language: 'klingon' is not a Discord locale; use one such as en-US, es-ES, pt-BR, fr, de",
        ),
        ("german", "language: 'german' is not a Discord locale"),
        ("en", "language: 'en' is not a Discord locale"),
        ("[de, fr]", "language: must be a single value"),
        ("yes", "language: must be text"),
        ('""', "language: must be 1 to 64 characters"),
    ],
)
def test_a_pack_language_must_be_a_known_locale(written: str, problem: str) -> None:
    """Anything else is refused with the file, the line and the field, like every pack error."""
    with pytest.raises(PackError) as refused:
        german(written)
    assert str(refused.value).startswith(f"tiere.yaml, line 3: {problem}")
    assert (refused.value.line, refused.value.field) == (3, "language")


# --- preferring the server's language -----------------------------------------------------------


def question(qid: str, language: str, difficulty: Difficulty = Difficulty.EASY) -> Question:
    return Question(
        question_id=qid,
        text=f"Question {qid}?",
        kind=QuestionKind.TRUE_FALSE,
        category="animals",
        difficulty=difficulty,
        explanation="Because.",
        options=("True", "False"),
        answer_index=0,
        language=language,
    )


def mixed_bank() -> QuestionBank:
    """One category: six English questions, two German (one easy, one hard), one Brazilian."""
    bank = QuestionBank()
    english = tuple(question(f"e{i}", "en-US") for i in range(6))
    bank.add(Pack("animals", "Animals", "", english, "animals.yaml"))
    others = (question("d1", "de"), question("d2", "de", Difficulty.HARD), question("b1", "pt-BR"))
    bank.add(Pack("tiere", "Tiere", "", others, "tiere.yaml", "de"))
    return bank


def test_choose_puts_the_language_first_then_fills_in() -> None:
    """German questions come first, of any difficulty; the rest are other languages."""
    chosen = mixed_bank().choose("animals", Difficulty.EASY, 4, language="de", rng=random.Random(2))
    assert [q.question_id for q in chosen[:2]] == ["d1", "d2"]
    assert {q.language for q in chosen[2:]} <= {"en-US", "pt-BR"} and len(chosen) == 4


def test_a_language_is_matched_by_its_language_not_its_region() -> None:
    """An en-GB server takes the en-US questions first; a pt-BR one its Brazilian one."""
    bank = mixed_bank()
    british = bank.choose("animals", Difficulty.EASY, 6, language="en-GB", rng=random.Random(1))
    assert {q.language for q in british} == {"en-US"}
    assert bank.choose(None, Difficulty.EASY, 1, language="pt-BR")[0].question_id == "b1"


def test_one_language_chooses_exactly_as_before() -> None:
    """With every question in the wanted language, the same seed gives the same choice as no language."""
    bank, _ = QuestionBank.load()
    for category in bank.categories[:3]:
        before = bank.choose(category, Difficulty.MEDIUM, 10, rng=random.Random(5))
        after = bank.choose(category, Difficulty.MEDIUM, 10, rng=random.Random(5), language="en-US")
        assert before == after


async def test_a_server_gets_its_own_language_pack_first(db: Database) -> None:
    """With no topic, a German server's quiz opens with its German pack, then the English bank."""
    library = CustomPacks(PostgresPackStore(db), QuestionBank.load()[0], cache_seconds=0)
    await library.add(1, 42, "tiere.yaml", GERMAN.format(language="de").encode())
    source = BankSource(library.shipped, PostgresAskedQuestions(db), custom=library, rng=random.Random(4))
    prepared = await source.prepare(QuestionRequest(1, Difficulty.EASY, 5, language="de"))
    assert [q.language for q in prepared.questions] == ["de", "de", "en-US", "en-US", "en-US"]
    assert {q.question_id for q in prepared.questions[:2]} == {"g1/tiere/t1", "g1/tiere/t2"}
    english = await source.prepare(QuestionRequest(1, Difficulty.EASY, 5, language="en-US"))
    assert {q.language for q in english.questions} == {"en-US"}
