"""The file behind a question's attachment picture: the bank's shipped PNG, or a guild pack's stored one.

The Discord edge uploads it with the question's message; the live game page serves it to its
viewers. A URL picture has no file here: quizbot never fetches URLs.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from loguru import logger

from quizbot.game.images import attachment_name
from quizbot.game.questions import Question
from quizbot.questions import pictures
from quizbot.questions.custom import custom_pack_of
from quizbot.storage.pack_images import pack_image
from quizbot.storage.pool import Database


@dataclass(frozen=True, slots=True)
class Picture:
    """A picture's file: the name a question's attachment:// image gives it, and its bytes."""

    name: str
    data: bytes


PictureSource = Callable[[Question], Awaitable[Picture | None]]


class QuestionPictures:
    """Finds the file of a question's attachment picture (a PictureSource)."""

    def __init__(self, db: Database | None = None) -> None:
        self.db = db  # None: only the bank's pictures (a channel built without storage)

    async def __call__(self, question: Question) -> Picture | None:
        """The file for `question`'s attachment picture; None for a URL, no picture, or one that is gone."""
        name = attachment_name(question.image)
        if name is None:
            return None
        data: bytes | None = None
        if pictures.shipped(question):
            data = pictures.picture(name)
        elif (pack := custom_pack_of(question)) is not None and self.db is not None:
            stored = await pack_image(self.db, pack[0], pack[1], name)
            data = stored.data if stored is not None else None
        if data is None:
            logger.bind(question=question.question_id, picture=name).warning(
                "the question's picture is missing; it is shown without it"
            )
            return None
        return Picture(name, data)
