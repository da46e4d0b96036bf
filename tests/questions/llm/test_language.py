"""Generated questions in the channel's language: each SDK's prompt names it, the questions record it."""

from __future__ import annotations

import pytest

from quizbot.errors import InvalidValue
from quizbot.game.progression import Difficulty
from quizbot.questions.llm import SYSTEM_PROMPT, build_prompt
from quizbot.questions.llm.chain import GenerationCache
from quizbot.questions.llm.parse import parse_questions
from quizbot.questions.sources import QuestionRequest
from quizbot.storage.pool import Database
from tests.questions.llm.conftest import MakeSource
from tests.questions.llm.support import PROVIDERS, FakeAPI, item, payload, success
from tests.questions.llm.test_providers import system_and_user

pytestmark = pytest.mark.filterwarnings("ignore:Inheritance class AiohttpClientSession:DeprecationWarning")

# A shipped locale, and the language the prompt names for it, in English as babel writes it.
NAMED = [
    ("en-US", "English (United States)"),
    ("en-GB", "English (United Kingdom)"),
    ("es-ES", "Spanish (Spain)"),
    ("pt-BR", "Portuguese (Brazil)"),
    ("fr", "French"),
    ("de", "German"),
    ("ru", "Russian"),
    ("ja", "Japanese"),
    ("pl", "Polish"),
]


def request(language: str, count: int = 2, topic: str = "volcanoes") -> QuestionRequest:
    return QuestionRequest(
        guild_id=1, difficulty=Difficulty.EASY, count=count, topic=topic, language=language
    )


@pytest.mark.parametrize(("language", "name"), NAMED)
def test_the_user_message_names_the_language_in_english(language: str, name: str) -> None:
    """The prompt asks for every question, option and explanation in the language, by name and code."""
    user = build_prompt("volcanoes", Difficulty.EASY, 3, language).user
    assert f"Write every question, option and explanation in {name}, locale {language}," in user
    assert user.startswith("Write 3 easy quiz questions about the subject below.")


def test_the_system_prompt_stays_fixed_and_keeps_true_and_false_in_english() -> None:
    """The language goes in the user message; the system prompt says only to follow it."""
    prompts = [build_prompt("volcanoes", Difficulty.EASY, 3, language) for language, _ in NAMED]
    assert {p.system for p in prompts} == {SYSTEM_PROMPT}
    assert "in the language the user message names" in SYSTEM_PROMPT
    assert '"True" and "False", in English whatever the language' in SYSTEM_PROMPT


def test_english_is_asked_for_when_no_language_is_given() -> None:
    """build_prompt without a language asks for American English, as the bot always did."""
    assert "in English (United States), locale en-US," in build_prompt("rivers", Difficulty.EASY, 1).user


@pytest.mark.parametrize("language", ["klingon", "", "english"])
def test_an_unknown_language_is_refused_before_anything_is_sent(language: str) -> None:
    """The request and the prompt take only Discord locales."""
    with pytest.raises(InvalidValue, match="language"):
        request(language)
    with pytest.raises(InvalidValue, match="language"):
        build_prompt("rivers", Difficulty.EASY, 1, language)


def test_a_request_spells_its_language_as_discord_does() -> None:
    """A request spells "PT-br" as pt-BR; with none given, it is in en-US."""
    assert request("PT-br").language == "pt-BR"
    assert QuestionRequest(guild_id=1, difficulty=Difficulty.EASY, count=1).language == "en-US"


def test_parsed_questions_record_their_language() -> None:
    """Questions from a reply are in the language they were asked for (English when none was)."""
    options = (("Kohlendioxid", True), ("Sauerstoff", False))
    raw = {"questions": [item("Welches Gas nehmen Pflanzen auf?", options)]}
    german = parse_questions(raw, provider="openai", category="science", count=1, language="de")
    english = parse_questions(raw, provider="openai", category="science", count=1)
    assert [q.language for q in german.questions] == ["de"]
    assert [q.language for q in english.questions] == ["en-US"]
    assert german.questions[0].identity != english.questions[0].identity


@pytest.mark.parametrize("provider", PROVIDERS)
@pytest.mark.parametrize(
    ("language", "name"), [("de", "German"), ("ja", "Japanese"), ("pt-BR", "Portuguese (Brazil)")]
)
async def test_each_sdk_sends_the_language_and_the_questions_keep_it(
    api: FakeAPI, make_source: MakeSource, provider: str, language: str, name: str
) -> None:
    """Through the real SDK, the request's user message names the language; its questions record it."""
    api.script(provider, success(provider, payload(2)))
    prepared = await make_source(provider).prepare(request(language))
    system, user = system_and_user(api.requests(provider)[0])
    assert system == SYSTEM_PROMPT
    assert f"in {name}, locale {language}," in user
    assert [q.language for q in prepared.questions] == [language, language]


async def test_the_cache_keeps_languages_apart(api: FakeAPI, make_source: MakeSource) -> None:
    """The same topic in two languages is two requests; again in the first language, none."""
    api.script("openai", success("openai", payload(2)))
    source = make_source("openai")
    german = await source.prepare(request("de"))
    french = await source.prepare(request("fr"))
    again = await source.prepare(request("de"))
    assert len(api.requests("openai")) == 2
    assert [q.language for q in french.questions] == ["fr", "fr"]
    assert again.questions == german.questions
    assert GenerationCache.key("openai", "x", Difficulty.EASY, 2)[-1] == "en-US"


async def test_the_bank_tops_up_in_english(api: FakeAPI, make_source: MakeSource, db: Database) -> None:
    """The offline bank stays English: a German set it fills up holds German and English questions."""
    api.script("openai", success("openai", payload(1)))
    prepared = await make_source("openai", db=db).prepare(request("de", count=3, topic="science"))
    assert [q.language for q in prepared.questions] == ["de", "en-US", "en-US"]


TRUTHS = [("de", "Wahr", "Falsch"), ("fr", "Faux", "Vrai"), ("de", "True", "False")]


@pytest.mark.parametrize(("language", "right", "wrong"), TRUTHS)
def test_true_and_false_in_the_language_become_a_true_false_question(
    language: str, right: str, wrong: str
) -> None:
    """A model that words True and False in the language still gives a true/false question."""
    options = ((wrong, False), (right, True))
    raw = {"questions": [item("Wale sind Säugetiere.", options, kind="true_false")]}
    parsed = parse_questions(raw, provider="openai", category="nature", count=1, language=language)
    (question,) = parsed.questions
    assert question.options == ("True", "False")
    assert question.correct_text == ("True" if right in ("Wahr", "True") else "False")


def test_another_language_s_true_and_false_are_not_read() -> None:
    """In English, "Wahr" and "Falsch" are two options of a multiple-choice question, not true and false."""
    options = (("Wahr", True), ("Falsch", False))
    raw = {"questions": [item("Which word is German?", options), item("Is it?", options, kind="true_false")]}
    parsed = parse_questions(raw, provider="openai", category="language", count=2)
    assert [q.options for q in parsed.questions] == [("Wahr", "Falsch")]
    assert len(parsed.dropped) == 1 and "True and False" in parsed.dropped[0]
