"""Pausing the cyclic garbage collector over bulk work and giving it back; actors it need not free."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from quizbot.actors.base import Actor, spawn
from quizbot.actors.collector import collector_paused


@pytest.fixture
def full_collections() -> Iterator[list[int]]:
    """The generation of every collection that finishes while the test runs."""
    seen: list[int] = []

    def observe(phase: str, info: dict[str, int]) -> None:
        if phase == "stop":
            seen.append(info["generation"])

    gc.callbacks.append(observe)
    yield seen
    gc.callbacks.remove(observe)


def test_paused_inside_then_on_again_with_what_was_built_frozen(full_collections: list[int]) -> None:
    """Inside, the collector is off; after, it is on again, and with `freeze_after` what was built
    is out of the collector's sight, without a full collection."""
    assert gc.isenabled()
    try:
        with collector_paused(freeze_after=True):
            assert not gc.isenabled()
            full_collections.clear()
            built = [[n] for n in range(1000)]
        assert gc.isenabled()
        assert 2 not in full_collections
        assert gc.get_freeze_count() >= len(built)
    finally:
        gc.unfreeze()


async def test_a_stopped_actor_is_freed_without_the_collector() -> None:
    """An actor and its ref form no cycle: once its loop ends, reference counting frees the actor."""

    class Idle(Actor):
        async def receive(self, message: object) -> object:
            return message

    gc.disable()
    try:
        actor = Idle()
        gone = weakref.ref(actor)
        ref = spawn(actor, name="freed")
        assert await ref.ask("ping", timeout=5) == "ping"
        del actor
        ref.stop()
        await ref.wait_stopped()
        assert gone() is None
    finally:
        gc.enable()


def test_on_again_after_an_error_without_collecting(full_collections: list[int]) -> None:
    """An exception inside still turns the collector back on; without `freeze_after` nothing is frozen."""
    frozen = gc.get_freeze_count()
    with pytest.raises(RuntimeError), collector_paused(freeze_after=False):
        full_collections.clear()
        raise RuntimeError("bulk work failed")
    assert gc.isenabled()
    assert 2 not in full_collections
    assert gc.get_freeze_count() == frozen


def test_an_already_paused_collector_stays_paused() -> None:
    """If someone else turned the collector off, it is left off."""
    gc.disable()
    try:
        with collector_paused(freeze_after=True):
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()
