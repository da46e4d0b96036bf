"""Pausing the cyclic garbage collector over bulk work, and giving it back as it was."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

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


def test_paused_inside_then_on_again_with_one_full_collection(full_collections: list[int]) -> None:
    """Inside, the collector is off; after, it is on again and `collect_after` has run a full collection."""
    assert gc.isenabled()
    with collector_paused(collect_after=True):
        assert not gc.isenabled()
        full_collections.clear()
    assert gc.isenabled()
    assert full_collections[:1] == [2]  # the one at the end (young ones may follow)


def test_on_again_after_an_error_without_collecting(full_collections: list[int]) -> None:
    """An exception inside still turns the collector back on; without `collect_after` none is forced."""
    with pytest.raises(RuntimeError), collector_paused(collect_after=False):
        full_collections.clear()
        raise RuntimeError("bulk work failed")
    assert gc.isenabled()
    assert 2 not in full_collections


def test_an_already_paused_collector_stays_paused() -> None:
    """If someone else turned the collector off, it is left off."""
    gc.disable()
    try:
        with collector_paused(collect_after=True):
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()
