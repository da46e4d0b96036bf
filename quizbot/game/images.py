"""What a question's picture may be named by: an https URL or `attachment://<name>`, nothing else.

Only the shape is checked here (the core does no I/O): quizbot never fetches a URL itself (that would
let a pack make the bot request any address), Discord's media proxy does when it shows the embed.
An attachment's bytes come with its pack and are checked where they are read (questions/images.py).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

MAX_IMAGE_REFERENCE = 2048  # Discord's limit on an embed image's URL
ATTACHMENT_SCHEME = "attachment://"
# A file name Discord keeps as written: letters, digits, dot, dash and underscore, with an extension.
ATTACHMENT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}\.[A-Za-z0-9]{1,8}", re.ASCII)
_SPACE_OR_CONTROL = re.compile(r"[\s\x00-\x1f\x7f-\x9f]")


def attachment_name(image: str | None) -> str | None:
    """The file an `attachment://<name>` image names (None for a URL or no image)."""
    if image is None or not image.startswith(ATTACHMENT_SCHEME):
        return None
    return image[len(ATTACHMENT_SCHEME) :]


def image_problem(image: str) -> str | None:
    """What is wrong with a question's image reference, in words (None when it is fine).

    It must be at most MAX_IMAGE_REFERENCE ASCII characters with no whitespace or controls, and
    either `https://host/...` (a host, no user name or password) or `attachment://<file name>`.
    """
    if not image or len(image) > MAX_IMAGE_REFERENCE:
        return f"image must be 1 to {MAX_IMAGE_REFERENCE} characters"
    if _SPACE_OR_CONTROL.search(image) or not image.isascii():
        return "image must be ASCII with no spaces or control characters (percent-encode the rest)"
    name = attachment_name(image)
    if name is None:
        return _url_problem(image)
    if ATTACHMENT_NAME.fullmatch(name) is None:
        return "an attachment image is attachment://<file name>, a plain file name such as map.png"
    return None


def _url_problem(image: str) -> str | None:
    """What is wrong with an image URL: https, a host, no user name or password."""
    try:
        parts = urlsplit(image)
        host = parts.hostname
    except ValueError:
        return "image is not a well-formed URL"
    if parts.scheme.lower() != "https":
        return "image must be an https:// URL or attachment://<file name>"
    if not host or parts.username is not None or parts.password is not None:
        return "an image URL names a host (and no user name or password)"
    return None
