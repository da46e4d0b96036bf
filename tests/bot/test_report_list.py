"""/settings reports through the real disnake client and the loopback Discord: the private, paged
list of a server's reported questions, Hide and Dismiss, and Manage Server checked on every click."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from quizbot.bot.catalogue import MESSAGES
from quizbot.bot.custom_ids import ReportsAction, parse_reports
from quizbot.game.questions import Question
from quizbot.storage import reports as storage
from quizbot.storage.reports import hidden_for
from quizbot.testing import InteractionRecord, Member, MessageRecord
from tests.bot.conftest import World
from tests.bot.play import button_message, next_question, start_quiz
from tests.bot.test_admin_cog import VALID_PACK, upload, use, use_raw
from tests.bot.test_privacy import REFUSAL
from tests.bot.test_reports import file, last_word, open_form, report_ids, revealed


def buttons(listing: MessageRecord, action: ReportsAction) -> list[str]:
    """The list's buttons of one action, in order."""
    return [c for c in listing.custom_ids if (b := parse_reports(c)) is not None and b.action is action]


async def click(world: World, listing: MessageRecord, custom_id: str, who: Member) -> InteractionRecord:
    """Click a button of the list; returns once the bot has answered."""
    record = await world.double.click(listing, custom_id, who)
    await record.wait_ack()
    return record


async def edited(world: World, record: InteractionRecord) -> MessageRecord:
    """The list as the click left it (a deferred update, then an edit of the list)."""
    assert record.response_type == 6, record.callbacks
    return await record.wait_original_edit(timeout=5.0)


def bank_questions(world: World, count: int) -> list[Question]:
    bank = world.running.bot.context.bank
    return [q for qs in bank.by_category.values() for q in qs][:count]


async def report(
    world: World, question: Question, who: Member, reason: str, note: str = "", ago: int = 0
) -> None:
    """A report stored as the form would store it, `ago` minutes back."""
    now = datetime.now(UTC) - timedelta(minutes=ago)
    guild = world.club.guild.id
    await storage.file_report(
        world.db,
        question_id=question.identity,
        user_id=who.id,
        guild_id=guild,
        reason=reason,
        note=note,
        now=now,
    )


async def test_the_list_shows_reports_and_dismiss_keeps_the_question(world: World) -> None:
    """Text, count, reasons and notes (as plain text); Dismiss closes the reports, says so once
    stored, and the list is shown again without the question, which stays in play."""
    club = world.club
    [asked] = bank_questions(world, 1)
    ann, bob, _, _ = club.players
    await report(world, asked, ann, "wrong", "It is *Mars*, @everyone")
    await report(world, asked, bob, "unclear")
    listing = await use(world, club.admin, "settings reports")
    assert listing.ephemeral
    [entry] = listing.embeds[0]["fields"]
    assert entry["name"] == f"1. {asked.text}"
    assert entry["value"].startswith("Reported 2 times: Wrong answer (1), Unclear (1)\nLast report <t:")
    assert "> It is \\*Mars\\*, @\u200beveryone" in entry["value"]
    assert listing.embeds[0]["footer"]["text"] == "Page 1 of 1 · 1 reported question"

    dismissed = await edited(
        world, await click(world, listing, buttons(listing, ReportsAction.DISMISS)[0], club.admin)
    )
    assert dismissed.content == f"Dismissed 2 reports of “{asked.text}”; it stays in play."
    assert dismissed.embeds[0]["description"] == MESSAGES["reports.empty"] and not dismissed.custom_ids
    statuses = await world.db.pool.fetch("SELECT status FROM question_reports")
    assert {r["status"] for r in statuses} == {"dismissed"}
    assert asked.identity not in await hidden_for(world.db, club.guild.id)


async def test_hide_takes_the_question_out_of_this_server_only(world: World) -> None:
    """A player reports a pack question after its reveal; Hide takes it out of the server: it is not
    asked in the next game there and cannot be reported there any more."""
    club = world.club
    lookup = world.running.bot.context.lookup
    await upload(world, "dinosaurs.yaml", VALID_PACK.encode())
    closed, identity = await revealed(world, club, topic="dinosaurs", questions=1)
    reported = await lookup.find(identity, club.guild.id)
    assert reported is not None
    form = await open_form(world, closed, club.players[0])
    await file(world, form, {"reason": ["wrong"], "note": "Not what I learnt"})
    await world.advance(10)  # the quiz ends
    listing = await use(world, club.admin, "settings reports")
    [hide] = buttons(listing, ReportsAction.HIDE)
    hidden = await edited(world, await click(world, listing, hide, club.admin))
    assert hidden.content == f"Hidden in this server: “{reported.text}”. It will not be asked here again."
    assert hidden.embeds[0]["description"] == MESSAGES["reports.empty"]
    assert await hidden_for(world.db, club.guild.id) == {identity}
    assert {r["status"] for r in await world.db.pool.fetch("SELECT status FROM question_reports")} == {
        "hidden"
    }
    assert await lookup.find(identity, club.guild.id) is None

    again = await world.double.click(closed, report_ids(closed)[0], club.players[1])
    assert MESSAGES["report.question_gone"] in (await last_word(again)).text and again.modal is None
    options = {"topic": "dinosaurs", "questions": 3}
    three = await last_word(
        await world.double.slash(club.guild, club.channel, club.admin, "trivia start", options)
    )
    assert "the bank has only 2 questions for dinosaurs" in three.text  # the pack's three, less one
    since = time.monotonic()
    await start_quiz(world, club, topic="dinosaurs", questions=2)
    shown = []
    for _ in range(2):
        question = await next_question(world, club, since)
        assert question.embeds[0]["title"] == f"Question {len(shown) + 1} of 2"
        shown.append(question.embeds[0]["description"])
        since = time.monotonic()
        await world.advance(5)
        await world.advance(4)
    assert len(set(shown)) == 2 and not any(reported.text in text for text in shown)


async def test_pages_turn_and_the_last_page_is_kept_in_range(world: World) -> None:
    """Six reported questions: four on page 1 (Hide and Dismiss each, then Previous and Next), two
    on page 2; every field and button within Discord's limits."""
    club = world.club
    six = bank_questions(world, 6)
    for n, question in enumerate(six):
        await report(world, question, club.players[n % 4], "outdated", "n" * 300, ago=n)
    first = await use(world, club.admin, "settings reports")
    assert [f["name"].split(". ")[0] for f in first.embeds[0]["fields"]] == ["1", "2", "3", "4"]
    assert (
        len(first.components) == 5
        and first.embeds[0]["footer"]["text"] == "Page 1 of 2 · 6 reported questions"
    )
    previous, following = first.components[-1]["components"]
    assert previous["disabled"] and not following.get("disabled")
    second = await edited(world, await click(world, first, following["custom_id"], club.admin))
    assert [f["name"].split(". ")[0] for f in second.embeds[0]["fields"]] == ["5", "6"]
    assert second.content is None or second.content == ""
    dismiss_last = buttons(second, ReportsAction.DISMISS)[-1]
    await storage.dismiss_reports(world.db, guild_id=club.guild.id, question_id=six[4].identity)
    after = await edited(world, await click(world, second, dismiss_last, club.admin))
    assert [f["name"].split(". ")[0] for f in after.embeds[0]["fields"]] == [
        "1",
        "2",
        "3",
        "4",
    ]  # one page now
    assert after.content is not None and "has no open reports left" not in after.content
    assert after.content.startswith("Dismissed 1 report of")


async def test_a_click_needs_manage_server_now(world: World) -> None:
    """An admin who lost Manage Server after opening the list is refused on click, nothing changes;
    a forged list id is refused too."""
    club = world.club
    [asked] = bank_questions(world, 1)
    await report(world, asked, club.players[0], "offensive")
    listing = await use(world, club.admin, "settings reports")
    [role] = club.admin.roles
    granted, role.permissions = role.permissions, 0
    refused = await click(world, listing, buttons(listing, ReportsAction.HIDE)[0], club.admin)
    assert refused.response_type == 4 and MESSAGES["missing_permissions"] in (
        refused.original.text if refused.original else ""
    )
    role.permissions = granted
    assert await hidden_for(world.db, club.guild.id) == frozenset()
    assert {r["status"] for r in await world.db.pool.fetch("SELECT status FROM question_reports")} == {"open"}


async def test_forged_list_ids_are_retired(world: World) -> None:
    """A button shaped like the list's but malformed does nothing but say so."""
    club = world.club
    for custom_id in ("qb:v:h:01:q1_" + "A" * 22, "qb:v:x:0", "qb:v:g:-1", "qb:v:d:0:not-an-identity"):
        old = await button_message(world, club, custom_id)
        record = await world.double.click(old, custom_id, club.admin)
        said = await last_word(record)
        assert REFUSAL in said.text and MESSAGES["button_retired"] in said.text, custom_id


async def test_a_hide_is_this_server_s_alone_and_players_are_refused_the_list(world: World) -> None:
    """Hiding a bank question in the club leaves it in play in the rival; a player whom the server
    showed /settings (an Integrations override) is refused the list."""
    club, rival = world.club, world.rival
    [asked] = bank_questions(world, 1)
    await report(world, asked, club.players[0], "outdated")
    listing = await use(world, club.admin, "settings reports")
    await edited(world, await click(world, listing, buttons(listing, ReportsAction.HIDE)[0], club.admin))
    lookup = world.running.bot.context.lookup
    assert await lookup.find(asked.identity, club.guild.id) is None
    assert await lookup.find(asked.identity, rival.guild.id) == asked
    assert await hidden_for(world.db, rival.guild.id) == frozenset()
    refused = await use_raw(world, club.players[1], "settings reports")
    assert refused.ephemeral and MESSAGES["missing_permissions"] in refused.text and not refused.custom_ids
