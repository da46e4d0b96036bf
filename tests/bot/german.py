"""A test-only German beside the shipped English, to see replies follow the reader's language.

Until real translations land, `german_catalogue` writes the shipped en-US.json and a few German
messages into a folder of its own and loads them with `Catalogue.load(directory=...)`; `speaking`
makes that catalogue the one every lookup uses. A key German lacks is shown in English.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from quizbot import i18n
from quizbot.i18n import LOCALES, Catalogue
from tests.i18n.conftest import as_json

GERMAN = {
    "reply.sorry": "❌ Entschuldigung",
    "generic_error": "Etwas ist schiefgelaufen. Bitte versuche es später noch einmal.",
    "session_not_found": "In diesem Kanal läuft gerade kein Quiz. Starte eines mit `/trivia start`.",
    "stale_button": "Dieser Knopf gehört zu einer früheren Frage und bewirkt nichts mehr.",
    "button_retired": "Dieser Knopf wird nicht mehr verwendet.",
    "invalid_input": "Das sah nicht richtig aus: {detail}",
    "not_now": "Das geht gerade nicht: {detail}",
    "option_too_long": "**{option}** darf höchstens {limit} Zeichen lang sein.",
    "option_range": "**{option}** muss eine ganze Zahl von {low} bis {high} sein.",
    "file_wrong_kind": "**{option}** muss eine {suffixes}-Datei sein.",
    "file_too_big": "**{option}** {filename}: hat {size} Byte; erlaubt sind höchstens {limit}.",
    "answer_taken": "Du hast **{letter}** gewählt.",
    "answer_changed": "Geändert zu **{letter}**.",
    "reply.why_no_more_hints": "für diese Frage gibt es keine weiteren Tipps",
    "reply.why_quiz_stopped": "das Quiz wurde beendet",
    "solo_starting": "📚 Dein Lernquiz beginnt!",
    "solo_check_dms": "📬 Schau in deine Direktnachrichten: Dort beginnt dein Lernquiz.",
    "reply.quiz_size#one": "{count} Frage ({difficulty}) aus {source}, je {seconds}.",
    "reply.quiz_size#other": "{count} Fragen ({difficulty}) aus {source}, je {seconds}.",
    "reply.difficulty_medium": "mittel",
    "reply.seconds#one": "{count} Sekunde",
    "reply.seconds#other": "{count} Sekunden",
    "reply.days#one": "{count} Tag",
    "reply.days#other": "{count} Tage",
    "reply.stats_streak_value": "{days} (Bestwert: {best})",
    "study.deck": "**{reviews}** und **{new}**, je {seconds}.",
    "study.reviews#one": "{count} Karte zum Wiederholen",
    "study.reviews#other": "{count} Karten zum Wiederholen",
    "study.new#one": "{count} neue Frage",
    "study.new#other": "{count} neue Fragen",
}
# Other parts' keys, used where English has them: option names as German clients show them, and
# an achievement's name as the channel words it.
GERMAN_ELSEWHERE = {
    "cmd.trivia.start.questions.name": "fragen",
    "cmd.trivia.start.topic.name": "thema",
    "channel.achievement.first_quiz.name": "Erste Schritte",
}


def german_catalogue(folder: Path) -> Catalogue:
    """English as shipped and the test's German, read and checked as files are at start-up."""
    (folder / "en-US.json").write_text((LOCALES / "en-US.json").read_text(encoding="utf-8"), encoding="utf-8")
    english = i18n.active().keys()
    shipped = {key: text for key, text in GERMAN_ELSEWHERE.items() if key in english}
    (folder / "de.json").write_text(as_json(GERMAN | shipped), encoding="utf-8")
    return Catalogue.load(folder, ("en-US", "de"))


@contextmanager
def speaking(catalogue: Catalogue) -> Iterator[Catalogue]:
    """Make `catalogue` the one every lookup uses, then put back what was loaded before."""
    before = i18n.active()
    i18n._active = catalogue
    try:
        yield catalogue
    finally:
        i18n._active = before
