"""Imported packs at the edge: the credit line each server pack shows (where its questions came from,
their licence and the attribution it asks for) and an import's refusal, both from the catalogue."""

from __future__ import annotations

from disnake.utils import escape_markdown, escape_mentions

from quizbot.bot.catalogue import Problem, problem, problem_of, say
from quizbot.i18n import LocaleLike
from quizbot.questions.opentdb import ImportRefused
from quizbot.questions.provenance import PackFormat, Provenance

# The source's words by format, without and with a named author.
SOURCES = {
    PackFormat.QUIZBOT: ("imports.source_pack", "imports.source_pack_by"),
    PackFormat.RED: ("imports.source_red", "imports.source_red_by"),
    PackFormat.OPENTDB: ("imports.source_opentdb", "imports.source_opentdb"),
}


def import_refused(error: ImportRefused) -> Problem:
    """Why an import file was refused, worded by the catalogue and located: file, question, field."""
    why = problem_of(f"imports.why_{error.reason}", error.details)
    if error.number is None:
        where = problem("imports.in_file", file=error.source, why=why)
    elif error.key is None:
        where = problem("imports.in_question", file=error.source, number=error.number, why=why)
    else:
        where = problem("imports.in_field", file=error.source, number=error.number, field=error.key, why=why)
    return problem("invalid_input", detail=where)


def credit(provenance: Provenance, locale: LocaleLike) -> str:
    """Where a server pack's questions came from and their licence, then the attribution it requires
    (kept as its licence words it); what an uploader typed is shown as text, never as markdown."""
    plain, named = SOURCES[provenance.format]
    origin = _shown(provenance.origin)
    source = say(named, locale, author=origin) if origin and named != plain else say(plain, locale)
    licence = (
        say("imports.licence", locale, licence=_shown(provenance.licence))
        if provenance.licence
        else say("imports.no_licence", locale)
    )
    lines = [say("imports.credit", locale, source=source, licence=licence)]
    if provenance.attribution:
        lines.append(say("imports.attribution", locale, attribution=_shown(provenance.attribution)))
    return "\n".join(lines)


def _shown(text: str) -> str:
    return escape_mentions(escape_markdown(text))
