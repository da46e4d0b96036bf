"""Packs a guild's admins upload: size-limited, validated, stored, and seen by that guild alone."""

from __future__ import annotations

import re
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from pathlib import PurePath

import aiorwlock
from loguru import logger

from quizbot.game.questions import Question
from quizbot.questions.bank import QuestionBank
from quizbot.questions.images import ZIP_SUFFIX, pack_images, read_pack_zip
from quizbot.questions.imports import parse_stored, parse_upload
from quizbot.questions.packs import Pack, PackError
from quizbot.questions.ports import PackStore, StoredPack

MAX_UPLOAD_BYTES = 256 * 1024
CACHE_SECONDS = 60.0
UPLOAD_SUFFIXES = (".yaml", ".yml", ".json")  # .json: an Open Trivia Database export
CUSTOM_SOURCE = "custom:"  # a guild's question's source: this and its pack id
_NAMESPACED = re.compile(r"g([0-9]{1,20})/")  # a guild's question's id: g<guild id>/<pack id>/<its own id>


@dataclass(slots=True)
class _GuildLock:
    """A guild's read/write lock and how many tasks hold or await it (at none it is dropped)."""

    lock: aiorwlock.RWLock = field(default_factory=aiorwlock.RWLock)
    users: int = 0


class CustomPacks:
    """Each guild's uploaded packs on top of the shipped bank, cached for a minute per guild.

    Loading a guild's bank reads the pack store across an await, so it holds the guild's read lock,
    and an upload or removal its write lock: a bank loaded while a pack changed is never cached
    over the change. Readers share; a lock lives only while some task holds or awaits it.
    """

    def __init__(
        self, store: PackStore, shipped: QuestionBank, *, cache_seconds: float = CACHE_SECONDS
    ) -> None:
        self.store = store
        self.shipped = shipped
        self.cache_seconds = cache_seconds
        self._banks: dict[int, tuple[float, QuestionBank]] = {}
        self._locks: dict[int, _GuildLock] = {}

    async def add(
        self, guild_id: int, user_id: int, filename: str, data: bytes, *, licence: str | None = None
    ) -> Pack:
        """Validate an uploaded file and store it for the guild, with where it came from and the
        licence its uploader stated; PackError says what is wrong. A .zip holds the pack file and the
        pictures its questions show as attachment://<name> (ImageRefused says what is wrong with them)."""
        name, files = PurePath(filename).name or "pack.yaml", {}
        if name.lower().endswith(ZIP_SUFFIX):
            unzipped = read_pack_zip(data, UPLOAD_SUFFIXES)
            name, data, files = unzipped.pack_name, unzipped.pack_data, unzipped.files
        if not name.lower().endswith(UPLOAD_SUFFIXES):
            raise PackError(name, None, None, "upload a .yaml, .yml or .json file")
        if len(data) > MAX_UPLOAD_BYTES:
            raise PackError(
                name, None, None, f"is {len(data):,} bytes; uploads are at most {MAX_UPLOAD_BYTES:,}"
            )
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise PackError(name, None, None, "is not UTF-8 text") from None
        pack = parse_upload(name, text, licence=licence)
        self._namespaced(guild_id, pack)  # ids must not clash with each other once namespaced
        images = pack_images(pack.questions, files)
        async with self._locked(guild_id, write=True):
            await self.store.save(
                guild_id,
                pack_id=pack.pack_id,
                name=pack.name,
                body=text,
                question_count=len(pack.questions),
                added_by=user_id,
                provenance=pack.provenance,
                images=images,
            )
            self._banks.pop(guild_id, None)
        return pack

    async def remove(self, guild_id: int, pack_id: str) -> bool:
        """Delete one of the guild's packs."""
        async with self._locked(guild_id, write=True):
            removed = await self.store.delete(guild_id, pack_id)
            self._banks.pop(guild_id, None)
        return removed

    async def stored(self, guild_id: int) -> list[StoredPack]:
        """The guild's uploaded packs as stored."""
        return await self.store.packs(guild_id)

    async def bank_for(self, guild_id: int) -> QuestionBank:
        """The shipped bank plus this guild's packs (a stored pack that no longer parses is skipped)."""
        cached = self._banks.get(guild_id)
        now = time.monotonic()
        if cached is not None and cached[0] > now:
            return cached[1]
        async with self._locked(guild_id, write=False):
            extra = []
            for stored in await self.store.packs(guild_id):
                try:
                    pack = parse_stored(stored)
                    extra.append(self._namespaced(guild_id, pack))
                except PackError as error:
                    logger.bind(guild=guild_id, pack=stored.pack_id).error("stored pack skipped: {}", error)
            bank = self.shipped.merged(extra) if extra else self.shipped
            self._banks[guild_id] = (time.monotonic() + self.cache_seconds, bank)
        return bank

    @asynccontextmanager
    async def _locked(self, guild_id: int, *, write: bool) -> AsyncIterator[None]:
        """Hold the guild's write lock (a pack changes) or read lock (its bank is loaded and cached)."""
        guard = self._locks.get(guild_id) or self._locks.setdefault(guild_id, _GuildLock())
        guard.users += 1
        try:
            async with guard.lock.writer_lock if write else guard.lock.reader_lock:
                yield
        finally:
            guard.users -= 1
            if guard.users == 0:
                del self._locks[guild_id]

    @staticmethod
    def _namespaced(guild_id: int, pack: Pack) -> Pack:
        """The pack with ids no shipped pack or other guild can share."""
        prefix = f"g{guild_id}/{pack.pack_id}/"
        questions = tuple(
            replace(q, question_id=prefix + q.question_id, source=CUSTOM_SOURCE + pack.pack_id)
            for q in pack.questions
        )
        return replace(pack, pack_id=f"g{guild_id}/{pack.pack_id}", questions=questions)


def custom_pack_of(question: Question) -> tuple[int, str] | None:
    """The guild and pack id a guild's question came from, as `_namespaced` marked it (None for any
    other question): where its attachment pictures are stored."""
    guild = _NAMESPACED.match(question.question_id)
    if guild is None or not question.source.startswith(CUSTOM_SOURCE):
        return None
    return int(guild.group(1)), question.source.removeprefix(CUSTOM_SOURCE)
