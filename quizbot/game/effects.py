"""What the game core asks the world to do: post, reveal, record, schedule. It never does I/O itself."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from quizbot.game.achievements import PlayerFacts
from quizbot.game.hints import Hint
from quizbot.game.progression import Difficulty
from quizbot.game.questions import Question
from quizbot.game.reviews import Recall


@dataclass(frozen=True, slots=True)
class Standing:
    """One player's place in a session's scores."""

    user_id: int
    name: str
    points: int
    correct: int
    wrong: int


@dataclass(frozen=True, slots=True)
class TeamStanding:
    """One team's place in a team game: its number (from 0), points, players and best player."""

    team: int
    points: int
    members: int
    best: Standing | None


@dataclass(frozen=True, slots=True)
class Result:
    """How one player did on one question."""

    user_id: int
    name: str
    correct: bool
    points: int
    xp: int
    answered_at: float
    recall: Recall = Recall.GOOD  # the review it counts as, for the player's study card


@dataclass(frozen=True, slots=True)
class PostQuestion:
    """Show question `index` of `total`; it closes at `deadline` (epoch seconds)."""

    index: int
    total: int
    question: Question
    deadline: float


@dataclass(frozen=True, slots=True)
class AnswersIn:
    """`count` players have answered question `index` so far (never what they answered): for a live
    screen's tally; the Discord edge shows nothing of it."""

    index: int
    count: int


@dataclass(frozen=True, slots=True)
class ShowHint:
    """Hint `level` of `available` for question `index`; the question is now worth less."""

    index: int
    level: int
    available: int
    text: str
    points_share: float
    hint: Hint | None = None  # the same hint as parts, for the edge to word in the channel's language


@dataclass(frozen=True, slots=True)
class Reveal:
    """Show the answer, its explanation and who got it right."""

    index: int
    question: Question
    results: tuple[Result, ...]


@dataclass(frozen=True, slots=True)
class ShowScores:
    """Show the standings so far."""

    standings: tuple[Standing, ...]
    teams: tuple[TeamStanding, ...] = ()  # a team game's teams, best first


@dataclass(frozen=True, slots=True)
class RecordAnswers:
    """Persist one closed question's results (idempotent by run, question and user)."""

    run_id: UUID
    index: int
    category: str
    difficulty: Difficulty
    results: tuple[Result, ...]
    question_id: str | None = None  # the question's identity: whose study cards the answers update


@dataclass(frozen=True, slots=True)
class ScheduleTimer:
    """Wake the session at `at` (epoch seconds) with a timer of `kind` for question `index`."""

    kind: str  # "close" or "advance"
    index: int
    at: float


@dataclass(frozen=True, slots=True)
class AnnounceEnd:
    """The quiz is over: finished, or stopped by someone; show the podium."""

    outcome: str
    standings: tuple[Standing, ...]
    stopped_by: int | None = None
    run_id: UUID | None = None  # the game's run: "Review what I missed" finds its answers by it
    teams: tuple[TeamStanding, ...] = ()  # a team game's teams, best first: the winner first


@dataclass(frozen=True, slots=True)
class OpenLobby:
    """A team game's lobby is open until `closes_at` (epoch seconds): join one of `teams` teams."""

    teams: int
    closes_at: float


@dataclass(frozen=True, slots=True)
class ShowTeams:
    """A team game's line-up: each team's players' names, by team number."""

    lineup: tuple[tuple[str, ...], ...]


@dataclass(frozen=True, slots=True)
class AnnounceExpiry:
    """The quiz expired after inactivity."""

    idle_seconds: float


@dataclass(frozen=True, slots=True)
class RecordRun:
    """Persist the finished run and count a quiz for each participant."""

    run_id: UUID
    host_id: int
    topic: str
    category: str
    difficulty: Difficulty
    question_count: int
    outcome: str
    participants: tuple[int, ...]
    started_at: float
    finished_at: float
    facts: tuple[PlayerFacts, ...] = ()


Effect = (
    OpenLobby
    | ShowTeams
    | PostQuestion
    | AnswersIn
    | ShowHint
    | Reveal
    | ShowScores
    | RecordAnswers
    | ScheduleTimer
    | AnnounceEnd
    | AnnounceExpiry
    | RecordRun
)
