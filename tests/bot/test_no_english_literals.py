"""No English literals in quizbot/bot/: every word a user can read comes from the catalogue.

Every string constant in quizbot/bot/**/*.py (f-string parts included) is read from the source; one
that holds words fails the test with its file and line, unless it is one of these, and only these:

- a docstring;
- a loguru log call's argument (`logger...` or a name bound from `logger...`): logs stay English;
- an argument of `disnake.Localized(...)`: English already keyed in the catalogue, which a test of
  the command localisations keeps equal to en-US.json;
- an exception's message in a `raise` (the edge words errors by their type), except InvalidValue
  and InvalidState, whose text can reach players;
- machine syntax: a `re.compile` pattern, a `cast` or TypeAlias type, an f-string's format spec,
  a Discord timestamp's style (`format_dt(when, "R")`);
- a token: no letters at all, or one lower-case word without spaces (catalogue keys, option and
  choice names, ids, enum values: "reply.sorry", "idle_timeout", "qb:a:");
- one of MACHINE below, named one by one.

PENDING is for work in progress: files another change is still converting, and (with
PENDING_DECORATORS) the cogs' command and option declarations. Both are empty now that render.py and
the command localisations have landed: the whole package is scanned.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import quizbot.bot

BOT = Path(quizbot.bot.__file__).resolve().parent
ROOT = BOT.parent.parent

# Machine strings that are neither lower-case tokens nor caught by a rule above.
MACHINE = frozenset(
    {
        "INTERACTION_CREATE",  # a gateway event's name
        "Retry-After",  # HTTP headers
        "X-RateLimit-Scope",
        "_HTTPClient__session",  # disnake's private attribute
        "Cc",  # Unicode categories
        "Cf",
        "Cs",
        "ABCDE",  # the answer buttons' letters, the same in every language
        "MMMEd",  # CLDR date and time skeletons (babel words them in the reader's language)
        "Hm",
    }
)
# Temporary, for work in progress (see the module's docstring): nothing is pending.
PENDING_FILES: frozenset[str] = frozenset()
PENDING_DECORATORS = False

TOKEN = re.compile(r"[a-z0-9_.:/#\-]*")
LETTER = re.compile(r"[^\W\d_]")
LOG_METHODS = frozenset({"trace", "debug", "info", "success", "warning", "error", "exception", "critical"})
MAY_REACH_PLAYERS = frozenset({"InvalidValue", "InvalidState"})


@dataclass(frozen=True, slots=True)
class Literal:
    """A string constant the scan found, where it is."""

    path: Path
    line: int
    text: str

    def __str__(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}: {self.text!r}"


def _name(node: ast.expr) -> str | None:
    """The last name of a call's function: `Localized` for disnake.Localized(...)."""
    if isinstance(node, ast.Attribute):
        return node.attr
    return node.id if isinstance(node, ast.Name) else None


def _root(node: ast.expr) -> str | None:
    """The name an attribute or call chain starts from: `logger` for logger.bind(...).opt(...).info."""
    while isinstance(node, ast.Call | ast.Attribute | ast.Subscript):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else None


def _docstrings(tree: ast.Module) -> set[int]:
    found: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            first = node.body[0] if node.body else None
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def _loggers(tree: ast.Module) -> set[str]:
    """`logger`, and every name assigned from a chain that starts at it (log = logger.bind(...))."""
    names = {"logger"}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and _root(node.value) in names:
            names |= {target.id for target in node.targets if isinstance(target, ast.Name)}
    return names


def _exempt(tree: ast.Module) -> set[int]:
    """Every node inside a construct the rules exempt."""
    loggers = _loggers(tree)
    inside: list[ast.AST] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = _name(node.func)
            logging = name in LOG_METHODS and _root(node.func) in loggers
            if logging or name in ("Localized", "compile", "cast", "format_dt"):
                inside.extend([*node.args, *(k.value for k in node.keywords)])
            if PENDING_DECORATORS and name == "Param":
                inside.extend(k.value for k in node.keywords if k.arg in ("description", "name"))
        elif isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
            if _name(node.exc.func) not in MAY_REACH_PLAYERS:
                inside.append(node.exc)
        elif isinstance(node, ast.AnnAssign) and _name(node.annotation) == "TypeAlias" and node.value:
            inside.append(node.value)
        elif isinstance(node, ast.FormattedValue) and node.format_spec is not None:
            inside.append(node.format_spec)
        elif PENDING_DECORATORS and isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            inside.extend(node.decorator_list)
    return {id(sub) for top in inside for sub in ast.walk(top)}


def words_for_people(text: str) -> bool:
    """True for a string that holds words: letters, and not a lower-case token or a known machine string."""
    return bool(LETTER.search(text)) and not TOKEN.fullmatch(text) and text not in MACHINE


def literals(path: Path) -> Iterator[Literal]:
    """The string constants in `path` that a user could read, by the rules above."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    skipped = _docstrings(tree) | _exempt(tree)
    for node in ast.walk(tree):
        text = node.value if isinstance(node, ast.Constant) else None
        if isinstance(text, str) and id(node) not in skipped and words_for_people(text):
            yield Literal(path, node.lineno, text)


def scanned() -> list[Path]:
    return sorted(path for path in BOT.rglob("*.py") if path.name not in PENDING_FILES)


def test_no_english_literals_are_left_in_the_discord_edge() -> None:
    """Every user-visible word in quizbot/bot/ comes from the catalogue; offenders are named by file:line."""
    offenders = [str(found) for path in scanned() for found in literals(path)]
    assert not offenders, "English literals outside the catalogue:\n" + "\n".join(offenders)


def test_the_scan_finds_words_and_lets_machine_strings_be(tmp_path: Path) -> None:
    """The rules on a sample: prose, titles and f-string text are found; the exempt kinds are not."""
    sample = tmp_path / "sample.py"
    sample.write_text(
        '"""A docstring."""\n'
        "import re\n"
        "from loguru import logger\n"
        "log = logger.bind(guild=1)\n"
        "def f(x: int) -> str:\n"
        '    """Its docstring."""\n'
        '    logger.info("logged {}", x)\n'
        '    log.warning("also logged")\n'
        '    pattern = re.compile(r"no more hints")\n'
        '    key = "reply.sorry"\n'
        "    if x > 1:\n"
        '        raise ValueError("a programming error")\n'
        "    if x > 2:\n"
        '        raise InvalidValue("players read this")\n'
        '    shown = f"{x:>2} points"\n'
        '    return "Accuracy" + f"{x:%Y-%m-%d}"\n',
        encoding="utf-8",
    )
    found = sorted((item.line, item.text) for item in literals(sample))
    assert found == [(14, "players read this"), (15, " points"), (16, "Accuracy")]


def test_pending_files_exist() -> None:
    """A file named as still being converted is a real file (a renamed one would hide nothing)."""
    assert {path.name for path in BOT.rglob("*.py")} >= PENDING_FILES
