"""The end-to-end benchmark's load: a steady rate of interactions through the double, and their count.

Open loop: interaction n is due at start + n / rate whatever became of the earlier ones, so a slow
bot meets a queue, not a politely waiting client. Each is a task that builds and dispatches one
INTERACTION_CREATE; the double stamps the dispatch and the bot's callback, and a harvester reads both
off the record: the acknowledgement latency is the double's (callback arrival - dispatch), and how far
the dispatch itself fell behind its due time is kept apart (the loop being busy, bot and double alike).
"""

from __future__ import annotations

import asyncio
import random
import sys
import time
from array import array
from collections import Counter
from dataclasses import dataclass, field

from bench._e2e_world import Janitor, QuestionBoard, Site
from quizbot.bot.custom_ids import parse
from quizbot.testing import DiscordDouble, DoubleError, InteractionRecord

MIX: tuple[tuple[str, float], ...] = (("click", 0.90), ("scores", 0.07), ("hint", 0.03))
ACK_LIMIT = 3.0  # Discord's: an interaction not answered in 3 s has failed
GIVE_UP = 10.0  # a record with no callback this long after dispatch is counted as never acknowledged
ANSWERED = ("You chose", "Changed to")

AnswerKey = tuple[int, int, int, int]
"""(guild, channel, question index, user): one row of the answers table."""


@dataclass
class Tally:
    """What one phase's interactions came to."""

    dispatched: int = 0
    latencies: array[float] = field(default_factory=lambda: array("d"))  # s, dispatch to first callback
    lags: array[float] = field(default_factory=lambda: array("d"))  # s the dispatch came after its due time
    outcomes: Counter[tuple[str, str]] = field(default_factory=Counter)  # (kind, outcome)
    refusals: Counter[str] = field(default_factory=Counter)  # the text players were shown
    dispatch_errors: Counter[str] = field(default_factory=Counter)
    skipped: int = 0  # no channel had an open question to click
    seconds: float = 0.0

    @property
    def acknowledged(self) -> int:
        return len(self.latencies)

    @property
    def never_acknowledged(self) -> int:
        return sum(n for (_, outcome), n in self.outcomes.items() if outcome == "no callback")

    @property
    def over_limit(self) -> int:
        return sum(1 for s in self.latencies if s > ACK_LIMIT)


@dataclass(slots=True)
class Pending:
    """One dispatched interaction, waiting for its callback."""

    kind: str
    record: InteractionRecord
    tally: Tally


def outcome_of(kind: str, record: InteractionRecord) -> tuple[str, str | None]:
    """The outcome of an answered interaction, and the refusal text when the bot refused it."""
    if record.accepted is None:
        return "callback refused by Discord", None
    data = record.response_data
    content = data.get("content") or ""
    embeds = data.get("embeds") or []
    title = (embeds[0].get("title") or "") if embeds else ""
    if title.startswith("❌"):
        return "refused", (embeds[0].get("description") or "")[:80]
    if kind == "click":
        return ("accepted" if content.startswith(ANSWERED[0]) else "changed"), None
    if record.response_type == 5:
        return "deferred", None
    return "answered", None


class Driver:
    """Sends interactions to the bot through the double at a steady rate and counts what came back."""

    def __init__(
        self, double: DiscordDouble, sites: list[Site], board: QuestionBoard, janitor: Janitor, seed: int
    ) -> None:
        self.double, self.sites, self.board, self.janitor = double, sites, board, janitor
        self.rng = random.Random(seed)
        self.pending: list[Pending] = []
        self.accepted: set[AnswerKey] = set()
        """Every answer the bot told a player it took (the last choice of a question counts once)."""
        self.dispatched = 0  # all phases
        self._tasks: set[asyncio.Task[None]] = set()
        self._kinds = [kind for kind, _ in MIX]
        self._weights = [weight for _, weight in MIX]

    async def run(self, seconds: float, rate: float) -> Tally:
        """Dispatch `rate` interactions a second for `seconds`, then wait for every answer."""
        tally = Tally()
        total = round(seconds * rate)
        began = time.monotonic()
        sent = 0
        while sent < total:
            due_now = min(total, int((time.monotonic() - began) * rate) + 1)
            for n in range(sent, due_now):
                task = asyncio.create_task(self._one(tally, began + n / rate))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)
            sent = due_now
            await asyncio.sleep(max(0.0, began + sent / rate - time.monotonic()))
        if self._tasks:
            await asyncio.gather(*self._tasks)
        tally.seconds = time.monotonic() - began
        while any(p.tally is tally for p in self.pending):
            await asyncio.sleep(0.1)
            self.harvest()
        return tally

    async def _one(self, tally: Tally, due: float) -> None:
        kind = self.rng.choices(self._kinds, self._weights)[0]
        try:
            record = await self._dispatch(kind)
        except (DoubleError, KeyError) as error:
            tally.dispatch_errors[f"{type(error).__name__}: {str(error)[:60]}"] += 1
            return
        if record is None:
            tally.skipped += 1
            return
        tally.dispatched += 1
        self.dispatched += 1
        tally.lags.append(max(0.0, record.dispatched_at - due))
        self.pending.append(Pending(kind, record, tally))

    async def _dispatch(self, kind: str) -> InteractionRecord | None:
        """One interaction of `kind` by a random player in a random live channel (None: none is open)."""
        for _ in range(10):
            site = self.rng.choice(self.sites)
            question = self.board.current.get(site.channel.key)
            if question is None:
                continue
            player = self.rng.choice(site.players)
            if kind == "click":
                button = self.rng.choice(self.board.buttons[question.id])
                return await self.double.click(question, button, player)
            return await self.double.slash(site.guild, site.channel, player, f"trivia {kind}")
        return None

    def own_bytes(self, tally: Tally | None = None) -> int:
        """Bytes the benchmark itself holds for the answers and the figures it keeps (the RSS it adds)."""
        keys = sum(sys.getsizeof(key) + sum(map(sys.getsizeof, key)) for key in self.accepted)
        figures = sys.getsizeof(tally.latencies) + sys.getsizeof(tally.lags) if tally is not None else 0
        return sys.getsizeof(self.accepted) + keys + figures

    def harvest(self) -> None:
        """Count every pending interaction that was answered (or never will be), and forget it."""
        now = time.monotonic()
        still: list[Pending] = []
        for item in self.pending:
            record = item.record
            if not record.callbacks and now - record.dispatched_at < GIVE_UP:
                still.append(item)
                continue
            tally = item.tally
            if record.ack_latency is None:
                tally.outcomes[(item.kind, "no callback")] += 1
            else:
                tally.latencies.append(record.ack_latency)
                outcome, refusal = outcome_of(item.kind, record)
                tally.outcomes[(item.kind, outcome)] += 1
                if refusal is not None:
                    tally.refusals[refusal] += 1
                if outcome in ("accepted", "changed"):
                    self.accepted.add(answer_key(record))
            self.janitor.forget(record)
        self.pending = still

    async def harvest_forever(self, every: float = 0.2) -> None:
        """Harvest every `every` seconds until cancelled."""
        while True:
            await asyncio.sleep(every)
            self.harvest()


def answer_key(record: InteractionRecord) -> AnswerKey:
    """The answers-table row an accepted click should become."""
    button = parse(record.payload["data"]["custom_id"])
    if button is None:
        raise ValueError(f"not an answer button: {record.payload['data']}")
    return (button.guild_id, button.channel_id, button.index, record.user.id)
