"""LLMSource and hidden questions: a generated question hidden in a guild is dropped from its sets
(the bank fills in, never with a question hidden there either); other guilds still get it."""

from __future__ import annotations

import pytest

from quizbot.game.progression import Difficulty
from quizbot.questions.sources import QuestionRequest
from quizbot.storage.pool import Database
from quizbot.storage.reports import PostgresHiddenQuestions, hide_question
from tests.questions.llm.conftest import MakeSource
from tests.questions.llm.support import FakeAPI, payload, success

pytestmark = pytest.mark.filterwarnings("ignore:Inheritance class AiohttpClientSession:DeprecationWarning")

GUILD, OTHER = 1, 2


def request(guild_id: int) -> QuestionRequest:
    return QuestionRequest(guild_id=guild_id, difficulty=Difficulty.EASY, count=3, topic="science")


async def test_a_hidden_generated_question_is_dropped_and_the_bank_fills_in(
    api: FakeAPI, make_source: MakeSource, db: Database
) -> None:
    """The provider writes the same three questions again (here from its cache); with one of them and
    one bank question hidden in guild 1, its set holds the other two and a bank question not hidden."""
    api.script("openai", success("openai", payload(3)))
    source = make_source("openai", db=db)
    source.bank.hidden = PostgresHiddenQuestions(db)
    first = (await source.prepare(request(GUILD))).questions
    assert all(q.source == "openai" for q in first)
    bank_science = source.bank.bank.by_category["science"]
    for question in (first[0], *bank_science[:-1]):  # one bank science question stays in play
        await hide_question(db, guild_id=GUILD, question_id=question.identity, hidden_by=9, reason="")

    again = await source.prepare(request(GUILD))
    assert [q.identity for q in again.questions] == [
        first[1].identity,
        first[2].identity,
        bank_science[-1].identity,
    ]
    assert len(api.requests("openai")) == 1  # the cache served it: what was dropped was not asked for again
    elsewhere = (await source.prepare(request(OTHER))).questions
    assert [q.identity for q in elsewhere] == [q.identity for q in first]
