"""How a question's close looks in its channel: the reveal (the answer, its explanation, who got it
right) and the Report button every revealed question carries, worded in the channel's language.

`render.py` puts these into its messages (a close is one edit of the question's own message, which
keeps its disabled answer buttons and gains Report); the question of the day's recap offers the
same Report for yesterday's question. Report's id names the question by its identity only, so it
works from any message, in any channel or DM, long after the game is over.
"""

from __future__ import annotations

import disnake

from quizbot import i18n
from quizbot.bot.custom_ids import report_id
from quizbot.game.effects import Reveal
from quizbot.game.questions import Question, QuestionKind
from quizbot.i18n import LocaleLike

REVEAL_COLOUR = 0x57F287
TOP = 10  # players named in a reveal


def reveal_embed(event: Reveal, language: LocaleLike) -> disnake.Embed:
    """The answer as a title, the explanation, and who got it right (the first TOP, then a count)."""
    question = event.question
    right = [r for r in event.results if r.correct]
    answer = cut(correct_answer(question, language), 200)
    embed = disnake.Embed(
        title=cut(i18n.text(language, "channel.reveal.title", answer=answer), 256),
        description=cut(question.explanation, 1000) or None,
        colour=REVEAL_COLOUR,
    )
    heading = i18n.text(language, "channel.reveal.right")
    if not right:
        embed.add_field(heading, i18n.text(language, "channel.reveal.nobody"), inline=False)
        return embed
    separator = i18n.text(language, "channel.separator")
    names = separator.join(
        i18n.text(language, "channel.reveal.scorer", name=cut(r.name, 32), points=r.points)
        for r in right[:TOP]
    )
    if len(right) > TOP:
        names = i18n.text(language, "channel.reveal.and_more", names=names, count=len(right) - TOP)
    embed.add_field(heading, cut(names, 1000), inline=False)
    return embed


def report_button(question: Question, language: LocaleLike) -> disnake.ui.Button[None]:
    """Report: opens the form to say what is wrong with this question (its id is the question's)."""
    return disnake.ui.Button(
        style=disnake.ButtonStyle.secondary,
        label=cut(i18n.text(language, "channel.report.button"), 80),
        emoji="🚩",
        custom_id=report_id(question.identity),
    )


def shown_options(question: Question, language: LocaleLike) -> tuple[str, ...]:
    """A question's options as shown: a true/false question's two are words of the channel's language."""
    if question.kind is QuestionKind.TRUE_FALSE:
        return (i18n.text(language, "channel.option.true"), i18n.text(language, "channel.option.false"))
    return question.options


def correct_answer(question: Question, language: LocaleLike) -> str:
    """The right answer as shown (a true/false question's in the channel's language)."""
    if question.kind is QuestionKind.TRUE_FALSE and question.answer_index is not None:
        return shown_options(question, language)[question.answer_index]
    return question.correct_text


def cut(text: str, limit: int) -> str:
    """`text` shortened to `limit` characters, with an ellipsis when cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
