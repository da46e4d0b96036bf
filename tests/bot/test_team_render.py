"""A team game's channel messages in every shipped locale: the lobby, the line-up, the teams' scores,
the podium's winner or draw and a recovered game's prompt, each worded in the channel's language
and inside Discord's limits with the longest names and the biggest line-ups."""

from __future__ import annotations

import pytest

from quizbot import i18n
from quizbot.actors.ports import ChannelEvent, RecoveryPrompt
from quizbot.bot.custom_ids import ButtonKind, parse
from quizbot.bot.render import render
from quizbot.game.effects import AnnounceEnd, OpenLobby, ShowScores, ShowTeams, Standing, TeamStanding

KEY, EPOCH = (111, 222), 7
NAME = "Ŵ" * 200  # longer than Discord allows a display name (32), in a wide letter
CROWD = tuple(Standing(n, NAME, 1_000_000 - n, 20, 0) for n in range(40))
TEAMS = tuple(TeamStanding(t, 10_000_000 - t, 10, CROWD[t]) for t in range(4))
DRAW = (TeamStanding(1, 500, 2, CROWD[0]), TeamStanding(0, 500, 2, CROWD[1]), TeamStanding(2, 0, 0, None))
EVENTS: tuple[ChannelEvent, ...] = (
    OpenLobby(4, 1_900_000_060.0),
    ShowTeams(tuple(tuple(NAME for _ in range(10)) for _ in range(4))),
    ShowTeams(((), (NAME,))),
    ShowScores(CROWD, TEAMS),
    AnnounceEnd("finished", CROWD, teams=TEAMS),
    AnnounceEnd("finished", CROWD, teams=DRAW),
    RecoveryPrompt(3, 10, 1, CROWD, TEAMS),
)


def text_of(event: ChannelEvent, locale: str) -> str:
    rendered = render(event, KEY, EPOCH, language=locale)  # checks Discord's limits
    parts = [rendered.content or ""]
    for embed in rendered.embeds:
        parts += [embed.title or "", embed.description or ""]
        parts += [f"{f.name}\n{f.value}" for f in embed.fields]
    return "\n".join(parts + [b.label or "" for b in rendered.buttons])


@pytest.mark.parametrize("locale", i18n.SUPPORTED)
@pytest.mark.parametrize("event", EVENTS, ids=lambda e: type(e).__name__)
def test_every_team_message_is_worded_in_the_channel_s_language_within_discord_s_limits(
    event: ChannelEvent, locale: str
) -> None:
    """Each message renders in each locale; outside English it reads differently from English."""
    shown = text_of(event, locale)
    if not locale.startswith("en"):
        assert shown != text_of(event, "en-US")


def test_the_lobby_has_a_button_a_team_then_balance_and_start() -> None:
    """Two teams: Team Red, Team Blue, Balance, Start, each a lobby id of this session's epoch."""
    rendered = render(OpenLobby(2, 1_900_000_060.0), KEY, EPOCH)
    assert [b.label for b in rendered.buttons] == ["Team Red", "Team Blue", "Balance", "Start"]
    ids = [parse(b.custom_id or "") for b in rendered.buttons]
    assert [(i.kind, i.key, i.epoch, i.value) for i in ids if i is not None] == [
        (ButtonKind.TEAM, KEY, EPOCH, value) for value in ("1", "2", "balance", "start")
    ]


def test_the_podium_names_the_winner_and_its_best_player_or_a_draw() -> None:
    """First the winning team and its best player; with two teams level at the top, a draw; with
    no points at all, neither."""
    won = text_of(AnnounceEnd("finished", CROWD, teams=TEAMS), "en-US")
    assert won.startswith(f"\n🏁 The quiz is over!\n🏆 **Team Red** wins! Its best player: **{NAME[:31]}…**")
    drawn = text_of(AnnounceEnd("finished", CROWD, teams=DRAW), "en-US")
    assert "🤝 A draw between Team Blue, Team Red!" in drawn
    nil = (TeamStanding(0, 0, 1, None), TeamStanding(1, 0, 0, None))
    nothing = text_of(AnnounceEnd("finished", (), teams=nil), "en-US")
    assert "🏆" not in nothing and "🤝" not in nothing and "Team Red — **0** points" in nothing


def test_a_recovered_team_game_offers_its_teams_to_late_joiners() -> None:
    """The recovery prompt of a team game shows the teams' scores and a join button for each team."""
    rendered = render(RecoveryPrompt(1, 5, 1, (), TEAMS[:2]), KEY, EPOCH)
    values = [b.value for c in rendered.buttons if (b := parse(c.custom_id or "")) is not None]
    assert values == ["continue", "new", "cancel", "1", "2"]
    assert "Team Red — **10,000,000** points" in text_of(RecoveryPrompt(1, 5, 1, (), TEAMS[:2]), "en-US")
