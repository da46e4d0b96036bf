"""The package keeps its layering: a pure game core, and SQL only in storage.

Style and types (ruff, mypy) are checked by .ci/run, not here."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


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
