"""Teams in a session: who plays for which team, the lobby, the even split by level, the teams' scores.

Pure like the rest of the game core. Teams are numbered from 0; the edge names them. A player may
change team in the lobby; once the first question is asked the teams are fixed (`fixed`), and
only players in no team yet may join one (late joiners).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from quizbot.errors import InvalidState, InvalidValue
from quizbot.game.effects import Standing, TeamStanding
from quizbot.game.values import check_id

MIN_TEAMS, MAX_TEAMS = 2, 4
LOBBY_SECONDS = 60.0
FIXED = "teams are fixed once the first question is asked"


class JoinOutcome(StrEnum):
    """What became of a press of a team's button."""

    JOINED = "joined"
    SWITCHED = "switched"  # in the lobby, from another team
    ALREADY = "already"  # already in that team


def check_team_count(count: object) -> int:
    """A team game's number of teams (2 to 4), or InvalidValue."""
    if isinstance(count, bool) or not isinstance(count, int) or not MIN_TEAMS <= count <= MAX_TEAMS:
        raise InvalidValue(f"teams must be a whole number from {MIN_TEAMS} to {MAX_TEAMS}, got {count!r}")
    return count


@dataclass(slots=True)
class Teams:
    """A team game's teams: members by team, their names as they joined, and the lobby's close."""

    count: int
    members: dict[int, int] = field(default_factory=dict)  # user -> team (from 0)
    names: dict[int, str] = field(default_factory=dict)  # user -> name when they joined
    lobby_until: float = 0.0
    fixed: bool = False  # the first question was asked: nobody changes team any more

    def __post_init__(self) -> None:
        check_team_count(self.count)
        for user_id, team in self.members.items():
            check_id(user_id, "user_id")
            self._check_team(team)

    def join(self, user_id: int, name: str, team: int) -> JoinOutcome:
        """Put a player in `team`; a change of team is refused once the teams are fixed."""
        check_id(user_id, "user_id")
        self._check_team(team)
        current = self.members.get(user_id)
        if current == team:
            return JoinOutcome.ALREADY
        if current is not None and self.fixed:
            raise InvalidState(FIXED)
        self.members[user_id] = team
        self.names[user_id] = name
        return JoinOutcome.JOINED if current is None else JoinOutcome.SWITCHED

    def join_smallest(self, user_id: int, name: str) -> None:
        """A player who answers in no team joins the smallest (the first of equals); else nothing."""
        if user_id not in self.members:
            sizes = self.sizes()
            self.join(user_id, name, sizes.index(min(sizes)))

    def balance(self, levels: Mapping[int, int]) -> None:
        """Split the joined players evenly by level: in rounds of one player a team, highest level
        first, each round's players going in turn to the teams with the lowest level totals (the
        lower number among equals).

        Team sizes differ by at most one. Deterministic: equal levels go by user id. A player
        whose level is unknown counts as level 0.
        """
        if self.fixed:
            raise InvalidState(FIXED)
        players = sorted(self.members, key=lambda user: (-levels.get(user, 0), user))
        totals = [0] * self.count
        for start in range(0, len(players), self.count):
            open_teams = sorted(range(self.count), key=lambda team: (totals[team], team))
            for user_id, team in zip(players[start : start + self.count], open_teams, strict=False):
                self.members[user_id] = team
                totals[team] += levels.get(user_id, 0)

    def sizes(self) -> list[int]:
        """How many players each team has."""
        sizes = [0] * self.count
        for team in self.members.values():
            sizes[team] += 1
        return sizes

    def lineup(self) -> tuple[tuple[str, ...], ...]:
        """Each team's players' names, in the order they came (user id among equals)."""
        return tuple(
            tuple(self.names.get(user, str(user)) for user, t in sorted(self.members.items()) if t == team)
            for team in range(self.count)
        )

    def standings(self, players: Iterable[Standing]) -> tuple[TeamStanding, ...]:
        """Teams best first: a team's points are its members' (a tie goes to the lower number), each
        with its best player (the first of its members in `players`, which come best first)."""
        points = [0] * self.count
        best: list[Standing | None] = [None] * self.count
        for standing in players:
            team = self.members.get(standing.user_id)
            if team is not None:
                points[team] += standing.points
                best[team] = best[team] or standing
        sizes = self.sizes()
        ranked = sorted(range(self.count), key=lambda team: (-points[team], team))
        return tuple(TeamStanding(team, points[team], sizes[team], best[team]) for team in ranked)

    def _check_team(self, team: object) -> None:
        if isinstance(team, bool) or not isinstance(team, int) or not 0 <= team < self.count:
            raise InvalidValue(f"there is no team {team!r} in a game of {self.count} teams")


def levels_of(pairs: Iterable[object]) -> dict[int, int]:
    """Players' levels from `[user_id, level]` pairs (as a journal entry carries them), checked."""
    levels: dict[int, int] = {}
    for pair in pairs:
        if not isinstance(pair, list | tuple) or len(pair) != 2:
            raise InvalidValue(f"a level is a [user id, level] pair, got {pair!r}")
        user_id, level = pair
        check_id(user_id, "user_id")
        if isinstance(level, bool) or not isinstance(level, int) or level < 0:
            raise InvalidValue(f"a level is a whole number from 0, got {level!r}")
        levels[user_id] = level
    return levels
