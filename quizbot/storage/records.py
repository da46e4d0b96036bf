"""Values that go into and come out of storage; each checks itself so bad input never reaches SQL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from uuid import UUID

from quizbot.errors import InvalidValue
from quizbot.game.progression import Difficulty
from quizbot.game.reviews import Recall
from quizbot.game.values import check_id, parse_enum

MAX_CATEGORY_LENGTH = 64
MAX_IDENTITY = 64  # a question's identity (Question.identity is 25 characters)
MAX_QUESTIONS = 20
MAX_LEADERBOARD = 100
ALL_CATEGORIES = "*"
ALL_TIME_START = date(1970, 1, 1)


class Scope(StrEnum):
    """Whose scores a leaderboard ranks."""

    GUILD = "guild"
    GLOBAL = "global"


class Timeframe(StrEnum):
    """A calendar period in UTC (today, this ISO week, this month, all time) or the guild's running
    season (its rollups' key is read from the seasons table by the board's own statement)."""

    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    ALL = "all"
    SEASON = "season"

    @property
    def code(self) -> str:
        """The one-letter period stored in leaderboard_rollups."""
        return {"day": "d", "week": "w", "month": "m", "all": "a", "season": "s"}[self.value]

    def start(self, moment: datetime) -> date:
        """The first day of the period holding `moment` (a timezone-aware datetime, read in UTC);
        a season has no calendar start (InvalidValue)."""
        if self is Timeframe.SEASON:
            raise InvalidValue("a season's board is keyed by the season, not by a date")
        day = utc_day(moment)
        if self is Timeframe.DAY:
            return day
        if self is Timeframe.WEEK:
            return day - timedelta(days=day.weekday())
        if self is Timeframe.MONTH:
            return day.replace(day=1)
        return ALL_TIME_START


def utc_day(moment: datetime) -> date:
    """The UTC calendar day of an aware datetime; naive datetimes are refused."""
    if moment.tzinfo is None:
        raise InvalidValue("datetimes must carry a time zone")
    return moment.astimezone(UTC).date()


def check_category(category: str) -> str:
    """A category name: non-empty, at most 64 characters, not the all-categories marker."""
    if not isinstance(category, str) or not category.strip():
        raise InvalidValue("category must be a non-empty name")
    if len(category) > MAX_CATEGORY_LENGTH:
        raise InvalidValue(f"category must be at most {MAX_CATEGORY_LENGTH} characters")
    if category == ALL_CATEGORIES:
        raise InvalidValue(f"{ALL_CATEGORIES!r} means all categories and cannot name one")
    return category


@dataclass(frozen=True, slots=True)
class AnswerRow:
    """One user's answer to a closed question, as scored by the game core."""

    user_id: int
    username: str
    correct: bool
    points: int
    xp: int
    answered_at: datetime
    recall: Recall | None = None  # the review it counts as (game.reviews); wrong: Again, None: Good

    def __post_init__(self) -> None:
        check_id(self.user_id, "user_id")
        if self.recall is not None and (isinstance(self.recall, bool) or self.recall not in set(Recall)):
            raise InvalidValue(f"recall must be 1 to 4, got {self.recall!r} (user {self.user_id})")
        if not self.correct:
            object.__setattr__(self, "recall", Recall.AGAIN)  # a wrong answer is only ever Again
        elif self.recall in (None, Recall.AGAIN):
            object.__setattr__(self, "recall", Recall.GOOD)
        else:
            object.__setattr__(self, "recall", Recall(self.recall))
        if self.points < 0 or self.xp < 0:
            raise InvalidValue(f"points and xp cannot be negative (user {self.user_id})")
        if self.points > 1_000_000 or self.xp > 1_000_000:
            raise InvalidValue(f"points and xp must be at most 1,000,000 (user {self.user_id})")
        if not self.correct and self.points:
            raise InvalidValue(f"a wrong answer scores no points (user {self.user_id})")
        utc_day(self.answered_at)


@dataclass(frozen=True, slots=True)
class AnswerBatch:
    """Every answer to one closed question; recorded together, once, however often replayed."""

    run_id: UUID
    guild_id: int
    channel_id: int
    question_index: int
    category: str
    difficulty: Difficulty
    answers: tuple[AnswerRow, ...]
    question_id: str | None = None  # the question's identity: the cards its answers review

    def __post_init__(self) -> None:
        check_id(self.guild_id, "guild_id")
        identity = self.question_id
        if identity is not None and not (isinstance(identity, str) and 0 < len(identity) <= MAX_IDENTITY):
            raise InvalidValue("question_id must be a question identity")
        check_id(self.channel_id, "channel_id")
        check_category(self.category)
        object.__setattr__(self, "difficulty", parse_enum(Difficulty, self.difficulty, "difficulty"))
        if not 0 <= self.question_index < MAX_QUESTIONS:
            raise InvalidValue(f"question_index must be from 0 to {MAX_QUESTIONS - 1}")
        users = [answer.user_id for answer in self.answers]
        if len(set(users)) != len(users):
            raise InvalidValue("a question takes one answer per user; the batch repeats a user")

    @property
    def closed_at(self) -> datetime:
        """When the question closed as far as storage can tell: its latest answer (the play day's moment)."""
        if not self.answers:
            raise InvalidValue("a batch with no answers has no closing moment")
        return max(answer.answered_at for answer in self.answers)


@dataclass(frozen=True, slots=True)
class FinishedRun:
    """A quiz run that ended, with everyone who answered at least once."""

    run_id: UUID
    guild_id: int
    channel_id: int
    host_id: int
    topic: str
    category: str
    difficulty: Difficulty
    question_count: int
    outcome: str
    started_at: datetime
    finished_at: datetime
    participants: tuple[int, ...]

    def __post_init__(self) -> None:
        check_id(self.guild_id, "guild_id")
        check_id(self.channel_id, "channel_id")
        check_id(self.host_id, "host_id")
        check_category(self.category)
        object.__setattr__(self, "difficulty", parse_enum(Difficulty, self.difficulty, "difficulty"))
        if not 1 <= self.question_count <= MAX_QUESTIONS:
            raise InvalidValue(f"question_count must be from 1 to {MAX_QUESTIONS}")
        if self.outcome not in ("finished", "stopped", "expired"):
            raise InvalidValue(f"unknown outcome {self.outcome!r}")
        utc_day(self.started_at)
        if self.finished_at < self.started_at:
            raise InvalidValue("a run cannot finish before it started")
        if len(set(self.participants)) != len(self.participants):
            raise InvalidValue("participants repeat a user")
        for user in self.participants:
            check_id(user, "participant")


@dataclass(frozen=True, slots=True)
class MemberProgress:
    """A member's totals right after an answer batch: what level-up and streak messages need."""

    user_id: int
    xp: int
    level: int
    current_streak: int
    best_streak: int
    xp_gained: int = 0  # this batch's XP, after the daily-streak multiplier
    leveled_up: bool = False


@dataclass(frozen=True, slots=True)
class LeaderboardEntry:
    """One ranked row of a leaderboard."""

    rank: int
    user_id: int
    username: str
    points: int
    correct: int
    wrong: int
    quizzes: int

    @property
    def accuracy(self) -> float:
        """Share of answers that were correct, 0.0 to 1.0."""
        answered = self.correct + self.wrong
        return self.correct / answered if answered else 0.0
