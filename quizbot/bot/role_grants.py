"""Role rewards carried out: once a minute, claim the queued role changes and make them on Discord.

`running_bot` owns one `RoleGranter`, started with the bot and stopped first on the way out. The
changes were queued durably with what earned them (a level reached, in the answers' transaction; a
season's end, with its archive): storage/roles.py. A sweep claims due changes by compare-and-set
(one process sends each), gives or takes the role through the bot's HTTP client within the edge's
global budget (after everything in play), and records the outcome: done (never sent again), a
transient failure (5xx, 429, a timeout) retried later with backoff, or a refusal for good (Missing
Permissions or the role above the bot's: 50013; the member left: 10007; the role deleted: 10011),
recorded as failed and shown in /supervisor status, never retried. After MAX_ATTEMPTS transient
failures it is failed too. A database outage is logged and the next minute tries again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import aiohttp
import disnake
from loguru import logger

from quizbot.backoff import full_jitter
from quizbot.bot.catalogue import say
from quizbot.bot.limiter import Limiter, Priority
from quizbot.bot.sweeper import MinuteSweeper
from quizbot.clock import Clock
from quizbot.i18n import DEFAULT
from quizbot.storage.pool import Database
from quizbot.storage.roles import (
    RoleChange,
    claim_role_changes,
    retry_role_change,
    role_change_done,
    role_change_failed,
)

PER_MINUTE = 50
MAX_ATTEMPTS = 6
RETRY_BASE, RETRY_CAP = 30.0, 1800.0  # seconds: half a minute at first, at most half an hour
REFUSALS = {
    50013: "missing_permissions",
    10007: "unknown_member",
    10011: "unknown_role",
    10004: "unknown_guild",
}
KEPT_FAILING = "kept_failing"
REFUSED = "refused"  # another 4xx: Discord will not do it, whatever we retry


@dataclass(slots=True)
class GrantSweep:
    """What one sweep did."""

    claimed: int = 0
    done: int = 0
    retried: int = 0
    failed: int = 0
    outage: bool = False


class RoleGranter(MinuteSweeper):
    """The background granter of role rewards; `sweep_once` is one minute's work."""

    what = "role_grants"

    def __init__(
        self,
        bot: disnake.Client,
        db: Database,
        limiter: Limiter,
        *,
        clock: Clock,
        per_minute: int = PER_MINUTE,
    ) -> None:
        super().__init__(bot, clock=clock)
        self.db = db
        self.limiter = limiter
        self.per_minute = per_minute

    async def sweep_once(self, now: datetime) -> GrantSweep:
        """Claim the changes due by `now` (at most `per_minute`) and make each on Discord."""
        done = GrantSweep()
        try:
            claimed = await claim_role_changes(self.db, now, limit=self.per_minute)
        except Exception as error:  # an outage: the next minute tries again
            logger.warning("could not claim role changes ({}); trying again next minute", error)
            done.outage = True
            return done
        done.claimed = len(claimed)
        for change in claimed:
            try:
                outcome = await self._apply(change, now)
            except Exception:  # a bug or an outage recording it: the lease brings it back later
                logger.bind(guild=change.guild_id, user=change.user_id).opt(exception=True).error(
                    "a role change failed; it comes back when its claim runs out"
                )
                continue
            setattr(done, outcome, getattr(done, outcome) + 1)
        if done.claimed:
            logger.info(
                "role changes: {} claimed, {} done, {} retried, {} failed",
                done.claimed,
                done.done,
                done.retried,
                done.failed,
            )
        return done

    async def _apply(self, change: RoleChange, now: datetime) -> str:
        """Give or take one role, and record what came of it: 'done', 'retried' or 'failed'."""
        log = logger.bind(guild=change.guild_id, user=change.user_id, role=change.role_id)
        try:
            await self.limiter.acquire((change.guild_id, 0), Priority.BACKGROUND)
            request = self.bot.http.add_role if change.held else self.bot.http.remove_role
            await request(
                change.guild_id, change.user_id, change.role_id, reason=self._reason(change.guild_id)
            )
        except disnake.HTTPException as error:
            why = refusal(error)
            if why is not None:
                log.warning("Discord refused a role change for good ({}): {}", why, error.text)
                await role_change_failed(self.db, change, why, now)
                return "failed"
            return await self._retry(change, now, f"{error.status} {error.text}"[:200])
        except (TimeoutError, OSError, aiohttp.ClientError) as error:
            return await self._retry(change, now, repr(error))
        await role_change_done(self.db, change, now)
        return "done"

    def _reason(self, guild_id: int) -> str:
        """The audit log's reason, in the server's language (its preferred locale)."""
        guild = self.bot.get_guild(guild_id)
        return say("roles.audit_reason", guild.preferred_locale if guild is not None else DEFAULT)

    async def _retry(self, change: RoleChange, now: datetime, error: str) -> str:
        """A transient failure: try again after a backoff, or give up after MAX_ATTEMPTS."""
        log = logger.bind(guild=change.guild_id, user=change.user_id, role=change.role_id)
        if change.attempts >= MAX_ATTEMPTS:
            log.error("a role change kept failing ({}); given up", error)
            await role_change_failed(self.db, change, KEPT_FAILING, now)
            return "failed"
        delay = full_jitter(change.attempts - 1, RETRY_BASE, RETRY_CAP)
        log.warning("a role change failed ({}); retrying in {:.0f}s", error, delay)
        await retry_role_change(self.db, change, now + timedelta(seconds=delay), error, now)
        return "retried"


def refusal(error: disnake.HTTPException) -> str | None:
    """Why Discord will never make this change (a reason key), or None when a retry may succeed."""
    if error.code in REFUSALS:
        return REFUSALS[error.code]
    if error.status >= 500 or error.status == 429:
        return None
    return REFUSED
