"""Role rewards and their durable queue: level roles queued with the answers that earn them, once;
season roles moved to the new top; claims by compare-and-set; done, retried and failed changes."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import pytest

from quizbot.errors import InvalidValue
from quizbot.game.effects import RecordAnswers, Result
from quizbot.game.progression import Difficulty, xp_for_level
from quizbot.storage.answers import record_answers
from quizbot.storage.pool import Database
from quizbot.storage.results import PostgresSessionStore
from quizbot.storage.roles import (
    MAX_REWARDS,
    RewardKind,
    RoleChange,
    RoleReward,
    claim_role_changes,
    failed_grants,
    retry_role_change,
    role_change_done,
    role_change_failed,
    role_rewards,
    set_role_reward,
)
from quizbot.storage.seasons import end_season, start_season
from tests.storage.factories import NOON, answer, batch

LEVEL_2 = RoleReward(500, RewardKind.LEVEL, 2)
LEVEL_3 = RoleReward(501, RewardKind.LEVEL, 3)
CHAMPION = RoleReward(600, RewardKind.SEASON, 1)
PODIUM = RoleReward(601, RewardKind.SEASON, 3)
LATER = NOON + timedelta(hours=1)


async def earn(db: Database, user_id: int, xp: int, *, guild_id: int = 1) -> None:
    """One answer worth `xp`, recorded as a session records it (PostgresSessionStore)."""
    result = Result(user_id, f"user{user_id}", True, 100, xp, NOON.timestamp())
    effect = RecordAnswers(uuid.uuid4(), 0, "science", Difficulty.MEDIUM, (result,))
    await PostgresSessionStore(db).record_answers((guild_id, 10), effect)


def keys(changes: list[RoleChange]) -> set[tuple[int, int, bool]]:
    return {(c.user_id, c.role_id, c.held) for c in changes}


async def test_rewards_are_set_replaced_and_capped(db: Database) -> None:
    """A role is one reward (set again, it changes); a guild holds at most MAX_REWARDS."""
    assert await set_role_reward(db, 1, LEVEL_2)
    assert await set_role_reward(db, 1, RoleReward(500, RewardKind.LEVEL, 5))
    assert await role_rewards(db, 1) == [RoleReward(500, RewardKind.LEVEL, 5)]
    for role in range(1, MAX_REWARDS):
        assert await set_role_reward(db, 1, RoleReward(1000 + role, RewardKind.LEVEL, 2))
    assert not await set_role_reward(db, 1, RoleReward(9999, RewardKind.LEVEL, 2))
    assert await set_role_reward(db, 1, RoleReward(500, RewardKind.SEASON, 3))  # replacing is fine


@pytest.mark.parametrize(
    "reward",
    [
        RoleReward(1, RewardKind.SEASON, 2),
        RoleReward(1, RewardKind.LEVEL, 0),
        RoleReward(1, RewardKind.LEVEL, 101),
    ],
)
async def test_bad_rewards_are_refused(db: Database, reward: RoleReward) -> None:
    """A season role goes to the top 1 or 3; a level is one the game has."""
    with pytest.raises(InvalidValue):
        await set_role_reward(db, 1, reward)


async def test_a_level_role_is_queued_with_the_answers_once(db: Database) -> None:
    """Reaching level 2 queues its role (and not level 3's); levelling further and replays queue
    nothing new, and once done it is never claimed again."""
    await set_role_reward(db, 1, LEVEL_2)
    await set_role_reward(db, 1, LEVEL_3)
    await earn(db, 7, xp_for_level(2) - 1)
    assert await claim_role_changes(db, LATER) == []  # still level 1
    await earn(db, 7, 1)
    [change] = await claim_role_changes(db, LATER)
    assert (change.user_id, change.role_id, change.held, change.attempts) == (7, 500, True, 1)
    await role_change_done(db, change, LATER)
    await earn(db, 7, xp_for_level(3))
    [third] = await claim_role_changes(db, LATER)
    assert (third.user_id, third.role_id) == (7, 501)
    await role_change_done(db, third, LATER)
    await earn(db, 8, xp_for_level(3), guild_id=2)  # another guild has no rewards
    assert await claim_role_changes(db, LATER + timedelta(days=1)) == []


async def test_a_claim_hands_each_change_to_one_process(db: Database) -> None:
    """Two claimers at once share the due changes without overlap; a claimed change comes back
    only when its lease runs out unanswered."""
    await set_role_reward(db, 1, LEVEL_2)
    for user in range(1, 21):
        await earn(db, user, xp_for_level(2))
    first, second = await asyncio.gather(
        claim_role_changes(db, LATER, limit=15), claim_role_changes(db, LATER, limit=15)
    )
    assert len(first) + len(second) == 20
    assert not keys(first) & keys(second)
    assert await claim_role_changes(db, LATER + timedelta(minutes=1)) == []
    again = await claim_role_changes(db, LATER + timedelta(minutes=3))
    assert len(again) == 20
    assert {c.attempts for c in again} == {2}


async def test_retries_wait_and_failures_stop(db: Database) -> None:
    """A retried change comes back at its time; a failed one is never claimed and is listed."""
    await set_role_reward(db, 1, LEVEL_2)
    await earn(db, 1, xp_for_level(2))
    await earn(db, 2, xp_for_level(2))
    one, two = sorted(await claim_role_changes(db, LATER), key=lambda c: c.user_id)
    await retry_role_change(db, one, LATER + timedelta(seconds=30), "503", LATER)
    await role_change_failed(db, two, "50013 Missing Permissions", LATER)
    assert await claim_role_changes(db, LATER + timedelta(seconds=29)) == []
    [back] = await claim_role_changes(db, LATER + timedelta(seconds=30))
    assert back.user_id == 1
    total, failed = await failed_grants(db)
    assert total == 1
    assert [(f.user_id, f.role_id, f.error) for f in failed] == [(2, 500, "50013 Missing Permissions")]
    assert await failed_grants(db, 1) == (total, failed)
    assert await failed_grants(db, 2) == (0, [])  # another guild's are not shown


async def play_season(db: Database, name: str, start: int, *scores: tuple[int, int]) -> None:
    """A season of guild 1 starting `start` days after NOON, with these (user, points), then ended."""
    begin = NOON + timedelta(days=start)
    await start_season(db, 1, name, begin)
    answers = (answer(user, points=points, answered_at=begin) for user, points in scores)
    await record_answers(db, batch(*answers))
    await end_season(db, 1, begin + timedelta(days=1))


async def test_season_roles_move_to_the_new_top(db: Database) -> None:
    """The champion's role goes to the first, the podium's to the top 3; at the next season's end
    those who fell out lose them and those who stayed are not sent anything again."""
    await set_role_reward(db, 1, CHAMPION)
    await set_role_reward(db, 1, PODIUM)
    await play_season(db, "One", 0, (1, 30), (2, 20), (3, 10), (4, 5))
    given = await claim_role_changes(db, LATER + timedelta(days=2))
    assert keys(given) == {(1, 600, True), (1, 601, True), (2, 601, True), (3, 601, True)}
    for change in given:
        await role_change_done(db, change, LATER)
    await play_season(db, "Two", 5, (2, 30), (1, 20), (4, 10))
    moved = await claim_role_changes(db, LATER + timedelta(days=7))
    assert keys(moved) == {(1, 600, False), (2, 600, True), (3, 601, False), (4, 601, True)}


async def test_a_change_overtaken_by_a_new_season_is_not_marked_done(db: Database) -> None:
    """A grant sent while the next season's end took the role back stays pending as a take-back."""
    await set_role_reward(db, 1, CHAMPION)
    await play_season(db, "One", 0, (1, 30))
    [grant] = await claim_role_changes(db, LATER + timedelta(days=2))
    await play_season(db, "Two", 5, (2, 30))  # meanwhile
    await role_change_done(db, grant, LATER + timedelta(days=7))  # the grant's answer arrives late
    assert keys(await claim_role_changes(db, LATER + timedelta(days=7))) == {(1, 600, False), (2, 600, True)}
