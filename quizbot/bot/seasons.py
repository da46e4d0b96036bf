"""Seasons at the edge: /settings season start and end, the archived board, the winners' announcement.

The cog checks who asks; this module checks the options, makes one storage call (storage/seasons.py:
durable before anything is said), and words the reply from the catalogue. Ending a season queues
its winners' announcement in the chosen channel through the outbox, in the channel's language,
pinging the winners only.
"""

from __future__ import annotations

from typing import Any

import disnake
from disnake import Localized
from disnake.ext import commands
from disnake.utils import format_dt

from quizbot.bot import validation
from quizbot.bot.catalogue import Listed, problem, say
from quizbot.bot.context import QuizContext, refuse, reply
from quizbot.bot.render import Rendered, display
from quizbot.bot.types import CommandInter
from quizbot.errors import InvalidValue, NoSeasonRunning, SeasonNameTaken, SeasonRunning
from quizbot.i18n import LocaleLike
from quizbot.storage.records import LeaderboardEntry
from quizbot.storage.seasons import (
    MAX_SEASON_NAME,
    EndedSeason,
    archived_season,
    check_season_name,
    end_season,
    start_season,
)

TROPHY_GOLD = 0xF1C40F
NOBODY = disnake.AllowedMentions.none()
MEDALS = {1: "🥇", 2: "🥈", 3: "🥉"}
WINNERS = 3  # the places the announcement names (and pings)
# B008: disnake reads options from defaults; each is built once, here
NAME_OPTION: Any = commands.Param(
    name=Localized("name", key="cmd.settings.season.start.name.name"),
    description=Localized(
        "The season's name (unique in this server)", key="cmd.settings.season.start.name.description"
    ),
    max_length=MAX_SEASON_NAME,
)
ANNOUNCE_OPTION: Any = commands.Param(
    None,
    name=Localized("announce_channel", key="cmd.settings.season.end.announce_channel.name"),
    description=Localized(
        "Where to announce the winners (none: only you see them)",
        key="cmd.settings.season.end.announce_channel.description",
    ),
    channel_types=[disnake.ChannelType.text],
)


async def start(ctx: QuizContext, inter: CommandInter, name: object) -> None:
    """Start the server's season `name` now; refused while one runs or when the name is taken."""
    typed = validation.text("name", name, limit=MAX_SEASON_NAME) or ""
    try:
        chosen = check_season_name(typed)
    except InvalidValue:
        await refuse(inter, problem("season.bad_name", limit=MAX_SEASON_NAME))
        return
    await inter.response.defer(ephemeral=True)
    try:
        season = await start_season(ctx.db, inter.guild_id or 0, chosen, ctx.now())
    except SeasonRunning:
        await refuse(inter, problem("season.already_running"))
        return
    except SeasonNameTaken:
        await refuse(inter, problem("season.name_taken", name=display(chosen)))
        return
    await reply(inter, say("season.started", inter.locale, name=display(season.name)))


async def end(ctx: QuizContext, inter: CommandInter, channel: object) -> None:
    """End the running season (its top 10 archived, its roles queued), then announce the winners in
    `channel` when one is given, else show the standings to the admin only."""
    where = announce_channel(inter, channel) if channel is not None else None
    await inter.response.defer(ephemeral=True)
    try:
        ended = await end_season(ctx.db, inter.guild_id or 0, ctx.now())
    except NoSeasonRunning:
        await refuse(inter, problem("season.none_running"))
        return
    name = display(ended.season.name)
    if where is None:
        await reply(
            inter, say("season.ended", inter.locale, name=name), embed=season_embed(ended, inter.locale)
        )
        return
    ctx.outbox.post((where.guild.id, where.id), lambda locale: announcement(ended, locale))
    await reply(inter, say("season.ended_announced", inter.locale, name=name, channel=where.mention))


def announce_channel(inter: CommandInter, value: object) -> disnake.TextChannel:
    """A text channel of this server where the bot may post the announcement (checked now)."""
    refusals = {"not_a_channel": "season.not_a_channel", "cannot_post": "season.cannot_post"}
    return validation.postable_channel(inter, "announce_channel", value, **refusals)


def standings_lines(rows: list[LeaderboardEntry], locale: LocaleLike) -> str:
    """The archived top 10, one line each: place, member, points."""
    lines = []
    for row in rows:
        place = MEDALS.get(row.rank, f"`#{row.rank:>2}`")
        lines.append(say("season.line", locale, place=place, name=f"<@{row.user_id}>", points=row.points))
    return "\n".join(lines)


def season_embed(ended: EndedSeason, locale: LocaleLike) -> disnake.Embed:
    """An ended season's final board: its dates and its top 10 (or that nobody scored)."""
    season = ended.season
    embed = disnake.Embed(
        title=say("season.board_title", locale, name=display(season.name)), colour=TROPHY_GOLD
    )
    ended_at = season.ended_at or season.started_at
    span = say("season.span", locale, start=format_dt(season.started_at, "D"), end=format_dt(ended_at, "D"))
    board = standings_lines(ended.standings, locale) or say("season.nobody_scored", locale)
    embed.description = f"{span}\n\n{board}"
    return embed


def announcement(ended: EndedSeason, locale: LocaleLike) -> Rendered:
    """The winners' announcement in `locale`: it names (and pings) the top 3 only."""
    winners = [row.user_id for row in ended.standings if row.rank <= WINNERS][:WINNERS]
    name = display(ended.season.name)
    if winners:
        named = Listed(tuple(f"<@{user_id}>" for user_id in winners))
        content = say("season.winners", locale, name=name, winners=named)
    else:
        content = say("season.no_winners", locale, name=name)
    return Rendered(content=content, embed=season_embed(ended, locale), pings=tuple(winners))


SEASON_OPTION: Any = commands.Param(
    None,
    name=Localized("season", key="cmd.leaderboard.season.name"),
    description=Localized("An ended season's final top 10", key="cmd.leaderboard.season.description"),
    max_length=MAX_SEASON_NAME,
)


async def archived_board(ctx: QuizContext, inter: CommandInter, name: object) -> None:
    """/leaderboard season: an ended season's archived top 10, public; unknown names refused privately."""
    typed = validation.text("season", name, limit=MAX_SEASON_NAME) or ""
    if inter.guild_id is None:
        await refuse(inter, problem("invalid_input", detail=problem("reply.why_season_needs_server")))
        return
    if not typed.strip():
        await refuse(inter, problem("season.unknown", name="—"))
        return
    await inter.response.defer()  # public: the board is for everyone (a refusal withdraws it)
    found = await archived_season(ctx.db, inter.guild_id, typed)
    if found is None:
        await refuse(inter, problem("season.unknown", name=display(typed.strip())))
        return
    await inter.edit_original_response(embed=season_embed(found, inter.locale), allowed_mentions=NOBODY)
