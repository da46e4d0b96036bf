"""The package keeps its layering: a pure game core, actors on the game alone, SQL only in storage.

Style and types (ruff, mypy) are checked by .ci/run, not here."""

from __future__ import annotations

import ast
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


def quizbot_imports(package: str, *, for_types: bool = True) -> dict[str, set[str]]:
    """Each module of quizbot/`package` -> the modules it imports; `for_types=False` leaves out the
    imports under `if TYPE_CHECKING:` (what it imports when it runs)."""
    found: dict[str, set[str]] = {}
    for path in (ROOT / "quizbot" / package).rglob("*.py"):
        tree = ast.parse(path.read_text())
        typing_only = (
            set()
            if for_types
            else {
                id(child)
                for node in ast.walk(tree)
                if isinstance(node, ast.If)
                and isinstance(node.test, ast.Name)
                and node.test.id == "TYPE_CHECKING"
                for child in ast.walk(node)
            }
        )
        names: set[str] = set()
        for node in ast.walk(tree):
            if id(node) in typing_only:
                continue
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module)
        found[str(path.relative_to(ROOT))] = names
    return found


def outside(imports: dict[str, set[str]], allowed: tuple[str, ...], watched: tuple[str, ...]) -> list[str]:
    """`module: import` for every watched import that is not under an allowed prefix."""
    return sorted(
        f"{module}: {name}"
        for module, names in imports.items()
        for name in names
        if name.split(".")[0] in watched and not any(name == a or name.startswith(a + ".") for a in allowed)
    )


def test_actors_depend_only_on_the_game_errors_and_their_ports() -> None:
    """quizbot/actors imports nothing of storage, question sources, the Discord edge, disnake or asyncpg."""
    allowed = ("quizbot.actors", "quizbot.game", "quizbot.errors", "quizbot.clock", "quizbot.backoff")
    watched = ("quizbot", "disnake", "asyncpg", "aiohttp")
    assert outside(quizbot_imports("actors"), allowed, watched) == []


def test_the_game_depends_on_nothing_but_itself() -> None:
    """quizbot/game imports only itself and the domain errors."""
    allowed = ("quizbot.game", "quizbot.errors")
    assert outside(quizbot_imports("game"), allowed, ("quizbot", "disnake", "asyncpg", "aiohttp")) == []


def test_question_sources_reach_storage_only_through_ports() -> None:
    """quizbot/questions imports nothing of storage, asyncpg or disnake: it stores through its own ports."""
    allowed = (
        "quizbot.questions",
        "quizbot.game",
        "quizbot.errors",
        "quizbot.clock",
        "quizbot.backoff",
        "quizbot.config",
    )
    assert outside(quizbot_imports("questions"), allowed, ("quizbot", "asyncpg", "disnake")) == []


def test_the_layering_check_sees_a_forbidden_import() -> None:
    """The check itself: an actors module importing storage is reported."""
    imports = {"quizbot/actors/x.py": {"quizbot.storage.pool", "quizbot.game.session", "asyncio"}}
    allowed = ("quizbot.actors", "quizbot.game")
    assert outside(imports, allowed, ("quizbot",)) == ["quizbot/actors/x.py: quizbot.storage.pool"]


def test_the_web_never_loads_the_discord_edge() -> None:
    """quizbot/web imports neither disnake nor quizbot/bot when it runs: it never calls Discord."""
    imports = quizbot_imports("web", for_types=False)
    assert imports, "no web modules found"
    offenders = sorted(
        f"{module}: {name}"
        for module, names in imports.items()
        for name in names
        if name.split(".")[0] == "disnake" or name == "quizbot.bot" or name.startswith("quizbot.bot.")
    )
    assert offenders == []
