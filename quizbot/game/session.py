"""The quiz session state machine: created -> question open -> revealed -> ... -> finished.

Pure: every transition takes the time as an argument and returns effects instead of doing I/O,
and the whole state round-trips through `to_dict`/`from_dict` so a recovered game resumes
exactly where it stopped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from uuid import UUID

from quizbot.errors import InvalidState, InvalidValue, NotHost, QuestionClosed
from quizbot.game.config import (
    MAX_QUESTIONS,
    MAX_TIMEOUT,
    MIN_QUESTIONS,
    MIN_TIMEOUT,
    AnswerMode,
    SessionConfig,
    SessionKind,
)
from quizbot.game.effects import (
    AnnounceEnd,
    AnnounceExpiry,
    AnswersIn,
    Effect,
    OpenLobby,
    PostQuestion,
    RecordAnswers,
    RecordRun,
    Result,
    Reveal,
    ScheduleTimer,
    ShowHint,
    ShowScores,
    ShowTeams,
    Standing,
    TeamStanding,
)
from quizbot.game.hints import hints, points_share
from quizbot.game.players import AnswerOutcome, Phase, Player, player_facts
from quizbot.game.questions import Matcher, Question, exact_matcher
from quizbot.game.reviews import recall_of
from quizbot.game.scoring import points_for, xp_for
from quizbot.game.teams import LOBBY_SECONDS, JoinOutcome, Teams
from quizbot.game.values import check_id

# The session's own names, and the config's, which callers have always found here.
__all__ = [
    "MAX_QUESTIONS",
    "MAX_TIMEOUT",
    "MIN_QUESTIONS",
    "MIN_TIMEOUT",
    "AnswerMode",
    "AnswerOutcome",
    "Phase",
    "Player",
    "QuizSession",
    "SessionConfig",
    "SessionKind",
]


@dataclass(slots=True)
class QuizSession:
    """One channel's quiz: its questions, where it is, who answered what, and the scores."""

    guild_id: int
    channel_id: int
    run_id: UUID
    host_id: int
    config: SessionConfig
    questions: tuple[Question, ...]
    created_at: float
    phase: Phase = Phase.CREATED
    index: int = 0
    opened_at: float = 0.0
    deadline: float = 0.0
    # user -> (response, answered at, seconds after the question opened): the elapsed time is kept
    # apart so an answer keeps its speed when a recovered question is re-opened.
    answers: dict[int, tuple[object, float, float]] = field(default_factory=dict)
    players: dict[int, Player] = field(default_factory=dict)
    last_activity: float = 0.0
    hints_shown: int = 0  # for the open question
    hinted_at: float | None = None  # when its first hint was shown: answers from then on were helped
    paused: bool = False  # respawned after a restart: waits for Continue
    matcher: Matcher = exact_matcher
    teams: Teams | None = None  # a team game's teams (made from the config when not given)

    def __post_init__(self) -> None:
        check_id(self.guild_id, "guild_id")
        check_id(self.channel_id, "channel_id")
        check_id(self.host_id, "host_id")
        if len(self.questions) != self.config.question_count:
            raise InvalidValue(
                f"a {self.config.question_count}-question quiz got {len(self.questions)} questions"
            )
        self.last_activity = self.last_activity or self.created_at
        if self.config.teams and self.teams is None:
            self.teams = Teams(self.config.teams)

    @property
    def key(self) -> tuple[int, int]:
        return (self.guild_id, self.channel_id)

    @property
    def question(self) -> Question:
        return self.questions[self.index]

    def standings(self) -> tuple[Standing, ...]:
        """Players best first: points, then fewer wrong answers, then user id for a stable order."""
        ranked = sorted(self.players.items(), key=lambda item: (-item[1].points, item[1].wrong, item[0]))
        return tuple(Standing(uid, p.name, p.points, p.correct, p.wrong) for uid, p in ranked)

    def team_standings(self) -> tuple[TeamStanding, ...]:
        """A team game's teams best first, each with its best player (none in a game without teams)."""
        return () if self.teams is None else self.teams.standings(self.standings())

    # --- transitions -------------------------------------------------------------------------

    def start(self, now: float) -> list[Effect]:
        """Open the first question, or a team game's lobby (until its timer or the host's Start)."""
        self._require(Phase.CREATED, "start")
        if self.teams is None:
            return self._open(0, now)
        self.phase = Phase.LOBBY
        self.last_activity = now
        self.teams.lobby_until = until = now + LOBBY_SECONDS
        return [OpenLobby(self.teams.count, until), ScheduleTimer("lobby", 0, until)]

    def close_lobby(self, now: float) -> list[Effect]:
        """The lobby's timer fired: the game begins. A stale timer (the host started it) does nothing."""
        if self.phase is not Phase.LOBBY or self.paused:
            return []
        return self._play(now)

    def start_now(self, user_id: int, is_moderator: bool, now: float) -> list[Effect]:
        """End the lobby early and ask the first question (host or moderator)."""
        self._authorise(user_id, is_moderator, "start the game")
        self._check_live()
        if self.phase is not Phase.LOBBY:
            raise InvalidState("the game has already begun")
        return self._play(now)

    def join_team(self, user_id: int, name: str, team: int, now: float) -> JoinOutcome:
        """A player joins `team`: in the lobby, or late, while the game runs or waits to continue
        after a restart (never to change team once the first question was asked)."""
        teams = self._teams(paused_too=True)
        outcome = teams.join(user_id, name, team)
        self.last_activity = now
        return outcome

    def balance(self, levels: dict[int, int], now: float) -> list[Effect]:
        """Split the lobby's players into even teams by level; shows the new line-up."""
        teams = self._teams()
        teams.balance(levels)
        self.last_activity = now
        return [ShowTeams(teams.lineup())]

    def answer(
        self, user_id: int, name: str, index: int, response: object, now: float
    ) -> tuple[AnswerOutcome, list[Effect]]:
        """Take one player's answer to question `index`; single-answer mode closes on the first right
        one, close-on-answer (a study session's one player) on any."""
        check_id(user_id, "user_id")
        self._check_live()
        if self.phase is not Phase.QUESTION_OPEN or index != self.index or now > self.deadline:
            raise QuestionClosed(f"question {index + 1} is no longer open")
        response = self._valid_response(response)
        self.last_activity = now
        self.players.setdefault(user_id, Player(name))
        if self.teams is not None:
            self.teams.join_smallest(user_id, name)
        outcome = AnswerOutcome.ACCEPTED
        if user_id in self.answers:
            if self.config.mode is AnswerMode.TYPED:
                return AnswerOutcome.IGNORED, []
            outcome = AnswerOutcome.CHANGED
        self.answers[user_id] = (response, now, now - self.opened_at)
        if self.config.close_on_answer or (self.config.single_answer and self._is_correct(response)):
            return outcome, self._close(now)
        if outcome is AnswerOutcome.CHANGED or self.config.is_daily:  # nobody new; a day's shows none
            return outcome, []
        return outcome, [AnswersIn(index, len(self.answers))]  # the tally for a live screen

    def close(self, index: int, now: float) -> list[Effect]:
        """The question's timer fired: reveal it. A stale timer (another question) does nothing."""
        if self.phase is not Phase.QUESTION_OPEN or index != self.index or self.paused:
            return []
        return self._close(now)

    def advance(self, index: int, now: float) -> list[Effect]:
        """After the reveal pause: the next question, or the end. A stale timer does nothing."""
        if self.phase is not Phase.REVEALED or index != self.index or self.paused:
            return []
        if self.index + 1 < len(self.questions):
            return self._open(self.index + 1, now)
        return self._end(Phase.FINISHED, now, None)

    def hint(self, now: float) -> list[Effect]:
        """Show the next hint for the open question; each one lowers its points for everyone."""
        self._check_live()
        if self.phase is not Phase.QUESTION_OPEN or now > self.deadline:
            raise InvalidState("there is no open question to give a hint for")
        steps = hints(self.question, typed=self.config.mode is AnswerMode.TYPED)
        if self.hints_shown >= len(steps) or self.config.is_daily:  # a day's question has none
            raise InvalidState("no more hints for this question")
        self.hints_shown += 1
        if self.hinted_at is None:
            self.hinted_at = now
        self.last_activity = now
        share = points_share(self.hints_shown)
        step = steps[self.hints_shown - 1]
        return [ShowHint(self.index, self.hints_shown, len(steps), step.english, share, step)]

    def skip(self, user_id: int, is_moderator: bool, now: float) -> list[Effect]:
        """Close the open question now (host or moderator)."""
        self._authorise(user_id, is_moderator, "skip a question")
        self._check_live()
        self._not_daily()
        if self.phase is not Phase.QUESTION_OPEN:
            raise InvalidState("there is no open question to skip")
        self.last_activity = now
        return self._close(now)

    def stop(self, user_id: int, is_moderator: bool, now: float) -> list[Effect]:
        """End the quiz early (host or moderator); answers to the open question are discarded, so a
        question of the day cannot be stopped."""
        self._authorise(user_id, is_moderator, "stop the quiz")
        if self.phase.over:
            raise InvalidState("the quiz is already over")
        self._not_daily()
        return self._end(Phase.STOPPED, now, user_id)

    def expire(self, now: float) -> list[Effect]:
        """End the quiz after inactivity."""
        if self.phase.over:
            return []
        idle = now - self.last_activity
        effects = self._end(Phase.EXPIRED, now, None)
        return [AnnounceExpiry(idle), *(e for e in effects if not isinstance(e, AnnounceEnd))]

    def abandon(self, now: float) -> list[Effect]:
        """End the quiz because it can no longer be shown: its channel is gone or closed to the bot."""
        if self.phase.over:
            return []
        return [e for e in self._end(Phase.STOPPED, now, None) if not isinstance(e, AnnounceEnd)]

    def pause(self) -> list[Effect]:
        """Hold the game after a restart until someone chooses Continue. A question of the day is
        not held: it is posted again (its old buttons name the old process) with its close set for
        the same deadline (at once if that has passed)."""
        if self.phase.over:
            return []
        if not self.config.is_daily:
            self.paused = True
            return []
        if self.phase is not Phase.QUESTION_OPEN:
            return [ScheduleTimer("advance", self.index, self.deadline)]
        post = PostQuestion(self.index, len(self.questions), self.question, self.deadline)
        return [post, ScheduleTimer("close", self.index, self.deadline)]

    def resume(self, user_id: int, is_moderator: bool, now: float) -> list[Effect]:
        """Continue a recovered game at the same question, with a fresh timer and scores intact."""
        self._authorise(user_id, is_moderator, "continue the quiz")
        if not self.paused:
            raise InvalidState("the quiz is not waiting to continue")
        self.paused = False
        self.last_activity = now
        if self.phase is Phase.CREATED:
            return self._open(0, now)
        if self.phase is Phase.LOBBY:
            return self._play(now)
        if self.phase is Phase.QUESTION_OPEN:
            return self._open(self.index, now, keep_answers=True)
        return self.advance(self.index, now)

    # --- helpers -----------------------------------------------------------------------------

    def _play(self, now: float) -> list[Effect]:
        """A team game leaves its lobby: the teams are fixed, shown, and the first question opens."""
        teams = self._teams()
        teams.fixed = True
        return [ShowTeams(teams.lineup()), *self._open(0, now)]

    def _teams(self, *, paused_too: bool = False) -> Teams:
        """The game's teams, if it has teams and is live (`paused_too`: or waits to continue)."""
        if not (paused_too and self.paused):
            self._check_live()
        if self.teams is None:
            raise InvalidState("this quiz is not a team game")
        return self.teams

    def _open(self, index: int, now: float, *, keep_answers: bool = False) -> list[Effect]:
        self.phase = Phase.QUESTION_OPEN
        self.index = index
        self.opened_at = now
        self.deadline = now + self.config.question_timeout
        self.last_activity = now
        if not keep_answers:
            self.answers = {}
            self.hints_shown = 0
            self.hinted_at = None
        kept = [AnswersIn(index, len(self.answers))] if keep_answers and self.answers else []
        return [
            PostQuestion(index, len(self.questions), self.question, self.deadline),
            *kept,  # a recovered question re-opened with its answers: its tally so far
            ScheduleTimer("close", index, self.deadline),
        ]

    def _hinted(self, answered_at: float) -> bool:
        """Whether an answer came after the question's first hint (a right one is then only Hard)."""
        return self.hinted_at is not None and answered_at >= self.hinted_at

    def _close(self, now: float) -> list[Effect]:
        self.phase = Phase.REVEALED
        question = self.question
        difficulty, timeout = question.difficulty, self.config.question_timeout
        share = points_share(self.hints_shown)
        results = []
        for user_id, (response, at, elapsed) in sorted(self.answers.items(), key=lambda item: item[1][2]):
            correct = self._is_correct(response)
            points = round(points_for(difficulty, elapsed, timeout) * share) if correct else 0
            player = self.players[user_id]
            player.points += points
            player.correct += correct
            player.wrong += not correct
            if correct and (player.fastest_correct is None or elapsed < player.fastest_correct):
                player.fastest_correct = max(elapsed, 0.0)
            recall = recall_of(correct, self._hinted(at), elapsed, timeout)
            results.append(Result(user_id, player.name, correct, points, xp_for(points), at, recall))
        outcome = tuple(results)
        right = {r.user_id for r in outcome if r.correct}
        for user_id, player in self.players.items():  # a missed question breaks a run too
            player.current_run = player.current_run + 1 if user_id in right else 0
            player.best_run = max(player.best_run, player.current_run)
        if self.index == len(self.questions) // 2 - 1 and len(self.players) > 1:
            lowest = min(p.points for p in self.players.values())
            for player in self.players.values():
                player.last_at_half = player.points == lowest
        record = RecordAnswers(
            self.run_id, self.index, question.category, question.difficulty, outcome, question.identity
        )
        advance = ScheduleTimer("advance", self.index, now + self.config.reveal_pause)
        if self.config.is_daily:  # revealed by the next day's post, which opens with its recap
            return [record, advance]
        reveal = Reveal(self.index, question, outcome)
        return [reveal, record, ShowScores(self.standings(), self.team_standings()), advance]

    def _end(self, phase: Phase, now: float, stopped_by: int | None) -> list[Effect]:
        self.phase = phase
        self.last_activity = now
        self.paused = False
        participants = tuple(sorted(self.players))
        standings = self.standings()
        end = AnnounceEnd(phase.value, standings, stopped_by, self.run_id, self.team_standings())
        return [
            *([] if self.config.is_daily else [end]),  # a question of the day has no podium
            RecordRun(
                run_id=self.run_id,
                host_id=self.host_id,
                topic=self.config.topic,
                category=self.questions[0].category,
                difficulty=self.config.difficulty,
                question_count=len(self.questions),
                outcome=phase.value,
                participants=participants,
                started_at=self.created_at,
                finished_at=now,
                facts=player_facts(self.players, len(self.questions), self.config.difficulty),
            ),
        ]

    def _is_correct(self, response: object) -> bool:
        question = self.question
        if isinstance(response, int):
            return response == question.answer_index
        return self.matcher(question, str(response))

    def _valid_response(self, response: object) -> object:
        if self.config.mode is AnswerMode.TYPED:
            if not isinstance(response, str) or not response.strip() or len(response) > 200:
                raise InvalidValue("a typed answer is 1 to 200 characters of text")
            return response
        if isinstance(response, bool) or not isinstance(response, int):
            raise InvalidValue("a button answer is an option number")
        if not 0 <= response < len(self.question.options):
            raise InvalidValue(f"option {response} does not exist for this question")
        return response

    def _authorise(self, user_id: int, is_moderator: bool, action: str) -> None:
        if user_id != self.host_id and not is_moderator:
            raise NotHost(f"only the quiz host or a moderator can {action}")

    def _require(self, phase: Phase, action: str) -> None:
        if self.phase is not phase:
            raise InvalidState(f"cannot {action} a quiz that is {self.phase.value}")

    def _not_daily(self) -> None:
        """A question of the day runs its whole day (a moderator's stop would lose its answers);
        it is turned off in the settings, which let it close first."""
        if self.config.is_daily:
            raise InvalidState("the question of the day is not stopped or skipped")

    def _check_live(self) -> None:
        if self.phase.over:
            raise InvalidState(f"the quiz is {self.phase.value}")
        if self.paused:
            raise InvalidState("the quiz is paused after a restart; the host can Continue it")
