"""Achievements as pure rules: what a run and a member's lifetime totals earn. Granted once by storage."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from quizbot.game.progression import Difficulty

SPEED_SECONDS = 2.0
PERFECT_MINIMUM = 5  # questions in a quiz for a perfect score to count
ALL_CATEGORIES = 10


@dataclass(frozen=True, slots=True)
class PlayerFacts:
    """How one player did in one finished run (from the game core)."""

    user_id: int
    name: str
    answered: int
    correct: int
    best_run: int  # most correct answers in a row in this run
    fastest_correct: float | None  # seconds, the quickest correct answer
    won: bool  # first on the podium, alone or tied
    last_at_half: bool  # bottom of the standings at the half-way reveal
    players: int
    question_count: int
    difficulty: Difficulty


@dataclass(frozen=True, slots=True)
class LifetimeFacts:
    """A member's totals in a guild after the run was recorded."""

    correct: int
    quizzes: int
    level: int
    best_streak: int  # days
    categories: int  # categories played
    hosted: int  # games hosted


@dataclass(frozen=True, slots=True)
class Achievement:
    """An achievement, and the rule that earns it."""

    achievement_id: str
    name: str
    description: str
    earned: Callable[[PlayerFacts, LifetimeFacts], bool]


def _perfect(run: PlayerFacts) -> bool:
    return run.question_count >= PERFECT_MINIMUM and run.correct == run.question_count


ACHIEVEMENTS: tuple[Achievement, ...] = (
    Achievement("first_quiz", "First Steps", "Finish your first quiz.", lambda run, life: life.quizzes >= 1),
    Achievement("ten_quizzes", "Regular", "Play 10 quizzes.", lambda run, life: life.quizzes >= 10),
    Achievement("fifty_quizzes", "Devoted", "Play 50 quizzes.", lambda run, life: life.quizzes >= 50),
    Achievement(
        "perfect_quiz",
        "Flawless",
        "Answer every question of a 5+ question quiz right.",
        lambda run, life: _perfect(run),
    ),
    Achievement(
        "hard_perfect",
        "Mastermind",
        "A flawless quiz on hard.",
        lambda run, life: _perfect(run) and run.difficulty is Difficulty.HARD,
    ),
    Achievement(
        "hot_streak",
        "On Fire",
        "10 correct answers in a row in one quiz.",
        lambda run, life: run.best_run >= 10,
    ),
    Achievement("century", "Centurion", "100 correct answers.", lambda run, life: life.correct >= 100),
    Achievement(
        "thousand_correct", "Encyclopedia", "1,000 correct answers.", lambda run, life: life.correct >= 1000
    ),
    Achievement(
        "speed_demon",
        "Quick Draw",
        f"A correct answer within {SPEED_SECONDS:g} seconds.",
        lambda run, life: run.fastest_correct is not None and run.fastest_correct <= SPEED_SECONDS,
    ),
    Achievement(
        "comeback",
        "Comeback Kid",
        "Win a quiz you were last in at half-time.",
        lambda run, life: run.won and run.last_at_half and run.players >= 2,
    ),
    Achievement(
        "champion",
        "Champion",
        "Win a quiz against at least two others.",
        lambda run, life: run.won and run.players >= 3,
    ),
    Achievement(
        "five_categories",
        "Curious Mind",
        "Play five different categories.",
        lambda run, life: life.categories >= 5,
    ),
    Achievement(
        "all_rounder",
        "All-Rounder",
        f"Play {ALL_CATEGORIES} different categories.",
        lambda run, life: life.categories >= ALL_CATEGORIES,
    ),
    Achievement("week_streak", "Habit", "Play seven days in a row.", lambda run, life: life.best_streak >= 7),
    Achievement(
        "month_streak", "Unstoppable", "Play thirty days in a row.", lambda run, life: life.best_streak >= 30
    ),
    Achievement("level_10", "Scholar", "Reach level 10.", lambda run, life: life.level >= 10),
    Achievement("level_25", "Sage", "Reach level 25.", lambda run, life: life.level >= 25),
    Achievement("host_10", "Quizmaster", "Host 10 games.", lambda run, life: life.hosted >= 10),
)

BY_ID = {a.achievement_id: a for a in ACHIEVEMENTS}


def earned(run: PlayerFacts, life: LifetimeFacts) -> list[Achievement]:
    """Every achievement this run and these totals satisfy (storage grants only the new ones)."""
    return [a for a in ACHIEVEMENTS if a.earned(run, life)]
