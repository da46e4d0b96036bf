"""The bank's pictures: SVG sources drawn for quizbot, rendered to PNG once, when the package is built.

This module imports nothing of quizbot (setup.py loads it by path while the wheel is built, before
quizbot's dependencies exist) and only resvg-py to render: the build step (setup.py's
build_pictures) writes each `images/<name>.svg` as `images/<name>.png` beside it in the built
package, or in the source tree for an editable install. A checkout that was never built renders a
picture the first time it is shown instead (questions/pictures.py).
"""

from __future__ import annotations

from pathlib import Path

SOURCES = Path(__file__).resolve().parent / "images"


def sources(directory: Path = SOURCES) -> list[Path]:
    """Every SVG picture, by name."""
    return sorted(directory.glob("*.svg"))


def render(svg: Path) -> bytes:
    """One SVG drawn as PNG at its own size (resvg: no system fonts, our pictures hold no text)."""
    import resvg_py  # noqa: PLC0415 - needed only to build, and where a checkout was never built

    return bytes(resvg_py.svg_to_bytes(svg_path=str(svg), skip_system_fonts=True))


def render_all(source: Path, target: Path) -> list[Path]:
    """Render every SVG in `source` to a PNG of the same name in `target`; the PNGs written."""
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for svg in sources(source):
        png = target / (svg.stem + ".png")
        png.write_bytes(render(svg))
        written.append(png)
    return written
