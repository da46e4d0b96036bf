"""Waiting until a supervisor and its sessions have handled everything queued (tests, benchmarks).

Each ask is handled after everything queued before it, so once a round of asks to the supervisor
and to every session comes back with no mailbox holding anything, all is quiet: what was set off
(timers told, answers submitted, reports to the supervisor) has been handled.
"""

from __future__ import annotations

import asyncio

from quizbot.actors.messages import Describe, GetStatus
from quizbot.actors.supervisor import Supervisor

QUIET_ROUNDS = 50


async def settle(supervisor: Supervisor, *, ask_timeout: float, rounds: int = QUIET_ROUNDS) -> None:
    """Round-trip the supervisor and every running session until all mailboxes are empty.

    Each ask waits up to `ask_timeout` seconds; RuntimeError if still busy after `rounds` rounds.
    """
    ref = supervisor.ref
    for _ in range(rounds):
        await ref.ask(GetStatus(), timeout=ask_timeout)
        sessions = [entry.ref for _, entry in supervisor.registry.entries() if entry.ref.running]
        # Plain futures, gathered without a task each; a session stopping meanwhile is no error.
        replies = (session.request(Describe(), timeout=ask_timeout) for session in sessions)
        await asyncio.gather(*replies, return_exceptions=True)
        if len(ref.mailbox) == 0 and all(len(session.mailbox) == 0 for session in sessions):
            await ref.ask(GetStatus(), timeout=ask_timeout)
            return
    raise RuntimeError("the actors never went quiet")
