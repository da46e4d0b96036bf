"""Every answer is a review: how well a player recalled a question, and its FSRS card afterwards.

The scheduling itself is the `fsrs` package's (the open scheduler Anki uses); this module only says
which rating an answer earns and turns cards into plain values storage keeps in columns:

- wrong: Again;  right after a hint: Hard;  right: Good;  right within a third of the time: Easy.

One card per (player, question identity), across guilds: memory belongs to the person.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import IntEnum
from math import isclose

from fsrs import Card, Rating, Scheduler, State

QUICK_SHARE = 1 / 3  # right within this share of the question's time: Easy
SCHEDULER = Scheduler()  # FSRS-6 defaults: 90% desired retention, 1 and 10 minute learning steps


class Recall(IntEnum):
    """An answer's rating, as FSRS numbers them."""

    AGAIN = 1
    HARD = 2
    GOOD = 3
    EASY = 4


class CardState(IntEnum):
    """Where a card stands; NEW is a question the player has never answered (FSRS has no row)."""

    NEW = 0
    LEARNING = 1
    REVIEW = 2
    RELEARNING = 3


def recall_of(correct: bool, hinted: bool, elapsed: float, timeout: float) -> Recall:
    """The rating one answer earns: Again, Hard (after a hint), Good, or Easy (quick)."""
    if not correct:
        return Recall.AGAIN
    if hinted:
        return Recall.HARD
    quick = timeout * QUICK_SHARE  # a third of 10 s is not exactly 10 / 3 in floats: the edge is Easy
    if timeout > 0 and elapsed >= 0 and (elapsed <= quick or isclose(elapsed, quick)):
        return Recall.EASY
    return Recall.GOOD


@dataclass(frozen=True, slots=True)
class ReviewCard:
    """One player's card for one question, as storage keeps it (every field a column)."""

    due: datetime
    stability: float
    difficulty: float
    state: CardState
    step: int | None
    last_review: datetime


def review(card: ReviewCard | None, recall: Recall, at: datetime) -> ReviewCard:
    """The card after a review at `at` (aware; read in UTC); None: the question's first review."""
    moment = at.astimezone(UTC)
    before = _fsrs_card(card) if card is not None else Card(card_id=0, due=moment)
    after, _ = SCHEDULER.review_card(before, Rating(int(recall)), review_datetime=moment)
    if after.stability is None or after.difficulty is None or after.last_review is None:
        raise ValueError("fsrs returned a card with no memory state after a review")
    return ReviewCard(
        due=after.due,
        stability=float(after.stability),
        difficulty=float(after.difficulty),
        state=CardState(int(after.state)),
        step=after.step,
        last_review=after.last_review,
    )


def _fsrs_card(card: ReviewCard) -> Card:
    return Card(
        card_id=0,
        state=State(int(card.state)),
        step=card.step,
        stability=card.stability,
        difficulty=card.difficulty,
        due=card.due.astimezone(UTC),
        last_review=card.last_review.astimezone(UTC),
    )
