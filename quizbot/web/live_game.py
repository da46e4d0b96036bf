"""What a live screen knows of its game: only what the session told it, the latest of each kind.

A `LiveGame` keeps the question on screen, its answer tally, the reveal, the scores and the end,
nothing older, so a viewer who opens the page late sees where the game is. Every change that
viewers should see bumps its `version` and wakes the streams waiting for one; the answer tally,
which moves with every answer, wakes them at most once every TALLY_EVERY seconds (the latest count
is always what a page shows). The game core never sees any of it.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Callable
from enum import StrEnum

from quizbot.actors.ports import ChannelEvent, Notice, RecoveryPrompt
from quizbot.clock import Clock, TimerHandle
from quizbot.game.effects import (
    AnnounceEnd,
    AnnounceExpiry,
    AnswersIn,
    OpenLobby,
    PostQuestion,
    Reveal,
    ShowScores,
    Standing,
    TeamStanding,
)

TALLY_EVERY = 0.5  # seconds: the answer tally reaches viewers at most this often


class Stage(StrEnum):
    """Where the game is, as the screen shows it."""

    WAITING = "waiting"  # not begun (or a team game's lobby)
    QUESTION = "question"  # a question is open
    REVEAL = "reveal"  # its answer is shown, with the scores
    PAUSED = "paused"  # brought back after a restart: waiting for the host to continue
    OVER = "over"  # the podium, or the game ended without one


class LiveGame:
    """One screen's game: the latest of each event, and a version for the streams that follow it."""

    def __init__(self, clock: Clock, *, tally_every: float = TALLY_EVERY, restored: bool = False) -> None:
        self.clock = clock
        self.restored = restored  # read back after a restart: told nothing yet (its game may be over)
        self.tally_every = tally_every
        self.nonce = secrets.token_hex(4)  # this process's copy: event ids never repeat across restarts
        self.version = 0
        self.question: PostQuestion | None = None
        self.answers = 0
        self.reveal: Reveal | None = None
        self.standings: tuple[Standing, ...] = ()
        self.teams: tuple[TeamStanding, ...] = ()
        self.end: AnnounceEnd | AnnounceExpiry | Notice | None = None
        self.paused: RecoveryPrompt | None = None
        self.lobby = False
        self.rendered: dict[str, bytes] = {}  # what streams send for this version, by locale
        self._changed = asyncio.Event()
        self._tally_shown = float("-inf")  # when the tally last woke the streams
        self._tally_due: TimerHandle | None = None

    @property
    def event_id(self) -> str:
        """The id of what the game shows now, as an event stream names it (Last-Event-ID)."""
        return f"{self.nonce}.{self.version}"

    @property
    def stage(self) -> Stage:
        if self.end is not None:
            return Stage.OVER
        if self.paused is not None:
            return Stage.PAUSED
        if self.reveal is not None:
            return Stage.REVEAL
        return Stage.QUESTION if self.question is not None else Stage.WAITING

    @property
    def over(self) -> bool:
        return self.end is not None

    def tell(self, event: ChannelEvent) -> None:
        """Keep what `event` says the screen shows now; events a screen has no use for change nothing."""
        match event:
            case PostQuestion():
                self.question, self.answers, self.reveal, self.paused, self.lobby = (
                    event,
                    0,
                    None,
                    None,
                    False,
                )
            case AnswersIn(index, count):
                if self.question is not None and index == self.question.index and self.reveal is None:
                    self._tally(count)
                return
            case Reveal():
                self.reveal = event
            case ShowScores(standings, teams):
                self.standings, self.teams = standings, teams
            case AnnounceEnd(standings=standings, teams=teams):
                self.end, self.standings, self.teams = event, standings, teams
            case AnnounceExpiry() | Notice():
                self.end = event
            case RecoveryPrompt(standings=standings, teams=teams):
                self.paused, self.standings, self.teams = event, standings, teams
            case OpenLobby():
                self.lobby = True
            case _:
                return
        self._publish()

    async def changed_since(self, event_id: str | None) -> None:
        """Return once the game shows something other than `event_id` (at once if it already does),
        or when woken (`wake`: the server is stopping)."""
        if event_id == self.event_id:
            await self._changed.wait()

    def wake(self) -> None:
        """Wake every stream waiting on this game, changed or not."""
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()

    def _tally(self, count: int) -> None:
        """Keep the count at once; wake the streams now, or once TALLY_EVERY has passed since last."""
        self.answers = count
        if self._tally_due is not None:
            return  # a wake-up is already due, and it will carry this count
        due = self._tally_shown + self.tally_every
        if self.clock.time() >= due:
            self._tally_shown = self.clock.time()
            self._publish()
        else:
            self._tally_due = self.clock.call_at(due, self._tally_now)

    def _tally_now(self) -> None:
        self._tally_due = None
        self._tally_shown = self.clock.time()
        self._publish()

    def _publish(self) -> None:
        """A new version: drop what was rendered for the old one and wake every stream waiting."""
        if self._tally_due is not None:  # this version carries the latest count already
            self._tally_due.cancel()
            self._tally_due = None
        self.version += 1
        self.rendered.clear()
        self.wake()

    def cached(self, locale: str, render: Callable[[], bytes]) -> bytes:
        """What `render` makes of this version in `locale`, made once however many streams send it."""
        found = self.rendered.get(locale)
        if found is None:
            found = self.rendered[locale] = render()
        return found
