"""Messages for session actors and the supervisor: small frozen dataclasses, one class per message."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from quizbot.game.effects import Standing, TeamStanding
from quizbot.game.questions import Question
from quizbot.game.session import SessionConfig

SessionKey = tuple[int, int]  # (guild_id, channel_id): the one name every module uses


# --- to a session actor -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StartQuiz:
    """Open the first question."""


@dataclass(frozen=True, slots=True)
class SubmitAnswer:
    """A player's answer to question `index` (None: whichever is open): an option number or text."""

    user_id: int
    name: str
    index: int | None
    response: int | str


@dataclass(frozen=True, slots=True)
class TimerFired:
    """A question timer of `kind` ("close" or "advance") for question `index` fell due."""

    kind: str
    index: int


@dataclass(frozen=True, slots=True)
class RequestHint:
    """Someone asked for the next hint on the open question."""

    user_id: int


@dataclass(frozen=True, slots=True)
class SkipQuestion:
    user_id: int
    is_moderator: bool


@dataclass(frozen=True, slots=True)
class StopQuiz:
    user_id: int
    is_moderator: bool


@dataclass(frozen=True, slots=True)
class ResumeQuiz:
    """Continue a recovered game at the question it stopped at."""

    user_id: int
    is_moderator: bool


@dataclass(frozen=True, slots=True)
class JoinTeam:
    """A player pressed team `team`'s button (teams from 0): join it (in the lobby, or late)."""

    user_id: int
    name: str
    team: int


@dataclass(frozen=True, slots=True)
class BalanceTeams:
    """Someone pressed Balance: split the lobby's players evenly by their levels, given as
    `(user_id, level)` pairs read before the message was sent (a journal entry carries them as they
    were, so a replay splits the teams the same way)."""

    user_id: int
    levels: tuple[tuple[int, int], ...]

    def __post_init__(self) -> None:  # from a journal entry, the pairs come back as lists
        object.__setattr__(self, "levels", tuple(tuple(pair) for pair in self.levels))


@dataclass(frozen=True, slots=True)
class StartNow:
    """The host (or a moderator) ends a team game's lobby early: the first question opens."""

    user_id: int
    is_moderator: bool


@dataclass(frozen=True, slots=True)
class ExpireQuiz:
    """The supervisor found the session idle for too long."""


@dataclass(frozen=True, slots=True)
class PauseQuiz:
    """Hold a game brought back after a restart until someone chooses Continue.

    Journaled like any change, so a replay sees the game paused exactly where it was.
    """


@dataclass(frozen=True, slots=True)
class AbandonQuiz:
    """The channel is gone or closed to the bot: end the quiz and record it as it stands."""


@dataclass(frozen=True, slots=True)
class TakeSnapshot:
    """Reply with the whole session as JSON-ready data (read-only: never replayed).

    `final`: the session is being released; first give pending answer writes up to `grace` seconds.
    """

    final: bool = False
    grace: float = 5.0


@dataclass(frozen=True, slots=True)
class SnapshotSaved:
    """The last snapshot taken is in the database: the answers it holds may now be written."""


@dataclass(frozen=True, slots=True)
class Describe:
    """Reply with a SessionInfo (read-only: never replayed)."""


@dataclass(frozen=True, slots=True)
class SessionInfo:
    """What status and the edge may know of a session without touching its state."""

    key: SessionKey
    phase: str
    index: int
    total: int
    players: int
    paused: bool
    host_id: int
    pending_writes: int
    mode: str = "buttons"
    standings: tuple[Standing, ...] = ()
    teams: tuple[TeamStanding, ...] = ()  # a team game's teams, best first
    team_members: tuple[int, ...] = ()  # a team game's players (whose levels Balance reads)


# --- to the supervisor --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StartSession:
    """Create a session in a channel and start it; replies with its ActorRef."""

    guild_id: int
    channel_id: int
    host_id: int
    config: SessionConfig
    questions: tuple[Question, ...]
    idle_timeout: float | None = None
    begin: bool = True  # False: the caller tells StartQuiz itself, once it has announced the quiz
    run_id: UUID | None = None  # the caller's own (a question of the day records it first); None: a new one


@dataclass(frozen=True, slots=True)
class SessionChanged:
    """A session's state changed: it needs a snapshot (`urgent`: now, not on the next tick)."""

    key: SessionKey
    phase: str
    urgent: bool = False


@dataclass(frozen=True, slots=True)
class SessionOver:
    """A session finished, was stopped, or expired; release everything it holds."""

    key: SessionKey


@dataclass(frozen=True, slots=True)
class SessionCrashed:
    """A session actor crashed while handling `envelope`."""

    key: SessionKey
    envelope: Any
    error: BaseException


@dataclass(frozen=True, slots=True)
class ChannelLost:
    """Discord refused a session's channel for good (403 or 404): its quiz ends."""

    key: SessionKey


@dataclass(frozen=True, slots=True)
class FlushSnapshots:
    """Write dirty sessions' snapshots (`everything`: all sessions, as at shutdown)."""

    everything: bool = False


@dataclass(frozen=True, slots=True)
class SweepIdle:
    """Expire sessions idle past their timeout, and snapshots past their expiry."""


@dataclass(frozen=True, slots=True)
class GetStatus:
    """Reply with a SupervisorStatus."""


@dataclass(frozen=True, slots=True)
class RespawnSessions:
    """Load this process's live snapshots, claim them and bring their sessions back paused."""


@dataclass(frozen=True, slots=True)
class Shutdown:
    """Stop taking commands, snapshot everything, stop every session."""


@dataclass(frozen=True, slots=True)
class PromptRecovery:
    """Show the Continue / New / Cancel prompt of a session brought back after a restart."""
