"""Questions' pictures at the Discord edge: the file a question's message uploads, and pack refusals.

A question's embed shows its `image` (`showing`): an https URL as it is (Discord's media
proxy fetches it; quizbot never does), or `attachment://<name>`, which names a file uploaded with
the same message. `quizbot.picture_files` finds that file: the bank's shipped PNG, or the picture
a guild's pack stored (pack_images). The question's close edits the message without files, and
Discord keeps the attachment the embed still names; a message posted without its file (a close
whose question message is gone) drops the picture rather than show a broken one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from io import BytesIO

import disnake

from quizbot.bot.catalogue import Problem, invalid, problem, problem_of
from quizbot.bot.render import Rendered
from quizbot.game.images import ATTACHMENT_SCHEME
from quizbot.picture_files import Picture
from quizbot.questions.custom import MAX_UPLOAD_BYTES
from quizbot.questions.images import MAX_ZIP_BYTES, ZIP_SUFFIX, ImageRefused


def discord_file(picture: Picture) -> disnake.File:
    """A fresh disnake File for `picture` (one is consumed by the request that sends it, so each try
    makes its own)."""
    return disnake.File(BytesIO(picture.data), filename=picture.name)


def showing(message: Rendered, image: str | None) -> Rendered:
    """A question's message whose embed shows its picture (`image`: an https URL or attachment://<name>)."""
    if image is None or message.embed is None:
        return message
    embed = message.embed.copy()
    embed.set_image(url=image)
    return replace(message, embed=embed)


def pictured(message: Rendered, files: Sequence[Picture]) -> Rendered:
    """`message` as posted with `files`: an embed's attachment:// image that no file uploads is taken
    out (of a copy of that embed), since Discord would show nothing there."""
    uploaded = {ATTACHMENT_SCHEME + picture.name for picture in files}
    embeds = []
    for embed in message.embeds:
        url = embed.image.url
        shown = embed
        if url and url.startswith(ATTACHMENT_SCHEME) and url not in uploaded:
            shown = embed.copy()
            shown.set_image(None)
        embeds.append(shown)
    if embeds == message.embeds:
        return message
    return replace(message, embed=embeds[0], more=tuple(embeds[1:]))


def upload_limit(value: object) -> int:
    """The most bytes a pack upload may have: a .zip of a pack and its pictures, or a pack file."""
    filename = getattr(value, "filename", "")
    zipped = isinstance(filename, str) and filename.lower().endswith(ZIP_SUFFIX)
    return MAX_ZIP_BYTES if zipped else MAX_UPLOAD_BYTES


def pack_refusal(error: Exception) -> Problem:
    """What to tell an admin whose upload was refused: a picture's or a .zip's problem in the reader's
    words (its own catalogue message), any other pack problem in the generic frame."""
    refused = error if isinstance(error, ImageRefused) else error.__cause__
    if not isinstance(refused, ImageRefused):
        return invalid(str(error))
    details = {
        key: disnake.utils.escape_markdown(disnake.utils.escape_mentions(value))
        if isinstance(value, str)
        else value
        for key, value in refused.details.items()
    }
    return problem("invalid_input", detail=problem_of(f"reply.why_image_{refused.reason}", details))
