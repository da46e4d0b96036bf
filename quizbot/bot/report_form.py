"""The form a player fills in to report a question, and the checks its submit goes through.

The form is a Discord modal: a Label around a select of the four reasons (wrong answer, unclear,
offensive, outdated) and a Label around an optional paragraph of at most MAX_NOTE characters. Its
custom id is the Report button's (`qb:p:<question identity>`), so a submit names its question by
itself: the modal is sent with disnake's `send_modal(title=, custom_id=, components=)` and not kept
in disnake's modal store (whose entries a restart loses and a timer drops), and the reports cog
answers every submit from its `on_modal_submit` listener, whenever it comes.

Discord's client enforces the form (one reason, the note's length), but any value can arrive in any
field: `submitted` checks the id, the reason and the note again and refuses anything else.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import disnake
from disnake.ui.select.string import StringSelect

from quizbot.bot.catalogue import Listed, Refused, problem, say
from quizbot.bot.custom_ids import parse_report, report_id
from quizbot.bot.reveal_view import cut
from quizbot.i18n import LocaleLike
from quizbot.storage.reports import MAX_NOTE, REASONS

REASON_FIELD, NOTE_FIELD = "reason", "note"
TITLE_LIMIT, LABEL_LIMIT, DESCRIPTION_LIMIT, PLACEHOLDER_LIMIT = 45, 45, 100, 100  # Discord's


@dataclass(frozen=True, slots=True)
class Report:
    """What a player's submit says: which question, why, and their note (perhaps empty)."""

    identity: str
    reason: str
    note: str


def report_form(identity: str, locale: LocaleLike) -> dict[str, Any]:
    """`send_modal`'s arguments for the report form of one question, worded in the reader's `locale`."""
    reasons = StringSelect(
        custom_id=REASON_FIELD,
        placeholder=cut(say("report.form.reason_placeholder", locale), PLACEHOLDER_LIMIT),
        options=[
            disnake.SelectOption(
                label=cut(say(f"report.reason.{reason}", locale), 100),
                value=reason,
                description=cut(say(f"report.reason.{reason}.about", locale), 100),
            )
            for reason in REASONS
        ],
        min_values=1,
        max_values=1,
        required=True,
    )
    note = disnake.ui.TextInput(
        custom_id=NOTE_FIELD,
        style=disnake.TextInputStyle.paragraph,
        placeholder=cut(say("report.form.note_placeholder", locale), PLACEHOLDER_LIMIT),
        max_length=MAX_NOTE,
        required=False,
    )
    return {
        "title": cut(say("report.form.title", locale), TITLE_LIMIT),
        "custom_id": report_id(identity),
        "components": [
            disnake.ui.Label(cut(say("report.form.reason", locale), LABEL_LIMIT), reasons),
            disnake.ui.Label(
                cut(say("report.form.note", locale), LABEL_LIMIT),
                note,
                description=cut(say("report.form.note_about", locale, count=MAX_NOTE), DESCRIPTION_LIMIT),
            ),
        ],
    }


def submitted(custom_id: str, values: dict[str, Any]) -> Report:
    """The report a modal submit makes, its id, reason and note checked; Refused (a catalogue entry)
    for a form quizbot did not open, a reason that is not exactly one of REASONS, or a note that is
    not text of at most MAX_NOTE characters PostgreSQL can keep."""
    identity = parse_report(custom_id)
    if identity is None:
        raise Refused(problem("report.form_unknown"))
    chosen = values.get(REASON_FIELD)
    if not isinstance(chosen, list | tuple) or len(chosen) != 1 or chosen[0] not in REASONS:
        named = Listed(tuple(problem(f"report.reason.{reason}") for reason in REASONS), either=True)
        raise Refused(problem("report.bad_reason", reasons=named))
    note = values.get(NOTE_FIELD, "")
    if not isinstance(note, str) or "\x00" in note:
        raise Refused(problem("report.note_unreadable"))
    note = note.strip()
    if len(note) > MAX_NOTE:
        raise Refused(problem("report.note_too_long", count=MAX_NOTE, length=len(note)))
    return Report(identity, chosen[0], note)
