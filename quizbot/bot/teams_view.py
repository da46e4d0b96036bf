"""How a team game looks in its channel: the lobby and its buttons, the line-up, the teams' scores
and the winner. Worded in the channel's language; `render.py` puts these into its messages."""

from __future__ import annotations

import disnake

from quizbot import i18n
from quizbot.bot.custom_ids import team_id
from quizbot.game.effects import OpenLobby, ShowTeams, TeamStanding
from quizbot.i18n import LocaleLike

LOBBY_COLOUR = 0x5865F2
# Team 1 to 4 as Discord colours its buttons: red, blue, green, grey (Discord has no gold button).
TEAM_STYLES = (
    disnake.ButtonStyle.danger,
    disnake.ButtonStyle.primary,
    disnake.ButtonStyle.success,
    disnake.ButtonStyle.secondary,
)


def team_name(team: int, language: LocaleLike) -> str:
    """Team `team` (from 0) as the players call it in `language` ("Team Red")."""
    return i18n.text(language, f"channel.team.name.{team + 1}")


def lobby(
    event: OpenLobby, key: tuple[int, int], epoch: int, language: LocaleLike
) -> tuple[disnake.Embed, list[disnake.ui.Button[None]]]:
    """The lobby's message: how to join, when it starts, a button a team, Balance and Start."""
    closes = disnake.utils.format_dt(event.closes_at, "R")
    embed = disnake.Embed(
        title=i18n.text(language, "channel.lobby.title", count=event.teams),
        description=i18n.text(language, "channel.lobby.description", closes=closes),
        colour=LOBBY_COLOUR,
    )
    buttons = team_buttons(event.teams, key, epoch, language)
    for choice, style in (("balance", disnake.ButtonStyle.secondary), ("start", disnake.ButtonStyle.success)):
        label = _cut(i18n.text(language, f"channel.lobby.{choice}"), 80)
        buttons.append(disnake.ui.Button(style=style, label=label, custom_id=team_id(key, epoch, choice)))
    return embed, buttons


def team_buttons(
    count: int, key: tuple[int, int], epoch: int, language: LocaleLike
) -> list[disnake.ui.Button[None]]:
    """A button to join each of a game's `count` teams (the lobby's, and a recovered game's for late
    joiners)."""
    return [
        disnake.ui.Button(
            style=TEAM_STYLES[team],
            label=_cut(team_name(team, language), 80),
            custom_id=team_id(key, epoch, str(team + 1)),
        )
        for team in range(count)
    ]


def lineup(event: ShowTeams, language: LocaleLike) -> disnake.Embed:
    """Who plays for which team (shown after Balance, and as the game begins)."""
    embed = disnake.Embed(title=i18n.text(language, "channel.teams.title"), colour=LOBBY_COLOUR)
    separator = i18n.text(language, "channel.separator")
    for team, names in enumerate(event.lineup):
        shown = separator.join(_cut(name, 32) for name in names) or i18n.text(language, "channel.teams.empty")
        embed.add_field(team_name(team, language), _cut(shown, 1024), inline=True)
    return embed


def team_table(teams: tuple[TeamStanding, ...], language: LocaleLike) -> str:
    """The teams' scores, best first: place, name, points."""
    words = i18n.active()
    rows = [
        words.text(
            language,
            "channel.team.row",
            place=words.number(language, place + 1),
            team=team_name(standing.team, language),
            count=standing.points,
        )
        for place, standing in enumerate(teams)
    ]
    return _cut("\n".join(rows), 1024)


def winner(teams: tuple[TeamStanding, ...], language: LocaleLike) -> str | None:
    """The podium's first line of a team game: the winning team and its best player, a draw, or
    nothing when no team scored."""
    if not teams or teams[0].points == 0:
        return None
    top = [t for t in teams if t.points == teams[0].points]
    if len(top) > 1:
        separator = i18n.text(language, "channel.separator")
        return i18n.text(
            language, "channel.end.team_draw", teams=separator.join(team_name(t.team, language) for t in top)
        )
    best = teams[0].best.name if teams[0].best is not None else "?"
    return i18n.text(
        language, "channel.end.team_won", team=team_name(teams[0].team, language), name=_cut(best, 32)
    )


def _cut(text: str, limit: int) -> str:
    """`text` shortened to `limit` characters, with an ellipsis when cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
