"""Every answer is a review: the rating an answer earns, and what the real FSRS scheduler does with it
over days and weeks of frozen time."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import fsrs.scheduler
import pytest
from freezegun import freeze_time
from freezegun.api import FrozenDateTimeFactory

from quizbot.game.reviews import CardState, Recall, ReviewCard, recall_of, review

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
DAY = timedelta(days=1)


@pytest.fixture
def clock() -> Iterator[FrozenDateTimeFactory]:
    """Frozen wall time from START: reviews happen at datetime.now(UTC) and time moves only by hand."""
    with freeze_time(START) as frozen:
        assert isinstance(frozen, FrozenDateTimeFactory)
        yield frozen


def now() -> datetime:
    return datetime.now(UTC)


def answered(card: ReviewCard | None, recall: Recall) -> tuple[ReviewCard, timedelta]:
    """The card after a review now, and how long until it is due again."""
    after = review(card, recall, now())
    return after, after.due - now()


# --- the rating an answer earns --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("correct", "hinted", "elapsed", "timeout", "earned"),
    [
        (False, False, 0.5, 30, Recall.AGAIN),  # wrong is Again, however quick
        (False, True, 29.0, 30, Recall.AGAIN),
        (True, True, 1.0, 30, Recall.HARD),  # a hint caps a right answer at Hard, however quick
        (True, True, 25.0, 30, Recall.HARD),
        (True, False, 10.01, 30, Recall.GOOD),  # right after the first third
        (True, False, 29.9, 30, Recall.GOOD),
        (True, False, 0.0, 30, Recall.EASY),  # right within the first third, from the first moment
        (True, False, 9.99, 30, Recall.EASY),
        (True, False, 0.0, 0, Recall.GOOD),  # no timeout, no first third
        (True, False, 1.0, 0, Recall.GOOD),
        (True, False, -1.0, 30, Recall.GOOD),  # timed before the question opened (a clock step)
    ],
)
def test_the_rating_an_answer_earns(
    correct: bool, hinted: bool, elapsed: float, timeout: float, earned: Recall
) -> None:
    """Wrong: Again; right after a hint: Hard; right: Good; right within a third of the time: Easy."""
    assert recall_of(correct, hinted, elapsed, timeout) is earned


@pytest.mark.parametrize("timeout", [3, 7, 10, 15, 20, 25, 30, 45, 60, 90, 120])
def test_exactly_a_third_of_the_time_is_still_easy(timeout: float) -> None:
    """The edge belongs to Easy, for every timeout (a third of 10 s or 20 s is not a float's exact third)."""
    assert recall_of(True, False, timeout / 3, timeout) is Recall.EASY
    assert recall_of(True, False, timeout / 3 + 0.001, timeout) is Recall.GOOD


# --- the scheduler's effect over time ---------------------------------------------------------------


def test_a_wrong_first_answer_is_due_again_within_a_day(clock: FrozenDateTimeFactory) -> None:
    """Again on a new question: learning, due again soon (the same day), not before now."""
    card, wait = answered(None, Recall.AGAIN)
    assert card.state is CardState.LEARNING
    assert timedelta(0) < wait <= DAY
    assert card.last_review == START


def test_successive_good_answers_push_the_next_review_further_each_time(
    clock: FrozenDateTimeFactory,
) -> None:
    """Answered Good whenever it falls due, over months: every wait is longer than the one before."""
    card, wait = answered(None, Recall.GOOD)
    waits = [wait]
    for _ in range(6):
        clock.move_to(card.due)
        card, wait = answered(card, Recall.GOOD)
        waits.append(wait)
    assert card.state is CardState.REVIEW
    assert all(later > earlier for earlier, later in itertools.pairwise(waits)), waits
    assert waits[-1] > 30 * DAY  # months out after half a year of good answers
    assert now() - START > 60 * DAY


def test_easy_beats_good_even_at_the_fuzzs_extremes(
    clock: FrozenDateTimeFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """From the same card, Easy is due later than Good: on a new question and on a learned one,
    with Easy's interval fuzzed as short as it goes and Good's as long."""
    first_good, _ = answered(None, Recall.GOOD)
    first_easy, _ = answered(None, Recall.EASY)
    assert first_easy.due > first_good.due
    card = first_good
    for _ in range(3):  # a learned card, in review
        clock.move_to(card.due)
        card, _ = answered(card, Recall.GOOD)
    clock.move_to(card.due)
    monkeypatch.setattr(fsrs.scheduler, "random", lambda: 0.0)
    easy, _ = answered(card, Recall.EASY)
    monkeypatch.setattr(fsrs.scheduler, "random", lambda: 0.999999)
    good, _ = answered(card, Recall.GOOD)
    assert easy.due > good.due
    assert easy.stability > good.stability


def test_hard_comes_back_sooner_than_good(clock: FrozenDateTimeFactory) -> None:
    """From a learned card, Hard (right after a hint) is due before Good."""
    card, _ = answered(None, Recall.GOOD)
    for _ in range(3):
        clock.move_to(card.due)
        card, _ = answered(card, Recall.GOOD)
    clock.move_to(card.due)
    hard, _ = answered(card, Recall.HARD)
    good, _ = answered(card, Recall.GOOD)
    assert hard.due < good.due


def test_again_after_reviews_relearns_within_a_day(clock: FrozenDateTimeFactory) -> None:
    """A learned card answered wrong weeks later goes to relearning and is back the same day, and
    the next Good after that waits far less than the learned card did."""
    card, _ = answered(None, Recall.GOOD)
    for _ in range(4):
        clock.move_to(card.due)
        card, learned_wait = answered(card, Recall.GOOD)
    assert card.state is CardState.REVIEW
    assert learned_wait > 7 * DAY
    clock.move_to(card.due + 3 * DAY)  # a little late, and forgotten
    lapsed, wait = answered(card, Recall.AGAIN)
    assert lapsed.state is CardState.RELEARNING
    assert timedelta(0) < wait <= DAY
    assert lapsed.stability < card.stability
    clock.move_to(lapsed.due)
    relearned, wait = answered(lapsed, Recall.GOOD)
    assert relearned.state is CardState.REVIEW
    assert wait < learned_wait


def test_a_review_reads_any_aware_moment_in_utc(clock: FrozenDateTimeFactory) -> None:
    """The same moment given in Berlin's time is the same review as in UTC (FSRS needs UTC)."""
    berlin = now().astimezone(ZoneInfo("Europe/Berlin"))
    in_utc = review(None, Recall.AGAIN, now())
    in_berlin = review(None, Recall.AGAIN, berlin)
    assert in_berlin == in_utc
    assert in_berlin.due.utcoffset() == timedelta(0)


def test_a_stored_card_reviews_as_it_would_in_memory(clock: FrozenDateTimeFactory) -> None:
    """A card rebuilt from its columns (as storage reads it, in another zone) schedules the same."""
    card, _ = answered(None, Recall.GOOD)
    clock.move_to(card.due)
    card, _ = answered(card, Recall.GOOD)
    zone = ZoneInfo("America/New_York")
    stored = ReviewCard(
        card.due.astimezone(zone),
        card.stability,
        card.difficulty,
        card.state,
        card.step,
        card.last_review.astimezone(zone),
    )
    clock.move_to(card.due + DAY)
    at = now()
    assert review(stored, Recall.AGAIN, at) == review(card, Recall.AGAIN, at)
