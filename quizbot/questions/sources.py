"""Where a quiz's questions come from: a request in, a prepared set out, with the source named."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from quizbot.errors import InvalidValue
from quizbot.game.languages import DEFAULT_LANGUAGE, EXAMPLES, known_locale
from quizbot.game.progression import Difficulty
from quizbot.game.questions import Question
from quizbot.game.values import check_id, parse_enum
from quizbot.questions.bank import QuestionBank
from quizbot.questions.custom import CustomPacks
from quizbot.questions.ports import AskedQuestions, HiddenQuestions

MAX_TOPIC_LENGTH = 100


@dataclass(frozen=True, slots=True)
class QuestionRequest:
    """What the host asked for: a topic or a bank category, a difficulty, how many, which provider, and
    the language the channel speaks (generated questions are written in it, a pack in it is preferred)."""

    guild_id: int
    difficulty: Difficulty
    count: int
    topic: str | None = None  # free text for an LLM; data, never instructions
    category: str | None = None  # a bank category; None with no topic: any category
    provider: str | None = None
    buttons: bool = False  # answered with buttons: only questions with options will do
    language: str = DEFAULT_LANGUAGE  # a Discord locale, as the channel speaks it (a shipped one)

    def __post_init__(self) -> None:
        check_id(self.guild_id, "guild_id")
        language = known_locale(self.language)
        if language is None:
            raise InvalidValue(
                f"unknown language {self.language!r}; use a Discord locale such as {', '.join(EXAMPLES)}"
            )
        object.__setattr__(self, "language", language)
        object.__setattr__(self, "difficulty", parse_enum(Difficulty, self.difficulty, "difficulty"))
        if isinstance(self.count, bool) or not 1 <= self.count <= 20:
            raise InvalidValue("the question count must be between 1 and 20")
        if self.topic is not None:
            topic = " ".join(self.topic.split())
            if not topic:
                raise InvalidValue("the topic is empty")
            if len(topic) > MAX_TOPIC_LENGTH:
                raise InvalidValue(f"the topic must be at most {MAX_TOPIC_LENGTH} characters")
            object.__setattr__(self, "topic", topic)


class SourceKind(StrEnum):
    """Who served a quiz's questions."""

    BANK = "bank"  # the offline bank (a server's own packs are among its categories)
    PROVIDER = "provider"  # an LLM provider


@dataclass(frozen=True, slots=True)
class SourceLabel:
    """Who served questions, as data: the Discord edge words it in the reader's language.

    `name` is the bank's category ("" for any category) or the provider's name as players know it
    ("OpenAI"), which stays as it is in every language.
    """

    kind: SourceKind
    name: str = ""

    @classmethod
    def bank(cls, category: str | None = None) -> SourceLabel:
        """The offline bank, for `category` (None: any category)."""
        return cls(SourceKind.BANK, category or "")

    @classmethod
    def provider(cls, name: str) -> SourceLabel:
        """An LLM provider, by the name players know it by."""
        return cls(SourceKind.PROVIDER, name)

    def __str__(self) -> str:
        """In English, for logs: "the offline bank (science)", "OpenAI"."""
        if self.kind is SourceKind.PROVIDER:
            return self.name
        return f"the offline bank ({self.name})" if self.name else "the offline bank"


@dataclass(frozen=True, slots=True)
class Fallback:
    """Why a set did not come wholly from the first choice; the Discord edge's catalogue words it.

    `key` is one of provider_unavailable, provider_not_set_up, generation_empty, generation_partial
    and no_generator.
    """

    key: str
    provider: str = ""  # the first choice, as players know it ("OpenAI")
    got: int = 0  # usable questions it wrote
    others: tuple[SourceLabel, ...] = ()  # who served instead of it, or the rest after it
    total: int = 0  # questions in the set


@dataclass(frozen=True, slots=True)
class PreparedQuestions:
    """A ready set of questions, who served them (worded by the edge in the reader's language), and
    any fallback."""

    questions: tuple[Question, ...]
    labels: tuple[SourceLabel, ...] = ()
    fallback: Fallback | None = None

    @property
    def source(self) -> str:
        """Who served them in English, for logs: "the offline bank (science)", "OpenAI and Anthropic"."""
        return join_labels([str(label) for label in self.labels]) or "nowhere"


def join_labels(labels: Sequence[str]) -> str:
    """ "A", "A and B", "A, B and C", in English (for logs; players read the edge's words)."""
    if len(labels) <= 1:
        return "".join(labels)
    return ", ".join(labels[:-1]) + " and " + labels[-1]


class QuestionSource(Protocol):
    """Anything that can prepare a set of questions before a session starts."""

    async def prepare(self, request: QuestionRequest) -> PreparedQuestions: ...


class BankSource:
    """The offline bank, with no repeats per guild until a category runs dry, and never a question
    hidden in that guild (or everywhere)."""

    def __init__(
        self,
        bank: QuestionBank,
        seen: AskedQuestions,
        *,
        custom: CustomPacks | None = None,
        hidden: HiddenQuestions | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.bank = bank
        self.seen = seen
        self.custom = custom
        self.hidden = hidden
        self.rng = rng or random.Random()

    async def hidden_for(self, guild_id: int) -> frozenset[str]:
        """The identities out of play in the guild (none without a HiddenQuestions), read once per set."""
        return await self.hidden.hidden_for(guild_id) if self.hidden is not None else frozenset()

    async def prepare(
        self, request: QuestionRequest, *, hidden: frozenset[str] | None = None
    ) -> PreparedQuestions:
        """Questions the guild has not seen and has not hidden; a category that runs dry starts over.

        `hidden`: the guild's hidden identities when the caller has read them already (else read here)."""
        bank = await self.custom.bank_for(request.guild_id) if self.custom is not None else self.bank
        if hidden is None:
            hidden = await self.hidden_for(request.guild_id)
        out_of_play = bank.ids_of(hidden)
        category = request.category
        if category is None and request.topic is not None:
            category = bank.nearest_category(request.topic)
        categories = [category] if category is not None else sorted(bank.categories)
        asked = await self.seen.asked(request.guild_id, categories)
        chosen = bank.choose(
            category,
            request.difficulty,
            request.count,
            exclude=asked | out_of_play,
            rng=self.rng,
            buttons=request.buttons,
            language=request.language,
        )
        if len(chosen) < request.count:  # exhausted: forget what was seen and fill up
            await self.seen.forget(request.guild_id, categories)
            taken = {q.question_id for q in chosen} | out_of_play
            chosen += bank.choose(
                category,
                request.difficulty,
                request.count - len(chosen),
                exclude=taken,
                rng=self.rng,
                buttons=request.buttons,
                language=request.language,
            )
        if len(chosen) < request.count:
            raise InvalidValue(
                f"the bank has only {len(chosen)} questions for {category or 'all categories'}; ask for fewer"
            )
        by_category: defaultdict[str, list[str]] = defaultdict(list)
        for question in chosen:
            by_category[question.category].append(question.question_id)
        await self.seen.mark(request.guild_id, by_category)
        return PreparedQuestions(tuple(chosen), (SourceLabel.bank(category),))
