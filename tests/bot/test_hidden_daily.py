"""A question hidden in a server is never its question of the day: with every bank question but one
hidden there, the day's post asks that one (through the loopback Discord and PostgreSQL)."""

from __future__ import annotations

from quizbot.game.questions import QuestionKind
from quizbot.questions.bank import QuestionBank
from quizbot.storage.pool import Database
from tests.bot.test_daily_question import FIRST, bot, scene, todays_question, turn_on, until


async def hide_all_but(db: Database, guild_id: int, kept: str, bank: QuestionBank) -> None:
    """Hide every bank question in the guild except `kept` (an identity), in one statement."""
    others = [q.identity for qs in bank.by_category.values() for q in qs if q.identity != kept]
    await db.pool.execute(
        "INSERT INTO hidden_questions (guild_id, question_id) SELECT $1, unnest($2::text[])", guild_id, others
    )


async def test_the_question_of_the_day_is_never_a_hidden_one(db: Database) -> None:
    """Of 2,000-odd bank questions all but one are hidden in the club: the day's question is that one."""
    bank = QuestionBank.load()[0]
    kept = next(q for q in bank.by_category["space"] if q.kind is QuestionKind.MULTIPLE_CHOICE)
    async with scene(db) as (double, club, clock), bot(double, db, clock) as running:
        await hide_all_but(db, club.guild.id, kept.identity, bank)
        await turn_on(double, club)
        await until(running, clock, FIRST)
        assert (await todays_question(db, club, FIRST)).identity == kept.identity
