"""Two replicas on one PostgreSQL, shards {0} and {1} of 2: one dies, its successor takes back only its own.

Each replica is a supervisor configured as a StatefulSet pod is (QUIZBOT_SHARD_COUNT, QUIZBOT_REPLICAS,
QUIZBOT_REPLICA_INDEX read by Settings.from_env), in this process and over the same database; a
replica "dies" as in test_supervisor: it is abandoned without a shutdown, so it writes nothing more.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime

import pytest

from quizbot.actors.messages import GetStatus, RespawnSessions, ResumeQuiz, SubmitAnswer
from quizbot.actors.ports import RecoveryPrompt
from quizbot.actors.status import SupervisorStatus
from quizbot.config import Settings
from quizbot.errors import SessionMoved
from quizbot.game.effects import PostQuestion, Reveal
from quizbot.service import supervisor_settings
from quizbot.storage.pool import Database
from quizbot.storage.snapshots import PostgresSnapshotStore
from tests.actors.support import ASK, Harness

SHARDS = 2
CHANNEL = 900
Key = tuple[int, int]


def guild_on(shard: int, n: int) -> int:
    """A guild snowflake on `shard` of SHARDS: Discord's rule is (guild_id >> 22) % shard_count."""
    return ((1_000 + n) * SHARDS + shard) << 22 | (n * 7919) % (1 << 22)


KEYS: dict[int, tuple[Key, ...]] = {
    shard: tuple((guild_on(shard, n), CHANNEL) for n in range(3)) for shard in range(SHARDS)
}


Replica = Callable[[int, str], Harness]


@pytest.fixture
async def replica(db: Database) -> AsyncIterator[Replica]:
    """Starts pod quizbot-<index> of 2 as `owner`, its supervisor settings read from the pod's
    environment; every replica started is shut down after the test, the dead one included."""
    started: list[Harness] = []

    def start(index: int, owner: str) -> Harness:
        environment = {
            "QUIZBOT_SHARD_COUNT": str(SHARDS),
            "QUIZBOT_REPLICAS": "2",
            "QUIZBOT_REPLICA_INDEX": f"quizbot-{index}",
        }
        settings = supervisor_settings(Settings.from_env(environment))
        started.append(Harness(db, owner=owner, settings=settings))
        return started[-1]

    yield start
    for harness in started:
        await harness.shutdown()


async def rows(db: Database, keys: tuple[Key, ...]) -> dict[Key, tuple[str, int]]:
    """(owner, epoch) of each session's snapshot row."""
    found = await db.pool.fetch(
        "SELECT guild_id, channel_id, owner, epoch FROM session_snapshots"
        " WHERE (guild_id, channel_id) IN (SELECT * FROM unnest($1::bigint[], $2::bigint[]))",
        [g for g, _ in keys],
        [c for _, c in keys],
    )
    return {(r["guild_id"], r["channel_id"]): (r["owner"], r["epoch"]) for r in found}


async def last_saved(db: Database, keys: tuple[Key, ...]) -> datetime:
    """When the latest of these sessions' snapshot rows was written."""
    saved: datetime = await db.pool.fetchval(
        "SELECT max(updated_at) FROM session_snapshots"
        " WHERE (guild_id, channel_id) IN (SELECT * FROM unnest($1::bigint[], $2::bigint[]))",
        [g for g, _ in keys],
        [c for _, c in keys],
    )
    return saved


async def sessions_of(harness: Harness) -> set[Key]:
    status: SupervisorStatus = await harness.ref.ask(GetStatus(), timeout=ASK)
    return {s.key for s in status.sessions}


def test_guild_on_builds_guilds_on_the_shard_it_names() -> None:
    """The helper's guilds really fall on the shard they are listed under."""
    for shard, keys in KEYS.items():
        assert all((guild >> 22) % SHARDS == shard for guild, _ in keys)


@pytest.mark.parametrize("dead", [0, 1])
async def test_a_dead_replica_comes_back_with_its_sessions_and_the_other_is_undisturbed(
    db: Database, replica: Replica, dead: int
) -> None:
    """Kill replica `dead`; its successor respawns only its shard's sessions; the other plays on."""
    alive = 1 - dead
    first = {index: replica(index, f"quizbot-{index}:first") for index in range(SHARDS)}
    assert [first[i].settings.shard_ids for i in range(SHARDS)] == [(0,), (1,)]
    for index, harness in first.items():
        for n, (guild, channel) in enumerate(KEYS[index]):
            ref = await harness.start(guild, channel, count=3)
            await ref.ask(SubmitAnswer(100 + n, "ann", 0, 1), timeout=ASK)
        assert await harness.flush() == len(KEYS[index])
    survivor = first[alive]
    before = await rows(db, KEYS[alive])
    assert {owner for owner, _ in before.values()} == {survivor.owner}
    # Every row of both shards is live: only the shard filter keeps the survivor's from being claimed.
    now = datetime.fromtimestamp(first[dead].clock.time(), UTC)
    everything = await PostgresSnapshotStore(db).load_live(now, (), None)
    assert set(KEYS[0] + KEYS[1]) <= {row.key for row in everything}

    # The dead replica is abandoned here without a shutdown; the StatefulSet starts its successor.
    corpse = first[dead]
    successor = replica(dead, f"quizbot-{dead}:second")
    assert await successor.ref.ask(RespawnSessions(), timeout=ASK) == len(KEYS[dead])
    await successor.settle()
    assert await sessions_of(successor) == set(KEYS[dead])
    assert {owner for owner, _ in (await rows(db, KEYS[dead])).values()} == {successor.owner}
    assert await rows(db, KEYS[alive]) == before, "the survivor's rows keep their owner and epoch"
    assert await sessions_of(survivor) == set(KEYS[alive])
    respawned_at = await last_saved(db, KEYS[dead])

    # The survivor keeps playing: answers are taken, questions close, its snapshots save unfenced.
    for n, key in enumerate(KEYS[alive]):
        playing = survivor.supervisor.directory.ref(key)
        assert playing is not None and playing.running
        await playing.ask(SubmitAnswer(200 + n, "bob", 0, 1), timeout=ASK)
    await survivor.advance(10)
    for n, key in enumerate(KEYS[alive]):
        [reveal] = survivor.channel.of_type(key, Reveal)
        assert sorted(r.user_id for r in reveal.results) == [100 + n, 200 + n]
        assert not survivor.channel.of_type(key, RecoveryPrompt)
    await survivor.flush()  # closing a question saves at once; this catches anything left
    assert await rows(db, KEYS[alive]) == before, "saved again, still under the same owner and epoch"
    assert await last_saved(db, KEYS[alive]) > respawned_at

    # The successor's sessions come back paused at the same question, and resume with the answer kept.
    for key in KEYS[dead]:
        assert successor.channel.of_type(key, RecoveryPrompt)
        revived = successor.supervisor.directory.ref(key)
        assert revived is not None
        await revived.ask(ResumeQuiz(user_id=1, is_moderator=False), timeout=ASK)
        [reposted] = successor.channel.of_type(key, PostQuestion)
        assert reposted.index == 0
    await successor.advance(10)
    for n, key in enumerate(KEYS[dead]):
        [reveal] = successor.channel.of_type(key, Reveal)
        assert [r.user_id for r in reveal.results] == [100 + n]

    # Were the dead replica to wake, it is fenced: its answers are refused and its saves let go.
    stale = corpse.supervisor.directory.ref(KEYS[dead][0])
    assert stale is not None
    with pytest.raises(SessionMoved):
        await stale.ask(SubmitAnswer(300, "cy", 0, 2), timeout=ASK)
    for harness in (corpse, successor, survivor):
        await harness.shutdown()
    assert {o for o, _ in (await rows(db, KEYS[dead])).values()} == {successor.owner}
    assert {o for o, _ in (await rows(db, KEYS[alive])).values()} == {survivor.owner}
