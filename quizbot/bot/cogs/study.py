"""/study: private study sessions of the player's due cards and new questions, in their DMs, and
the settings and figures that go with them (stats, timezone, new_cards, remind, reset).

Cogs only translate: options are checked (validation.py), storage or the supervisor does the work,
and every reply is private and worded from the catalogue in the reader's language.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

import disnake
from babel.numbers import format_percent
from disnake import Localized
from disnake.ext import commands

from quizbot import i18n
from quizbot.bot import validation
from quizbot.bot.bot import QuizBot
from quizbot.bot.catalogue import Refused, problem, say
from quizbot.bot.context import QuizContext, refuse, reply
from quizbot.bot.custom_ids import ResetButton
from quizbot.bot.render import BLURPLE, RED
from quizbot.bot.settings_view import matching_zones
from quizbot.bot.starting import TOPIC_LIMIT
from quizbot.bot.studying import (
    DEFAULT_QUESTIONS,
    DEFAULT_SECONDS,
    server_zone,
    stop_study,
    study_now,
    topics_like,
)
from quizbot.bot.types import CommandInter
from quizbot.i18n.languages import babel_name
from quizbot.storage import study as storage


def missing(option: str) -> Refused:
    """The refusal of a required option left out (the bot-wide check refuses it first)."""
    return Refused(problem("option_missing", option=option))


class StudyCog(commands.Cog):
    """Study sessions and study settings. Translates commands into storage calls and sessions."""

    def __init__(self, context: QuizContext) -> None:
        self.ctx = context

    async def cog_slash_command_error(self, inter: CommandInter, error: Exception) -> None:
        await refuse(inter, getattr(error, "original", error))

    @commands.slash_command(
        name=Localized("study", key="cmd.study.name"),
        description=Localized(
            "Study what you missed, when it is due, in your DMs.", key="cmd.study.description"
        ),
    )
    async def study(self, inter: CommandInter) -> None:
        """The /study group (its subcommands do the work)."""

    @study.sub_command(
        name=Localized("start", key="cmd.study.start.name"),
        description=Localized(
            "Study your due cards and new questions in your DMs.", key="cmd.study.start.description"
        ),
    )
    async def start(
        self,
        inter: CommandInter,
        topic: str | None = commands.Param(
            None,
            name=Localized("topic", key="cmd.study.start.topic.name"),
            description=Localized(
                "A category or pack for new questions", key="cmd.study.start.topic.description"
            ),
            max_length=TOPIC_LIMIT,
        ),
        questions: int = commands.Param(
            DEFAULT_QUESTIONS,
            name=Localized("questions", key="cmd.study.start.questions.name"),
            description=Localized("How many questions (1-20)", key="cmd.study.start.questions.description"),
            ge=1,
            le=20,
        ),
        seconds: int = commands.Param(
            DEFAULT_SECONDS,
            name=Localized("timeout", key="cmd.study.start.timeout.name"),
            description=Localized("Seconds per question (5-120)", key="cmd.study.start.timeout.description"),
            ge=5,
            le=120,
        ),
    ) -> None:
        """Due cards first, most overdue first, then new questions of the topic, in the DMs."""
        await study_now(self.ctx, inter, topic, questions, seconds)

    @study.sub_command(
        name=Localized("stop", key="cmd.study.stop.name"),
        description=Localized("Stop your study session.", key="cmd.study.stop.description"),
    )
    async def stop(self, inter: CommandInter) -> None:
        """Stop the author's own study session."""
        await stop_study(self.ctx, inter)

    @study.sub_command(
        name=Localized("stats", key="cmd.study.stats.name"),
        description=Localized(
            "Your cards due, reviews, retention and streak.", key="cmd.study.stats.description"
        ),
    )
    async def stats(self, inter: CommandInter) -> None:
        """Due now, today and this week, reviews done, 30-day retention, longest streak, the zone."""
        figures = await storage.study_stats(
            self.ctx.db, inter.author.id, self.ctx.now(), server_zone=await server_zone(self.ctx, inter)
        )
        locale = inter.locale
        if figures.retention is None:
            retention = say("study.stats.retention_unknown", locale)
        else:
            shown = format_percent(figures.retention, locale=babel_name(i18n.resolve(locale)))
            retention = say("study.stats.retention", locale, percent=shown)
        lines = [
            say("study.stats.due_now", locale, number=figures.due_now),
            say("study.stats.due_today", locale, number=figures.due_today),
            say("study.stats.due_week", locale, number=figures.due_week),
            say("study.stats.reviews", locale, number=figures.reviews),
            retention,
            say("study.stats.streak", locale, days=problem("study.days", count=figures.longest_streak)),
            say("study.stats.zone", locale, zone=figures.time_zone),
        ]
        embed = disnake.Embed(
            title=say("study.stats.title", locale), description="\n".join(lines), colour=BLURPLE
        )
        await reply(inter, embed=embed)

    @study.sub_command(
        name=Localized("timezone", key="cmd.study.timezone.name"),
        description=Localized("The time zone your study days follow.", key="cmd.study.timezone.description"),
    )
    async def timezone(
        self,
        inter: CommandInter,
        zone: str = commands.Param(
            name=Localized("zone", key="cmd.study.timezone.zone.name"),
            description=Localized(
                "An IANA time zone, like Europe/Paris", key="cmd.study.timezone.zone.description"
            ),
            max_length=64,
        ),
    ) -> None:
        """Set the player's time zone (an IANA name); a reminder moves with it."""
        chosen = validation.time_zone("zone", zone)
        if chosen is None:
            raise missing("zone")
        await storage.set_time_zone(self.ctx.db, inter.author.id, chosen, self.ctx.now())
        await reply(inter, say("study.zone_set", inter.locale, zone=chosen))

    @timezone.autocomplete("zone")
    async def zone_choices(self, inter: CommandInter, text: str) -> list[str]:
        """IANA zones containing what the user typed (at most 25)."""
        typed = validation.typed_so_far(text, limit=64)
        return [] if typed is None else matching_zones(typed)

    @study.sub_command(
        name=Localized("new_cards", key="cmd.study.new_cards.name"),
        description=Localized(
            "How many new questions a day /study may bring.", key="cmd.study.new_cards.description"
        ),
    )
    async def new_cards(
        self,
        inter: CommandInter,
        count: int = commands.Param(
            name=Localized("count", key="cmd.study.new_cards.count.name"),
            description=Localized("New questions a day (0-100)", key="cmd.study.new_cards.count.description"),
            ge=0,
            le=100,
        ),
    ) -> None:
        """Set the daily cap on new cards."""
        chosen = validation.whole_number("count", count, 0, 100)
        if chosen is None:
            raise missing("count")
        await storage.set_new_per_day(self.ctx.db, inter.author.id, chosen)
        await reply(inter, say("study.new_cards_set", inter.locale, count=chosen))

    @study.sub_command_group(name=Localized("remind", key="cmd.study.remind.name"))
    async def remind(self, inter: CommandInter) -> None:
        """The /study remind group."""

    @remind.sub_command(
        name=Localized("at", key="cmd.study.remind.at.name"),
        description=Localized("Remind me every day at this time.", key="cmd.study.remind.at.description"),
    )
    async def remind_at(
        self,
        inter: CommandInter,
        at: str = commands.Param(
            name=Localized("time", key="cmd.study.remind.at.time.name"),
            description=Localized("HH:MM, in your time zone", key="cmd.study.remind.at.time.description"),
            max_length=5,
        ),
    ) -> None:
        """Remind the player daily at HH:MM in their zone; say when the first reminder comes."""
        moment = validation.clock_time("time", at)
        if moment is None:
            raise missing("time")
        zone_asked = await server_zone(self.ctx, inter)
        first = await storage.set_reminder(
            self.ctx.db,
            inter.author.id,
            moment,
            self.ctx.now(),
            server_zone=zone_asked,
            locale=i18n.resolve(inter.locale),
        )
        settings = await storage.study_settings(self.ctx.db, inter.author.id)
        zone = settings.time_zone or zone_asked or storage.DEFAULT_TIME_ZONE
        local = first.astimezone(ZoneInfo(zone))
        await reply(
            inter,
            say(
                "study.remind_set",
                inter.locale,
                time=f"{moment:%H:%M}",
                zone=zone,
                first=f"{local:%Y-%m-%d %H:%M}",
            ),
        )

    @remind.sub_command(
        name=Localized("off", key="cmd.study.remind.off.name"),
        description=Localized("No more study reminders.", key="cmd.study.remind.off.description"),
    )
    async def remind_off(self, inter: CommandInter) -> None:
        """Stop the player's reminders (saying so if there were none)."""
        stopped = await storage.stop_reminders(self.ctx.db, inter.author.id)
        await reply(inter, say("study.remind_off" if stopped else "study.remind_none", inter.locale))

    @study.sub_command(
        name=Localized("reset", key="cmd.study.reset.name"),
        description=Localized("Delete your cards, reviews and reminders.", key="cmd.study.reset.description"),
    )
    async def reset(self, inter: CommandInter) -> None:
        """Ask first: a private message with Delete and Cancel buttons only its user may press."""
        locale = inter.locale
        buttons = [
            disnake.ui.Button(
                style=disnake.ButtonStyle.danger,
                label=say("study.reset_yes", locale),
                custom_id=ResetButton(inter.author.id, True).encode(),
            ),
            disnake.ui.Button(
                style=disnake.ButtonStyle.secondary,
                label=say("study.reset_no", locale),
                custom_id=ResetButton(inter.author.id, False).encode(),
            ),
        ]
        embed = disnake.Embed(description=say("study.reset_confirm", locale), colour=RED)
        await reply(inter, embed=embed, components=buttons)

    @start.autocomplete("topic")
    async def topic_choices(self, inter: CommandInter, text: str) -> list[str]:
        """Categories and packs containing what the user typed (at most 25)."""
        return await topics_like(self.ctx, inter.guild_id or 0, text)


def setup(bot: QuizBot) -> None:
    """Add the cog, with the context the bot was built with (a plain function, as disnake wants)."""
    bot.add_cog(StudyCog(bot.context))
