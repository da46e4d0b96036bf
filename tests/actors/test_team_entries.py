"""A team game's changes are journaled like any other: stored, read back, and replayed to the same teams."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from quizbot.actors.entries import JournalEntry, apply_message, decode_entry, encode_entry
from quizbot.actors.messages import BalanceTeams, JoinTeam, StartNow, StartQuiz, SubmitAnswer, TimerFired
from quizbot.errors import InvalidValue, UnknownMessage
from quizbot.game.session import Phase, QuizSession
from quizbot.game.snapshot import by_identity, session_from_dict, session_to_dict
from quizbot.game.teams import LOBBY_SECONDS, JoinOutcome
from tests.game.factories import CORRECT, HOST_ID, T0
from tests.game.test_teams import team_game


@pytest.mark.parametrize(
    "message",
    [JoinTeam(7, "ann ⚡", 2), BalanceTeams(9, ((7, 12), (8, 0))), BalanceTeams(9, ()), StartNow(1, False)],
)
def test_each_team_message_round_trips(message: Any) -> None:
    """Join, Balance (with the levels it was sent with) and Start come back as they went in."""
    entry = JournalEntry(4, 1_800_000_000.5, message)
    assert decode_entry(4, encode_entry(entry)) == entry


@pytest.mark.parametrize("data", [b'[1, "BalanceTeams", 9, 5]', b'[1, "JoinTeam", 7, "ann"]'])
def test_a_malformed_team_entry_is_an_invalid_value(data: bytes) -> None:
    """A Balance whose levels are not pairs, a join without its team: refused as malformed."""
    with pytest.raises(InvalidValue):
        decode_entry(5, data)


def test_replaying_a_team_game_s_journal_rebuilds_its_teams_and_scores() -> None:
    """Every change applied live and then replayed from its stored entries on the game's earlier
    snapshot gives the same game: teams, lobby, scores."""
    live = team_game(2, count=2)
    earlier = orjson.loads(orjson.dumps(session_to_dict(live)))
    steps: list[tuple[float, object]] = [
        (T0, StartQuiz()),
        (T0 + 1, JoinTeam(10, "ten", 0)),
        (T0 + 2, JoinTeam(11, "eleven", 0)),
        (T0 + 3, JoinTeam(12, "twelve", 0)),
        (T0 + 4, BalanceTeams(12, ((10, 40), (11, 20), (12, 5)))),
        (T0 + 5, StartNow(HOST_ID, False)),
        (T0 + 6, SubmitAnswer(11, "eleven", 0, CORRECT)),
        (T0 + 7, JoinTeam(13, "thirteen", 0)),
    ]
    replies = [apply_message(live, message, at)[0] for at, message in steps]
    assert replies[1:4] == [JoinOutcome.JOINED] * 3
    stored = [encode_entry(JournalEntry(n, at, m)) for n, (at, m) in enumerate(steps, 1)]
    replayed = session_from_dict(earlier, questions=by_identity(live.questions))
    for n, data in enumerate(stored, 1):
        entry = decode_entry(n, data)
        apply_message(replayed, entry.message, entry.at)
    assert replayed.teams == live.teams and replayed.players == live.players
    assert live.teams is not None and live.teams.members == {10: 0, 11: 1, 12: 1, 13: 0}
    assert replayed.phase is Phase.QUESTION_OPEN


def test_the_lobby_timer_is_a_timer_of_its_own() -> None:
    """TimerFired("lobby") ends the lobby; a timer of a kind nobody set is refused."""
    game: QuizSession = team_game(2)
    apply_message(game, StartQuiz(), T0)
    _, effects = apply_message(game, TimerFired("lobby", 0), T0 + LOBBY_SECONDS)
    assert game.phase is Phase.QUESTION_OPEN and effects
    with pytest.raises(UnknownMessage, match="no 'later' timer"):
        apply_message(game, TimerFired("later", 0), T0 + LOBBY_SECONDS)
