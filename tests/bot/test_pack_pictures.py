"""Pictures through the real disnake client and the loopback Discord: a pack's .zip of pictures, each
picture posted with its question and kept when it closes, and every bad picture refused privately."""

from __future__ import annotations

import zipfile
from dataclasses import replace
from io import BytesIO

import pytest
from PIL import Image

from quizbot.bot.catalogue import problem
from quizbot.picture_files import QuestionPictures
from quizbot.questions.bank import QuestionBank
from quizbot.questions.images import MAX_IMAGE_BYTES, check_image
from quizbot.testing import MessageRecord
from tests.bot.conftest import World
from tests.bot.test_admin_cog import start_quiz, upload

QUESTION = "Which colour fills this picture?"
LINKED = "Which bird is in the linked picture?"
LINK = "https://images.example.org/birds/robin.png"


def picture(size: tuple[int, int] = (64, 48), kind: str = "PNG") -> bytes:
    out = BytesIO()
    Image.new("RGB", size, (200, 30, 40)).save(out, format=kind)
    return out.getvalue()


def pack(first_image: str = "attachment://red.png", second_image: str = LINK) -> bytes:
    return f"""\
pack: pics
name: Pictures
questions:
  - id: p1
    difficulty: easy
    kind: multiple_choice
    text: "{QUESTION}"
    image: "{first_image}"
    options: ["Red", "Green", "Blue", "Yellow"]
    answer: 0
    explanation: "It was drawn red."
  - id: p2
    difficulty: easy
    kind: multiple_choice
    text: "{LINKED}"
    image: "{second_image}"
    options: ["Robin", "Crow", "Swan", "Owl"]
    answer: 0
    explanation: "A robin, by its red breast."
""".encode()


def zipped(*entries: tuple[str, bytes]) -> bytes:
    out = BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries:
            archive.writestr(name, data)
    return out.getvalue()


async def stored(world: World) -> tuple[int, int]:
    """How many packs and pictures are stored."""
    packs = await world.db.pool.fetchval("SELECT count(*) FROM guild_packs")
    images = await world.db.pool.fetchval("SELECT count(*) FROM pack_images")
    return int(packs), int(images)


def invalid(key: str, **details: str | int) -> str:
    """The English refusal for a picture problem, as the catalogue words it."""
    return problem("invalid_input", detail=problem(f"reply.why_image_{key}", **details)).text


async def test_a_zip_stores_the_pack_and_its_pictures(world: World) -> None:
    added = await upload(world, "pics.zip", zipped(("pics.yaml", pack()), ("red.png", picture())))
    assert added.ephemeral and "2 questions" in added.text
    assert await stored(world) == (1, 1)


async def test_a_picture_is_posted_with_its_question_and_kept_when_it_closes(world: World) -> None:
    """The question's embed shows its uploaded file (not listed beside it); the close edits the message
    without uploading again, and the embed still shows the same file."""
    red = picture()
    await upload(world, "pics.zip", zipped(("pics.yaml", pack()), ("red.png", red)))
    await start_quiz(world, world.club.admin, topic="pics")
    channel = world.club.channel.key
    question = await _posted(world, QUESTION)
    (shown,) = question.shown_files
    assert (shown.filename, shown.data, shown.content_type) == ("red.png", red, "image/png")
    assert question.embeds[0]["image"]["url"] == shown.url
    assert question.payload(world.double.world.application_id)["attachments"] == []
    await world.advance(5)  # the question closes: its message is edited into the reveal
    closed = await world.double.wait_for_message(
        lambda m: m.id == question.id and "closed" in m.text.lower(), timeout=5, channel=channel
    )
    assert closed.embeds[0]["image"]["url"] == shown.url
    assert closed.shown_files == [shown] and len(closed.attachments) == 1


async def test_a_linked_picture_is_shown_by_its_url_without_a_file(world: World) -> None:
    await upload(world, "pics.zip", zipped(("pics.yaml", pack()), ("red.png", picture())))
    await start_quiz(world, world.club.admin, topic="pics")
    question = await _posted(world, LINKED)
    assert question.embeds[0]["image"]["url"] == LINK
    assert question.attachments == []


async def _posted(world: World, text: str) -> MessageRecord:
    """The quiz's question holding `text`, moving the quiz on question by question until it is
    posted (the quiz chooses their order)."""
    channel = world.club.channel.key
    seen: set[int] = set()
    for _ in range(2):
        posted = await world.double.wait_for_message(
            lambda m: m.id not in seen and (QUESTION in m.text or LINKED in m.text),
            timeout=5,
            channel=channel,
        )
        if text in posted.text:
            return posted
        seen.add(posted.id)
        await world.advance(5)  # this question closes
        await world.advance(4)  # and the next one opens
    raise AssertionError(f"{text!r} was never posted")


@pytest.mark.parametrize(
    ("filename", "body", "expected"),
    [
        (
            "pics.yaml",
            pack(second_image="http://images.example.org/robin.png"),
            invalid("not_https", question="p2"),
        ),
        ("pics.yaml", pack(), invalid("missing", question="p1", name="red.png")),
        ("pics.zip", zipped(("pics.yaml", pack())), invalid("missing", question="p1", name="red.png")),
        (
            "pics.zip",
            zipped(("pics.yaml", pack()), ("red.png", b"\x89PNG" + bytes(MAX_IMAGE_BYTES))),
            invalid("too_big", name="red.png", size=MAX_IMAGE_BYTES + 4, limit=MAX_IMAGE_BYTES),
        ),
        (
            "pics.zip",
            zipped(("pics.yaml", pack()), ("red.png", b"not a picture at all")),
            invalid("not_image", name="red.png"),
        ),
        (
            "pics.zip",
            zipped(("pics.yaml", pack()), ("red.png", picture((5000, 10)))),
            invalid("dimensions", name="red.png", width=5000, height=10, low=16, high=4096),
        ),
        ("pics.zip", zipped(("pics.yaml", pack()), ("../red.png", picture())), invalid("zip_unsafe")),
        (
            "pics.zip",
            zipped(("pics.yaml", pack()), ("red.png", picture()), ("extra.png", picture())),
            invalid("unused", name="extra.png"),
        ),
        ("pics.zip", b"PK\x03\x04 this is no zip", invalid("zip_unreadable")),
    ],
    ids=[
        "http",
        "yaml-without-zip",
        "zip-without-file",
        "too-big",
        "not-an-image",
        "dimensions",
        "unsafe-path",
        "unused",
        "broken-zip",
    ],
)
async def test_bad_pictures_are_refused_privately_and_nothing_is_stored(
    world: World, filename: str, body: bytes, expected: str
) -> None:
    refused = await upload(world, filename, body)
    assert refused.ephemeral
    assert expected in refused.text
    assert await stored(world) == (0, 0)


async def test_a_refusal_is_worded_in_the_admins_language(world: World) -> None:
    """The refusal comes from the catalogue in the admin's locale, with the file's name in it."""
    club = world.club
    file = world.double.attachment("pics.zip", zipped(("pics.yaml", pack()), ("red.png", b"nope")))
    record = await world.double.slash(
        club.guild, club.channel, club.admin, "settings pack_add", {"file": file}, locale="de"
    )
    await record.wait_ack(timeout=3.0)
    (refused,) = await record.wait_followups(1, timeout=5.0)
    german = problem("invalid_input", detail=problem("reply.why_image_not_image", name="red.png")).text_for(
        "de"
    )
    assert german in refused.text and "red.png" in german
    assert await stored(world) == (0, 0)


async def test_a_bank_picture_question_uploads_its_shipped_png() -> None:
    """A bank question's attachment picture is the package's own PNG, found without the database."""
    bank, _ = QuestionBank.load()
    japan = next(q for q in bank.by_category["geography"] if q.image == "attachment://flag-japan.png")
    found = await QuestionPictures()(japan)
    assert found is not None and found.name == "flag-japan.png"
    assert check_image(found.name, found.data).width == 600
    assert await QuestionPictures()(replace(japan, image="attachment://no-such-flag.png")) is None
