"""quizbot's build: setup.cfg declares the package; this adds one step, the bank's pictures drawn as PNG.

`build_pictures` runs with every build (a wheel, an sdist's install, the Dockerfile's) after
build_py, rendering quizbot/questions/images/*.svg into the built package. For an editable install
(`pip install -e .`) it writes the PNGs beside their sources instead, where the package is imported
from. resvg-py, which renders them, is a build requirement (pyproject.toml), not a runtime one.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType
from typing import ClassVar

from setuptools import Command, setup
from setuptools.command.build import build

HERE = Path(__file__).resolve().parent
PICTURES = Path("quizbot", "questions", "images")


def _drawing() -> ModuleType:
    """quizbot/questions/drawing.py, loaded by path: the package's dependencies are not installed yet."""
    spec = importlib.util.spec_from_file_location("quizbot_drawing", HERE / "quizbot/questions/drawing.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class BuildPictures(Command):
    """Render the bank's SVG pictures to PNG in the built package (the source tree when editable)."""

    description = "render quizbot/questions/images/*.svg to PNG"
    user_options: ClassVar[list[tuple[str, str | None, str]]] = []

    def initialize_options(self) -> None:
        self.build_lib: str | None = None
        self.editable_mode = False

    def finalize_options(self) -> None:
        self.set_undefined_options("build_py", ("build_lib", "build_lib"))

    def _target(self) -> Path:
        return HERE / PICTURES if self.editable_mode else Path(self.build_lib or "build") / PICTURES

    def run(self) -> None:
        written = _drawing().render_all(HERE / PICTURES, self._target())
        print(f"build_pictures: {len(written)} pictures rendered to {self._target()}")

    def get_source_files(self) -> list[str]:
        return [str(path.relative_to(HERE)) for path in sorted((HERE / PICTURES).glob("*.svg"))]

    def get_outputs(self) -> list[str]:
        if self.editable_mode:
            return []
        return [str(self._target() / (Path(name).stem + ".png")) for name in self.get_source_files()]

    def get_output_mapping(self) -> dict[str, str]:
        return {}


build.sub_commands.append(("build_pictures", None))
setup(cmdclass={"build_pictures": BuildPictures})
