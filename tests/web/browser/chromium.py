"""Debian's Chromium, driven by Playwright: where it is and how a root container launches it.

Playwright cannot download a browser of its own here, so the tests use the system one that
.ci/run installs (`apt-get install chromium`)."""

from __future__ import annotations

import os
from pathlib import Path

from playwright.async_api import Browser, Playwright

# Debian's binary itself: /usr/bin/chromium is a launcher script that adds desktop flags
# (extensions, GPU rasterisation) the tests do not want.
DEBIAN_BINARY = Path("/usr/lib/chromium/chromium")
# A root container has no user namespace for Chromium's sandbox; /dev/shm may be small there.
LAUNCH_FLAGS = ("--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu")


def chromium_path() -> Path:
    """The Chromium binary to drive: QUIZBOT_CHROMIUM when set, else Debian's.

    Raises FileNotFoundError saying how to install it when there is none, so a browser test fails
    with that message rather than being skipped."""
    path = Path(os.environ.get("QUIZBOT_CHROMIUM") or DEBIAN_BINARY)
    if not path.is_file() or not os.access(path, os.X_OK):
        raise FileNotFoundError(
            f"no Chromium at {path}: the browser tests need Debian's chromium "
            "(apt-get install -y --no-install-recommends chromium, as .ci/run does) "
            "or QUIZBOT_CHROMIUM naming a Chromium binary"
        )
    return path


async def launch(playwright: Playwright) -> Browser:
    """A headless Chromium from `chromium_path`, with the flags a root container needs."""
    return await playwright.chromium.launch(executable_path=chromium_path(), args=list(LAUNCH_FLAGS))
