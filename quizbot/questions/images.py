"""Pictures a server pack carries: its .zip read safely, each image checked with Pillow, each refusal named.

A pack's question may show `image: https://...` (checked for shape only: quizbot never fetches a
URL, Discord's media proxy does) or `image: attachment://<name>`, a file uploaded with the pack in
one .zip. Such a .zip holds one pack file and exactly the images its questions name; it is read
within bounds (entries, declared and actual sizes, no paths leaving it, no links, no archive inside
another), and each image must be a PNG, JPEG, GIF or WebP by its content, at most 8 MB, each side
16 to 4096 pixels. Every refusal is an ImageRefused whose `reason` and `details` the Discord edge
words from the catalogue; nothing here is stored.
"""

from __future__ import annotations

import stat
import zipfile
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from io import BytesIO
from pathlib import PurePosixPath

from PIL import Image

from quizbot.errors import QuizbotError
from quizbot.game.images import attachment_name, image_problem
from quizbot.game.questions import Question

MAX_IMAGE_BYTES = 8 * 1024 * 1024  # as pack_images' CHECK says
MIN_SIDE, MAX_SIDE = 16, 4096  # pixels, each side
FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif", "WEBP": "image/webp"}
MAX_ZIP_BYTES = 25 * 1024 * 1024  # the upload itself (Discord's largest ordinary attachment)
MAX_ZIP_FILES = 51  # one pack and at most 50 images
MAX_ZIP_UNPACKED = 32 * 1024 * 1024  # every file together, unpacked: what one pack may store
ZIP_SUFFIX = ".zip"
_ARCHIVE_SUFFIXES = (".zip", ".jar", ".7z", ".rar", ".tar", ".gz", ".tgz", ".bz2", ".xz", ".zst")
_ARCHIVE_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"7z\xbc\xaf", b"Rar!", b"\x1f\x8b", b"BZh", b"\xfd7zXZ")
_JUNK = ("__MACOSX/",)  # what an operating system adds to a .zip on its own
_JUNK_NAMES = (".DS_Store", "Thumbs.db", "desktop.ini")
_SHOWN = 60  # a refused file name is shown cut to this many characters


class ImageRefused(QuizbotError):
    """An image, its reference or its .zip cannot be taken; `reason` names the catalogue message and
    `details` fill it (plain text and numbers, as uploaded: the edge escapes them)."""

    def __init__(self, reason: str, **details: str | int) -> None:
        self.reason = reason
        self.details = details
        shown = ", ".join(f"{key}={value!r}" for key, value in details.items())
        super().__init__(f"image refused ({reason}{': ' + shown if shown else ''})")


@dataclass(frozen=True, slots=True)
class CheckedImage:
    """An image that passed every check, ready to be stored with its pack."""

    name: str
    content_type: str
    width: int
    height: int
    data: bytes


@dataclass(frozen=True, slots=True)
class PackUpload:
    """What a .zip held: its one pack file and the other files by name."""

    pack_name: str
    pack_data: bytes
    files: dict[str, bytes]


def checked_reference(image: str, question_id: str) -> str:
    """A pack's `image:` value when it is an https URL or attachment://<name>; else ImageRefused."""
    problem = image_problem(image)
    if problem is None:
        return image
    scheme = image.split("://", 1)[0].lower() if "://" in image else ""
    reason = "not_https" if scheme and scheme not in ("https", "attachment") else "bad_reference"
    raise ImageRefused(reason, question=_cut(question_id))


def check_image(name: str, data: bytes) -> CheckedImage:
    """`data` as a picture Discord shows: PNG, JPEG, GIF or WebP by content, at most MAX_IMAGE_BYTES,
    each side MIN_SIDE to MAX_SIDE pixels, and decodable to the end; else ImageRefused."""
    shown = _cut(name)
    if len(data) > MAX_IMAGE_BYTES:
        raise ImageRefused("too_big", name=shown, size=len(data), limit=MAX_IMAGE_BYTES)
    try:
        with Image.open(BytesIO(data), formats=list(FORMATS)) as picture:
            kind, (width, height) = picture.format or "", picture.size
            if not (MIN_SIDE <= width <= MAX_SIDE and MIN_SIDE <= height <= MAX_SIDE):
                raise ImageRefused(
                    "dimensions", name=shown, width=width, height=height, low=MIN_SIDE, high=MAX_SIDE
                )
            picture.verify()  # checksums and structure, before any pixel is decoded
        with Image.open(BytesIO(data), formats=[kind]) as picture:
            picture.load()  # the first frame decodes in full: a truncated file fails here
    except ImageRefused:
        raise
    except Image.DecompressionBombError:  # stated far past MAX_SIDE (Pillow checks before we can)
        raise ImageRefused("pixels", name=shown, low=MIN_SIDE, high=MAX_SIDE) from None
    except Exception:  # a decoder fed hostile bytes may raise anything: each means "not an image"
        raise ImageRefused("not_image", name=shown) from None
    return CheckedImage(name, FORMATS[kind], width, height, data)


def pack_images(questions: Iterable[Question], files: Mapping[str, bytes]) -> list[CheckedImage]:
    """The checked images a pack's questions name as attachments, from the files uploaded with it.

    Every attachment a question names must be there, and every file must be named by a question
    (nothing is stored that no question shows); ImageRefused says which is wrong.
    """
    wanted: dict[str, str] = {}  # attachment name -> the first question showing it
    for question in questions:
        name = attachment_name(question.image)
        if name is not None:
            wanted.setdefault(name, question.question_id)
            if name not in files:
                raise ImageRefused("missing", question=_cut(question.question_id), name=_cut(name))
    for name in files:
        if name not in wanted:
            raise ImageRefused("unused", name=_cut(name))
    return [check_image(name, files[name]) for name in wanted]


def read_pack_zip(data: bytes, pack_suffixes: Sequence[str]) -> PackUpload:
    """A .zip's one pack file (by its suffix) and its other files by name, read within every bound.

    Declared sizes are checked before anything is unpacked and actual sizes while unpacking (a
    zip bomb states small sizes and inflates past them), so no more than MAX_ZIP_UNPACKED bytes
    are ever held; paths must stay inside the archive, and nothing in it may be a link, encrypted,
    or another archive.
    """
    if len(data) > MAX_ZIP_BYTES:
        raise ImageRefused("too_big", name="zip", size=len(data), limit=MAX_ZIP_BYTES)
    try:
        archive = zipfile.ZipFile(BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise ImageRefused("zip_unreadable") from None
    with archive:
        entries = [info for info in archive.infolist() if not _junk(info)]
        if len(entries) > MAX_ZIP_FILES * 2:  # folders count too, but not without bound
            raise ImageRefused("zip_too_many", limit=MAX_ZIP_FILES)
        files = [info for info in entries if not info.is_dir()]
        for info in entries:
            _check_entry(info)
        if len(files) > MAX_ZIP_FILES:
            raise ImageRefused("zip_too_many", limit=MAX_ZIP_FILES)
        if sum(info.file_size for info in files) > MAX_ZIP_UNPACKED:
            raise ImageRefused("zip_too_large", limit=MAX_ZIP_UNPACKED)
        contents: dict[str, bytes] = {}
        for info in files:
            name = PurePosixPath(info.filename).name
            if name in contents:
                raise ImageRefused("zip_duplicate", name=_cut(name))
            contents[name] = _unpacked(archive, info)
    packs = [name for name in contents if name.lower().endswith(tuple(pack_suffixes))]
    if len(packs) != 1:
        raise ImageRefused("zip_no_pack", suffixes=", ".join(pack_suffixes))
    pack_data = contents.pop(packs[0])
    for name, content in contents.items():
        if name.lower().endswith(_ARCHIVE_SUFFIXES) or content.startswith(_ARCHIVE_MAGIC):
            raise ImageRefused("zip_nested", name=_cut(name))
    return PackUpload(packs[0], pack_data, contents)


def _junk(info: zipfile.ZipInfo) -> bool:
    """What an operating system puts in a .zip by itself (macOS resource forks, folder settings)."""
    name = info.filename
    return name.startswith(_JUNK) or PurePosixPath(name).name in _JUNK_NAMES


def _check_entry(info: zipfile.ZipInfo) -> None:
    """Refuse an entry whose path leaves the archive, that is a link, or that is encrypted."""
    name = info.filename
    parts = name.rstrip("/").split("/")
    unsafe = (
        not name
        or name.startswith("/")
        or "\\" in name
        or ":" in parts[0]  # a drive letter
        or any(part in ("", ".", "..") for part in parts)
        or stat.S_ISLNK(info.external_attr >> 16)
    )
    if unsafe:
        raise ImageRefused("zip_unsafe")
    if info.flag_bits & 0x1:
        raise ImageRefused("zip_unreadable")


def _unpacked(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """One entry's bytes, read no further than it declared (+1 to notice a lie), its CRC checked."""
    try:
        with archive.open(info) as stream:
            content = stream.read(info.file_size + 1)
    except (zipfile.BadZipFile, zlib.error, NotImplementedError, RuntimeError, OSError, EOFError, ValueError):
        raise ImageRefused("zip_unreadable") from None
    if len(content) != info.file_size:
        raise ImageRefused("zip_sizes")
    return content


def _cut(text: str) -> str:
    """A name as shown in a refusal: at most _SHOWN characters."""
    return text if len(text) <= _SHOWN else text[: _SHOWN - 1] + "…"
