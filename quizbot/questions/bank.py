"""The offline question bank: every pack shipped with quizbot, plus each guild's own custom packs."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path

from loguru import logger
from rapidfuzz import fuzz, process

from quizbot.errors import InvalidValue
from quizbot.game.languages import same_language
from quizbot.game.progression import Difficulty
from quizbot.game.questions import Question, QuestionKind
from quizbot.questions.packs import Pack, PackError, load_pack

NEAREST_CATEGORY_CUTOFF = 80.0
MIN_KEYWORD_LENGTH = 4


def _words(text: str) -> list[str]:
    return "".join(c if c.isalnum() else " " for c in text.casefold()).split()


@lru_cache(maxsize=8192)
def _question_words(question: Question) -> frozenset[str]:
    """Every word of a question, its options, answers and explanation, folded; with simple plurals."""
    text = " ".join((question.text, question.explanation, *question.options, *question.accepted))
    words = set(_words(text))
    return frozenset(words | {w[:-1] for w in words if w.endswith("s")} | {w + "s" for w in words})


def shipped_pack_dir() -> Path:
    """Where the packs written for quizbot live inside the installed package."""
    return Path(str(resources.files("quizbot.questions").joinpath("packs")))


@cache
def _shipped_pack(path: Path) -> Pack:
    """A shipped pack, parsed once per process: package data does not change while quizbot runs, and
    every bot a test or benchmark starts would otherwise parse them all again (about 0.1 s)."""
    return load_pack(path)


@dataclass(slots=True)
class QuestionBank:
    """Questions by category; loading skips bad packs and reports them instead of failing."""

    packs: dict[str, Pack] = field(default_factory=dict)
    by_category: dict[str, list[Question]] = field(default_factory=lambda: defaultdict(list))
    _by_identity: dict[str, Question] | None = field(default=None, init=False, repr=False, compare=False)

    @classmethod
    def load(cls, directory: Path | None = None) -> tuple[QuestionBank, list[PackError]]:
        """Every *.yaml / *.yml pack in `directory` (default: the shipped packs), and what was wrong."""
        folder = directory or shipped_pack_dir()
        read = _shipped_pack if directory is None else load_pack
        bank, errors = cls(), []
        for path in sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")]):
            try:
                bank.add(read(path))
            except PackError as error:
                logger.bind(pack=path.name).error("pack skipped: {}", error)
                errors.append(error)
        return bank, errors

    def add(self, pack: Pack) -> None:
        """Add a pack; its ids must not clash with questions already in the bank."""
        if pack.pack_id in self.packs:
            raise PackError(pack.source, None, "pack", f"a pack called {pack.pack_id!r} is already loaded")
        known = {q.question_id for qs in self.by_category.values() for q in qs}
        clash = next((q.question_id for q in pack.questions if q.question_id in known), None)
        if clash is not None:
            raise PackError(pack.source, None, "id", f"{clash!r} is already used by another pack")
        self.packs[pack.pack_id] = pack
        for question in pack.questions:
            self.by_category[question.category].append(question)
        self._by_identity = None  # indexed again when next asked

    def merged(self, packs: list[Pack]) -> QuestionBank:
        """A new bank holding this one's packs and `packs` (this one is left as it was)."""
        bank = QuestionBank()
        for pack in [*self.packs.values(), *packs]:
            bank.add(pack)
        return bank

    def find(self, identity: str) -> Question | None:
        """The bank's question with this identity (Question.identity), if it holds one.

        The index is built on the first call (identities are computed once per question and kept)."""
        if self._by_identity is None:
            self._by_identity = {q.identity: q for qs in self.by_category.values() for q in qs}
        return self._by_identity.get(identity)

    def ids_of(self, identities: Iterable[str]) -> set[str]:
        """The question ids (Question.question_id) of those of `identities` this bank holds: what
        `choose` excludes by, for questions named by identity (hidden ones)."""
        return {question.question_id for identity in identities if (question := self.find(identity))}

    def __len__(self) -> int:
        return sum(len(qs) for qs in self.by_category.values())

    @property
    def categories(self) -> list[str]:
        return sorted(self.by_category)

    def nearest_category(self, topic: str) -> str | None:
        """The category closest to a free-text topic (for falling back from an LLM), if any is close.

        First by name (a category or pack name like the topic); then by the topic's words
        appearing in a category's questions and explanations ("planets" finds space).
        """
        if not topic.strip() or not self.by_category:
            return None
        names = {category: category for category in self.by_category}
        names.update({pack.name.lower(): next(iter(pack.categories)) for pack in self.packs.values()})
        best = process.extractOne(topic.lower(), list(names), scorer=fuzz.WRatio)
        if best is not None and best[1] >= NEAREST_CATEGORY_CUTOFF:
            return names[best[0]]
        words = {word for word in _words(topic) if len(word) >= MIN_KEYWORD_LENGTH}
        scores = {
            category: sum(1 for q in questions for word in words if word in _question_words(q))
            for category, questions in self.by_category.items()
        }
        category, score = max(scores.items(), key=lambda item: (item[1], item[0]))
        return category if score > 0 else None

    def choose(
        self,
        category: str | None,
        difficulty: Difficulty,
        count: int,
        *,
        exclude: Iterable[str] = (),
        rng: random.Random | None = None,
        buttons: bool = False,
        language: str | None = None,
    ) -> list[Question]:
        """`count` questions of a category (or any) in `language` and `difficulty` first, skipping `exclude`.

        Questions in the wanted language (a Discord locale; any of its variants: "en-GB" takes "en-US")
        come first, those of the wanted difficulty first among them; other difficulties, then other
        languages, fill in when they run short. Returns fewer than `count` only when the category has
        fewer unseen questions in all. With `buttons`, only questions that options can answer (no short
        answers) are chosen.
        """
        if count < 1:
            raise InvalidValue("count must be at least 1")
        pool = self._pool(category)
        skipped = set(exclude)
        fresh = [
            q
            for q in pool
            if q.question_id not in skipped and not (buttons and q.kind is QuestionKind.SHORT_ANSWER)
        ]
        chooser = rng or random.Random()
        spoken = fresh if language is None else [q for q in fresh if same_language(q.language, language)]
        foreign = [] if language is None else [q for q in fresh if not same_language(q.language, language)]
        groups = [
            [q for q in questions if (q.difficulty is difficulty) is wanted]
            for questions in (spoken, foreign)
            for wanted in (True, False)
        ]
        for group in groups:  # an empty group draws nothing from `chooser`: one language, as before
            chooser.shuffle(group)
        return [q for group in groups for q in group][:count]

    def _pool(self, category: str | None) -> Sequence[Question]:
        if category is None:
            return [q for qs in self.by_category.values() for q in qs]
        if category not in self.by_category:
            known = ", ".join(self.categories)
            raise InvalidValue(f"unknown category {category!r}; choose one of {known}")
        return self.by_category[category]
