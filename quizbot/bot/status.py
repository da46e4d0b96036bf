"""What /supervisor status shows, in the asker's language: sessions, mailboxes, restarts, snapshots."""

from __future__ import annotations

from dataclasses import dataclass, replace

import disnake

from quizbot import i18n
from quizbot.actors.messages import GetStatus
from quizbot.actors.ports import PoolHealth
from quizbot.actors.status import SupervisorStatus
from quizbot.bot.catalogue import say
from quizbot.bot.context import ASK_TIMEOUT, QuizContext
from quizbot.bot.limiter import REFUSAL_LIMIT
from quizbot.bot.reminders import ReminderFigures
from quizbot.bot.render import BLURPLE
from quizbot.i18n import DEFAULT, LocaleLike
from quizbot.storage.reports import FLAG_GUILDS, count_flagged
from quizbot.storage.roles import FailedGrant, failed_grants


@dataclass(frozen=True, slots=True)
class StatusReport:
    """Everything /supervisor status shows (and the web's admin page): the supervisor's status, the
    invalid-request budget used, study reminders, role changes refused for good, flagged questions."""

    status: SupervisorStatus
    invalid_requests: int = 0
    reminders: ReminderFigures | None = None
    role_failures: tuple[int, list[FailedGrant]] = (0, [])
    flagged: int = 0
    refusal_limit: int = REFUSAL_LIMIT  # Discord's invalid requests allowed in ten minutes


async def gather_status(ctx: QuizContext, guild_id: int | None = None) -> StatusReport:
    """What status shows: the whole process (`guild_id` None, the owner's view) or one guild's
    sessions and role failures (Manage Server's view, without the process's figures)."""
    status: SupervisorStatus = await ctx.supervisor_ref.ask(GetStatus(), timeout=ASK_TIMEOUT)
    if guild_id is not None:
        status = replace(status, sessions=tuple(s for s in status.sessions if s.key[0] == guild_id))
    return StatusReport(
        status,
        invalid_requests=ctx.outbox.invalid_requests(),
        reminders=ctx.reminders.figures() if ctx.reminders is not None else None,
        role_failures=await failed_grants(ctx.db, guild_id),
        flagged=await count_flagged(ctx.db) if guild_id is None else 0,  # the owner's to look at
    )


def status_embed(
    status: SupervisorStatus,
    *,
    everything: bool,
    invalid_requests: int = 0,
    reminders: ReminderFigures | None = None,
    role_failures: tuple[int, list[FailedGrant]] = (0, []),
    flagged: int = 0,
    locale: LocaleLike = DEFAULT,
) -> disnake.Embed:
    """What /supervisor status shows, in `locale`: this guild's sessions, or (for the owner) the
    whole process, with its study reminders sent and refused and the questions reported from several
    servers (`flagged`, when there are any); role rewards Discord refused for good (this guild's, or
    everyone's for the owner) whenever there are any."""
    words = i18n.active()

    def number(value: float, decimals: int | None = None) -> str:
        return words.number(locale, value, decimals=decimals)

    if everything:
        title = say("reply.status_title_all", locale, owner=status.owner)
    else:
        title = say("reply.status_title_here", locale)
    embed = disnake.Embed(title=title, colour=BLURPLE)
    phases = ", ".join(f"{phase}: {number(count)}" for phase, count in sorted(status.by_phase.items()))
    live = number(len(status.sessions)) + (f" ({phases})" if phases else "")
    embed.add_field(say("reply.status_sessions", locale), live, inline=False)
    embed.add_field(say("reply.status_mailbox", locale), number(status.deepest_mailbox))
    embed.add_field(say("reply.status_restarts", locale), number(status.restarts))
    oldest = status.oldest_idle
    idle = "—"
    if oldest is not None:
        seconds = number(oldest.idle_seconds, 0)
        idle = say("reply.status_idle_value", locale, seconds=seconds, channel=f"<#{oldest.key[1]}>")
    embed.add_field(say("reply.status_oldest_idle", locale), idle)
    ages = [s.snapshot_age for s in status.sessions if s.snapshot_age is not None]
    unsaved = len(status.sessions) - len(ages)
    parts = []
    if ages:
        newest, oldest_age = number(min(ages), 1), number(max(ages), 1)
        parts.append(say("reply.status_snapshot_range", locale, newest=newest, oldest=oldest_age))
    if unsaved:
        parts.append(say("reply.status_unsaved", locale, count=unsaved))
    embed.add_field(say("reply.status_snapshots", locale), " · ".join(parts) or "—", inline=False)
    if everything:
        _process_fields(
            embed,
            status,
            invalid_requests=invalid_requests,
            reminders=reminders,
            flagged=flagged,
            locale=locale,
        )
    total, latest = role_failures
    if total:
        lines = [number(total), *(failed_grant_line(failed, locale) for failed in latest)]
        embed.add_field(say("roles.status_failed", locale), "\n".join(lines)[:1024], inline=False)
    return embed


def _process_fields(
    embed: disnake.Embed,
    status: SupervisorStatus,
    *,
    invalid_requests: int,
    reminders: ReminderFigures | None,
    flagged: int,
    locale: LocaleLike,
) -> None:
    """The owner's fields: the pool, shards, timers, journal, refusals, reminders, flagged questions."""

    def number(value: float) -> str:
        return i18n.active().number(locale, value)

    embed.add_field(say("reply.status_pool", locale), pool_line(status.pool, locale), inline=False)
    shards = ", ".join(map(str, status.shard_ids)) or say("reply.status_all_shards", locale)
    if status.shard_count:
        shards = say("reply.status_shards_of", locale, shards=shards, total=status.shard_count)
    embed.add_field(say("reply.status_shards", locale), shards)
    embed.add_field(say("reply.status_timers", locale), number(status.timers))
    accepting = say("reply.yes" if status.accepting else "reply.status_shutting_down", locale)
    embed.add_field(say("reply.status_accepting", locale), accepting)
    embed.add_field(say("reply.status_journal", locale), number(status.journal_queued))
    embed.add_field(say("reply.status_set_aside", locale), number(status.quarantined))
    used = say("invalid_requests", locale, count=invalid_requests, limit=REFUSAL_LIMIT)
    embed.add_field(say("invalid_requests_title", locale), used)
    if reminders is not None:
        sent = say("reply.status_reminders_line", locale, sent=reminders.sent, refused=reminders.refused)
        embed.add_field(say("reply.status_reminders", locale), sent)
    if flagged:
        listed = say("reply.status_flagged_line", locale, count=flagged, servers=FLAG_GUILDS)
        embed.add_field(say("reply.status_flagged", locale), listed, inline=False)


def failed_grant_line(failed: FailedGrant, locale: LocaleLike) -> str:
    """One role change Discord refused for good: whose role, and why, in `locale`."""
    why_key = f"roles.why_{failed.error}"
    why = say(why_key if why_key in i18n.active() else "roles.why_refused", locale)
    key = "roles.failed_give" if failed.held else "roles.failed_take"
    return say(key, locale, role=f"<@&{failed.role_id}>", user=f"<@{failed.user_id}>", why=why)


def pool_line(pool: PoolHealth | None, locale: LocaleLike = DEFAULT) -> str:
    if pool is None:
        return say("reply.status_not_reported", locale)
    return say(
        "reply.status_pool_line",
        locale,
        size=pool.size,
        max_size=pool.max_size,
        idle=pool.idle,
        in_use=pool.in_use,
        p95=i18n.active().number(locale, pool.acquire_wait_p95_ms, decimals=1),
        ran_dry=pool.ran_dry,
    )
