"""Who served a set is data (SourceLabel), worded only at the edge: the bank's words and "and" in the
reader's language, a provider's name as it is; English as it was."""

from __future__ import annotations

import pytest

from quizbot.bot.catalogue import fallback_notice
from quizbot.clock import ManualClock
from quizbot.game.progression import Difficulty
from quizbot.questions.sources import QuestionRequest, SourceKind, SourceLabel
from quizbot.storage.pool import Database
from tests.questions.llm.conftest import MakeSource
from tests.questions.llm.support import HANG, FakeAPI, advancing, payload, success

pytestmark = pytest.mark.filterwarnings("ignore:Inheritance class AiohttpClientSession:DeprecationWarning")

FAST_TIMEOUT = {"QUIZBOT_LLM_REQUEST_TIMEOUT": "0.05", "QUIZBOT_LLM_ATTEMPTS": "2"}
ENGLISH_WORDS = ("offline bank", " and ", "the rest", "come from")
PARTIAL = {  # OpenAI wrote one question of three, the bank's science category the rest
    "de": "OpenAI hat nur 1 brauchbare Frage erstellt, deshalb liefert die Offline-Fragenbank (science) "
    "den Rest.",
    "ja": "OpenAI が作成できたのは使える問題1問だけなので、残りはオフラインの問題集「science」から"
    "出題します。",
    "en-US": "OpenAI wrote only 1 usable question, so the rest come from the offline bank (science).",
}
UNAVAILABLE = {  # OpenAI is down, the bank's science category served instead
    "de": "OpenAI ist gerade nicht verfügbar, deshalb liefert die Offline-Fragenbank (science) diese Fragen.",
    "ja": "OpenAI は現在利用できないため、問題はオフラインの問題集「science」から出題します。",
    "en-US": "OpenAI is unavailable right now, so these questions come from the offline bank (science).",
}


def request(count: int = 3) -> QuestionRequest:
    return QuestionRequest(guild_id=1, difficulty=Difficulty.EASY, count=count, topic="science")


def test_a_label_reads_in_english_in_logs() -> None:
    """str() of a label is the English the logs show; a provider keeps its own name."""
    assert str(SourceLabel.bank("science")) == "the offline bank (science)"
    assert str(SourceLabel.bank()) == "the offline bank"
    assert SourceLabel.provider("OpenAI") == SourceLabel(SourceKind.PROVIDER, "OpenAI")
    assert str(SourceLabel.provider("OpenAI")) == "OpenAI"


async def test_a_set_topped_up_from_the_bank_names_both_as_data(
    api: FakeAPI, make_source: MakeSource, db: Database
) -> None:
    """OpenAI wrote one question and the bank the rest: two labels, the bank's with its category."""
    api.script("openai", success("openai", payload(1)))
    prepared = await make_source("openai", db=db).prepare(request(3))
    bank = SourceLabel.bank("science")
    assert prepared.labels == (SourceLabel.provider("OpenAI"), bank)
    assert prepared.fallback is not None and prepared.fallback.others == (bank,)


@pytest.mark.parametrize(("locale", "shown"), PARTIAL.items())
async def test_a_partial_sets_notice_names_the_bank_in_the_readers_words(
    api: FakeAPI, make_source: MakeSource, db: Database, locale: str, shown: str
) -> None:
    """The notice's bank is the reader's words for it (English as before); no English is left in."""
    api.script("openai", success("openai", payload(1)))
    prepared = await make_source("openai", db=db).prepare(request(3))
    assert prepared.fallback is not None
    text = fallback_notice(prepared.fallback).text_for(locale)
    assert text == shown
    if locale != "en-US":
        assert not any(word in text for word in ENGLISH_WORDS)


@pytest.mark.parametrize(("locale", "shown"), UNAVAILABLE.items())
async def test_an_unavailable_providers_notice_names_the_bank_in_the_readers_words(
    api: FakeAPI, make_source: MakeSource, clock: ManualClock, db: Database, locale: str, shown: str
) -> None:
    """A provider that is down: the bank that served instead is named in the reader's language."""
    api.script("openai", HANG)
    async with advancing(clock):  # the backoff between the two attempts
        prepared = await make_source("openai", db=db, **FAST_TIMEOUT).prepare(request())
    assert prepared.labels == (SourceLabel.bank("science"),)
    assert prepared.fallback is not None
    assert fallback_notice(prepared.fallback).text_for(locale) == shown
