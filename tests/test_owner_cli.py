"""`quizbot questions reports` and `quizbot questions hide`, run in process through quizbot.__main__.main
(on a thread of its own, so its asyncio.run has its own loop) against this test's schema."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime

import pytest

from quizbot import __main__ as cli
from quizbot.game.questions import Question
from quizbot.questions.bank import QuestionBank
from quizbot.storage.pool import Database
from quizbot.storage.questions import keep_questions
from quizbot.storage.reports import FLAG_GUILDS, MAX_NOTE, file_report, flagged_questions, hidden_for
from quizbot.testing.actors import with_search_path

NOON = datetime(2026, 11, 18, 12, 0, tzinfo=UTC)
GUILDS = [(50 + n) << 22 for n in range(FLAG_GUILDS)]


@dataclass(frozen=True)
class Ran:
    code: int
    out: str
    err: str


Command = Callable[..., Awaitable[Ran]]


@pytest.fixture
def command(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], server_url: str, schema_name: str
) -> Command:
    """Runs `quizbot *args` in process against this test's schema; its exit code and output."""
    for name in ("QUIZBOT_DATA_DIR", "DISCORD_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", with_search_path(server_url, schema_name))
    monkeypatch.setattr(cli, "configure_logging", lambda level: None)  # keep the tests' own sinks

    async def run(*args: str) -> Ran:
        capsys.readouterr()
        code = await asyncio.to_thread(cli.main, ["questions", *args])
        seen = capsys.readouterr()
        return Ran(code, seen.out, seen.err)

    return run


@pytest.fixture(scope="module")
def bank() -> QuestionBank:
    return QuestionBank.load()[0]


def bank_question(bank: QuestionBank, question_id: str) -> Question:
    return next(q for qs in bank.by_category.values() for q in qs if q.question_id == question_id)


async def report_from(db: Database, question: Question, guilds: list[int], reason: str = "wrong") -> None:
    """One report of `question` from each guild, by a player of that guild."""
    for n, guild in enumerate(guilds):
        await file_report(
            db,
            question_id=question.identity,
            user_id=guild + n,
            guild_id=guild,
            reason=reason,
            note="",
            now=NOON,
        )


async def test_reports_lists_the_questions_reported_from_several_servers(
    db: Database, bank: QuestionBank, command: Command
) -> None:
    """A bank question and a generated one reported from three servers are listed with their identity,
    bank id or source, servers, reports, reasons and text; one from two servers only with --servers 2."""
    science = bank_question(bank, "science-012")
    generated = replace(
        science, question_id="llm-openai-00aa", source="openai", text="Is a  generated\nquestion?"
    )
    fewer = bank_question(bank, "history-003")
    await keep_questions(db, [generated])
    await report_from(db, science, GUILDS)
    await report_from(db, science, [GUILDS[0] + 1], reason="unclear")
    await report_from(db, generated, GUILDS, reason="outdated")
    await report_from(db, fewer, GUILDS[:2])

    ran = await command("reports")
    assert ran.code == 0, ran.err
    lines = ran.out.splitlines()
    assert lines[0] == "2 questions reported from at least 3 servers:"
    assert lines[1] == f"{science.identity}  science-012  4 servers, 4 reports (wrong answer 3, unclear 1)"
    assert lines[2] == f"    {science.text}"
    assert lines[3] == f"{generated.identity}  (openai)  3 servers, 3 reports (outdated 3)"
    assert lines[4] == "    Is a generated question?"
    assert fewer.identity not in ran.out
    wider = await command("reports", "--servers", "2")
    assert wider.code == 0 and f"{fewer.identity}  history-003  2 servers" in wider.out


async def test_reports_says_when_there_are_none(db: Database, command: Command) -> None:
    ran = await command("reports")
    assert (ran.code, ran.out.strip()) == (0, "no question is reported from at least 3 servers")


async def test_hide_by_bank_id_hides_it_everywhere_and_clears_the_flag(
    db: Database, bank: QuestionBank, command: Command
) -> None:
    """`hide science-012 --reason ...` hides it in every server and in DMs; the flag goes; again says so."""
    science = bank_question(bank, "science-012")
    await report_from(db, science, GUILDS)
    ran = await command("hide", "science-012", "--reason", "  the answer changed in 2025  ")
    assert ran.code == 0, ran.err
    assert ran.out.startswith(f"hidden everywhere: {science.identity}  science-012 ")
    for guild in (*GUILDS, 0, 12345):
        assert science.identity in await hidden_for(db, guild)
    assert await flagged_questions(db) == []
    reason = await db.pool.fetchval("SELECT reason FROM hidden_questions WHERE guild_id = 0")
    assert reason == "the answer changed in 2025"
    again = await command("hide", science.identity, "--reason", "still wrong")
    assert again.code == 0 and again.out.startswith("already hidden everywhere: ")


async def test_hide_by_identity_takes_a_generated_question(
    db: Database, bank: QuestionBank, command: Command
) -> None:
    generated = replace(bank_question(bank, "science-012"), question_id="llm-google-11bb", source="google")
    await keep_questions(db, [generated])
    ran = await command("hide", generated.identity, "--reason", "made up")
    assert ran.code == 0, ran.err
    assert ran.out.startswith(f"hidden everywhere: {generated.identity}  (google) ")
    assert await hidden_for(db, 0) == {generated.identity}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["science-9999", "--reason", "wrong"], "neither a question's identity"),
        (["q1_" + "A" * 22, "--reason", "wrong"], "no question has the identity q1_AAAA"),
        (["q1_short", "--reason", "wrong"], "neither a question's identity"),
        (["science-012"], "give the reason it is hidden with --reason"),
        (["science-012", "--reason", "   "], "give the reason it is hidden with --reason"),
        (
            ["science-012", "--reason", "x" * (MAX_NOTE + 1)],
            f"the reason is {MAX_NOTE + 1} characters; at most",
        ),
        (["science-012", "--reason", "nul\x00"], "NUL"),
        ([" ", "--reason", "wrong"], "name the question to hide"),
    ],
)
async def test_a_bad_hide_exits_2_with_nothing_stored(
    db: Database, command: Command, args: list[str], message: str
) -> None:
    """An unknown or malformed ID, a missing, blank or over-long reason: one line on stderr, exit 2."""
    ran = await command("hide", *args)
    assert ran.code == cli.owner.EXIT_USAGE
    assert ran.err.startswith("quizbot: ") and message in ran.err and "Traceback" not in ran.err
    assert ran.out == ""
    assert await db.pool.fetchval("SELECT count(*) FROM hidden_questions") == 0


async def test_a_bad_server_count_exits_2(db: Database, command: Command) -> None:
    ran = await command("reports", "--servers", "0")
    assert ran.code == 2 and "--servers must be at least 1" in ran.err


async def test_an_older_version_of_a_bank_question_is_labelled_so(
    db: Database, bank: QuestionBank, command: Command
) -> None:
    """A question a game asked before the bank changed it is shown with its bank id, marked changed."""
    older = replace(bank_question(bank, "science-012"), explanation="An explanation since rewritten.")
    await keep_questions(db, [older])
    await report_from(db, older, GUILDS)
    ran = await command("reports")
    assert f"{older.identity}  (science-012, changed in the bank since)  3 servers" in ran.out
