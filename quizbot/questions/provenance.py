"""Where a pack's questions came from and under what licence, kept with the pack so it can be credited.

A pack is quizbot's own YAML, a Red-DiscordBot trivia list or an Open Trivia Database export. Its
origin names who made the questions (a pack's `author:`, a Red list's AUTHOR, the Open Trivia
Database); its licence is what the uploader stated (fixed for the Open Trivia Database, CC BY-SA
4.0), and its attribution the credit line that licence asks to be shown with the questions.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

MAX_ORIGIN = 200
MAX_LICENCE = 100
MAX_ATTRIBUTION = 300


class PackFormat(StrEnum):
    """The file format a pack was read from (stored with it, so it is read the same way again)."""

    QUIZBOT = "quizbot"
    RED = "red"
    OPENTDB = "opentdb"


@dataclass(frozen=True, slots=True)
class Provenance:
    """A pack's format, who made its questions, their licence and the credit line it requires."""

    format: PackFormat = PackFormat.QUIZBOT
    origin: str = ""
    licence: str = ""
    attribution: str = ""

    def licensed(self, licence: str | None) -> Provenance:
        """The same provenance with the licence its uploader stated (None: as it was)."""
        if licence is None:
            return self
        return Provenance(self.format, self.origin, licence.strip()[:MAX_LICENCE], self.attribution)

    @classmethod
    def stored(cls, format_: str, origin: str, licence: str, attribution: str) -> Provenance:
        """As a row holds it; an unknown format reads as quizbot's own (the column's default)."""
        known = format_ if format_ in FORMATS else PackFormat.QUIZBOT
        return cls(PackFormat(known), origin, licence, attribution)


FORMATS = frozenset(member.value for member in PackFormat)
QUIZBOT_PACK = Provenance()
OPENTDB_LICENCE = "CC BY-SA 4.0"
OPENTDB = Provenance(
    PackFormat.OPENTDB,
    origin="Open Trivia Database",
    licence=OPENTDB_LICENCE,
    attribution=f"Questions from the Open Trivia Database (opentdb.com), {OPENTDB_LICENCE}",
)


def authored(format_: PackFormat, author: object) -> Provenance:
    """A quizbot pack's or Red list's provenance from its author field, if that is text (else none)."""
    origin = " ".join(author.split())[:MAX_ORIGIN] if isinstance(author, str) else ""
    return Provenance(format_, origin)
