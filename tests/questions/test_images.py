"""Pack pictures: the image: field, each image checked with Pillow, and a pack's .zip read within bounds."""

from __future__ import annotations

import stat
import struct
import zipfile
import zlib
from io import BytesIO

import pytest
from PIL import Image

from quizbot.game.questions import Question
from quizbot.questions import images
from quizbot.questions.images import (
    MAX_IMAGE_BYTES,
    MAX_ZIP_FILES,
    MAX_ZIP_UNPACKED,
    ImageRefused,
    check_image,
    pack_images,
    read_pack_zip,
)
from quizbot.questions.packs import PackError, parse_pack
from tests.game.factories import mc_question

SUFFIXES = (".yaml", ".yml", ".json")


def picture(kind: str = "PNG", size: tuple[int, int] = (64, 48)) -> bytes:
    """A small picture of `kind`, drawn here."""
    out = BytesIO()
    Image.new("RGB", size, (200, 30, 40)).save(out, format=kind)
    return out.getvalue()


def zipped(*entries: tuple[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = BytesIO()
    with zipfile.ZipFile(out, "w", compression) as archive:
        for name, data in entries:
            archive.writestr(name, data)
    return out.getvalue()


def pack_text(image: str) -> str:
    return (
        "pack: pics\nquestions:\n  - id: p1\n    difficulty: easy\n    kind: true_false\n"
        f"    text: Is this red?\n    image: {image}\n    answer: true\n    explanation: It is.\n"
    )


def refused(reason: str, call: object) -> ImageRefused:
    """The ImageRefused `call` raises, checked for its reason."""
    assert callable(call)
    with pytest.raises(ImageRefused) as caught:
        call()
    assert caught.value.reason == reason, caught.value
    return caught.value


# --- the image: field ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "image", ["https://example.org/red.png", "attachment://red.png", '"attachment://red.png"']
)
def test_a_pack_question_may_show_a_picture(image: str) -> None:
    (question,) = parse_pack(pack_text(image), source="p.yaml", default_id="p").questions
    assert question.image == image.strip('"')


@pytest.mark.parametrize(
    ("image", "reason"),
    [
        ("http://example.org/red.png", "not_https"),
        ("ftp://example.org/red.png", "not_https"),
        ("file:///etc/passwd", "not_https"),
        ("https://user:pw@example.org/red.png", "bad_reference"),
        ("attachment://../red.png", "bad_reference"),
        ("red.png", "bad_reference"),
    ],
)
def test_a_picture_that_is_not_https_or_an_attachment_is_refused(image: str, reason: str) -> None:
    """The refusal is a PackError at the image's line whose cause says why, for the catalogue."""
    with pytest.raises(PackError) as caught:
        parse_pack(pack_text(image), source="p.yaml", default_id="p")
    assert (caught.value.line, caught.value.field) == (7, "image")
    assert isinstance(caught.value.__cause__, ImageRefused)
    assert caught.value.__cause__.reason == reason
    assert caught.value.__cause__.details == {"question": "p1"}


# --- each image, by its content ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "content_type"),
    [("PNG", "image/png"), ("JPEG", "image/jpeg"), ("GIF", "image/gif"), ("WEBP", "image/webp")],
)
def test_png_jpeg_gif_and_webp_are_taken(kind: str, content_type: str) -> None:
    checked = check_image("flag.bin", picture(kind))  # judged by content, not by name
    assert (checked.content_type, checked.width, checked.height) == (content_type, 64, 48)


def test_other_formats_are_not_images() -> None:
    """A BMP or TIFF is a picture Pillow reads, but not one quizbot takes; text is not a picture."""
    for kind in ("BMP", "TIFF"):
        refused("not_image", lambda kind=kind: check_image("x.png", picture(kind)))
    error = refused("not_image", lambda: check_image("notes.png", b"just some text, named .png"))
    assert error.details == {"name": "notes.png"}


def test_a_truncated_image_is_not_an_image() -> None:
    whole = picture("PNG", (300, 300))
    refused("not_image", lambda: check_image("cut.png", whole[: len(whole) // 2]))
    refused("not_image", lambda: check_image("cut.jpg", picture("JPEG", (300, 300))[:400]))


def test_an_image_over_8_mb_is_refused_before_it_is_decoded() -> None:
    error = refused("too_big", lambda: check_image("huge.png", b"\x89PNG" + bytes(MAX_IMAGE_BYTES)))
    assert error.details == {"name": "huge.png", "size": MAX_IMAGE_BYTES + 4, "limit": MAX_IMAGE_BYTES}


@pytest.mark.parametrize("size", [(8, 64), (64, 15), (4097, 20), (20, 5000)])
def test_absurd_dimensions_are_refused(size: tuple[int, int]) -> None:
    error = refused("dimensions", lambda: check_image("odd.png", picture("PNG", size)))
    assert (error.details["width"], error.details["height"]) == size


def test_a_decompression_bomb_is_refused_by_its_stated_size() -> None:
    """Tiny PNGs stating 9,000 or 40,000 pixels a side are refused from their headers, never decoded."""
    error = refused("dimensions", lambda: check_image("bomb.png", _stated_size_png(9_000, 9_000)))
    assert (error.details["width"], error.details["height"]) == (9_000, 9_000)
    error = refused("pixels", lambda: check_image("bomb.png", _stated_size_png(40_000, 40_000)))
    assert error.details == {"name": "bomb.png", "low": 16, "high": 4096}


def _stated_size_png(width: int, height: int) -> bytes:
    """A PNG whose header states `width` x `height` (its CRC fixed up) over a 16 x 16 picture's data."""
    data = bytearray(picture("PNG", (16, 16)))
    header = struct.pack(">II", width, height)
    data[16:24] = header
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])))
    return bytes(data)


# --- which images a pack needs ---------------------------------------------------------------------


def test_pack_images_are_those_its_questions_name() -> None:
    questions = [
        mc_question("a", image="attachment://a.png"),
        mc_question("b", image="attachment://a.png"),
        mc_question("c"),
    ]
    (checked,) = pack_images(questions, {"a.png": picture()})
    assert checked.name == "a.png"


def test_a_named_attachment_the_upload_lacks_is_refused() -> None:
    questions = [mc_question("q7", image="attachment://map.png")]
    error = refused("missing", lambda: pack_images(questions, {}))
    assert error.details == {"question": "q7", "name": "map.png"}


def test_a_file_no_question_names_is_refused() -> None:
    error = refused("unused", lambda: pack_images([mc_question()], {"stray.png": picture()}))
    assert error.details == {"name": "stray.png"}


def test_a_url_picture_needs_no_file() -> None:
    assert pack_images([mc_question(image="https://example.org/x.png")], {}) == []


# --- the .zip ------------------------------------------------------------------------------------


def test_a_zip_gives_its_pack_and_its_files_by_name() -> None:
    data = zipped(
        ("pics/pack.yaml", b"pack: x"), ("pics/red.png", picture()), ("__MACOSX/._red.png", b"junk")
    )
    upload = read_pack_zip(data, SUFFIXES)
    assert (upload.pack_name, upload.pack_data, set(upload.files)) == ("pack.yaml", b"pack: x", {"red.png"})


@pytest.mark.parametrize(
    "name", ["../red.png", "/etc/red.png", "a/../../red.png", "C:/red.png", "a\\red.png", "a//red.png"]
)
def test_a_path_leaving_the_zip_is_refused(name: str) -> None:
    refused("zip_unsafe", lambda: read_pack_zip(zipped(("pack.yaml", b"x"), (name, picture())), SUFFIXES))


def test_a_link_inside_the_zip_is_refused() -> None:
    out = BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("pack.yaml", b"x")
        link = zipfile.ZipInfo("red.png")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(link, "/etc/passwd")
    refused("zip_unsafe", lambda: read_pack_zip(out.getvalue(), SUFFIXES))


def test_an_archive_inside_the_zip_is_refused() -> None:
    inner = zipped(("red.png", picture()))
    refused("zip_nested", lambda: read_pack_zip(zipped(("pack.yaml", b"x"), ("more.zip", inner)), SUFFIXES))
    refused("zip_nested", lambda: read_pack_zip(zipped(("pack.yaml", b"x"), ("red.png", inner)), SUFFIXES))


@pytest.mark.parametrize("packs", [[], ["a.yaml", "b.yml"]])
def test_a_zip_holds_exactly_one_pack(packs: list[str]) -> None:
    entries = [(name, b"x") for name in packs] + [("red.png", picture())]
    error = refused("zip_no_pack", lambda: read_pack_zip(zipped(*entries), SUFFIXES))
    assert error.details == {"suffixes": ".yaml, .yml, .json"}


def test_two_files_of_one_name_are_refused() -> None:
    data = zipped(("pack.yaml", b"x"), ("a/red.png", picture()), ("b/red.png", picture()))
    refused("zip_duplicate", lambda: read_pack_zip(data, SUFFIXES))


def test_too_many_files_are_refused() -> None:
    entries = [("pack.yaml", b"x")] + [(f"{n}.png", b"p") for n in range(MAX_ZIP_FILES)]
    error = refused("zip_too_many", lambda: read_pack_zip(zipped(*entries), SUFFIXES))
    assert error.details == {"limit": MAX_ZIP_FILES}


def test_files_stating_too_much_unpacked_are_refused_before_unpacking() -> None:
    """Zeros compress a thousandfold: 40 MB of them fit a small .zip and are refused by stated size."""
    data = zipped(
        ("pack.yaml", b"x"),
        ("a.png", bytes(MAX_ZIP_UNPACKED // 2 + 1)),
        ("b.png", bytes(MAX_ZIP_UNPACKED // 2)),
    )
    assert len(data) < 200_000
    refused("zip_too_large", lambda: read_pack_zip(data, SUFFIXES))


def test_a_zip_bomb_lying_about_its_sizes_is_refused_without_inflating_it() -> None:
    """An entry stating 100 bytes that inflates to 20 MB is cut at its stated size and refused."""
    honest = zipped(("pack.yaml", b"x"), ("bomb.png", bytes(20 * 1024 * 1024)))
    lying = _state_size(honest, "bomb.png", 100)
    with pytest.MonkeyPatch.context() as patch:
        read: list[int] = []
        original = zipfile.ZipExtFile.read

        def counting(self: zipfile.ZipExtFile, n: int = -1) -> bytes:
            out = original(self, n)
            read.append(len(out))
            return out

        patch.setattr(zipfile.ZipExtFile, "read", counting)
        error = refused("zip_unreadable", lambda: read_pack_zip(lying, SUFFIXES))
    assert error.reason == "zip_unreadable"  # its checksum no longer matches what was read
    assert max(read) <= 101


# Where a zip header keeps its name's length, its name and its stated size: (signature, length at,
# name at, size at), for the local file header and the central directory's entry.
_HEADERS = ((b"PK\x03\x04", 26, 30, 22), (b"PK\x01\x02", 28, 46, 24))


def _state_size(data: bytes, name: str, size: int) -> bytes:
    """`data` with `name`'s stated (uncompressed) size changed to `size`, in both of its headers."""
    raw = bytearray(data)
    for signature, length_at, name_at, size_at in _HEADERS:
        at = raw.find(signature)
        while at != -1:
            length = struct.unpack_from("<H", raw, at + length_at)[0]
            if raw[at + name_at : at + name_at + length] == name.encode():
                struct.pack_into("<I", raw, at + size_at, size)
                break
            at = raw.find(signature, at + 4)
    return bytes(raw)


def test_damaged_or_encrypted_zips_are_unreadable() -> None:
    refused("zip_unreadable", lambda: read_pack_zip(b"PK\x03\x04 not really a zip", SUFFIXES))
    refused("zip_unreadable", lambda: read_pack_zip(b"", SUFFIXES))
    data = bytearray(zipped(("pack.yaml", b"x"), ("red.png", picture())))
    central = data.find(b"PK\x01\x02")
    data[central + 8] |= 0x1  # the encrypted flag
    refused("zip_unreadable", lambda: read_pack_zip(bytes(data), SUFFIXES))


def test_a_zip_over_the_upload_limit_is_refused_unread() -> None:
    error = refused("too_big", lambda: read_pack_zip(bytes(images.MAX_ZIP_BYTES + 1), SUFFIXES))
    assert error.details["limit"] == images.MAX_ZIP_BYTES


def test_every_question_kind_keeps_its_picture() -> None:
    question = Question(
        "a", "Is it?", "true_false", "c", "easy", "e", ("True", "False"), 0, image="attachment://a.png"
    )
    assert question.image == "attachment://a.png"
