"""Which reader a pack file needs: quizbot's YAML and Red trivia lists (packs.py), Open Trivia
Database exports (.json, opentdb.py); and reading a stored pack again the way it was read at upload."""

from __future__ import annotations

from dataclasses import replace
from pathlib import PurePath

from quizbot.questions.opentdb import ImportRefused, parse_opentdb
from quizbot.questions.packs import Pack, parse_pack
from quizbot.questions.ports import StoredPack
from quizbot.questions.provenance import OPENTDB_LICENCE, PackFormat

OPENTDB_SUFFIX = ".json"


def parse_upload(filename: str, text: str, *, licence: str | None = None) -> Pack:
    """An uploaded file's pack, with the licence its uploader stated (an Open Trivia Database export
    has its own, and a different one stated is refused); PackError says what is wrong."""
    stem = PurePath(filename).stem
    if filename.lower().endswith(OPENTDB_SUFFIX):
        if licence is not None and licence.strip() != OPENTDB_LICENCE:
            raise ImportRefused(filename, "licence_fixed", licence=OPENTDB_LICENCE)
        return parse_opentdb(text, source=filename, pack_id=stem)
    pack = parse_pack(text, source=filename, default_id=stem)
    return replace(pack, provenance=pack.provenance.licensed(licence))


def parse_stored(stored: StoredPack) -> Pack:
    """A stored pack read again by the reader of the format it was uploaded in."""
    if stored.provenance.format is PackFormat.OPENTDB:
        return parse_opentdb(stored.body, source=stored.pack_id, pack_id=stored.pack_id)
    return parse_pack(stored.body, source=stored.pack_id, default_id=stored.pack_id)
