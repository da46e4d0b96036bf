"""How a quiz is set up: its kind, its answer mode and its host's choices, checked against the ranges
players are told. Fixed for a session's life; the session module re-exports these names."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from quizbot.errors import InvalidValue
from quizbot.game.progression import Difficulty
from quizbot.game.teams import check_team_count
from quizbot.game.values import parse_enum

MIN_QUESTIONS, MAX_QUESTIONS = 1, 20
MIN_TIMEOUT, MAX_TIMEOUT = 5, 120
DAILY_WINDOW = 86_400.0  # a question of the day stays open until the next day's: 24 hours,
DAILY_WINDOWS = (3_600.0, DAILY_WINDOW + 3_600.0)  # 23 or 25 when clocks change, less if posted late


class SessionKind(StrEnum):
    """A game played now, or a server's question of the day (one question open for 24 hours)."""

    GAME = "game"
    DAILY = "daily"


class AnswerMode(StrEnum):
    """How players answer: clicking option buttons, or typing in the channel."""

    BUTTONS = "buttons"
    TYPED = "typed"


@dataclass(frozen=True, slots=True)
class SessionConfig:
    """How a quiz was set up by its host; validated against the ranges players are told."""

    question_count: int = 10
    question_timeout: float = 30.0
    difficulty: Difficulty = Difficulty.MEDIUM
    mode: AnswerMode = AnswerMode.BUTTONS
    single_answer: bool = False
    topic: str = "general"
    reveal_pause: float = 4.0
    close_on_answer: bool = False  # a study session's one player: their answer closes the question
    teams: int = 0  # a team game's number of teams (2 to 4); 0: everyone for themselves
    kind: SessionKind = SessionKind.GAME

    @classmethod
    def daily(
        cls, topic: str, difficulty: Difficulty = Difficulty.MEDIUM, window: float = DAILY_WINDOW
    ) -> SessionConfig:
        """A question of the day: one question, buttons, open for `window` seconds (until the next
        day's post), no pause after it."""
        return cls(1, window, difficulty, topic=topic, reveal_pause=0.0, kind=SessionKind.DAILY)

    @property
    def is_daily(self) -> bool:
        return self.kind is SessionKind.DAILY

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", parse_enum(SessionKind, self.kind, "session kind"))
        object.__setattr__(self, "difficulty", parse_enum(Difficulty, self.difficulty, "difficulty"))
        object.__setattr__(self, "mode", parse_enum(AnswerMode, self.mode, "answer mode"))
        if self.is_daily:
            self._check_daily()
            return
        count, timeout = self.question_count, self.question_timeout
        if (
            isinstance(count, bool)
            or not isinstance(count, int)
            or not MIN_QUESTIONS <= count <= MAX_QUESTIONS
        ):
            raise InvalidValue(
                f"question count must be from {MIN_QUESTIONS} to {MAX_QUESTIONS}, got {count!r}"
            )
        if (
            isinstance(timeout, bool)
            or not isinstance(timeout, int | float)
            or not MIN_TIMEOUT <= timeout <= MAX_TIMEOUT
        ):
            raise InvalidValue(
                f"timeout must be from {MIN_TIMEOUT} to {MAX_TIMEOUT} seconds, got {timeout!r}"
            )
        if self.teams != 0:
            check_team_count(self.teams)

    def _check_daily(self) -> None:
        """A question of the day is exactly one question, by buttons, for everyone, for a day."""
        plain = not (self.single_answer or self.close_on_answer or self.teams)
        window = self.question_timeout
        shortest, longest = DAILY_WINDOWS
        if (
            self.question_count != 1
            or isinstance(window, bool)
            or not isinstance(window, int | float)
            or not shortest <= window <= longest
            or self.mode is not AnswerMode.BUTTONS
            or not plain
        ):
            raise InvalidValue("a question of the day is one button question open from 1 to 25 hours")
