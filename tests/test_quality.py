"""The package passes ruff and mypy, so the README's test command checks style and types too."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CODE = [name for name in ("quizbot", "tests", "bench") if (ROOT / name).is_dir()]


def run_tool(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args], check=False, cwd=ROOT, capture_output=True, text=True, timeout=300
    )


def test_ruff_finds_nothing() -> None:
    """ruff check passes on the package, tests and benchmarks."""
    result = run_tool("ruff", "check", *CODE)
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_is_clean() -> None:
    """The code is formatted as ruff format would leave it."""
    result = run_tool("ruff", "format", "--check", *CODE)
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict_passes() -> None:
    """mypy --strict (configured in setup.cfg) finds no errors in quizbot/."""
    result = run_tool("mypy", "quizbot")
    assert result.returncode == 0, result.stdout + result.stderr


def test_game_core_imports_neither_disnake_nor_asyncpg() -> None:
    """quizbot/game stays pure: no Discord and no database imports."""
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "quizbot" / "game").rglob("*.py")
        for line in path.read_text().splitlines()
        if line.lstrip().startswith(("import ", "from ")) and ("disnake" in line or "asyncpg" in line)
    ]
    assert offenders == []


def test_sql_lives_only_in_storage() -> None:
    """No module outside quizbot/storage issues SQL."""
    keywords = ("SELECT ", "INSERT INTO", "UPDATE ", "DELETE FROM", "CREATE TABLE")
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "quizbot").rglob("*.py")
        if "storage" not in path.parts and any(k in path.read_text() for k in keywords)
    ]
    assert offenders == []
