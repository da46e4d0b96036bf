"""Imports through the real disnake client and the loopback Discord: an Open Trivia Database export
and a Red list uploaded with /settings pack_add, credited in /trivia packs and /settings packs, and
every bad file refused privately from the catalogue with nothing stored. The questions are made up."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson
import pytest

from quizbot import i18n
from quizbot.questions.custom import MAX_UPLOAD_BYTES
from quizbot.questions.opentdb import MAX_IMPORT_QUESTIONS
from quizbot.questions.provenance import OPENTDB
from quizbot.testing import MessageRecord
from tests.bot.conftest import World
from tests.bot.test_admin_cog import answer, start_quiz, stored_packs

QUESTIONS = [
    {
        "type": "multiple",
        "difficulty": "easy",
        "category": "Test Orchard",
        "question": "Which fruit is a &quot;pome&quot;, like the pear?",
        "correct_answer": "Apple",
        "incorrect_answers": ["Plum", "Cherry", "Peach"],
    },
    {
        "type": "boolean",
        "difficulty": "easy",
        "category": "Test Orchard",
        "question": "An orchard&#039;s trees are usually planted in rows.",
        "correct_answer": "True",
        "incorrect_answers": ["False"],
    },
]
DECODED = ('Which fruit is a "pome", like the pear?', "An orchard's trees are usually planted in rows.")
RED_LIST = b"AUTHOR: Orchard Society\nWhich fruit is dried to make a prune?:\n- plum\n- plums\n"


def export(results: list[Any], code: int = 0) -> bytes:
    return orjson.dumps({"response_code": code, "results": results})


async def pack_add(
    world: World, filename: str, body: bytes, *, locale: str = "en-US", **options: Any
) -> MessageRecord:
    """/settings pack_add as the club's admin, in `locale`, with a file and any other options."""
    file = world.double.attachment(filename, body, content_type="application/json")
    club = world.club
    record = await world.double.slash(
        club.guild, club.channel, club.admin, "settings pack_add", {"file": file, **options}, locale=locale
    )
    return await answer(record)


async def use(world: World, command: str, *, locale: str = "en-US") -> MessageRecord:
    club = world.club
    return await answer(
        await world.double.slash(club.guild, club.channel, club.admin, command, locale=locale)
    )


async def test_an_export_is_added_credited_and_played(world: World) -> None:
    """The export becomes a pack whose reply, /settings packs and /trivia packs carry its licence and
    attribution; a quiz on it asks its questions decoded."""
    added = await pack_add(world, "orchard.json", export(QUESTIONS))
    assert added.ephemeral and "2 questions" in added.text
    assert OPENTDB.attribution in added.text and "license: CC BY-SA 4.0" in added.text
    assert await stored_packs(world) == 1
    for command in ("settings packs", "trivia packs"):
        listed = await use(world, command)
        assert "From the Open Trivia Database · license: CC BY-SA 4.0" in listed.text, command
        assert f"↳ {OPENTDB.attribution}" in listed.text, command
    german = await use(world, "trivia packs", locale="de")
    assert "Aus der Open Trivia Database · Lizenz: CC BY-SA 4.0" in german.text
    assert OPENTDB.attribution in german.text  # the credit line stays as its licence words it
    await start_quiz(world, world.club.admin, topic="orchard")
    asked = await world.double.wait_for_message(
        lambda m: m.from_bot and any(q in m.text for q in DECODED), timeout=5, channel=world.club.channel.key
    )
    assert "&quot;" not in asked.text and "&#039;" not in asked.text


async def test_a_red_list_shows_its_author_and_the_stated_licence(world: World) -> None:
    """A Red list uploaded with license: shows who wrote it and that licence; without, none stated."""
    await pack_add(world, "prunes.yaml", RED_LIST, license="CC BY 4.0")
    listed = await use(world, "trivia packs", locale="en-GB")
    assert "A Red trivia list by Orchard Society · licence: CC BY 4.0" in listed.text
    await pack_add(world, "prunes.yaml", RED_LIST)
    listed = await use(world, "trivia packs")
    assert "A Red trivia list by Orchard Society · no license stated" in listed.text


def changed(number: int, **fields: Any) -> list[Any]:
    """The two questions, the one numbered `number` (from 1) with `fields` changed."""
    results: list[Any] = [dict(q) for q in QUESTIONS]
    results[number - 1] |= fields
    return results


def located(file: str, why: str, number: int | None = None, field: str | None = None) -> Callable[[str], str]:
    """The refusal's text in a locale: the catalogue's frame around the located reason."""

    def text(locale: str) -> str:
        if number is None:
            where = i18n.text(locale, "imports.in_file", file=file, why=why_in(locale))
        else:
            where = i18n.text(
                locale, "imports.in_field", file=file, number=number, field=field or "", why=why_in(locale)
            )
        return i18n.text(locale, "invalid_input", detail=where)

    def why_in(locale: str) -> str:
        key, _, details = why.partition("|")
        params = dict(part.split("=", 1) for part in details.split(",") if part)
        numbers = {k: int(v) for k, v in params.items() if v.isdigit()}
        return i18n.text(locale, f"imports.why_{key}", **(params | numbers))

    return text


TOO_MANY = [dict(QUESTIONS[1], question=f"Statement {n} is true.") for n in range(MAX_IMPORT_QUESTIONS + 1)]
REFUSALS = [
    ("not_json", b"{results: [", located("bad.json", "not_json|line=1,column=2")),
    ("not_an_export", b"[]", located("bad.json", "not_an_export")),
    ("response_code", export([], code=1), located("bad.json", "response_code|code=1")),
    ("no_questions", export([]), located("bad.json", "no_questions")),
    ("too_many", export(TOO_MANY), located("bad.json", f"too_many|count=1001,limit={MAX_IMPORT_QUESTIONS}")),
    (
        "encoded",
        export(changed(1, type="bXVsdGlwbGU=", question="V2hpY2g/")),
        located("bad.json", "encoded|encoding=base64"),
    ),
    (
        "broken_entity",
        export(changed(2, question="Broken &#xZZ; entity?")),
        located("bad.json", "broken_entity|entity=&#xZZ;", 2, "question"),
    ),
    (
        "unknown_type",
        export(changed(1, type="essay")),
        located("bad.json", "unknown_type|value=essay", 1, "type"),
    ),
    (
        "boolean_answer",
        export(changed(2, correct_answer="Maybe")),
        located("bad.json", "boolean_answer", 2, "correct_answer"),
    ),
    (
        "duplicate_option",
        export(changed(1, incorrect_answers=["Plum", "plum"])),
        located("bad.json", "duplicate_option|option=plum", 1, "incorrect_answers"),
    ),
]


@pytest.mark.parametrize(("reason", "body", "expected"), REFUSALS, ids=[r[0] for r in REFUSALS])
async def test_a_bad_export_is_refused_privately_and_nothing_is_stored(
    world: World, reason: str, body: bytes, expected: Callable[[str], str]
) -> None:
    """Each bad export gets the catalogue's located reason, in the admin's language, and stores nothing."""
    assert len(body) < MAX_UPLOAD_BYTES, reason
    refused = await pack_add(world, "bad.json", body)
    assert refused.ephemeral and expected("en-US") in refused.text
    assert await stored_packs(world) == 0
    if reason in ("too_many", "broken_entity"):
        polish = await pack_add(world, "bad.json", body, locale="pl")
        assert polish.ephemeral and expected("pl") in polish.text


async def test_fifty_thousand_questions_are_refused_by_size_unread(world: World) -> None:
    """A 50,000-question export is over the upload limit: refused from its reported size, not downloaded."""
    body = export([dict(QUESTIONS[1], question=f"Statement {n} is true.") for n in range(50_000)])
    file = world.double.attachment("huge.json", body, content_type="application/json", served=False)
    club = world.club
    record = await world.double.slash(
        club.guild, club.channel, club.admin, "settings pack_add", {"file": file}
    )
    refused = await answer(record)
    assert refused.ephemeral and f"{MAX_UPLOAD_BYTES:,}" in refused.text
    assert await stored_packs(world) == 0


async def test_a_licence_is_refused_for_an_export_and_when_it_is_not_text(world: World) -> None:
    """An export's licence is its own; a licence with control characters is refused. Nothing is stored."""
    other = await pack_add(world, "orchard.json", export(QUESTIONS), license="public domain")
    expected = i18n.text("en-US", "imports.why_licence_fixed", licence="CC BY-SA 4.0")
    assert other.ephemeral and expected in other.text
    controls = await pack_add(world, "prunes.yaml", RED_LIST, license="CC\u0000BY")
    assert controls.ephemeral and "license" in controls.text
    assert await stored_packs(world) == 0
