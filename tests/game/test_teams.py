"""Team games in the core: the lobby, joining, Balance, late joiners, team scores and the podium."""

from __future__ import annotations

import random
from dataclasses import replace
from typing import Any

import orjson
import pytest

from quizbot.errors import InvalidState, InvalidValue, NotHost
from quizbot.game.effects import (
    AnnounceEnd,
    OpenLobby,
    PostQuestion,
    ScheduleTimer,
    ShowScores,
    ShowTeams,
)
from quizbot.game.session import Phase, QuizSession, SessionConfig
from quizbot.game.snapshot import by_identity, session_from_dict, session_to_dict
from quizbot.game.teams import LOBBY_SECONDS, JoinOutcome, Teams, levels_of
from tests.game.factories import CORRECT, HOST_ID, REVEAL_PAUSE, STRANGER_ID, T0, TIMEOUT, WRONG, session


def team_game(teams: int = 2, count: int = 2, **options: Any) -> QuizSession:
    """A created team game of `teams` teams and `count` questions."""
    game = session(count, **options)
    game.config = replace(game.config, teams=teams)
    game.teams = Teams(teams)
    return game


def in_lobby(teams: int = 2, count: int = 2, **options: Any) -> QuizSession:
    game = team_game(teams, count, **options)
    game.start(T0)
    return game


def through_json(game: QuizSession) -> QuizSession:
    data = orjson.loads(orjson.dumps(session_to_dict(game)))
    return session_from_dict(data, questions=by_identity(game.questions))


def test_a_team_game_opens_a_lobby_of_sixty_seconds_not_a_question() -> None:
    """Starting a team game opens its lobby with a timer; no question is asked yet."""
    game = team_game(3)
    effects = game.start(T0)
    assert effects == [OpenLobby(3, T0 + LOBBY_SECONDS), ScheduleTimer("lobby", 0, T0 + LOBBY_SECONDS)]
    assert game.phase is Phase.LOBBY


def test_the_lobby_timer_asks_the_first_question_with_the_line_up() -> None:
    """When the lobby's time is up, the teams are shown and fixed and question 1 opens."""
    game = in_lobby()
    game.join_team(10, "ten", 0, T0 + 1)
    game.join_team(11, "eleven", 1, T0 + 2)
    effects = game.close_lobby(T0 + LOBBY_SECONDS)
    assert effects[0] == ShowTeams((("ten",), ("eleven",)))
    assert isinstance(effects[1], PostQuestion) and effects[1].index == 0
    assert game.phase is Phase.QUESTION_OPEN
    assert game.close_lobby(T0 + LOBBY_SECONDS + 1) == []  # a stale timer does nothing


def test_only_the_host_or_a_moderator_ends_the_lobby_early() -> None:
    """Start is the host's (or a moderator's); after the first question it is refused."""
    game = in_lobby()
    with pytest.raises(NotHost):
        game.start_now(STRANGER_ID, False, T0 + 1)
    effects = game.start_now(HOST_ID, False, T0 + 5)
    assert [type(e) for e in effects] == [ShowTeams, PostQuestion, ScheduleTimer]
    with pytest.raises(InvalidState, match="already begun"):
        game.start_now(STRANGER_ID, True, T0 + 6)
    assert game.close_lobby(T0 + LOBBY_SECONDS) == []


def test_players_may_change_team_in_the_lobby_but_not_after_the_first_question() -> None:
    """Switching is free in the lobby and refused once the game has begun."""
    game = in_lobby(3)
    assert game.join_team(10, "ten", 0, T0 + 1) is JoinOutcome.JOINED
    assert game.join_team(10, "ten", 2, T0 + 2) is JoinOutcome.SWITCHED
    assert game.join_team(10, "ten", 2, T0 + 3) is JoinOutcome.ALREADY
    game.start_now(HOST_ID, False, T0 + 4)
    with pytest.raises(InvalidState, match="teams are fixed"):
        game.join_team(10, "ten", 0, T0 + 5)
    assert game.join_team(10, "ten", 2, T0 + 5) is JoinOutcome.ALREADY
    assert game.teams is not None and game.teams.members == {10: 2}


def test_a_late_joiner_joins_a_team_while_the_game_runs() -> None:
    """After the first question a newcomer may still join any team."""
    game = in_lobby()
    game.start_now(HOST_ID, False, T0 + 1)
    assert game.join_team(12, "twelve", 1, T0 + 2) is JoinOutcome.JOINED
    assert game.teams is not None and game.teams.members == {12: 1}


def test_a_player_answering_in_no_team_joins_the_smallest() -> None:
    """An answer from a player with no team puts them in the team with fewest players."""
    game = in_lobby(3)
    game.join_team(10, "ten", 0, T0 + 1)
    game.join_team(11, "eleven", 1, T0 + 1)
    game.start_now(HOST_ID, False, T0 + 2)
    game.answer(12, "twelve", 0, CORRECT, T0 + 3)
    assert game.teams is not None and game.teams.members[12] == 2


def test_teams_that_do_not_exist_and_games_without_teams_are_refused() -> None:
    """Team 5 of 2, a team press in a plain game, a bad team count: refused with what is wrong."""
    game = in_lobby(2)
    with pytest.raises(InvalidValue, match="no team 2"):
        game.join_team(10, "ten", 2, T0 + 1)
    plain = session()
    plain.start(T0)
    with pytest.raises(InvalidState, match="not a team game"):
        plain.join_team(10, "ten", 0, T0 + 1)
    with pytest.raises(InvalidValue, match="teams must be"):
        SessionConfig(teams=5)


def test_balance_splits_by_level_evenly_and_deterministically() -> None:
    """Six players of mixed levels into two teams: three each, level totals within the top level."""
    game = in_lobby(2)
    levels = {10: 30, 11: 25, 12: 10, 13: 9, 14: 2, 15: 1}
    for user in levels:
        game.join_team(user, f"p{user}", 0, T0 + 1)
    effects = game.balance(levels, T0 + 2)
    assert game.teams is not None
    assert game.teams.members == {10: 0, 11: 1, 12: 1, 13: 0, 14: 1, 15: 0}
    assert effects == [ShowTeams((("p10", "p13", "p15"), ("p11", "p12", "p14")))]
    again = in_lobby(2)
    for user in reversed(levels):
        again.join_team(user, f"p{user}", 1, T0 + 1)
    again.balance(levels, T0 + 2)
    assert again.teams is not None and again.teams.members == game.teams.members


@pytest.mark.parametrize("seed", range(40))
def test_balance_keeps_team_sizes_within_one_and_level_totals_within_the_top_level(seed: int) -> None:
    """Any players, any levels, 2 to 4 teams: sizes differ by at most one, totals by at most the
    highest level; unknown levels count as 0."""
    rng = random.Random(seed)
    teams = Teams(rng.randint(2, 4))
    users = rng.sample(range(1, 1000), rng.randint(0, 17))
    for user in users:
        teams.join(user, str(user), rng.randrange(teams.count))
    levels = {user: rng.randint(0, 60) for user in users if rng.random() < 0.9}
    teams.balance(levels)
    sizes = teams.sizes()
    assert max(sizes) - min(sizes) <= 1 and sum(sizes) == len(users)
    totals = [
        sum(levels.get(u, 0) for u, t in teams.members.items() if t == team) for team in range(teams.count)
    ]
    assert max(totals) - min(totals) <= max(levels.values(), default=0)


def test_balance_is_refused_once_the_game_has_begun() -> None:
    """Balance would switch players: refused after the first question."""
    game = in_lobby()
    game.join_team(10, "ten", 0, T0 + 1)
    game.start_now(HOST_ID, False, T0 + 2)
    with pytest.raises(InvalidState, match="teams are fixed"):
        game.balance({10: 3}, T0 + 3)


def test_levels_from_a_journal_entry_are_checked() -> None:
    """Levels travel as [user, level] pairs; anything else is refused."""
    assert levels_of([[10, 3], (11, 0)]) == {10: 3, 11: 0}
    for bad in ([[10]], [[10, -1]], [[10, True]], [["x", 1]], [5]):
        with pytest.raises(InvalidValue):
            levels_of(bad)


def play(game: QuizSession, answers: dict[int, int], index: int, start: float) -> list[Any]:
    """Answer question `index` as given (user -> option, a second apart), close it, move on."""
    for offset, (user, option) in enumerate(answers.items(), start=1):
        game.answer(user, f"p{user}", index, option, start + offset)
    effects = game.close(index, start + TIMEOUT)
    return effects + game.advance(index, start + TIMEOUT + REVEAL_PAUSE)


def test_a_team_s_score_is_its_members_points_and_the_podium_names_the_winner_and_its_best() -> None:
    """Scores per team and per player after each question; the podium's first team won, with its
    best player."""
    game = in_lobby(2)
    for user, team in ((10, 0), (11, 0), (12, 1), (13, 1)):
        game.join_team(user, f"p{user}", team, T0 + 1)
    game.start_now(HOST_ID, False, T0 + 2)
    effects = play(game, {12: CORRECT, 10: CORRECT, 11: WRONG, 13: CORRECT}, 0, T0 + 2)
    [scores] = [e for e in effects if isinstance(e, ShowScores)]
    points = {s.user_id: s.points for s in scores.standings}
    blue = next(t for t in scores.teams if t.team == 1)
    assert blue.points == points[12] + points[13] and blue.members == 2
    start = T0 + 2 + TIMEOUT + REVEAL_PAUSE
    effects = play(game, {13: CORRECT, 12: CORRECT, 10: WRONG}, 1, start)
    [end] = [e for e in effects if isinstance(e, AnnounceEnd)]
    winner = end.teams[0]
    assert winner.team == 1 and winner.best is not None and winner.best.user_id == 12
    assert (
        winner.points > end.teams[1].points == sum(s.points for s in end.standings if s.user_id in (10, 11))
    )


def test_in_single_answer_team_play_the_first_right_answer_scores_for_its_team_alone() -> None:
    """The first right answer closes the question for everyone: only that player's team scores."""
    game = in_lobby(2, single_answer=True)
    game.join_team(10, "ten", 0, T0 + 1)
    game.join_team(11, "eleven", 1, T0 + 1)
    game.start_now(HOST_ID, False, T0 + 2)
    game.answer(10, "ten", 0, WRONG, T0 + 3)
    _, effects = game.answer(11, "eleven", 0, CORRECT, T0 + 4)
    [scores] = [e for e in effects if isinstance(e, ShowScores)]
    assert [(t.team, t.points > 0) for t in scores.teams] == [(1, True), (0, False)]
    assert game.phase is Phase.REVEALED


def test_a_stopped_lobby_ends_with_teams_and_nobody_scored() -> None:
    """The host may stop a game in its lobby: the podium has its teams at 0 points."""
    game = in_lobby(2)
    game.join_team(10, "ten", 1, T0 + 1)
    [end, _] = game.stop(HOST_ID, False, T0 + 2)
    assert isinstance(end, AnnounceEnd)
    assert [(t.team, t.points, t.members, t.best) for t in end.teams] == [(0, 0, 0, None), (1, 0, 1, None)]


def test_a_paused_lobby_continues_into_the_first_question() -> None:
    """Brought back in its lobby after a restart, Continue begins the game with the teams kept."""
    game = in_lobby(2)
    game.join_team(10, "ten", 1, T0 + 1)
    game = through_json(game)
    game.pause()
    assert game.close_lobby(T0 + LOBBY_SECONDS) == []
    assert game.join_team(11, "eleven", 0, T0 + 80) is JoinOutcome.JOINED  # waiting to continue
    effects = game.resume(HOST_ID, False, T0 + 90)
    assert effects[0] == ShowTeams((("eleven",), ("ten",)))
    assert game.phase is Phase.QUESTION_OPEN and game.teams is not None and game.teams.fixed


def test_teams_survive_a_snapshot_at_every_stage() -> None:
    """Lobby, mid-game with a late joiner, and the end: the restored game has the same teams."""
    game = in_lobby(3)
    game.join_team(10, "ten", 2, T0 + 1)
    restored = through_json(game)
    assert restored.teams == game.teams and restored.phase is Phase.LOBBY
    assert restored.config.teams == 3
    game.start_now(HOST_ID, False, T0 + 2)
    game.join_team(11, "eleven", 0, T0 + 3)
    restored = through_json(game)
    assert restored.teams == game.teams and restored.teams is not None and restored.teams.fixed
    with pytest.raises(InvalidState):
        restored.join_team(10, "ten", 0, T0 + 4)


def test_an_older_snapshot_without_teams_restores_as_a_game_without_teams() -> None:
    """A snapshot from before teams (no "teams", no config.teams) restores as a plain game."""
    game = session()
    game.start(T0)
    data = orjson.loads(orjson.dumps(session_to_dict(game)))
    del data["teams"]
    data["config"] = {k: v for k, v in data["config"].items() if k != "teams"}
    restored = session_from_dict(data, questions=by_identity(game.questions))
    assert restored.teams is None and restored.config.teams == 0 and restored.team_standings() == ()


def test_a_malformed_team_row_is_refused() -> None:
    """Team rows that are not [user, team, name], or name a team that does not exist, are refused."""
    game = in_lobby(2)
    game.join_team(10, "ten", 1, T0 + 1)
    data = orjson.loads(orjson.dumps(session_to_dict(game)))
    for rows in ([[10, 1]], [[10, 5, "ten"]], [["x", 1, "ten"]]):
        broken = {**data, "teams": {**data["teams"], "members": rows}}
        with pytest.raises(InvalidValue):
            session_from_dict(broken, questions=by_identity(game.questions))
