"""The bot owner's command line for reported questions: `quizbot questions reports` lists the ones
reported from several servers, `quizbot questions hide ID --reason TEXT` hides one everywhere.

Arguments are checked before the database is opened; a bad one is a one-line error and exit code
2, with nothing stored. The output is English, like the rest of the command line.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING

from quizbot.config import Settings
from quizbot.errors import InvalidValue
from quizbot.game.questions import Question, is_identity
from quizbot.storage.connect import open_database
from quizbot.storage.pool import Database
from quizbot.storage.questions import find_questions
from quizbot.storage.reports import (
    EVERYWHERE,
    FLAG_GUILDS,
    MAX_NOTE,
    Flagged,
    check_note,
    flagged_questions,
    hide_question,
)

if TYPE_CHECKING:
    from quizbot.questions.bank import QuestionBank

EXIT_USAGE = 2
OWNER = 0  # hidden_by for the owner, from the command line
BANK_SOURCE = "pack:"  # how a question read from a shipped pack file names its source
SHOWN_TEXT = 120  # characters of a question's text in a listing
REASON_WORDS = {"wrong": "wrong answer"}  # the others read as they are stored


def add_commands(question_commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`questions reports` and `questions hide` on the `quizbot questions` parser."""
    reports = question_commands.add_parser(
        "reports", help="list the questions players reported from several servers"
    )
    reports.add_argument(
        "--servers",
        type=int,
        default=FLAG_GUILDS,
        help=f"list questions reported from at least this many servers (default {FLAG_GUILDS})",
    )
    hide = question_commands.add_parser("hide", help="hide a question everywhere, with a reason")
    hide.add_argument("question", help="its identity (q1_...) or a shipped bank id (science-012)")
    hide.add_argument("--reason", help=f"why it is hidden, at most {MAX_NOTE} characters (required)")


@dataclass(frozen=True, slots=True)
class HideRequest:
    """A checked `questions hide`: the ID as given and the reason."""

    target: str
    reason: str


def checked_hide(target: str, reason: str | None) -> HideRequest:
    """The arguments of `questions hide`, checked before the database is opened; InvalidValue if bad."""
    target = target.strip()
    if not target:
        raise InvalidValue("name the question to hide: its identity (q1_...) or a bank id (science-012)")
    text = (reason or "").strip()
    if not text:
        raise InvalidValue("give the reason it is hidden with --reason (players' reports are kept with it)")
    if len(text) > MAX_NOTE:
        raise InvalidValue(f"the reason is {len(text)} characters; at most {MAX_NOTE}")
    return HideRequest(target, check_note(text, "the reason"))


async def run(args: argparse.Namespace, settings: Settings) -> int:
    """Run `questions reports` or `questions hide`; the process exit code."""
    try:
        if args.questions_command == "hide":
            request = checked_hide(args.question, args.reason)
            bank = _bank()
            async with open_database(settings) as db:
                print(await hide_everywhere(db, bank, request))
            return 0
        if args.servers < 1:
            raise InvalidValue(f"--servers must be at least 1, got {args.servers}")
        bank = _bank()
        async with open_database(settings) as db:
            print(await flagged_listing(db, bank, min_guilds=args.servers))
        return 0
    except InvalidValue as error:
        print(f"quizbot: {error}", file=sys.stderr)
        return EXIT_USAGE


def _bank() -> QuestionBank:
    from quizbot.questions.bank import QuestionBank  # noqa: PLC0415 - the packs load only for these commands

    bank, _errors = QuestionBank.load()  # a pack that does not load is logged by load
    return bank


async def flagged_listing(db: Database, bank: QuestionBank, *, min_guilds: int = FLAG_GUILDS) -> str:
    """The flagged questions as text: identity, bank id, servers, reports and reasons, then the text."""
    flagged = await flagged_questions(db, min_guilds=min_guilds)
    if not flagged:
        return f"no question is reported from at least {_servers(min_guilds)}"
    known = await _questions(db, bank, [f.question_id for f in flagged])
    count = len(flagged)
    lines = [f"{count} question{'s' if count != 1 else ''} reported from at least {_servers(min_guilds)}:"]
    for entry in flagged:
        lines.extend(_flagged_lines(entry, known.get(entry.question_id), bank))
    return "\n".join(lines)


async def hide_everywhere(db: Database, bank: QuestionBank, request: HideRequest) -> str:
    """Hide the question `request` names in every server; what was done, as a line. InvalidValue for an
    ID that names no question the bank or any game has held."""
    question = await _named(db, bank, request.target)
    hidden = await hide_question(
        db, guild_id=EVERYWHERE, question_id=question.identity, hidden_by=OWNER, reason=request.reason
    )
    verdict = "hidden everywhere" if hidden else "already hidden everywhere"
    return f"{verdict}: {_label(question, bank)} {_shown(question.text)}"


async def _named(db: Database, bank: QuestionBank, target: str) -> Question:
    """The question an identity or a shipped bank id names."""
    if is_identity(target):
        found = (await _questions(db, bank, [target])).get(target)
        if found is None:
            raise InvalidValue(
                f"no question has the identity {target}: not in the bank, nor asked in any game"
            )
        return found
    by_id = next((q for qs in bank.by_category.values() for q in qs if q.question_id == target), None)
    if by_id is None:
        raise InvalidValue(
            f"{target!r} is neither a question's identity (q1_ and 22 characters) nor a bank id (science-012)"
        )
    return by_id


async def _questions(db: Database, bank: QuestionBank, identities: list[str]) -> dict[str, Question]:
    """The questions by identity: the bank's as it is now, else as a game stored them."""
    found = {identity: q for identity in identities if (q := bank.find(identity)) is not None}
    missing = [identity for identity in identities if identity not in found]
    return found | (await find_questions(db, missing) if missing else {})


def _flagged_lines(entry: Flagged, question: Question | None, bank: QuestionBank) -> list[str]:
    reasons = ", ".join(
        f"{REASON_WORDS.get(reason, reason)} {count}" for reason, count in entry.reasons.items()
    )
    label = entry.question_id if question is None else _label(question, bank)
    reports = f"{entry.reports} report{'s' if entry.reports != 1 else ''}"
    text = "(the question is no longer stored)" if question is None else _shown(question.text)
    return [f"{label}  {_servers(entry.guilds)}, {reports} ({reasons})", f"    {text}"]


def _label(question: Question, bank: QuestionBank) -> str:
    """The identity, with the bank id when the shipped bank holds the question now, else where it
    came from (a pack's, an older version of a bank question, a provider's)."""
    if bank.find(question.identity) is not None:
        return f"{question.identity}  {question.question_id}"
    if question.source.startswith(BANK_SOURCE):
        return f"{question.identity}  ({question.question_id}, changed in the bank since)"
    return f"{question.identity}  ({question.source})"


def _servers(count: int) -> str:
    return f"{count} server{'s' if count != 1 else ''}"


def _shown(text: str) -> str:
    """A question's text on one line, cut to SHOWN_TEXT characters."""
    line = " ".join(text.split())
    return line if len(line) <= SHOWN_TEXT else line[: SHOWN_TEXT - 1] + "…"
