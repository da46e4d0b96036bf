"""Actor test support: a channel that keeps what sessions show, questions kept in memory, and quiet.

Shipped with the package, like the Discord double, for tests, benchmarks and the demo.
Each ask is handled after everything queued before it, so once a round of asks to the supervisor
and to every session comes back with no mailbox holding anything, all is quiet: what was set off
(timers told, answers submitted, reports to the supervisor) has been handled.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Sequence
from typing import Any, TypeVar

from quizbot.actors.base import ActorRef
from quizbot.actors.messages import Describe, GetStatus, SessionKey
from quizbot.actors.ports import ChannelEvent
from quizbot.actors.supervisor import Supervisor
from quizbot.game.questions import Question

T = TypeVar("T")


class InMemoryChannel:
    """A ChannelPort that keeps every event per channel, for tests and benchmarks."""

    def __init__(self) -> None:
        self.events: defaultdict[SessionKey, list[ChannelEvent]] = defaultdict(list)

    async def show(
        self, key: SessionKey, event: ChannelEvent, *, after: asyncio.Future[Any] | None = None
    ) -> None:
        self.events[key].append(event)

    def of_type(self, key: SessionKey, kind: type[T]) -> list[T]:
        """The events of one type shown in one channel, oldest first."""
        return [event for event in self.events[key] if isinstance(event, kind)]


class InMemoryQuestions:
    """A QuestionStore in memory, for one process's tests and benchmarks."""

    def __init__(self) -> None:
        self.stored: dict[str, Question] = {}

    async def keep(self, questions: Sequence[Question]) -> None:
        for question in questions:
            self.stored.setdefault(question.identity, question)

    async def find(self, identities: Sequence[str]) -> dict[str, Question]:
        return {i: q for i in identities if (q := self.stored.get(i)) is not None}


QUIET_ROUNDS = 50
PROBES = (GetStatus, Describe)  # what settling asks; another settle's probes are no work waiting


async def settle(supervisor: Supervisor, *, ask_timeout: float, rounds: int = QUIET_ROUNDS) -> None:
    """Round-trip the supervisor and every running session until no mailbox holds work.

    Each ask waits up to `ask_timeout` seconds; RuntimeError if still busy after `rounds` rounds.
    Two settles may run at once (a test's and a stepping clock's): each one's status probes are
    not work for the other to wait for.
    """
    ref = supervisor.ref
    for _ in range(rounds):
        await ref.ask(GetStatus(), timeout=ask_timeout)
        sessions = [session for session in supervisor.directory.refs() if session.running]
        # Plain futures, gathered without a task each; a session stopping meanwhile is no error.
        replies = (session.request(Describe(), timeout=ask_timeout) for session in sessions)
        await asyncio.gather(*replies, return_exceptions=True)
        busy = [actor for actor in (ref, *sessions) if work_waiting(actor)]
        if not busy:
            await ref.ask(GetStatus(), timeout=ask_timeout)
            return
    waiting = {actor.name: [type(m).__name__ for m in actor.mailbox.queued()] for actor in busy}
    raise RuntimeError(f"the actors never went quiet in {rounds} rounds; still queued: {waiting}")


def work_waiting(actor: ActorRef[Any]) -> bool:
    """Whether `actor` has a message queued other than a status probe."""
    return any(not isinstance(message, PROBES) for message in actor.mailbox.queued())


async def answers_written() -> None:
    """Wait until every session's answer writer has finished what it holds (tasks named "answers:")."""
    writers = [t for t in asyncio.all_tasks() if t.get_name().startswith("answers:") and not t.done()]
    await asyncio.gather(*writers)


def with_search_path(url: str, schema: str) -> str:
    """`url` with its connections' search_path set to `schema` (asyncpg passes it to the server)."""
    return f"{url}{'&' if '?' in url else '?'}search_path={schema}"
