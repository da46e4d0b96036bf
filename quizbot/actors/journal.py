"""The sessions' journal: what each session changed since its snapshot, made durable by group commit.

A session actor appends an entry for every message that changed it and gets a future that is
done, with the asker's reply, once the entry is durable: written to the store, or covered by a
saved snapshot. One writer task owns the store: entries appended while a write is in flight share
the next statement, so a burst of clicks costs one round trip, not one each. Entries are written
in the order they were appended, so an entry that is durable has every earlier one of its session
durable too, and replay never meets a hole.

While the store fails, entries stay queued and are retried, in order, at most a second apart; each
future fails with NotYetSaved when the attempt that carried it fails (the game plays on, and the
player is told the truth), and the first attempt that succeeds gives the guarantee back. A session
whose entries overflow the queue keeps none past the overflow until a saved snapshot covers it.
"""

from __future__ import annotations

import asyncio
from collections import deque
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from loguru import logger

from quizbot.actors.entries import JournalEntry, encode_entry
from quizbot.actors.messages import SessionKey
from quizbot.actors.ports import JournalStore, StoredEntry
from quizbot.backoff import full_jitter
from quizbot.clock import Clock, sleep
from quizbot.errors import NotYetSaved, QuizbotError, SessionMoved

MAX_QUEUED = 100_000  # entries held while the store is away, across every session
MAX_BATCH = 2_000  # entries in one statement
SLOW_WRITE = 5.0  # seconds after which a write's waiters are told it is not saved yet
RETRY_BASE, RETRY_CAP = 0.1, 1.0  # short: the guarantee should come back soon after the store does


@dataclass(slots=True)
class _Queued:
    """An entry waiting to be written, and the future of whoever waits for it (tells have one too)."""

    stored: StoredEntry
    reply: object
    future: asyncio.Future[Any]
    covered: bool = False  # a saved snapshot holds it: nothing left to write


@dataclass(slots=True)
class _Stream:
    """One session's journal in this process."""

    run_id: UUID
    epoch: int
    recent: list[JournalEntry] = field(default_factory=list)  # since the last snapshot taken
    # queued, in seq order: a few at most, so a list (an empty deque costs ten times more, per session)
    waiting: list[_Queued] = field(default_factory=list)
    saved_seq: int = 0  # the last seq a saved snapshot covers
    gap: int | None = None  # entries up to here were dropped: none past it is durable until covered


class SessionJournal:
    """Every session's journal; the one writer of the journal store. `store=None`: nothing to write."""

    def __init__(self, store: JournalStore | None, clock: Clock, *, max_queued: int = MAX_QUEUED) -> None:
        self.store = store
        self.clock = clock
        self.max_queued = max_queued
        self.healthy = True
        self.written = 0  # entries, for status and benchmarks
        self.statements = 0
        self._streams: dict[SessionKey, _Stream] = {}
        self._queue: deque[_Queued] = deque()
        self._arrival: asyncio.Future[None] | None = None
        self._writer: asyncio.Task[None] | None = None

    def __len__(self) -> int:
        """Entries queued and not yet written."""
        return len(self._queue)

    # --- sessions ------------------------------------------------------------------------------

    def open(self, key: SessionKey, run_id: UUID, epoch: int, saved_seq: int) -> None:
        """Start (or restart, with a new epoch) the journal of a session whose snapshot covers `saved_seq`."""
        self._streams[key] = _Stream(run_id, epoch, saved_seq=saved_seq)

    def close(self, key: SessionKey) -> None:
        """Forget a released session; what it queued is still written, or refused once its row is gone."""
        self._streams.pop(key, None)

    def recent(self, key: SessionKey) -> list[JournalEntry]:
        """The session's entries since its last snapshot taken, for a restart after a crash."""
        stream = self._streams.get(key)
        return list(stream.recent) if stream is not None else []

    def taken(self, key: SessionKey, seq: int) -> None:
        """A snapshot covering `seq` was taken: a crash restarts from it, so older entries are not needed."""
        stream = self._streams.get(key)
        if stream is not None and stream.recent and stream.recent[0].seq <= seq:
            stream.recent = [entry for entry in stream.recent if entry.seq > seq]

    def saved(self, key: SessionKey, seq: int) -> None:
        """A snapshot covering `seq` is in the store: entries up to it are durable without being written."""
        stream = self._streams.get(key)
        if stream is None or seq <= stream.saved_seq:
            return
        stream.saved_seq = seq
        if stream.gap is not None and seq >= stream.gap:
            stream.gap = None
        while stream.waiting and stream.waiting[0].stored.seq <= seq:
            queued = stream.waiting.pop(0)
            queued.covered = True
            _settle(queued.future, queued.reply)

    # --- appending -----------------------------------------------------------------------------

    def append(self, key: SessionKey, entry: JournalEntry, reply: object = None) -> asyncio.Future[Any]:
        """Journal a session's entry; the future holds `reply` once durable, NotYetSaved(reply) if not."""
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        stream = self._streams.get(key)
        if stream is not None:
            stream.recent.append(entry)  # a crash restarts from the last snapshot plus these
        if stream is None or self.store is None:
            future.set_result(reply)  # nothing to make durable: an unjournaled session, or no store
            return future
        if stream.gap is not None or len(self._queue) >= self.max_queued:
            stream.gap = entry.seq  # nothing past a dropped entry can be replayed until a snapshot covers it
            future.set_exception(NotYetSaved(reply))
            return future
        stored = StoredEntry(key, stream.run_id, stream.epoch, entry.seq, encode_entry(entry))
        queued = _Queued(stored, reply, future)
        self._queue.append(queued)
        stream.waiting.append(queued)
        self._wake()
        return future

    def _wake(self) -> None:
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_forever(), name="journal:writer")
            self._writer.add_done_callback(_writer_done)
        arrival = self._arrival
        if arrival is not None and not arrival.done():
            arrival.set_result(None)

    async def aclose(self) -> None:
        """Stop the writer; what is still queued stays unwritten (a saved snapshot covers what matters)."""
        if self._writer is not None:
            self._writer.cancel()
            await asyncio.gather(self._writer, return_exceptions=True)
            self._writer = None

    # --- the writer ----------------------------------------------------------------------------

    async def _write_forever(self) -> None:
        """Write what is queued, a batch at a time, in order; on failure, retry with backoff."""
        failures = 0
        while True:
            while not self._queue:
                self._arrival = asyncio.get_running_loop().create_future()
                await self._arrival
            await asyncio.sleep(0)  # let the clicks of this moment join the batch
            batch = [self._queue[n] for n in range(min(MAX_BATCH, len(self._queue)))]
            if await self._write(batch):
                failures = 0
                continue
            failures += 1
            await sleep(self.clock, full_jitter(failures, RETRY_BASE, RETRY_CAP))

    async def _write(self, batch: list[_Queued]) -> bool:
        """Write one batch and settle its futures; False if the store failed (the batch stays queued)."""
        assert self.store is not None
        rows = [queued.stored for queued in batch if not queued.covered]
        slow = self.clock.call_at(self.clock.time() + SLOW_WRITE, lambda: _not_yet(batch))
        try:
            held = await self.store.append(rows) if rows else set()
        except Exception as error:  # the store is away (or failed us): keep the batch and retry
            if self.healthy:
                log = logger if isinstance(error, QuizbotError) else logger.opt(exception=error)
                log.warning("journal entries not saved yet ({}); the games play on", error)
            self.healthy = False
            _not_yet(batch)
            return False
        finally:
            slow.cancel()
        if not self.healthy:
            logger.info("journal saved again; {} entries caught up", len(rows))
        self.healthy = True
        self.written += len(rows)
        self.statements += bool(rows)
        for _ in batch:
            self._queue.popleft()
        for queued in batch:
            self._done(queued, held)
        return True

    def _done(self, queued: _Queued, held: set[tuple[SessionKey, int]]) -> None:
        stored = queued.stored
        stream = self._streams.get(stored.key)
        if stream is not None and stream.waiting and stream.waiting[0] is queued:
            del stream.waiting[0]
        covered = queued.covered or (stream is not None and stored.seq <= stream.saved_seq)
        if covered or (stored.key, stored.seq) in held:
            _settle(queued.future, queued.reply)
        elif not queued.future.done():
            queued.future.set_exception(SessionMoved("this game is now run by another process"))


def _settle(future: asyncio.Future[Any], reply: object) -> None:
    if not future.done():
        future.set_result(reply)


def _not_yet(batch: list[_Queued]) -> None:
    for queued in batch:
        if not queued.future.done():
            queued.future.set_exception(NotYetSaved(queued.reply))


def _writer_done(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        logger.opt(exception=task.exception()).critical("the journal writer died; answers are not saved")
