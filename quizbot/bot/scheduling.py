"""/trivia schedule add, list and remove: scheduled games, for people with Manage Server.

The commands hang off /trivia (disnake keeps a command's subcommands in its cog), so the trivia
cog declares them from the functions here; `self` is that cog, which holds the QuizContext.
They only translate: every option is checked server-side (Discord may deliver anything), the
channel is checked for what a game needs the bot to do there, and storage does the rest (the
10-a-guild limit included, counted by its insert). Refusals are private and from the catalogue.
The runner that starts the games is bot/schedules.py.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import disnake
from babel.dates import format_skeleton
from disnake import Localized
from disnake.ext import commands

from quizbot import i18n
from quizbot.bot import validation
from quizbot.bot.catalogue import Refused, problem, say
from quizbot.bot.cogs.admin import can_manage
from quizbot.bot.context import QuizContext, not_permitted, reply
from quizbot.bot.localized import choices, command_shown
from quizbot.bot.schedule_days import day_suggestions, days_shown, parse_days
from quizbot.bot.starting import quiz_options
from quizbot.bot.types import CommandInter
from quizbot.i18n import LocaleLike
from quizbot.i18n.languages import babel_name
from quizbot.storage.guilds import guild_settings
from quizbot.storage.schedules import (
    DIFFICULTIES,
    MAX_PER_GUILD,
    MODES,
    PROVIDERS,
    GameOptions,
    Schedule,
    add_schedule,
    list_schedules,
    remove_schedule,
)

DEFAULT_PING_MINUTES = 10
ADD = "cmd.trivia.schedule.add"


def _param(name: str, description: Localized[str], default: Any = None, **more: Any) -> Any:
    """An option of /trivia schedule add, named by its `cmd.` key (its English name is `name`)."""
    return commands.Param(
        default, name=Localized(name, key=f"{ADD}.{name}.name"), description=description, **more
    )


def _described(name: str) -> str:
    return f"{ADD}.{name}.description"


OPTIONS: dict[str, Any] = {  # /trivia schedule add's options (B008: built once, not per call)
    "channel": _param(
        "channel",
        Localized("Where the game is played", key=_described("channel")),
        ...,
        channel_types=[disnake.ChannelType.text],
    ),
    "time": _param("time", Localized("HH:MM, in the server's time zone", key=_described("time")), ...),
    "days": _param(
        "days", Localized("daily, weekdays, or days like mon, wed, fri", key=_described("days")), ...
    ),
    "topic": _param(
        "topic", Localized("A bank category or any topic", key=_described("topic")), max_length=100
    ),
    "difficulty": _param(
        "difficulty",
        Localized("How hard the questions are", key=_described("difficulty")),
        choices=choices(f"{ADD}.difficulty", DIFFICULTIES),
    ),
    "questions": _param("questions", Localized("How many questions (1-20)", key=_described("questions"))),
    "timeout": _param("timeout", Localized("Seconds per question (5-120)", key=_described("timeout"))),
    "mode": _param(
        "mode",
        Localized("Answer with buttons or by typing", key=_described("mode")),
        choices=choices(f"{ADD}.mode", MODES),
    ),
    "provider": _param(
        "provider",
        Localized("Where questions come from", key=_described("provider")),
        choices=choices(f"{ADD}.provider", PROVIDERS),
    ),
    "single_answer": _param(
        "single_answer",
        Localized("The first correct answer closes the question", key=_described("single_answer")),
        False,
    ),
    "ping_role": _param(
        "ping_role", Localized("A role to ping before each game", key=_described("ping_role"))
    ),
    "minutes_before": _param(
        "minutes_before",
        Localized("Minutes before the game to ping (1-120)", key=_described("minutes_before")),
    ),
}
GROUP: dict[str, Any] = {
    "name": Localized("schedule", key="cmd.trivia.schedule.name")
}  # groups have no description
ADD_COMMAND: dict[str, Any] = {
    "name": Localized("add", key=f"{ADD}.name"),
    "description": Localized("Schedule a game in a channel (Manage Server).", key=f"{ADD}.description"),
}
LIST_COMMAND: dict[str, Any] = {
    "name": Localized("list", key="cmd.trivia.schedule.list.name"),
    "description": Localized("This server's scheduled games.", key="cmd.trivia.schedule.list.description"),
}
REMOVE_COMMAND: dict[str, Any] = {
    "name": Localized("remove", key="cmd.trivia.schedule.remove.name"),
    "description": Localized(
        "Remove a scheduled game (Manage Server).", key="cmd.trivia.schedule.remove.description"
    ),
}


class ScheduleCommands:
    """The /trivia schedule subcommands, declared by the trivia cog (their `self`)."""

    ctx: QuizContext

    async def group(self, inter: CommandInter) -> None:
        """The /trivia schedule group (its subcommands do the work)."""

    async def add(  # noqa: PLR0917 - a slash command's options are its parameters
        self,
        inter: CommandInter,
        channel: disnake.TextChannel = OPTIONS["channel"],
        at: str = OPTIONS["time"],
        days: str = OPTIONS["days"],
        topic: str | None = OPTIONS["topic"],
        difficulty: str | None = OPTIONS["difficulty"],
        questions: int | None = OPTIONS["questions"],
        seconds: int | None = OPTIONS["timeout"],
        mode: str | None = OPTIONS["mode"],
        provider: str | None = OPTIONS["provider"],
        single_answer: bool = OPTIONS["single_answer"],
        ping_role: disnake.Role | None = OPTIONS["ping_role"],
        minutes_before: int | None = OPTIONS["minutes_before"],
    ) -> None:
        """Check everything (who asks, every option, the channel, the role), then store the schedule."""
        if not can_manage(inter):
            raise Refused(not_permitted())
        guild = inter.guild
        where = playable_channel(inter, channel)
        run_at = validation.clock_time("time", at)
        typed_days = validation.text("days", days, limit=100)
        mask = parse_days(typed_days or "", inter.locale)
        if mask is None:
            raise Refused(problem("schedule.bad_days", option="days", **keywords(inter.locale)))
        chosen = quiz_options(topic, difficulty, questions, seconds)
        options = GameOptions(
            topic=chosen.topic,
            difficulty=chosen.difficulty,
            questions=chosen.questions,
            timeout=chosen.seconds,
            mode=validation.choice("mode", mode, MODES),
            provider=validation.choice("provider", provider, PROVIDERS),
            single_answer=bool(validation.flag("single_answer", single_answer)),
        )
        role, minutes = pinged_role(inter, ping_role, minutes_before)
        assert guild is not None and run_at is not None  # playable_channel and clock_time said so
        await inter.response.defer(ephemeral=True)
        now = self.ctx.now()
        number = await add_schedule(
            self.ctx.db, guild.id, where.id, inter.author.id, run_at, mask, options, now,
            ping_role_id=role, ping_minutes=minutes,
        )  # fmt: skip
        if number is None:
            raise Refused(problem("schedule.limit", limit=MAX_PER_GUILD))
        zone = (await guild_settings(self.ctx.db, guild.id)).time_zone
        [made] = [s for s in await list_schedules(self.ctx.db, guild.id) if s.schedule_id == number]
        shown = say(
            "schedule.added",
            inter.locale,
            number=number,
            channel=where.mention,
            days=days_shown(mask, inter.locale),
            time=f"{run_at:%H:%M}",
            next=moment_shown(made.next_run, zone, inter.locale),
            zone=zone,
        )
        await reply(inter, shown)

    async def list_schedules(self, inter: CommandInter) -> None:
        """Every schedule of this server: when it runs next in the server's zone; disabled ones
        with why."""
        if not can_manage(inter) or inter.guild_id is None:
            raise Refused(not_permitted())
        zone = (await guild_settings(self.ctx.db, inter.guild_id)).time_zone
        schedules = await list_schedules(self.ctx.db, inter.guild_id)
        locale = inter.locale
        if not schedules:
            add = command_shown(locale, "trivia", "schedule", "add")
            await reply(inter, say("schedule.none", locale, command=add))
            return
        lines = [schedule_line(schedule, zone, locale) for schedule in schedules]
        embed = disnake.Embed(title=say("schedule.list_title", locale), description="\n".join(lines)[:4000])
        embed.set_footer(text=say("schedule.list_zone", locale, zone=zone))
        await reply(inter, embed=embed)

    async def remove(
        self,
        inter: CommandInter,
        number: int = commands.Param(
            name=Localized("id", key="cmd.trivia.schedule.remove.id.name"),
            description=Localized(
                "The game's number in /trivia schedule list", key="cmd.trivia.schedule.remove.id.description"
            ),
        ),
    ) -> None:
        """Remove one of this server's schedules, by its number."""
        if not can_manage(inter) or inter.guild_id is None:
            raise Refused(not_permitted())
        which = validation.whole_number("id", number, 1, 2**31 - 1)
        assert which is not None  # a required option (checked by the bot-wide check)
        if not await remove_schedule(self.ctx.db, inter.guild_id, which):
            raise Refused(problem("schedule.not_found", number=which))
        await reply(inter, say("schedule.removed", inter.locale, number=which))

    async def days_typed(self, inter: CommandInter, text: str) -> list[str]:
        """Suggestions for the days option in the user's language."""
        typed = validation.typed_so_far(text)
        return [] if typed is None else day_suggestions(typed, inter.locale)


def playable_channel(inter: CommandInter, value: object) -> disnake.abc.GuildChannel:
    """A text channel of this server where the bot may post a game (seen in its cache)."""
    refusals = {"not_a_channel": "schedule.not_a_channel", "cannot_post": "schedule.cannot_post"}
    return validation.postable_channel(inter, "channel", value, **refusals)


def pinged_role(inter: CommandInter, role: object, minutes: object) -> tuple[int | None, int | None]:
    """The role to ping and how many minutes before, both checked; (None, None) for no ping."""
    before = validation.whole_number("minutes_before", minutes, 1, 120)
    if role is None:
        if before is not None:
            raise Refused(problem("schedule.minutes_without_role", option="minutes_before", role="ping_role"))
        return None, None
    guild = inter.guild
    if guild is None or not isinstance(role, disnake.Role) or role.guild.id != guild.id or role.is_default():
        raise Refused(problem("schedule.bad_role", option="ping_role"))
    if not (role.mentionable or guild.me.guild_permissions.mention_everyone):
        raise Refused(problem("schedule.role_not_mentionable", role=role.mention))
    return role.id, before or DEFAULT_PING_MINUTES


def keywords(locale: LocaleLike) -> dict[str, Any]:
    """The days option's keywords, as the reader types them."""
    return {word: say(f"schedule.days.{word}", i18n.resolve(locale)) for word in ("daily", "weekdays")}


def moment_shown(moment: datetime, zone: str, locale: LocaleLike) -> str:
    """A moment as the reader writes a date and time, in the server's zone ("Fri, Mar 13 20:00")."""
    where, reader = ZoneInfo(zone), babel_name(i18n.resolve(locale))
    day = format_skeleton("MMMEd", moment, tzinfo=where, locale=reader)
    return f"{day} {format_skeleton('Hm', moment, tzinfo=where, locale=reader)}"


def schedule_line(schedule: Schedule, zone: str, locale: LocaleLike) -> str:
    """One line of /trivia schedule list."""
    words: dict[str, Any] = {
        "number": schedule.schedule_id,
        "channel": f"<#{schedule.channel_id}>",
        "days": days_shown(schedule.days, locale),
        "time": f"{schedule.run_at:%H:%M}",
    }
    if not schedule.enabled:
        reason = say(f"schedule.reason.{schedule.disabled_reason}", locale)
        return say("schedule.line_disabled", locale, reason=reason, **words)
    line = say("schedule.line", locale, next=moment_shown(schedule.next_run, zone, locale), **words)
    if schedule.ping_role_id is not None and schedule.ping_minutes is not None:
        role, minutes = f"<@&{schedule.ping_role_id}>", schedule.ping_minutes
        ping = say("schedule.line_ping", locale, role=role, minutes=minutes)
        line = f"{line} · {ping}"
    return line
