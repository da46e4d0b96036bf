"""Measuring and reporting for the actor benchmark: laps of wall, CPU and GC time, logs, cProfile, table."""

from __future__ import annotations

import cProfile
import gc
import pstats
import sys
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from loguru import logger

REPO = Path(__file__).resolve().parent.parent
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Lap:
    """Wall seconds, this process's CPU seconds, and the garbage collector's share, over one stretch.

    On a shared machine, wall minus CPU is time spent waiting: for PostgreSQL, or for a CPU.
    """

    wall: float
    cpu: float
    gc_seconds: float
    full_collections: int

    def __str__(self) -> str:
        return (
            f"{self.wall:.3f} s (CPU {self.cpu:.3f} s, of it GC {self.gc_seconds:.3f} s"
            f" in {self.full_collections} full collections and the young ones)"
        )


class GcMeter:
    """Time spent in the cyclic garbage collector, via gc.callbacks; one per process."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.full = 0
        self._started = 0.0
        gc.callbacks.append(self._observe)

    def _observe(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
            return
        self.seconds += time.perf_counter() - self._started
        self.full += info["generation"] == 2


GC = GcMeter()


class Stopwatch:
    """Laps of wall, CPU and GC time, each from the previous lap (or the start)."""

    def __init__(self) -> None:
        self._marks = self._now()

    @staticmethod
    def _now() -> tuple[float, float, float, int]:
        return time.perf_counter(), time.process_time(), GC.seconds, GC.full

    def lap(self) -> Lap:
        now = self._now()
        lap = Lap(*(b - a for a, b in zip(self._marks, now, strict=True)))
        self._marks = now
        return lap


@dataclass
class LogTally:
    """Counts the warnings and errors quizbot logs during a part, by message, instead of printing them."""

    counts: Counter[tuple[str, str]] = field(default_factory=Counter)

    def install(self) -> None:
        logger.remove()
        logger.add(self._sink, level="WARNING", format="{message}")

    def _sink(self, message: Any) -> None:
        record = message.record
        self.counts[(record["level"].name, record["message"][:90])] += 1

    def take(self) -> list[str]:
        """'LEVEL xN: message' lines since the last take, most frequent first."""
        lines = [f"{level} x{n}: {text}" for (level, text), n in self.counts.most_common(5)]
        self.counts.clear()
        return lines


def print_logs(tally: LogTally) -> None:
    """The warnings and errors quizbot logged since the last call, if any."""
    for line in tally.take():
        print(f"    log: {line}")


def short_path(filename: str) -> str:
    """A file name relative to the repository, site-packages or the standard library."""
    path = Path(filename)
    for root in (REPO, Path(sys.prefix), Path(sys.base_prefix)):
        if path.is_relative_to(root):
            relative = str(path.relative_to(root))
            return relative.split("site-packages/", 1)[-1]
    return path.name if path.is_absolute() else filename


@dataclass(frozen=True, slots=True)
class Row:
    """One line of the summary table."""

    figure: str
    value: str
    target: str
    met: bool
    note: str = ""


def print_table(rows: list[Row]) -> None:
    """The summary: figure, measured, target, met or missed."""
    widths = [
        max(len(r.figure) for r in rows),
        max(len(r.value) for r in rows),
        max(len(r.target) for r in rows),
    ]
    header = f"  {'figure':<{widths[0]}}  {'measured':>{widths[1]}}  {'target':<{widths[2]}}  result"
    print(header)
    print("  " + "-" * (len(header) + 8))
    for row in rows:
        result = ("met" if row.met else "MISSED") + (f"  ({row.note})" if row.note else "")
        print(f"  {row.figure:<{widths[0]}}  {row.value:>{widths[1]}}  {row.target:<{widths[2]}}  {result}")


async def profiled(run: Callable[[], Awaitable[T]], top: int, title: str) -> T:
    """Await `run()` under cProfile and print the functions with the most own time (and quizbot's)."""
    profile = cProfile.Profile()
    profile.enable()
    try:
        result = await run()
    finally:
        profile.disable()
    stats = pstats.Stats(profile)
    raw: dict[tuple[str, int, str], tuple[int, int, float, float, Any]] = stats.stats  # type: ignore[attr-defined]
    total = sum(tt for _, _, tt, _, _ in raw.values())

    def line(where: tuple[str, int, str], numbers: tuple[int, int, float, float, Any]) -> str:
        _, calls, own, cumulative, _ = numbers
        name = f"{short_path(where[0])}:{where[1]}({where[2]})"
        return f"      {own:7.3f} {cumulative:8.3f} {calls:9d}  {name}"

    print(f"\n    cProfile, {title} (profiled total {total:.2f} s; profiling inflates it):")
    print("      own s   cum s      calls  function (by own time)")
    for where, numbers in sorted(raw.items(), key=lambda item: -item[1][2])[:top]:
        print(line(where, numbers))
    quizbot = [(w, n) for w, n in raw.items() if "/quizbot/" in w[0]]
    print("      own s   cum s      calls  quizbot function (by cumulative time)")
    for where, numbers in sorted(quizbot, key=lambda item: -item[1][3])[:top]:
        print(line(where, numbers))
    return result
