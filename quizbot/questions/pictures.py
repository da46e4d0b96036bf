"""The bank's pictures, by the name its questions give them (`image: attachment://flag-japan.png`).

A built package holds each as the PNG its build rendered (setup.py's build_pictures, beside the
SVG source in quizbot/questions/images/). A checkout that was never built (tests run from one)
draws it from its SVG the first time it is asked for, when resvg-py is installed; either way a
picture is read once per process. A name with no picture is None, and `missing` lists them, so
`quizbot questions check` and the tests catch a question whose picture was never drawn.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from loguru import logger

from quizbot.game.images import ATTACHMENT_NAME, attachment_name
from quizbot.game.questions import Question
from quizbot.questions import drawing

PICTURES = drawing.SOURCES
BANK_SOURCE_PREFIX = "pack:"  # the source of a question read from a pack file, as the bank's are


def shipped(question: Question) -> bool:
    """Whether `question` is the bank's (its pictures are shipped with the package)."""
    return question.source.startswith(BANK_SOURCE_PREFIX)


@lru_cache(maxsize=128)
def picture(name: str) -> bytes | None:
    """The PNG for a shipped picture's file name (`flag-japan.png`), or None when there is none."""
    if ATTACHMENT_NAME.fullmatch(name) is None or not name.endswith(".png"):
        return None
    png, svg = PICTURES / name, PICTURES / (name.removesuffix(".png") + ".svg")
    if png.is_file():
        return png.read_bytes()
    if not svg.is_file():
        return None
    try:
        drawn = drawing.render(svg)
    except ImportError:
        logger.bind(picture=name).error("not rendered: build the package (pip install .) or install resvg-py")
        return None
    logger.bind(picture=name).info("drawn from its SVG (this checkout was not built)")
    return drawn


def missing(questions: Iterable[Question]) -> list[str]:
    """One line per bank question whose attachment picture the package does not hold."""
    return [
        f"{q.question_id}: attachment://{name} has no picture in {_shown(PICTURES)}"
        for q in questions
        if (name := attachment_name(q.image)) is not None and not _exists(name)
    ]


def _exists(name: str) -> bool:
    stem = name.removesuffix(".png")
    return name.endswith(".png") and ((PICTURES / name).is_file() or (PICTURES / f"{stem}.svg").is_file())


def _shown(path: Path) -> str:
    return "/".join(path.parts[-3:])
