"""Embeds that show a message's own files, as Discord resolves them.

An embed's image or thumbnail whose url is `attachment://<filename>` shows the file of that name
uploaded with the message (on an edit, one the message keeps, or a new one): Discord stores the
file's CDN url in the embed instead, and the file leaves the message's `attachments` (it is shown
inside the embed, not beside it). An edit whose embeds no longer show a kept file brings it back
among the attachments. A reference to a file the message does not have shows nothing, so the
double drops that image, leaving the rest of the embed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from quizbot.testing._model import JSON

if TYPE_CHECKING:
    from quizbot.testing._records import Attachment

ATTACHMENT_SCHEME = "attachment://"
SHOWN_PARTS = ("image", "thumbnail")


def resolved(embeds: Sequence[JSON], files: Sequence[Attachment]) -> list[JSON]:
    """`embeds` with every attachment:// image or thumbnail replaced by the named file's url."""
    by_name = {file.filename: file for file in files}
    out = []
    for given in embeds:
        embed = dict(given)
        for part in SHOWN_PARTS:
            shown = embed.get(part)
            url = shown.get("url") if isinstance(shown, dict) else None
            if not isinstance(url, str) or not url.startswith(ATTACHMENT_SCHEME):
                continue
            file = by_name.get(url.removeprefix(ATTACHMENT_SCHEME))
            if file is None:
                del embed[part]
                continue
            embed[part] = {"url": file.url, "proxy_url": file.url, "content_type": file.content_type}
        out.append(embed)
    return out


def shown_urls(embeds: Sequence[JSON]) -> set[str]:
    """The urls of the files the embeds show (their images and thumbnails)."""
    return {
        part["url"]
        for embed in embeds
        for name in SHOWN_PARTS
        if isinstance(part := embed.get(name), dict) and isinstance(part.get("url"), str)
    }
