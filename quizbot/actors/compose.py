"""Composing a supervisor: its session factory and checkpointer over the given ports, in one call."""

from __future__ import annotations

from collections.abc import Callable

from quizbot.actors.checkpointer import Checkpointer
from quizbot.actors.factory import SessionFactory
from quizbot.actors.policy import SupervisorSettings, default_owner
from quizbot.actors.ports import (
    ChannelPort,
    JournalStore,
    PoolHealth,
    QuestionStore,
    SessionStore,
    SnapshotStore,
)
from quizbot.actors.supervisor import Supervisor
from quizbot.clock import Clock
from quizbot.game.questions import Matcher, exact_matcher


def compose_supervisor(
    *,
    port: ChannelPort,
    store: SessionStore,
    snapshots: SnapshotStore,
    questions: QuestionStore,
    clock: Clock,
    journal: JournalStore | None = None,
    settings: SupervisorSettings | None = None,
    owner: str | None = None,
    pool_health: Callable[[], PoolHealth] | None = None,
    matcher: Matcher = exact_matcher,
    tick: bool = True,
) -> Supervisor:
    """A supervisor whose sessions show in `port`, record to `store` and snapshot to `snapshots`.

    `journal=None` runs without the durable session journal: changes are acknowledged at once.
    """
    settings = settings or SupervisorSettings()
    checkpointer = Checkpointer(
        snapshots=snapshots,
        store=store,
        questions=questions,
        journal=journal,
        port=port,
        clock=clock,
        settings=settings,
        owner=owner or default_owner(),
        matcher=matcher,
    )
    factory = SessionFactory(port, store, clock, matcher)
    return Supervisor(
        factory=factory, checkpointer=checkpointer, settings=settings, pool_health=pool_health, tick=tick
    )
