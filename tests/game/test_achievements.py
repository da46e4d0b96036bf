"""Achievement rules: each one's threshold, as a table over a run's and a lifetime's facts."""

from __future__ import annotations

from dataclasses import replace

import pytest

from quizbot.game.achievements import ACHIEVEMENTS, LifetimeFacts, PlayerFacts, earned
from quizbot.game.progression import Difficulty

RUN = PlayerFacts(
    user_id=1,
    name="ann",
    answered=5,
    correct=3,
    best_run=2,
    fastest_correct=5.0,
    won=False,
    last_at_half=False,
    players=2,
    question_count=5,
    difficulty=Difficulty.MEDIUM,
)
LIFE = LifetimeFacts(correct=3, quizzes=2, level=1, best_streak=1, categories=1, hosted=0)


def ids(run: PlayerFacts = RUN, life: LifetimeFacts = LIFE) -> set[str]:
    return {a.achievement_id for a in earned(run, life)}


def test_there_are_at_least_fifteen_distinct_achievements() -> None:
    """The catalogue has 15 or more achievements with unique ids, names and descriptions."""
    assert len(ACHIEVEMENTS) >= 15
    assert len({a.achievement_id for a in ACHIEVEMENTS}) == len(ACHIEVEMENTS)
    assert all(a.name and a.description for a in ACHIEVEMENTS)


def test_an_ordinary_second_quiz_earns_only_first_steps() -> None:
    """A middling run by a new player meets only the first-quiz rule."""
    assert ids() == {"first_quiz"}


@pytest.mark.parametrize(
    ("run_changes", "life_changes", "achievement", "expected"),
    [
        ({"correct": 5}, {}, "perfect_quiz", True),
        ({"correct": 5, "question_count": 5, "answered": 5}, {}, "hard_perfect", False),
        ({"correct": 5, "difficulty": Difficulty.HARD}, {}, "hard_perfect", True),
        ({"correct": 4, "question_count": 4, "answered": 4}, {}, "perfect_quiz", False),
        ({"best_run": 10}, {}, "hot_streak", True),
        ({"best_run": 9}, {}, "hot_streak", False),
        ({}, {"correct": 100}, "century", True),
        ({}, {"correct": 99}, "century", False),
        ({}, {"correct": 1000}, "thousand_correct", True),
        ({"fastest_correct": 2.0}, {}, "speed_demon", True),
        ({"fastest_correct": 2.01}, {}, "speed_demon", False),
        ({"fastest_correct": None}, {}, "speed_demon", False),
        ({"won": True, "last_at_half": True}, {}, "comeback", True),
        ({"won": True, "last_at_half": True, "players": 1}, {}, "comeback", False),
        ({"won": False, "last_at_half": True}, {}, "comeback", False),
        ({"won": True, "players": 3}, {}, "champion", True),
        ({"won": True, "players": 2}, {}, "champion", False),
        ({}, {"categories": 5}, "five_categories", True),
        ({}, {"categories": 10}, "all_rounder", True),
        ({}, {"categories": 9}, "all_rounder", False),
        ({}, {"best_streak": 7}, "week_streak", True),
        ({}, {"best_streak": 30}, "month_streak", True),
        ({}, {"best_streak": 29}, "month_streak", False),
        ({}, {"level": 10}, "level_10", True),
        ({}, {"level": 25}, "level_25", True),
        ({}, {"quizzes": 10}, "ten_quizzes", True),
        ({}, {"quizzes": 50}, "fifty_quizzes", True),
        ({}, {"hosted": 10}, "host_10", True),
        ({}, {"hosted": 9}, "host_10", False),
        ({}, {"quizzes": 0}, "first_quiz", False),
    ],
)
def test_each_rule_at_its_threshold(
    run_changes: dict[str, object], life_changes: dict[str, object], achievement: str, expected: bool
) -> None:
    """Each achievement is earned exactly at its threshold and not just below it."""
    run = replace(RUN, **run_changes)  # type: ignore[arg-type]
    life = replace(LIFE, **life_changes)  # type: ignore[arg-type]
    assert (achievement in ids(run, life)) is expected
