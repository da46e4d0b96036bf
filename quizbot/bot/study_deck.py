"""A study session's questions: the player's due cards first, most overdue first, then new ones.

New questions come from the chosen topic (a bank category or a pack, by name or id) or from any
category, are ones the player has no card for and can answer with buttons (no short answers), and
stay within the day's new-card room. Due cards
are found by identity; one that is no longer stored is skipped. A question hidden where the player
studies (the server they asked from; a DM: hidden everywhere) is neither due nor new.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from quizbot.game.questions import Question, QuestionKind
from quizbot.game.session import AnswerMode
from quizbot.questions.bank import QuestionBank
from quizbot.storage.pool import Database
from quizbot.storage.questions import find_questions
from quizbot.storage.reports import hidden_for
from quizbot.storage.study import DEFAULT_TIME_ZONE, StudyPlan, carded, study_plan


@dataclass(frozen=True, slots=True)
class Deck:
    """The questions of one study session, reviews first, and how many of each kind it holds."""

    questions: tuple[Question, ...]
    reviews: int
    new: int
    time_zone: str

    @property
    def mode(self) -> AnswerMode:
        """Buttons when every question has options; typed when one can only be typed (a card from a
        typed channel game), so that every card can be answered."""
        typed = any(q.kind is QuestionKind.SHORT_ANSWER for q in self.questions)
        return AnswerMode.TYPED if typed else AnswerMode.BUTTONS


def topic_questions(bank: QuestionBank, topic: str | None) -> list[Question] | None:
    """The questions `topic` names, any letter case: a category, else a pack by name or id; every
    question when no topic is given; None when the topic names nothing in the bank."""
    if topic is None:
        return [q for category in bank.categories for q in bank.by_category[category]]
    wanted = topic.strip().casefold()
    for category in bank.categories:
        if category.casefold() == wanted:
            return list(bank.by_category[category])
    for pack_id, pack in bank.packs.items():
        if wanted in (pack_id.casefold(), pack.name.casefold()):
            return list(pack.questions)
    return None


def topic_names(bank: QuestionBank) -> list[str]:
    """What /study start's topic can name: the categories, then the packs' names that are not a
    category's in another letter case, each once."""
    names = {category.casefold(): category for category in bank.categories}
    for name in sorted(pack.name for pack in bank.packs.values()):
        names.setdefault(name.casefold(), name)
    return list(names.values())


async def study_deck(
    db: Database,
    user_id: int,
    now: datetime,
    pool: Sequence[Question],
    *,
    count: int,
    server_zone: str | None = None,
    guild_id: int = 0,
    rng: random.Random | None = None,
) -> Deck:
    """Up to `count` questions: due cards (one index walk), then new ones drawn from `pool` at
    random, within today's room, that the player has no card for and buttons can answer; none
    hidden in `guild_id` (where they study; 0, a DM) or everywhere."""
    plan: StudyPlan = await study_plan(
        db, user_id, now, limit=count, server_zone=server_zone, guild_id=guild_id
    )
    found = await find_questions(db, plan.due)
    due = [found[identity] for identity in plan.due if identity in found]
    room = min(plan.new_allowed, count - len(due))
    new: list[Question] = []
    if room > 0:
        taken = {q.identity for q in due} | plan.hidden
        answerable = (q for q in pool if q.kind is not QuestionKind.SHORT_ANSWER)  # new ones: buttons
        candidates = list({q.identity: q for q in answerable if q.identity not in taken}.values())
        known = await carded(db, user_id, [q.identity for q in candidates])
        fresh = [q for q in candidates if q.identity not in known]
        (rng or random.Random()).shuffle(fresh)
        new = fresh[:room]
    return Deck(tuple(due + new), len(due), len(new), plan.time_zone)


async def missed_deck(
    db: Database, identities: Sequence[str], time_zone: str = DEFAULT_TIME_ZONE, *, guild_id: int = 0
) -> Deck:
    """The questions a player missed in one game, in the game's order (those still stored and not
    hidden in the game's guild or everywhere)."""
    found = await find_questions(db, identities)
    hidden = await hidden_for(db, guild_id) if found else frozenset()
    missed = [
        found[identity]
        for identity in dict.fromkeys(identities)
        if identity in found and identity not in hidden
    ]
    return Deck(tuple(missed), len(missed), 0, time_zone)
