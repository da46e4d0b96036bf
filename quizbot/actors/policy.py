"""Restart policy as data, after OTP's supervisor: restart type x exit kind -> action, with intensity."""

from __future__ import annotations

import os
import socket
import uuid
from dataclasses import dataclass, field
from enum import StrEnum


class RestartType(StrEnum):
    """When a child is restarted (OTP's permanent, transient and temporary children)."""

    PERMANENT = "permanent"  # always, whatever the exit
    TRANSIENT = "transient"  # only after a crash
    TEMPORARY = "temporary"  # never


class ExitKind(StrEnum):
    """How a child's loop ended."""

    NORMAL = "normal"  # finished, stopped or expired as the game intends
    CRASH = "crash"  # an unexpected exception
    SHUTDOWN = "shutdown"  # the supervisor is stopping everything


class Action(StrEnum):
    """What the supervisor does about an exit."""

    RESTART = "restart"
    REMOVE = "remove"  # let it go: clean up its timers, registry entry and snapshot
    GIVE_UP = "give_up"  # too many crashes: stop it for good and tell the channel


@dataclass(frozen=True, slots=True)
class RestartPolicy:
    """A child's restart type and intensity: more than `max_restarts` within `within_seconds` gives up."""

    restart: RestartType = RestartType.TRANSIENT
    max_restarts: int = 3
    within_seconds: float = 60.0
    poison_after: int = 2  # a message that crashed the actor this many times is dropped

    def wants_restart(self, exit_kind: ExitKind) -> bool:
        """The table at the heart of it: whether this restart type restarts after this exit."""
        if exit_kind is ExitKind.SHUTDOWN:
            return False
        if self.restart is RestartType.PERMANENT:
            return True
        return self.restart is RestartType.TRANSIENT and exit_kind is ExitKind.CRASH


@dataclass(slots=True)
class RestartHistory:
    """When one child was restarted lately, to enforce the policy's intensity."""

    times: list[float] = field(default_factory=list)  # a few at most; a list is small while empty

    def decide(self, policy: RestartPolicy, exit_kind: ExitKind, now: float) -> Action:
        """RESTART (and record it), REMOVE, or GIVE_UP when restarts exceed the intensity."""
        if not policy.wants_restart(exit_kind):
            return Action.REMOVE
        while self.times and now - self.times[0] > policy.within_seconds:
            del self.times[0]
        if len(self.times) >= policy.max_restarts:
            return Action.GIVE_UP
        self.times.append(now)
        return Action.RESTART


@dataclass(frozen=True, slots=True)
class SupervisorSettings:
    """Timeouts, snapshot cadence, shards and the restart policy of session actors."""

    snapshot_interval: float = 1.0
    snapshot_ttl: float = 3600.0
    idle_timeout: float = 1800.0
    sweep_every: int = 10  # ticks between idle sweeps
    shard_ids: tuple[int, ...] = ()
    shard_count: int | None = None
    policy: RestartPolicy = field(default_factory=RestartPolicy)
    mailbox_capacity: int = 1000


def default_owner() -> str:
    """This process's name as a snapshot owner: host, pid and a random suffix."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
