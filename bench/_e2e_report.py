"""The end-to-end benchmark's report: logs kept aside, each phase's figures, memory, the summary table,
and the configurations (journal off and on) side by side."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from bench._actors_report import Row
from bench._e2e_checks import MB, PER, AnswerCheck, Memory
from bench._e2e_drive import ACK_LIMIT, Tally
from bench._e2e_world import Janitor
from bench._measure import percentile
from quizbot.actors.journal import SessionJournal

P99_TARGET_MS = 100.0
RSS_TARGET_BYTES = 10 * MB  # per 100k interactions


@dataclass(frozen=True, slots=True)
class Written:
    """What the session journal wrote: statements, and the entries they carried (group commit)."""

    statements: int = 0
    entries: int = 0

    @classmethod
    def of(cls, journal: SessionJournal) -> Written:
        """The journal's counts so far."""
        return cls(journal.statements, journal.written)

    def __sub__(self, other: Written) -> Written:
        return Written(self.statements - other.statements, self.entries - other.entries)

    @property
    def per_statement(self) -> float:
        return self.entries / self.statements if self.statements else 0.0

    def describe(self, seconds: float) -> str:
        if not self.statements:
            return "nothing written (no durable journal)"
        return (
            f"{self.entries:,} entries in {self.statements:,} statements"
            f" ({self.statements / max(seconds, 1e-9):,.1f} statements/s),"
            f" {self.per_statement:.2f} entries per statement"
        )


@dataclass
class Pass:
    """One configuration's run: with or without the journal, and what it measured."""

    journal: bool
    tally: Tally
    check: AnswerCheck
    memory: Memory
    measured: Written  # the journal's writes over the measured phase
    whole: Written  # and over the whole pass (starts, warm-up and closes included)


class StdlibTally(logging.Handler):
    """Counts WARNING and worse from stdlib loggers (disnake, aiohttp, the double) by logger and text."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.counts: Counter[str] = Counter()

    def emit(self, record: logging.LogRecord) -> None:
        self.counts[f"{record.levelname} {record.name}: {record.getMessage()[:90]}"] += 1

    def take(self) -> list[str]:
        lines = [f"{text} x{n}" for text, n in self.counts.most_common(5)]
        self.counts.clear()
        return lines


@contextlib.contextmanager
def loop_errors(seen: list[str]) -> Iterator[None]:
    """Keep what reaches the event loop's exception handler (a task that died unseen)."""
    loop = asyncio.get_running_loop()
    previous = loop.get_exception_handler()
    loop.set_exception_handler(lambda _loop, context: seen.append(str(context.get("message"))[:120]))
    try:
        yield
    finally:
        loop.set_exception_handler(previous)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f} ms"


def print_tally(name: str, tally: Tally) -> None:
    """Rate, latency percentiles, lag, and outcomes of one phase."""
    lat, lag = list(tally.latencies) or [0.0], list(tally.lags) or [0.0]
    print(
        f"  {name}: {tally.dispatched:,} interactions in {tally.seconds:.1f} s"
        f" ({tally.dispatched / max(tally.seconds, 1e-9):,.1f}/s); {tally.acknowledged:,} acknowledged,"
        f" {tally.never_acknowledged} never, {tally.over_limit} after {ACK_LIMIT:.0f} s"
    )
    points = ", ".join(f"p{q} {ms(percentile(lat, q / 100))}" for q in (50, 90, 99, 99.9))
    print(f"    acknowledgement latency: {points}, max {ms(max(lat))}")
    print(
        f"    dispatch behind schedule (the one loop busy): p50 {ms(percentile(lag, 0.5))},"
        f" p99 {ms(percentile(lag, 0.99))}, max {ms(max(lag))}"
    )
    outcomes = ", ".join(f"{kind} {outcome} {n:,}" for (kind, outcome), n in sorted(tally.outcomes.items()))
    print(f"    outcomes: {outcomes}")
    for text, n in tally.refusals.most_common(4):
        print(f"    refused x{n}: {text}")
    for text, n in tally.dispatch_errors.most_common(3):
        print(f"    could not dispatch x{n}: {text}")
    if tally.skipped:
        print(f"    not sent (no channel had an open question): {tally.skipped}")


def print_memory(memory: Memory, tally: Tally, janitor: Janitor) -> None:
    n = tally.dispatched
    slope = memory.rss.slope()
    print(f"\n4. memory over the measured phase ({n:,} interactions; one process: bot, double and driver)")
    print(
        f"  RSS after a full collection: {memory.rss_before / MB:,.1f} MB before,"
        f" {memory.rss_after / MB:,.1f} MB after: {memory.raw / MB:+,.2f} MB,"
        f" {memory.per_100k(memory.raw, n) / MB:+,.2f} MB per 100k"
    )
    print(
        f"  of it the live sessions' state (players, answers, snapshots; bounded, freed at the end of a game)"
        f" {memory.sessions / MB:+,.2f} MB and the benchmark's own records {memory.own / MB:+,.2f} MB"
    )
    print(
        f"  the rest (bot, libraries, the double's residue): {memory.rest / MB:+,.2f} MB,"
        f" {memory.per_100k(memory.rest, n) / MB:+,.2f} MB per 100k interactions"
    )
    if slope is not None:
        print(
            f"  RSS least-squares slope over {len(memory.rss.samples)} one-second samples (no collections,"
            f" everything included): {slope * PER / MB:+,.2f} MB per 100k"
        )
    grown = memory.locks_after - memory.locks_before
    print(
        f"  disnake webhook lock table: {memory.locks_before:,} entries before, {memory.locks_after:,} after"
        f" ({grown / max(n, 1):.2f} per interaction)"
    )
    if memory.lap is not None:
        pauses = memory.pauses or [0.0]
        print(
            f"  time: {memory.lap}; {memory.lap.cpu / max(n, 1) * 1000:.2f} ms CPU per interaction;"
            f" full collections paused the one loop for up to {max(pauses) * 1000:,.0f} ms"
            f" ({len(memory.pauses)} of them, {sum(memory.pauses) * 1000:,.0f} ms in all)"
        )
    dropped = ", ".join(f"{what} {count:,}" for what, count in janitor.dropped.items())
    print(f"  the double's records dropped once counted (all phases): {dropped}")
    if memory.growth is not None:
        print(
            f"  tracemalloc: {memory.growth.total / MB:+,.2f} MB traced growth;"
            " the biggest by call stack (outermost first):"
        )
        for place, size, blocks in memory.growth.by_place:
            print(f"    {size / 1024:+10,.1f} KiB {blocks:+8,} blocks  {place}")


def summary_rows(tally: Tally, check: AnswerCheck, memory: Memory) -> list[Row]:
    lat = list(tally.latencies) or [float("inf")]
    p50, p99 = percentile(lat, 0.5) * 1000, percentile(lat, 0.99) * 1000
    late = tally.over_limit + tally.never_acknowledged
    n = tally.dispatched
    raw, rest = memory.per_100k(memory.raw, n), memory.per_100k(memory.rest, n)
    target = f"< {RSS_TARGET_BYTES / MB:.0f} MB"
    return [
        Row(
            "acknowledgement p99",
            f"{p99:,.1f} ms",
            f"< {P99_TARGET_MS:.0f} ms",
            p99 < P99_TARGET_MS,
            f"p50 {p50:,.1f} ms",
        ),
        Row(
            f"acknowledged after {ACK_LIMIT:.0f} s or never",
            f"{late}",
            "0",
            late == 0,
            f"max {max(lat) * 1000:,.0f} ms",
        ),
        Row(
            "answers lost (accepted, no row 120 s after the close)",
            f"{len(check.lost)}",
            "0",
            not check.lost,
            f"of {check.expected:,} accepted",
        ),
        Row(
            "RSS growth per 100k interactions, all",
            f"{raw / MB:+,.2f} MB",
            target,
            raw < RSS_TARGET_BYTES,
            f"{n:,} measured",
        ),
        Row(
            "  less live sessions' state and bench records",
            f"{rest / MB:+,.2f} MB",
            target,
            rest < RSS_TARGET_BYTES,
            f"sessions {memory.per_100k(memory.sessions, n) / MB:+,.2f} MB per 100k",
        ),
    ]


def print_comparison(passes: list[Pass]) -> None:
    """Acknowledgement latency, answers lost and the journal's writes, each configuration side by side,
    and the ratio of the latencies with the journal to those without (pooled if one ran twice)."""
    print("\nthe journal's cost: the measured phase of each configuration in this one run")
    header = (
        f"  {'configuration':<13} {'interactions':>12} {'ack p50':>9} {'ack p99':>9} {'ack max':>9}"
        f" {'answers lost':>16} {'statements':>10} {'entries':>8} {'per statement':>13}"
    )
    print(header)
    print("  " + "-" * (len(header) - 2))
    for done in passes:
        lat = list(done.tally.latencies) or [float("nan")]
        lost = f"{len(done.check.lost)} of {done.check.expected:,}"
        per = f"{done.measured.per_statement:.2f}" if done.measured.statements else "-"
        print(
            f"  {'journal on' if done.journal else 'journal off':<13} {done.tally.dispatched:>12,}"
            f" {ms(percentile(lat, 0.5)):>9} {ms(percentile(lat, 0.99)):>9} {ms(max(lat)):>9}"
            f" {lost:>16} {done.measured.statements:>10,} {done.measured.entries:>8,} {per:>13}"
        )
    on = [s for done in passes if done.journal for s in done.tally.latencies]
    off = [s for done in passes if not done.journal for s in done.tally.latencies]
    if not (on and off):
        return
    ratios = ", ".join(
        f"p{q} x{percentile(on, q / 100) / percentile(off, q / 100):.2f}"
        f" ({ms(percentile(off, q / 100))} -> {ms(percentile(on, q / 100))})"
        for q in (50, 99)
    )
    print(f"  with the journal / without: {ratios}")
