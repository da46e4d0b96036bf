"""Which shipped locale a page speaks: ?lang= when given, else the best of Accept-Language."""

from __future__ import annotations

from aiohttp import web

from quizbot.i18n import DEFAULT, SUPPORTED, resolve

MAX_TAGS = 12  # Accept-Language entries looked at; the rest are ignored
MAX_TAG = 35  # the longest well-formed language tag we bother to read
_LANGUAGES = {locale.split("-")[0].lower() for locale in SUPPORTED}


def page_locale(request: web.Request) -> str:
    """The shipped locale for this request: a `lang` query naming one of our languages wins, then
    Accept-Language in order of its q values; anything unreadable counts as absent (never an error)."""
    asked = request.query.get("lang", "")
    if _ours(asked):
        return resolve(asked)
    for tag in accepted(request.headers.get("Accept-Language", "")):
        if _ours(tag):
            return resolve(tag)
    return DEFAULT


def accepted(header: str) -> list[str]:
    """The language tags of an Accept-Language header, best first (q=0 and malformed entries dropped)."""
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate(header[: MAX_TAGS * (MAX_TAG + 8)].split(",")[:MAX_TAGS]):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                continue
        if tag and len(tag) <= MAX_TAG and 0 < quality <= 1:
            ranked.append((-quality, index, tag))
    return [tag for _, _, tag in sorted(ranked)]


def _ours(tag: str) -> bool:
    return 0 < len(tag) <= MAX_TAG and tag.replace("_", "-").split("-")[0].lower() in _LANGUAGES
