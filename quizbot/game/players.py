"""A session's phases, what became of an answer, and each player's running totals in a game."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from quizbot.game.achievements import PlayerFacts
from quizbot.game.progression import Difficulty


class Phase(StrEnum):
    """Where a session is in its life."""

    CREATED = "created"
    LOBBY = "lobby"  # a team game before its first question: players join teams
    QUESTION_OPEN = "question_open"
    REVEALED = "revealed"
    FINISHED = "finished"
    STOPPED = "stopped"
    EXPIRED = "expired"

    @property
    def over(self) -> bool:
        return self in (Phase.FINISHED, Phase.STOPPED, Phase.EXPIRED)


class AnswerOutcome(StrEnum):
    """What became of one answer."""

    ACCEPTED = "accepted"
    CHANGED = "changed"  # buttons: a new choice replaced the old one before the close
    IGNORED = "ignored"  # typed: this player already answered this question


@dataclass(slots=True)
class Player:
    """A player's running totals in one session."""

    name: str
    points: int = 0
    correct: int = 0
    wrong: int = 0
    current_run: int = 0  # correct answers in a row, up to the last reveal
    best_run: int = 0
    fastest_correct: float | None = None  # seconds
    last_at_half: bool = False


def player_facts(
    players: dict[int, Player], question_count: int, difficulty: Difficulty
) -> tuple[PlayerFacts, ...]:
    """What each player did in a finished game, for the achievements it may earn."""
    top = max((p.points for p in players.values()), default=0)
    return tuple(
        PlayerFacts(
            user_id=user_id,
            name=player.name,
            answered=player.correct + player.wrong,
            correct=player.correct,
            best_run=player.best_run,
            fastest_correct=player.fastest_correct,
            won=player.points == top and top > 0,
            last_at_half=player.last_at_half,
            players=len(players),
            question_count=question_count,
            difficulty=difficulty,
        )
        for user_id, player in sorted(players.items())
    )
