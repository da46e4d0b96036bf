"""The bank's picture questions: each names a picture the package draws, and every picture renders."""

from __future__ import annotations

from pathlib import Path

import pytest

from quizbot.game.images import attachment_name
from quizbot.questions import drawing, pictures
from quizbot.questions.bank import QuestionBank
from quizbot.questions.images import check_image

MIN_PICTURE_QUESTIONS = 20


@pytest.fixture(scope="module")
def bank() -> QuestionBank:
    loaded, errors = QuestionBank.load()
    assert errors == []
    return loaded


def picture_questions(bank: QuestionBank) -> dict[str, str]:
    """Each bank question showing an attachment picture, by id, and the picture's file name."""
    return {
        q.question_id: name
        for members in bank.by_category.values()
        for q in members
        if (name := attachment_name(q.image)) is not None
    }


def test_the_bank_has_picture_questions_in_geography_and_mathematics(bank: QuestionBank) -> None:
    named = picture_questions(bank)
    assert len(named) >= MIN_PICTURE_QUESTIONS
    assert {qid.split("-")[0] for qid in named} >= {"geography", "mathematics"}


def test_every_bank_picture_exists_and_renders_to_a_picture_quizbot_takes(bank: QuestionBank) -> None:
    """Each named picture is a shipped PNG (or its SVG drawn now), passing the checks a pack's would."""
    for qid, name in picture_questions(bank).items():
        png = pictures.picture(name)
        assert png is not None, f"{qid}: no picture {name}"
        checked = check_image(name, png)
        assert checked.content_type == "image/png", qid
        assert pictures.missing(q for q in bank.by_category["geography"]) == []


def test_every_svg_is_used_by_a_question(bank: QuestionBank) -> None:
    """No picture is drawn that no question shows."""
    used = set(picture_questions(bank).values())
    drawn = {svg.stem + ".png" for svg in drawing.sources()}
    assert drawn == used


def test_the_build_step_renders_every_svg(tmp_path: Path) -> None:
    """build_pictures' work: every SVG rendered to a PNG of the same name, at the SVG's own size."""
    written = drawing.render_all(drawing.SOURCES, tmp_path)
    assert sorted(p.name for p in written) == sorted(s.stem + ".png" for s in drawing.sources())
    flag = check_image("flag-japan.png", (tmp_path / "flag-japan.png").read_bytes())
    assert (flag.width, flag.height) == (600, 400)  # Japan's flag is 2:3


def test_a_name_the_package_has_no_picture_for_is_none() -> None:
    assert pictures.picture("no-such-picture.png") is None
    assert pictures.picture("../packs/geography.yaml") is None
    assert pictures.picture("flag-japan.svg") is None
