"""A question's picture: an https URL or attachment://<name> and nothing else, carried by snapshots."""

from __future__ import annotations

import orjson
import pytest

from quizbot.errors import InvalidValue
from quizbot.game.images import MAX_IMAGE_REFERENCE, attachment_name
from quizbot.game.questions import Question
from quizbot.game.snapshot import session_from_dict, session_to_dict
from tests.game.factories import T0, mc_question, session

# An imageless question's identity, as it was before questions had pictures (a snapshot names it).
PLAIN_IDENTITY = "q1_bfOQ4guNv-pjDjXpgW7DiQ"


def plain() -> Question:
    return Question("a", "t", "multiple_choice", "c", "easy", "e", ("x", "y"), 0)


@pytest.mark.parametrize(
    "image",
    [
        "https://upload.example.org/flags/japan.png",
        "https://cdn.example.com:8443/a/b.webp?size=512#top",
        "attachment://map.png",
        "attachment://Flag_of-Japan.2.jpeg",
        "https://x.example/" + "a" * (MAX_IMAGE_REFERENCE - 18),
    ],
)
def test_https_urls_and_attachments_are_pictures(image: str) -> None:
    """An https URL with a host, or attachment:// and a plain file name, is a question's picture."""
    assert mc_question(image=image).image == image


@pytest.mark.parametrize(
    ("image", "said"),
    [
        ("http://example.com/a.png", "https:// URL or attachment://"),
        ("ftp://example.com/a.png", "https:// URL or attachment://"),
        ("javascript:alert(1)", "https:// URL or attachment://"),
        ("data:image/png;base64,iVBOR", "https:// URL or attachment://"),
        ("/flags/japan.png", "https:// URL or attachment://"),
        ("https:///a.png", "names a host"),
        ("https://user:secret@example.com/a.png", "no user name or password"),
        ("https://example.com/a b.png", "no spaces"),
        ("https://example.com/a\n.png", "no spaces"),
        ("https://example.com/ü.png", "ASCII"),
        ("https://" + "a" * MAX_IMAGE_REFERENCE, "1 to 2048 characters"),
        ("", "1 to 2048 characters"),
        ("attachment://", "plain file name"),
        ("attachment://../secret.png", "plain file name"),
        ("attachment://folder/map.png", "plain file name"),
        ("attachment://map", "plain file name"),
        ("https://[::1/a.png", "well-formed URL"),
    ],
)
def test_anything_else_is_refused_with_its_reason(image: str, said: str) -> None:
    """Other schemes, no host, credentials, spaces, non-ASCII, too long, or a path as a file name."""
    with pytest.raises(InvalidValue, match="question 'q1'") as refused:
        mc_question(image=image)
    assert said in str(refused.value)


def test_an_image_must_be_text() -> None:
    """A question rebuilt from data whose image is not a string is refused, not crashed on."""
    data = mc_question().to_dict() | {"image": 12}
    with pytest.raises(InvalidValue, match="image must be text"):
        Question.from_dict(data)


def test_questions_without_pictures_keep_their_identity() -> None:
    """to_dict holds "image" only when there is one, so imageless questions' identities are unchanged."""
    assert "image" not in plain().to_dict()
    assert plain().identity == PLAIN_IDENTITY
    pictured = Question(
        "a", "t", "multiple_choice", "c", "easy", "e", ("x", "y"), 0, image="attachment://x.png"
    )
    assert pictured.to_dict()["image"] == "attachment://x.png"
    assert pictured.identity != PLAIN_IDENTITY


def test_attachment_name_reads_only_attachments() -> None:
    assert attachment_name("attachment://map.png") == "map.png"
    assert attachment_name("https://example.com/map.png") is None
    assert attachment_name(None) is None


def test_a_snapshot_carries_a_question_picture() -> None:
    """A session of picture questions survives its snapshot: the questions table's JSON and back."""
    items = (
        mc_question("p1", image="attachment://flag-japan.png"),
        mc_question("p2", image="https://example.org/p2.png"),
        mc_question("p3"),
    )
    game = session(items=items)
    game.start(T0)
    stored = {q.identity: Question.from_dict(orjson.loads(orjson.dumps(q.to_dict()))) for q in items}
    restored = session_from_dict(orjson.loads(orjson.dumps(session_to_dict(game))), questions=stored)
    assert [q.image for q in restored.questions] == [q.image for q in items]
    assert [q.identity for q in restored.questions] == [q.identity for q in items]
