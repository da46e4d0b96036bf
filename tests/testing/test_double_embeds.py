"""The double shows a message's own files in its embeds as Discord does (attachment:// resolved)."""

from __future__ import annotations

from quizbot.testing._records import Attachment, MessageRecord
from quizbot.testing._world import World


def record(embeds: list[dict[str, object]], files: list[Attachment]) -> MessageRecord:
    world = World()
    guild = world.add_guild("Club")
    channel = guild.add_text_channel("trivia")
    return MessageRecord(id=1, channel=channel, author=world.bot, embeds=embeds, attachments=files)


def file(name: str = "red.png") -> Attachment:
    return Attachment(7, name, b"png", f"https://cdn.test/attachments/7/{name}", content_type="image/png")


def test_an_attachment_image_shows_the_file_and_leaves_the_attachments() -> None:
    red = file()
    message = record([{"title": "Q", "image": {"url": "attachment://red.png"}}], [red])
    assert message.embeds[0]["image"]["url"] == red.url
    assert message.shown_files == [red]
    assert message.payload(1)["attachments"] == []


def test_an_image_naming_no_file_shows_nothing() -> None:
    message = record([{"title": "Q", "image": {"url": "attachment://gone.png"}}], [])
    assert message.embeds == [{"title": "Q"}]


def test_an_edit_naming_the_file_again_keeps_it_in_the_embed() -> None:
    red = file()
    message = record([{"title": "Q", "image": {"url": "attachment://red.png"}}], [red])
    message.apply_edit({"embeds": [{"title": "closed", "image": {"url": "attachment://red.png"}}]}, [])
    assert message.embeds[0]["image"]["url"] == red.url and message.shown_files == [red]


def test_an_edit_that_drops_the_image_brings_the_file_back_beside_it() -> None:
    red = file()
    message = record([{"title": "Q", "image": {"url": "attachment://red.png"}}], [red])
    message.apply_edit({"embeds": [{"title": "closed"}]}, [])
    assert message.shown_files == []
    assert [a["filename"] for a in message.payload(1)["attachments"]] == ["red.png"]
