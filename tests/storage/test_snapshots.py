"""Session snapshots against the real PostgreSQL: batched saves, fencing, shard loads, claims, expiry."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any, NoReturn, cast

import pytest

from quizbot.actors.ports import Snapshot
from quizbot.errors import InvalidValue
from quizbot.storage.pool import Database
from quizbot.storage.snapshots import (
    MAX_OWNER_LENGTH,
    SaveResult,
    claim_snapshots,
    delete_snapshot,
    expire_snapshots,
    load_live_snapshots,
    new_epoch,
    save_snapshots,
)
from tests.conftest import connect_to_schema

NOW = datetime(2030, 6, 1, 12, 0, tzinfo=UTC)
LATER = NOW + timedelta(hours=1)
SHARD_COUNT = 4

RICH_STATE: dict[str, Any] = {
    "topic": "Géographie — 日本の首都 🗾",
    "question_index": 3,
    "scores": {"111": 250, "222": 0},
    "answered": [111, 222, 333],
    "options": ["Tōkyō", "Ōsaka", "Kyōto", "Sapporo"],
    "typed_answers": False,
    "paused": True,
    "winner": None,
    "ratio": 0.75,
    "big": 2**53 + 1,
    "negative": -42,
    "nested": {"deeper": [{"a": [1, [2, [3, None]]], "b": {"ü": "ß"}}], "empty_list": [], "empty": {}},
}


class NoDatabase:
    """Stands in for a Database that must not be touched: any use fails the test."""

    async def run(self, *_args: object, **_kwargs: object) -> NoReturn:
        raise AssertionError("SQL ran although the input should have been refused first")


def untouchable() -> Database:
    """A Database-shaped object that fails if any storage call reaches it."""
    return cast(Database, NoDatabase())


def guild_on_shard(shard: int, n: int = 0, shard_count: int = SHARD_COUNT) -> int:
    """A realistic guild snowflake whose shard is `shard` of `shard_count` ((id >> 22) % count)."""
    return ((1_000_000 + n) * shard_count + shard) << 22 | (n * 7919) % (1 << 22)


def snapshot(
    guild_id: int = 1,
    channel_id: int = 10,
    *,
    owner: str = "proc-a",
    epoch: int = 1,
    state: dict[str, Any] | None = None,
    expires_at: datetime = LATER,
) -> Snapshot:
    """A snapshot with sensible defaults for the fields a test does not care about."""
    return Snapshot(
        guild_id=guild_id,
        channel_id=channel_id,
        owner=owner,
        epoch=epoch,
        state={"step": 0} if state is None else state,
        expires_at=expires_at,
    )


def stored(snapshots: Sequence[Snapshot]) -> dict[tuple[int, int], Snapshot]:
    """Loaded snapshots by key, with the server-set updated_at dropped so they compare to what was saved."""
    return {s.key: replace(s, updated_at=None) for s in snapshots}


async def load_all(db: Database) -> dict[tuple[int, int], Snapshot]:
    """Every live snapshot (as of NOW), by key."""
    return stored(await load_live_snapshots(db, now=NOW))


@pytest.fixture
async def other_process(server_url: str, schema_name: str, db: Database) -> AsyncIterator[Database]:
    """A second pool on the same schema, standing in for another bot process."""
    database = await connect_to_schema(server_url, schema_name)
    yield database
    await database.close()


async def test_save_many_in_one_call_loads_back_equal(db: Database) -> None:
    """A batch of snapshots is saved in one call and each loads back exactly as written."""
    batch = [snapshot(guild_id=g, channel_id=g * 10, epoch=g, state={"n": g}) for g in range(1, 6)]
    result = await save_snapshots(db, batch)
    assert result == SaveResult(saved=frozenset(s.key for s in batch), refused=frozenset())
    assert await load_all(db) == {s.key: s for s in batch}


async def test_nested_unicode_state_round_trips_through_jsonb(db: Database) -> None:
    """Nested JSON with unicode, lists, ints, floats, bools and None comes back equal and typed."""
    await save_snapshots(db, [snapshot(state=RICH_STATE)])
    (loaded,) = await load_live_snapshots(db, now=NOW)
    assert loaded.state == RICH_STATE
    assert loaded.state["typed_answers"] is False and loaded.state["paused"] is True
    assert loaded.state["winner"] is None
    assert type(loaded.state["big"]) is int and loaded.state["big"] == 2**53 + 1


async def test_loaded_snapshot_carries_updated_at(db: Database) -> None:
    """A loaded snapshot has the server's write time in updated_at, timezone-aware."""
    await save_snapshots(db, [snapshot()])
    (loaded,) = await load_live_snapshots(db, now=NOW)
    assert loaded.updated_at is not None and loaded.updated_at.tzinfo is not None


async def test_empty_batch_saves_nothing_without_sql() -> None:
    """Saving an empty batch returns an empty result and never reaches the database."""
    assert await save_snapshots(untouchable(), []) == SaveResult(frozenset(), frozenset())


async def test_same_owner_same_epoch_overwrites(db: Database) -> None:
    """The owner that holds a snapshot can save it again at the same epoch, replacing it."""
    await save_snapshots(db, [snapshot(epoch=5, state={"step": 1})])
    newer = snapshot(epoch=5, state={"step": 2}, expires_at=LATER + timedelta(minutes=5))
    result = await save_snapshots(db, [newer])
    assert result.saved == {newer.key} and not result.refused
    assert await load_all(db) == {newer.key: newer}


async def test_lower_epoch_write_is_refused_and_row_unchanged(db: Database) -> None:
    """A write with an epoch below the stored one is reported refused and leaves the row alone."""
    current = snapshot(epoch=7, state={"step": "current"})
    await save_snapshots(db, [current])
    result = await save_snapshots(db, [snapshot(epoch=6, state={"step": "stale"})])
    assert result == SaveResult(saved=frozenset(), refused=frozenset({current.key}))
    assert await load_all(db) == {current.key: current}


async def test_same_epoch_from_another_owner_is_refused(db: Database) -> None:
    """A different owner cannot overwrite a snapshot at the same epoch."""
    current = snapshot(owner="proc-a", epoch=7)
    await save_snapshots(db, [current])
    result = await save_snapshots(db, [snapshot(owner="proc-b", epoch=7, state={"step": 99})])
    assert result.refused == {current.key} and not result.saved
    assert await load_all(db) == {current.key: current}


async def test_higher_epoch_from_another_owner_takes_over(db: Database) -> None:
    """A write with a larger epoch wins, whoever the previous owner was."""
    await save_snapshots(db, [snapshot(owner="proc-a", epoch=7)])
    successor = snapshot(owner="proc-b", epoch=8, state={"step": 3})
    result = await save_snapshots(db, [successor])
    assert result.saved == {successor.key}
    assert await load_all(db) == {successor.key: successor}


async def test_mixed_batch_reports_saved_and_refused_separately(db: Database) -> None:
    """In one batch, fresh sessions are saved while the stale ones are refused."""
    await save_snapshots(db, [snapshot(guild_id=1, epoch=10), snapshot(guild_id=2, epoch=10)])
    result = await save_snapshots(
        db,
        [
            snapshot(guild_id=1, epoch=9),
            snapshot(guild_id=2, epoch=11),
            snapshot(guild_id=3, epoch=1),
        ],
    )
    assert result == SaveResult(saved=frozenset({(2, 10), (3, 10)}), refused=frozenset({(1, 10)}))
    assert {key: s.epoch for key, s in (await load_all(db)).items()} == {(1, 10): 10, (2, 10): 11, (3, 10): 1}


async def test_duplicate_keys_in_one_batch_are_refused_before_sql() -> None:
    """A batch naming the same session twice raises InvalidValue without touching the database."""
    batch = [snapshot(epoch=1), snapshot(epoch=2)]
    with pytest.raises(InvalidValue, match="same session twice"):
        await save_snapshots(untouchable(), batch)


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (snapshot(guild_id=-1), "guild_id"),
        (snapshot(guild_id=2**63), "guild_id"),
        (snapshot(channel_id=-5), "channel_id"),
        (snapshot(owner=""), "owner"),
        (snapshot(owner="x" * (MAX_OWNER_LENGTH + 1)), "owner"),
    ],
    ids=["negative-guild", "guild-too-big", "negative-channel", "empty-owner", "owner-too-long"],
)
async def test_invalid_snapshot_is_refused_before_sql(bad: Snapshot, message: str) -> None:
    """An out-of-range id or a bad owner raises InvalidValue naming the field, with no SQL."""
    with pytest.raises(InvalidValue, match=message):
        await save_snapshots(untouchable(), [snapshot(guild_id=3), bad])


async def test_same_channel_in_different_guilds_are_distinct_rows(db: Database) -> None:
    """Two sessions sharing a channel id but not a guild are stored as two rows."""
    first = snapshot(guild_id=100, channel_id=555, state={"who": "first"})
    second = snapshot(guild_id=200, channel_id=555, state={"who": "second"})
    result = await save_snapshots(db, [first, second])
    assert result.saved == {first.key, second.key}
    assert await load_all(db) == {first.key: first, second.key: second}


async def test_load_ignores_expired_snapshots(db: Database) -> None:
    """Only snapshots expiring after `now` load; one expiring exactly at `now` counts as expired."""
    live = snapshot(guild_id=1, expires_at=NOW + timedelta(seconds=1))
    await save_snapshots(
        db,
        [
            live,
            snapshot(guild_id=2, expires_at=NOW),
            snapshot(guild_id=3, expires_at=NOW - timedelta(days=1)),
        ],
    )
    assert await load_all(db) == {live.key: live}


async def test_load_is_ordered_by_guild_then_channel(db: Database) -> None:
    """Live snapshots come back ordered by guild id, then channel id."""
    keys = [(3, 1), (1, 2), (2, 9), (1, 1)]
    await save_snapshots(db, [snapshot(guild_id=g, channel_id=c) for g, c in keys])
    assert [s.key for s in await load_live_snapshots(db, now=NOW)] == sorted(keys)


def test_guild_on_shard_builds_the_intended_shard() -> None:
    """The test helper really produces guild ids on the shard it names."""
    for shard in range(SHARD_COUNT):
        for n in range(3):
            assert (guild_on_shard(shard, n) >> 22) % SHARD_COUNT == shard


@pytest.mark.parametrize(
    "shard_ids",
    [(0,), (1, 3), (2,), (0, 1, 2, 3)],
    ids=["shard-0", "shards-1-3", "shard-2", "all-shards"],
)
async def test_load_filters_by_shard(db: Database, shard_ids: tuple[int, ...]) -> None:
    """With a shard count, only guilds whose (id >> 22) % count is in shard_ids load."""
    batch = [
        snapshot(guild_id=guild_on_shard(shard, n), channel_id=shard * 10 + n)
        for shard in range(SHARD_COUNT)
        for n in range(2)
    ]
    await save_snapshots(db, batch)
    loaded = await load_live_snapshots(db, now=NOW, shard_ids=shard_ids, shard_count=SHARD_COUNT)
    expected = {s.key for s in batch if (s.guild_id >> 22) % SHARD_COUNT in shard_ids}
    assert {s.key for s in loaded} == expected
    assert len(loaded) == 2 * len(shard_ids)


async def test_shard_filter_also_drops_expired(db: Database) -> None:
    """An expired snapshot on a requested shard still does not load."""
    live = snapshot(guild_id=guild_on_shard(1, 0))
    await save_snapshots(db, [live, snapshot(guild_id=guild_on_shard(1, 1), expires_at=NOW)])
    loaded = await load_live_snapshots(db, now=NOW, shard_ids=[1], shard_count=SHARD_COUNT)
    assert stored(loaded) == {live.key: live}


async def test_no_shard_count_loads_every_shard(db: Database) -> None:
    """Without a shard count, live snapshots of every shard load."""
    batch = [snapshot(guild_id=guild_on_shard(shard)) for shard in range(SHARD_COUNT)]
    await save_snapshots(db, batch)
    assert set(await load_all(db)) == {s.key for s in batch}


@pytest.mark.parametrize(
    ("shard_ids", "shard_count"),
    [([4], 4), ([-1], 4), ([0, 7], 4), ([0], 0), ([], 0), ([0], -2)],
    ids=["id-equals-count", "negative-id", "one-bad-of-two", "zero-count", "zero-count-no-ids", "neg-count"],
)
async def test_bad_shard_ids_are_refused(shard_ids: list[int], shard_count: int) -> None:
    """Shard ids outside 0..count-1, or a count below 1, raise InvalidValue before any SQL."""
    with pytest.raises(InvalidValue, match="shard"):
        await load_live_snapshots(untouchable(), now=NOW, shard_ids=shard_ids, shard_count=shard_count)


async def test_new_epoch_strictly_increases(db: Database) -> None:
    """Each new epoch is larger than every one handed out before it."""
    epochs = [await new_epoch(db) for _ in range(10)]
    assert all(a < b for a, b in itertools.pairwise(epochs))


async def test_new_epoch_is_unique_across_processes(db: Database, other_process: Database) -> None:
    """Epochs taken concurrently by two processes never repeat."""
    epochs = await asyncio.gather(*(new_epoch(pool) for pool in [db, other_process] * 10))
    assert len(set(epochs)) == len(epochs) == 20


async def test_claim_with_seen_epoch_succeeds_with_larger_epoch(db: Database) -> None:
    """Claiming a snapshot at the epoch last seen hands it over with a larger epoch, state intact."""
    seen = snapshot(owner="proc-a", epoch=await new_epoch(db), state=RICH_STATE)
    await save_snapshots(db, [seen])
    (claimed,) = await claim_snapshots(db, "proc-b", [seen], now=NOW)
    assert claimed.key == seen.key and claimed.owner == "proc-b"
    assert claimed.epoch > seen.epoch
    assert claimed.state == RICH_STATE and claimed.expires_at == seen.expires_at
    assert await load_all(db) == {seen.key: replace(claimed, updated_at=None)}


async def test_claim_of_loaded_snapshots_keeps_the_loaded_state(db: Database) -> None:
    """Claiming snapshots as loaded (unchanged since) hands over the loaded state, not a second copy."""
    batch = [snapshot(guild_id=g, epoch=await new_epoch(db), state={"n": g}) for g in range(1, 4)]
    await save_snapshots(db, batch)
    loaded = await load_live_snapshots(db, now=NOW)
    claimed = await claim_snapshots(db, "proc-b", loaded, now=NOW)
    assert sorted(c.key for c in claimed) == sorted(s.key for s in batch)
    by_key = {s.key: s for s in loaded}
    for claim in claimed:
        seen = by_key[claim.key]
        assert claim.state is seen.state
        assert claim.owner == "proc-b" and claim.epoch > seen.epoch
        assert claim.updated_at is not None and seen.updated_at is not None
        assert claim.updated_at >= seen.updated_at
    assert await load_all(db) == stored(claimed)


async def test_claim_after_a_save_at_the_seen_epoch_returns_the_newer_state(db: Database) -> None:
    """The owner saving again after the load (same epoch) does not stop the claim, which returns that save."""
    first = snapshot(owner="proc-a", epoch=await new_epoch(db), state={"step": 1})
    await save_snapshots(db, [first])
    (seen,) = await load_live_snapshots(db, now=NOW)
    await save_snapshots(db, [replace(first, state={"step": 2})])
    (claimed,) = await claim_snapshots(db, "proc-b", [seen], now=NOW)
    assert claimed.state == {"step": 2} and claimed.owner == "proc-b" and claimed.epoch > seen.epoch
    assert await load_all(db) == stored([claimed])


async def test_claim_with_stale_epoch_gets_nothing(db: Database) -> None:
    """A claim based on an epoch that has since moved on claims nothing and changes nothing."""
    old = snapshot(owner="proc-a", epoch=await new_epoch(db))
    await save_snapshots(db, [old])
    current = replace(old, epoch=await new_epoch(db), state={"step": 5})
    await save_snapshots(db, [current])
    assert await claim_snapshots(db, "proc-b", [old], now=NOW) == []
    assert await load_all(db) == {current.key: current}


async def test_claim_of_expired_snapshot_gets_nothing(db: Database) -> None:
    """An expired snapshot cannot be claimed, even with the right epoch."""
    seen = snapshot(epoch=await new_epoch(db), expires_at=NOW)
    await save_snapshots(db, [seen])
    assert await claim_snapshots(db, "proc-b", [seen], now=NOW) == []


async def test_claim_returns_only_the_claimable_ones(db: Database) -> None:
    """Of several seen snapshots, only those still at their seen epoch are claimed."""
    fresh = snapshot(guild_id=1, epoch=await new_epoch(db))
    moved = snapshot(guild_id=2, epoch=await new_epoch(db))
    await save_snapshots(db, [fresh, moved])
    await save_snapshots(db, [replace(moved, epoch=await new_epoch(db))])
    missing = snapshot(guild_id=3, epoch=await new_epoch(db))
    claimed = await claim_snapshots(db, "proc-b", [fresh, moved, missing], now=NOW)
    assert [s.key for s in claimed] == [fresh.key]


async def test_claim_of_nothing_runs_no_sql() -> None:
    """Claiming an empty list returns [] without touching the database."""
    assert await claim_snapshots(untouchable(), "proc-b", [], now=NOW) == []


@pytest.mark.parametrize("owner", ["", "x" * (MAX_OWNER_LENGTH + 1)], ids=["empty", "too-long"])
async def test_claim_refuses_bad_owner(owner: str) -> None:
    """A claimant with an empty or over-long owner name raises InvalidValue."""
    with pytest.raises(InvalidValue, match="owner"):
        await claim_snapshots(untouchable(), owner, [snapshot()], now=NOW)


@pytest.mark.parametrize("as_loaded", [False, True], ids=["built", "loaded"])
async def test_concurrent_claims_exactly_one_wins(
    db: Database, other_process: Database, as_loaded: bool
) -> None:
    """Two processes claiming the same snapshot at once: exactly one gets it, every time."""
    for round_ in range(20):
        seen = snapshot(guild_id=guild_on_shard(round_ % SHARD_COUNT, round_), epoch=await new_epoch(db))
        await save_snapshots(db, [seen])
        if as_loaded:  # with the updated_at a load gives, as a respawn claims them
            seen = next(s for s in await load_live_snapshots(db, now=NOW) if s.key == seen.key)
        won_a, won_b = await asyncio.gather(
            claim_snapshots(db, "proc-a", [seen], now=NOW),
            claim_snapshots(other_process, "proc-b", [seen], now=NOW),
        )
        assert len(won_a) + len(won_b) == 1, f"round {round_}: {won_a=} {won_b=}"
        (winner,) = won_a or won_b
        assert winner.epoch > seen.epoch
        now_stored = (await load_all(db))[seen.key]
        assert (now_stored.owner, now_stored.epoch) == (winner.owner, winner.epoch)


async def test_old_owner_save_is_refused_after_a_claim(db: Database, other_process: Database) -> None:
    """Once another process claims a snapshot, the previous owner's saves are refused."""
    mine = snapshot(owner="proc-a", epoch=await new_epoch(db), state={"step": 1})
    await save_snapshots(db, [mine])
    (claimed,) = await claim_snapshots(other_process, "proc-b", [mine], now=NOW)
    result = await save_snapshots(db, [replace(mine, state={"step": 2})])
    assert result == SaveResult(saved=frozenset(), refused=frozenset({mine.key}))
    assert await load_all(db) == {mine.key: replace(claimed, updated_at=None)}


async def test_new_owner_saves_after_a_claim(db: Database) -> None:
    """The claimant can keep saving at its new epoch."""
    mine = snapshot(owner="proc-a", epoch=await new_epoch(db))
    await save_snapshots(db, [mine])
    (claimed,) = await claim_snapshots(db, "proc-b", [mine], now=NOW)
    update = replace(claimed, state={"step": 9}, updated_at=None)
    assert (await save_snapshots(db, [update])).saved == {mine.key}
    assert await load_all(db) == {mine.key: update}


@pytest.mark.parametrize(
    ("owner", "epoch_offset"),
    [("proc-b", 0), ("proc-a", -1), ("proc-a", 1), ("proc-b", 1)],
    ids=["wrong-owner", "older-epoch", "newer-epoch", "both-wrong"],
)
async def test_delete_with_wrong_owner_or_epoch_keeps_the_row(
    db: Database, owner: str, epoch_offset: int
) -> None:
    """delete_snapshot returns False and deletes nothing unless owner and epoch both match."""
    held = snapshot(owner="proc-a", epoch=50)
    await save_snapshots(db, [held])
    assert await delete_snapshot(db, held.key, owner, held.epoch + epoch_offset) is False
    assert await load_all(db) == {held.key: held}


async def test_delete_with_right_owner_and_epoch_removes_only_that_row(db: Database) -> None:
    """delete_snapshot with the holding owner and epoch removes that session and no other."""
    held = snapshot(guild_id=1, channel_id=7, owner="proc-a", epoch=50)
    neighbour = snapshot(guild_id=2, channel_id=7, owner="proc-a", epoch=50)
    await save_snapshots(db, [held, neighbour])
    assert await delete_snapshot(db, held.key, "proc-a", 50) is True
    assert await load_all(db) == {neighbour.key: neighbour}
    assert await delete_snapshot(db, held.key, "proc-a", 50) is False


async def test_expire_deletes_exactly_the_expired_and_returns_their_keys(db: Database) -> None:
    """expire_snapshots removes snapshots expiring at or before `now` and reports those keys."""
    expired = [
        snapshot(guild_id=1, expires_at=NOW),
        snapshot(guild_id=2, expires_at=NOW - timedelta(minutes=1)),
        snapshot(guild_id=3, channel_id=99, expires_at=NOW - timedelta(days=30)),
    ]
    live = [
        snapshot(guild_id=4, expires_at=NOW + timedelta(microseconds=1)),
        snapshot(guild_id=5, expires_at=LATER),
    ]
    await save_snapshots(db, expired + live)
    assert sorted(await expire_snapshots(db, now=NOW)) == sorted(s.key for s in expired)
    assert await load_all(db) == {s.key: s for s in live}
    year_ago = await load_live_snapshots(db, now=NOW - timedelta(days=365))
    assert {s.key for s in year_ago} == {s.key for s in live}, "expired rows must be gone, not hidden"


async def test_expire_with_nothing_expired_returns_empty(db: Database) -> None:
    """expire_snapshots with no expired snapshot deletes nothing and returns []."""
    await save_snapshots(db, [snapshot(expires_at=LATER)])
    assert await expire_snapshots(db, now=NOW) == []
    assert len(await load_all(db)) == 1
