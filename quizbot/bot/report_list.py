"""/settings reports: a server's reported questions, a page at a time, for its admins to act on.

Each page lists up to PAGE_SIZE questions, most reported first: the question's text (cut to fit),
how many reports and for which reasons, when the last came, and the latest notes (as plain text).
Each has a Hide button (the question leaves this server's games, study decks and question of the
day) and a Dismiss button (its reports are closed, the question stays); Previous and Next turn the
pages. The list is private to the admin who asked; every click is checked again (Manage Server) and
answered by editing the list, with a line saying what was done once it is stored.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import disnake
from disnake.interactions.base import Interaction

from quizbot import i18n
from quizbot.bot.catalogue import Listed, problem, say
from quizbot.bot.context import QuizContext, reply
from quizbot.bot.custom_ids import ReportsAction, ReportsButton
from quizbot.bot.render import display
from quizbot.bot.reveal_view import cut
from quizbot.i18n import LocaleLike
from quizbot.storage.questions import find_questions
from quizbot.storage.reports import ReportSummary, count_open_reports, open_reports

PAGE_SIZE = 4  # a row of Hide and Dismiss each, and a row to turn pages: Discord's five rows
LIST_COLOUR = 0xED4245
NOTE_LIMIT = 200  # characters of a note shown
QUESTION_LIMIT = 200  # characters of a question's text in a field's name (Discord allows 256)


@dataclass(frozen=True, slots=True)
class Reported:
    """One reported question as listed: its reports, its text if known, whether it is still asked here."""

    summary: ReportSummary
    text: str | None
    in_play: bool


@dataclass(frozen=True, slots=True)
class ReportsPage:
    """A page of a server's reported questions (from 0), of `pages`, of `total` questions in all."""

    reported: tuple[Reported, ...]
    page: int
    pages: int
    total: int


async def load_page(ctx: QuizContext, guild_id: int, page: int) -> ReportsPage:
    """Page `page` of the guild's open reports (the last page when there are fewer now)."""
    total = await count_open_reports(ctx.db, guild_id)
    pages = max(1, math.ceil(total / PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    summaries = (
        await open_reports(ctx.db, guild_id, limit=PAGE_SIZE, offset=page * PAGE_SIZE) if total else []
    )
    texts = await question_texts(ctx, guild_id, [summary.question_id for summary in summaries])
    reported = tuple(Reported(s, *texts.get(s.question_id, (None, False))) for s in summaries)
    return ReportsPage(reported, page, pages, total)


async def question_texts(
    ctx: QuizContext, guild_id: int, identities: list[str]
) -> dict[str, tuple[str, bool]]:
    """Each question's text and whether it is still asked in the guild; one no longer in play is read
    from the questions the games stored (absent if none holds it)."""
    found: dict[str, tuple[str, bool]] = {}
    for identity in identities:
        question = await ctx.lookup.find(identity, guild_id)
        if question is not None:
            found[identity] = (question.text, True)
    gone = [identity for identity in identities if identity not in found]
    for identity, question in (await find_questions(ctx.db, gone) if gone else {}).items():
        found[identity] = (question.text, False)
    return found


async def show_reports(ctx: QuizContext, inter: Interaction[Any]) -> None:
    """/settings reports' answer, privately (its caller checked Manage Server and deferred): page one."""
    shown = await load_page(ctx, inter.guild_id or 0, 0)
    await reply(inter, **reports_message(shown, inter.locale))


def reports_message(shown: ReportsPage, locale: LocaleLike, done: str | None = None) -> dict[str, Any]:
    """The list's message (content, embed, components), in the admin's `locale`; `done` says what the
    click that led here did."""
    embed = disnake.Embed(title=say("reports.title", locale), colour=LIST_COLOUR)
    if not shown.reported:
        embed.description = say("reports.empty", locale)
    else:
        embed.description = say("reports.description", locale)
        page = say("reports.page", locale, page=shown.page + 1, pages=shown.pages, count=shown.total)
        embed.set_footer(text=page)
    rows: list[disnake.ui.ActionRow[Any]] = []
    for place, reported in enumerate(shown.reported):
        number = shown.page * PAGE_SIZE + place + 1
        embed.add_field(_heading(number, reported), _details(reported, locale), inline=False)
        rows.append(_actions(number, shown.page, reported.summary.question_id, locale))
    if shown.pages > 1:
        rows.append(_turns(shown, locale))
    return {"content": done, "embed": embed, "components": rows}


def question_named(text: str | None, identity: str) -> str:
    """A question as a confirmation names it: its text, cut and shown as plain text, or its identity."""
    return display(cut(text, 100)) if text else identity


def _heading(number: int, reported: Reported) -> str:
    text = reported.text if reported.text is not None else reported.summary.question_id
    return cut(f"{number}. {cut(text, QUESTION_LIMIT)}", 256)


def _details(reported: Reported, locale: LocaleLike) -> str:
    """How many reports and why, when the last came, whether it is still asked, the latest notes."""
    summary = reported.summary
    reasons = Listed(
        tuple(
            problem("reports.reason_count", reason=problem(f"report.reason.{reason}"), number=count)
            for reason, count in summary.reasons.items()
        ),
        plain=True,
    )
    when = disnake.utils.format_dt(summary.last_reported, "R")
    lines = [
        say("reports.reported", locale, count=summary.count, reasons=reasons),
        say("reports.last", locale, when=when),
    ]
    if not reported.in_play:
        lines.append(say("reports.not_in_play", locale))
    lines.extend(f"> {display(cut(' '.join(note.split()), NOTE_LIMIT))}" for note in summary.notes)
    return cut("\n".join(lines), 1024)


def _actions(number: int, page: int, identity: str, locale: LocaleLike) -> disnake.ui.ActionRow[Any]:
    """Hide and Dismiss for the question listed as `number`."""
    hide = ReportsButton(ReportsAction.HIDE, page, identity).encode()
    dismiss = ReportsButton(ReportsAction.DISMISS, page, identity).encode()
    return disnake.ui.ActionRow(
        disnake.ui.Button(
            style=disnake.ButtonStyle.danger,
            label=cut(say("reports.hide", locale, number=number), 80),
            custom_id=hide,
        ),
        disnake.ui.Button(
            style=disnake.ButtonStyle.secondary,
            label=cut(say("reports.dismiss", locale, number=number), 80),
            custom_id=dismiss,
        ),
    )


def _turns(shown: ReportsPage, locale: LocaleLike) -> disnake.ui.ActionRow[Any]:
    """Previous and Next, each disabled at its end."""
    before, after = max(shown.page - 1, 0), min(shown.page + 1, shown.pages - 1)
    return disnake.ui.ActionRow(
        disnake.ui.Button(
            style=disnake.ButtonStyle.secondary,
            label=cut(i18n.text(locale, "reports.previous"), 80),
            custom_id=ReportsButton(ReportsAction.PAGE, before).encode(),
            disabled=shown.page == 0,
        ),
        disnake.ui.Button(
            style=disnake.ButtonStyle.secondary,
            label=cut(i18n.text(locale, "reports.next"), 80),
            custom_id=ReportsButton(ReportsAction.PAGE, after).encode(),
            disabled=shown.page >= shown.pages - 1,
        ),
    )
