"""The session factory: a new game's session from a start request, and the actor any session runs in.

Injected into the supervisor, so the supervisor starts and restarts children without knowing what
a game is made of (its ports, store, timers and answer matcher).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from quizbot.actors.journal import SessionJournal
from quizbot.actors.messages import SessionKey, StartSession
from quizbot.actors.ports import ChannelPort, SessionStore
from quizbot.actors.replay import Restored
from quizbot.actors.session import SessionActor
from quizbot.actors.timers import Timers
from quizbot.clock import Clock
from quizbot.game.questions import Matcher, exact_matcher
from quizbot.game.session import QuizSession


@dataclass(slots=True)
class SessionFactory:
    """What every session is made with: where it shows things, where it records, its clock and matcher."""

    port: ChannelPort
    store: SessionStore
    clock: Clock
    matcher: Matcher = exact_matcher
    timers: Timers = field(init=False)

    def __post_init__(self) -> None:
        self.timers = Timers(self.clock)

    def new(self, request: StartSession) -> QuizSession:
        """A new game as asked for, with a run id of its own."""
        return QuizSession(
            guild_id=request.guild_id,
            channel_id=request.channel_id,
            run_id=request.run_id or uuid.uuid4(),
            host_id=request.host_id,
            config=request.config,
            questions=tuple(request.questions),
            created_at=self.clock.time(),
            matcher=self.matcher,
        )

    def actor(
        self,
        restored: Restored,
        *,
        journal: SessionJournal,
        notify: Callable[[object], None],
        key: SessionKey | None = None,
    ) -> SessionActor:
        """The actor that runs `restored`, journaling to `journal` and reporting through `notify`
        (`key`: the session's key as the caller already holds it, to share one tuple)."""
        return SessionActor(
            restored.state,
            port=self.port,
            store=self.store,
            timers=self.timers,
            clock=self.clock,
            notify=notify,
            journal=journal,
            durable=restored.durable,
            key=key,
        )
