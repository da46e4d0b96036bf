"""Question reports through the real disnake client and the loopback Discord: the Report button on a
revealed question, the form it opens, each bad submit, and the game going on untouched."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from quizbot.bot.catalogue import MESSAGES, say
from quizbot.bot.custom_ids import parse_report
from quizbot.storage import reports as storage
from quizbot.storage.reports import MAX_NOTE, REASONS, REPORTS_PER_HOUR
from quizbot.testing import InteractionRecord, Member, MessageRecord, StandardGuild
from tests.bot.conftest import World
from tests.bot.play import answer_buttons, button_message, finish, next_question, start_quiz
from tests.bot.test_privacy import REFUSAL, final, settled
from tests.bot.test_study_cog import open_question, study

FORGED_IDENTITY = "q1_" + "Z" * 22  # shaped like an identity, naming no question


def report_ids(message: MessageRecord) -> list[str]:
    """The Report buttons' ids on a message."""
    return [c for c in message.custom_ids if parse_report(c) is not None]


async def revealed(world: World, where: StandardGuild, **options: Any) -> tuple[MessageRecord, str]:
    """Start a two-question quiz, let its first question close; the question's message (now showing
    the answer) and the identity its Report button names."""
    await start_quiz(world, where, **options)
    question = await next_question(world, where)
    await world.advance(5)  # the question closes: its message shows the answer
    closed = await world.double.wait_for_message(
        lambda m: m.id == question.id and bool(report_ids(m)), timeout=5, channel=where.channel.key
    )
    [report] = report_ids(closed)
    identity = parse_report(report)
    assert identity is not None
    return closed, identity


async def last_word(record: InteractionRecord) -> MessageRecord:
    """The bot's last, private word on an interaction."""
    await record.wait_until(settled, timeout=5.0, what="the bot's answer")
    said = final(record)
    assert said is not None and said.ephemeral
    return said


async def open_form(world: World, message: MessageRecord, player: Member) -> InteractionRecord:
    """Click the message's Report as `player`: the interaction the form answered."""
    [report] = report_ids(message)
    clicked = await world.double.click(message, report, player)
    await clicked.wait_ack()
    assert clicked.modal is not None, final(clicked)
    return clicked


async def file(world: World, form: InteractionRecord, values: dict[str, Any], **forged: Any) -> MessageRecord:
    """Submit the form with `values` (forged: any values, or another id); the bot's private reply."""
    return await last_word(await world.double.submit_modal(form, values, **forged))


async def use_up_the_hour(world: World, player: Member) -> None:
    """Store as many reports by `player` (of questions named by no game) as an hour allows."""
    now = datetime.now(UTC)
    for n in range(REPORTS_PER_HOUR):
        await storage.file_report(
            world.db,
            question_id=f"q1_{n:022d}",
            user_id=player.id,
            guild_id=world.club.guild.id,
            reason="wrong",
            note="",
            now=now,
        )


async def stored(world: World) -> list[Any]:
    return list(await world.db.pool.fetch("SELECT * FROM question_reports ORDER BY reported_at"))


async def test_a_revealed_question_is_reported_once_and_the_game_goes_on(world: World) -> None:
    """Report opens a form of the four reasons and a note of at most 300; the submit is thanked only
    once stored; a second report of the same question by the same player is refused before any form;
    the question's disabled answers stay, and the quiz carries on to its end."""
    club = world.club
    closed, identity = await revealed(world, club)
    answers = [
        b for row in closed.components for b in row["components"] if b["custom_id"] not in report_ids(closed)
    ]
    assert answers and all(b.get("disabled") for b in answers)  # the answers are closed; Report is not
    form = await open_form(world, closed, club.players[0])
    modal = form.modal
    assert modal is not None and modal["title"] == "Report this question"
    reason, note = (label["component"] for label in modal["components"])
    assert [o["value"] for o in reason["options"]] == list(REASONS)
    assert (note["max_length"], note["required"], note["style"]) == (MAX_NOTE, False, 2)

    thanked = await file(world, form, {"reason": ["wrong"], "note": "  It changed in 2024.  "})
    assert thanked.text == say("report.filed")
    [row] = await stored(world)
    assert (row["question_id"], row["user_id"], row["guild_id"]) == (
        identity,
        club.players[0].id,
        club.guild.id,
    )
    assert (row["reason"], row["note"], row["status"]) == ("wrong", "It changed in 2024.", "open")

    again = await world.double.click(closed, report_ids(closed)[0], club.players[0])
    refused = await last_word(again)
    assert again.modal is None and MESSAGES["report.already"] in refused.text

    since = time.monotonic()
    await world.advance(4)  # the pause after the scores: the second question comes as usual
    second = await next_question(world, club, since)
    assert answer_buttons(second) and not report_ids(second)
    await finish(world, 5)
    await world.double.wait_for_message(
        lambda m: "The quiz is over" in m.text, timeout=5, channel=club.channel.key
    )
    assert len(await stored(world)) == 1


async def test_a_typed_answer_game_s_reveal_offers_report(world: World) -> None:
    """A typed-answer question has no answer buttons; once revealed it has Report."""
    closed, _ = await revealed(world, world.club, mode="typed")
    assert not answer_buttons(closed) and len(report_ids(closed)) == 1


async def test_every_bad_submit_is_refused_and_stores_nothing(world: World) -> None:
    """What a modified client can send: no reason, an unknown one, two, a reason that is not a list,
    a note over 300 characters or with NUL, a form id quizbot never made or naming no question."""
    club = world.club
    closed, identity = await revealed(world, club)
    form = await open_form(world, closed, club.players[1])
    reasons = MESSAGES["report.bad_reason"].split(":")[0]
    cases: list[tuple[dict[str, Any], dict[str, Any], str]] = [
        ({"reason": []}, {}, reasons),
        ({"reason": ["spam"]}, {}, reasons),
        ({"reason": ["wrong", "unclear"]}, {}, reasons),
        ({"reason": "wrong"}, {}, reasons),
        (
            {"reason": ["wrong"], "note": "x" * (MAX_NOTE + 1)},
            {},
            "at most 300 characters long; yours has 301",
        ),
        ({"reason": ["wrong"], "note": "bad\x00note"}, {}, MESSAGES["report.note_unreadable"]),
        ({"reason": ["wrong"]}, {"custom_id": "qb:p:not-an-identity"}, MESSAGES["report.form_unknown"]),
        ({"reason": ["wrong"]}, {"custom_id": "feedback"}, MESSAGES["report.form_unknown"]),
        ({"reason": ["wrong"]}, {"custom_id": f"qb:p:{FORGED_IDENTITY}"}, MESSAGES["report.question_gone"]),
    ]
    for values, more, expected in cases:
        refused = await file(world, form, values, forged=True, **more)
        assert REFUSAL in refused.text and expected in refused.text, (values, more, refused.text)
    assert await stored(world) == []
    fine = await file(world, form, {"reason": ["unclear"]})  # the same form, sent as a client sends it
    assert fine.text == say("report.filed")
    assert [(r["question_id"], r["reason"], r["note"]) for r in await stored(world)] == [
        (identity, "unclear", "")
    ]


async def test_report_buttons_are_refused_when_forged_gone_or_over_the_limit(world: World) -> None:
    """A forged Report id is retired; one naming no question is gone; a player at the hour's limit
    gets no form; none of these stores anything."""
    club, player = world.club, world.club.players[0]
    for custom_id, expected in (
        ("qb:p:nonsense", MESSAGES["button_retired"]),
        (f"qb:p:{FORGED_IDENTITY}", MESSAGES["report.question_gone"]),
    ):
        old = await button_message(world, club, custom_id)
        clicked = await world.double.click(old, custom_id, player)
        assert expected in (await last_word(clicked)).text and clicked.modal is None
    closed, _ = await revealed(world, club)
    await use_up_the_hour(world, player)
    clicked = await world.double.click(closed, report_ids(closed)[0], player)
    refused = await last_word(clicked)
    assert clicked.modal is None and "You can send 10 reports an hour" in refused.text
    assert len(await stored(world)) == REPORTS_PER_HOUR


async def test_the_limit_and_the_question_are_checked_again_on_submit(world: World) -> None:
    """A form opened before the player reached the limit, or before the question was hidden here,
    is refused when submitted, storing nothing."""
    club = world.club
    closed, identity = await revealed(world, club)
    limited, hidden = club.players[0], club.players[1]
    late = await open_form(world, closed, limited)
    gone = await open_form(world, closed, hidden)
    await use_up_the_hour(world, limited)
    refused = await file(world, late, {"reason": ["outdated"]})
    assert "You can send 10 reports an hour" in refused.text
    await storage.hide_question(
        world.db, guild_id=club.guild.id, question_id=identity, hidden_by=club.admin.id, reason="test"
    )
    refused = await file(world, gone, {"reason": ["outdated"]})
    assert MESSAGES["report.question_gone"] in refused.text
    assert not [r for r in await stored(world) if r["question_id"] == identity]


async def test_a_study_question_is_reported_from_the_dm(world: World) -> None:
    """A study session's revealed question (in the player's DM) has Report too; its report belongs to
    no server (guild 0)."""
    player = world.club.players[2]
    await study(world, player, topic="space", questions=1)
    question = await open_question(world, player)
    await (await world.double.click(question, answer_buttons(question)[0], player)).wait_ack()
    await world.settle()
    dm = world.double.dm_channel(player)
    closed = await world.double.wait_for_message(
        lambda m: m.id == question.id and bool(report_ids(m)), channel=dm.key
    )
    form = await open_form(world, closed, player)
    thanked = await file(world, form, {"reason": ["unclear"], "note": "Two answers fit."})
    assert thanked.text == say("report.filed")
    [row] = await stored(world)
    assert (row["guild_id"], row["user_id"], row["reason"]) == (0, player.id, "unclear")
