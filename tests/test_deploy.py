"""The container files: compose.yaml, the Dockerfile, .dockerignore, and the wheel the image installs."""

from __future__ import annotations

import argparse
import configparser
import fnmatch
import importlib
import json
import re
import shutil
import stat
import subprocess
import sys
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from quizbot.config import Settings
from quizbot.questions.images import check_image

REPO = Path(__file__).resolve().parents[1]
ROOT_USERS = {"root", "0"}


@dataclass(frozen=True)
class Instruction:
    """One Dockerfile instruction, continuation lines joined."""

    keyword: str
    arguments: str
    stage: int  # index of the FROM it belongs to


def parse_dockerfile(text: str) -> list[Instruction]:
    """Instructions in order; comments and blank lines dropped, backslash continuations joined."""
    instructions: list[Instruction] = []
    stage = -1
    pending = ""
    for line in text.splitlines():
        stripped = line.strip()
        if not pending and (not stripped or stripped.startswith("#")):
            continue
        if stripped.startswith("#"):
            continue
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        keyword, _, arguments = (pending + stripped).partition(" ")
        pending = ""
        if keyword.upper() == "FROM":
            stage += 1
        instructions.append(Instruction(keyword.upper(), arguments.strip(), stage))
    return instructions


def exec_form(arguments: str) -> list[str]:
    """The JSON array of an exec-form CMD/ENTRYPOINT; fails the test on shell form."""
    value = json.loads(arguments)
    assert isinstance(value, list), arguments
    return [str(part) for part in value]


def interpolate(value: str, environ: dict[str, str]) -> str:
    """Compose's ${NAME}, ${NAME:-default} and ${NAME-default}, resolved against `environ`."""

    def replace(match: re.Match[str]) -> str:
        name, operator, default = match.group(1), match.group(2), match.group(3) or ""
        if operator == ":-":
            return environ.get(name) or default
        if operator == "-":
            return environ.get(name, default)
        return environ.get(name, "")

    return re.sub(r"\$\{(\w+)(?:(:?-)([^}]*))?\}", replace, value)


def environment(service: dict[str, Any]) -> dict[str, str | None]:
    """A service's environment as a mapping, whether written as a mapping or a list."""
    raw = service.get("environment") or {}
    if isinstance(raw, dict):
        return {str(k): None if v is None else str(v) for k, v in raw.items()}
    pairs = [str(item).partition("=") for item in raw]
    return {name: value if sep else None for name, sep, value in pairs}


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    """compose.yaml, parsed."""
    document = yaml.safe_load((REPO / "compose.yaml").read_text(encoding="utf-8"))
    assert isinstance(document, dict)
    return document


@pytest.fixture(scope="module")
def dockerfile() -> list[Instruction]:
    """The Dockerfile's instructions."""
    return parse_dockerfile((REPO / "Dockerfile").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def runtime_stage(dockerfile: list[Instruction]) -> list[Instruction]:
    """The instructions of the last stage, the image that runs."""
    last = max(i.stage for i in dockerfile)
    return [i for i in dockerfile if i.stage == last]


def context_sources(runtime_stage: list[Instruction]) -> list[str]:
    """What the runtime stage COPYs from the build context (not from another stage)."""
    sources: list[str] = []
    for instruction in runtime_stage:
        if instruction.keyword == "COPY" and "--from" not in instruction.arguments:
            sources += [p for p in instruction.arguments.split()[:-1] if not p.startswith("--")]
    return sources


@pytest.fixture(scope="module")
def wheel(
    tmp_path_factory: pytest.TempPathFactory, runtime_stage: list[Instruction]
) -> Iterator[zipfile.ZipFile]:
    """The quizbot wheel built, as the image builds it, from only what the Dockerfile copies in."""
    source = tmp_path_factory.mktemp("src")
    for name in context_sources(runtime_stage):
        path = REPO / name
        if path.is_dir():
            ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
            shutil.copytree(path, source / path.name, symlinks=True, ignore=ignore)
        else:
            shutil.copy2(path, source / path.name)
    out = tmp_path_factory.mktemp("wheel")
    command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out), str(source)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr
    (built,) = out.glob("quizbot-*.whl")
    with zipfile.ZipFile(built) as archive:
        yield archive


# --- compose.yaml ---


def test_compose_has_db_and_quizbot_services(compose: dict[str, Any]) -> None:
    """compose.yaml defines exactly the db and quizbot services."""
    assert set(compose["services"]) == {"db", "quizbot"}


def test_db_service_runs_postgres_16(compose: dict[str, Any]) -> None:
    """The db service runs the postgres:16 image."""
    assert compose["services"]["db"]["image"] == "postgres:16"


def test_db_service_sets_credentials(compose: dict[str, Any]) -> None:
    """The db service sets POSTGRES_USER, POSTGRES_PASSWORD and POSTGRES_DB to non-empty values."""
    env = environment(compose["services"]["db"])
    for name in ("POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DB"):
        assert interpolate(env.get(name) or "", {}), name


def test_db_data_lives_in_named_volume(compose: dict[str, Any]) -> None:
    """PostgreSQL's data folder is a named volume declared at the top level."""
    mounts = [str(m).split(":") for m in compose["services"]["db"]["volumes"]]
    named = [name for name, target, *_ in mounts if target == "/var/lib/postgresql/data"]
    assert len(named) == 1
    assert named[0] in (compose.get("volumes") or {})


def test_db_healthcheck_uses_pg_isready(compose: dict[str, Any]) -> None:
    """The db service is healthy only once pg_isready answers."""
    test = compose["services"]["db"]["healthcheck"]["test"]
    assert "pg_isready" in (test if isinstance(test, str) else " ".join(test))


def test_quizbot_service_builds_this_repo(compose: dict[str, Any]) -> None:
    """The quizbot service is built from the repository's own Dockerfile."""
    build = compose["services"]["quizbot"]["build"]
    assert (build if isinstance(build, str) else build.get("context")) == "."


def test_quizbot_waits_for_healthy_db(compose: dict[str, Any]) -> None:
    """quizbot starts only once the db service reports healthy."""
    assert compose["services"]["quizbot"]["depends_on"] == {"db": {"condition": "service_healthy"}}


@pytest.mark.parametrize("service", ["db", "quizbot"])
def test_services_restart_unless_stopped(compose: dict[str, Any], service: str) -> None:
    """Both services come back after a crash or reboot unless stopped by hand."""
    assert compose["services"][service]["restart"] == "unless-stopped"


@pytest.mark.parametrize("host_env", [{}, {"POSTGRES_PASSWORD": "from-host"}])
def test_database_url_matches_db_service(compose: dict[str, Any], host_env: dict[str, str]) -> None:
    """quizbot's DATABASE_URL is valid and names the db service with its user, password and database."""
    db_env = {k: interpolate(v or "", host_env) for k, v in environment(compose["services"]["db"]).items()}
    url = interpolate(environment(compose["services"]["quizbot"])["DATABASE_URL"] or "", host_env)
    assert Settings.from_env({"DATABASE_URL": url}).database_url == url
    parts = urlsplit(url)
    assert (parts.hostname, parts.port or 5432) == ("db", 5432)
    assert (parts.username, parts.password) == (db_env["POSTGRES_USER"], db_env["POSTGRES_PASSWORD"])
    assert parts.path == "/" + db_env["POSTGRES_DB"]


def test_discord_token_comes_from_host(compose: dict[str, Any]) -> None:
    """DISCORD_TOKEN is passed through from the host environment, never written in the file."""
    token = environment(compose["services"]["quizbot"])["DISCORD_TOKEN"]
    assert token is None or interpolate(token, {"DISCORD_TOKEN": "from-host"}) == "from-host"


# --- Dockerfile ---


def test_dockerfile_has_builder_and_runtime_stages(dockerfile: list[Instruction]) -> None:
    """The Dockerfile has two FROM stages, the runtime one on a slim Python 3.11."""
    images = [i.arguments.split()[0] for i in dockerfile if i.keyword == "FROM"]
    assert len(images) == 2
    assert images[1].startswith("python:3.11-slim")


def test_builder_stage_builds_wheels(dockerfile: list[Instruction]) -> None:
    """The first stage builds dependency wheels that the runtime stage copies in."""
    assert any(i.keyword == "RUN" and "pip wheel" in i.arguments for i in dockerfile if i.stage == 0)
    assert any(i.keyword == "COPY" and "--from=" in i.arguments for i in dockerfile if i.stage == 1)


def test_runtime_installs_quizbot_without_deps(runtime_stage: list[Instruction]) -> None:
    """The runtime stage installs quizbot itself with --no-deps (its dependencies came as wheels)."""
    assert any(i.keyword == "RUN" and "pip install --no-deps" in i.arguments for i in runtime_stage)


def test_runtime_copies_schema_and_package(runtime_stage: list[Instruction]) -> None:
    """Both the package and the top-level schema.sql its symlink points at are copied in."""
    assert {"quizbot", "schema.sql", "setup.cfg", "pyproject.toml"} <= set(context_sources(runtime_stage))


def test_runtime_runs_as_non_root(runtime_stage: list[Instruction]) -> None:
    """The image's final USER is a named user that is not root."""
    users = [i.arguments.split(":")[0] for i in runtime_stage if i.keyword == "USER"]
    assert users
    assert users[-1] not in ROOT_USERS


def test_healthcheck_runs_quizbot_health(runtime_stage: list[Instruction]) -> None:
    """The image's HEALTHCHECK runs `quizbot health`."""
    (check,) = [i.arguments for i in runtime_stage if i.keyword == "HEALTHCHECK"]
    command = re.search(r"(?:^|\s)CMD\s+(.+)$", check)
    assert command, check
    assert exec_form(command.group(1)) == ["quizbot", "health"]


def test_container_runs_quizbot_run(runtime_stage: list[Instruction]) -> None:
    """ENTRYPOINT plus CMD make the container run `quizbot run`."""
    entrypoint = [exec_form(i.arguments) for i in runtime_stage if i.keyword == "ENTRYPOINT"]
    cmd = [exec_form(i.arguments) for i in runtime_stage if i.keyword == "CMD"]
    assert (entrypoint[-1] if entrypoint else []) + (cmd[-1] if cmd else []) == ["quizbot", "run"]


def test_dockerfile_expects_database_url_from_environment(dockerfile: list[Instruction]) -> None:
    """No DATABASE_URL or DISCORD_TOKEN is baked into the image."""
    baked = [i for i in dockerfile if i.keyword in {"ENV", "ARG"}]
    assert not [i for i in baked if "DATABASE_URL" in i.arguments or "DISCORD_TOKEN" in i.arguments]


def test_dockerignore_keeps_what_the_image_copies(runtime_stage: list[Instruction]) -> None:
    """.dockerignore excludes none of the files the Dockerfile copies from the context."""
    patterns = [
        line.strip()
        for line in (REPO / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith(("#", "!"))
    ]
    for source in context_sources(runtime_stage):
        assert not [p for p in patterns if fnmatch.fnmatch(source, p.rstrip("/"))], source


@pytest.mark.parametrize("name", [".git", ".venv", ".env", "tests"])
def test_dockerignore_leaves_out_local_files(name: str) -> None:
    """.dockerignore keeps history, the virtualenv, secrets and tests out of the build context."""
    lines = (REPO / ".dockerignore").read_text(encoding="utf-8").splitlines()
    assert name in [line.strip().rstrip("/") for line in lines]


# --- the console script and the wheel ---


def console_script() -> Callable[..., Any]:
    """The function setup.cfg declares as the `quizbot` console script."""
    parser = configparser.ConfigParser()
    parser.read(REPO / "setup.cfg")
    lines = parser["options.entry_points"]["console_scripts"].splitlines()
    pairs = [line.partition("=") for line in lines if line.strip()]
    scripts = {name.strip(): target.strip() for name, _, target in pairs}
    module, _, function = scripts["quizbot"].partition(":")
    target = getattr(importlib.import_module(module), function)
    assert callable(target)
    return target


def cli_parser() -> argparse.ArgumentParser:
    """The argument parser of the module the console script lives in."""
    parser = importlib.import_module(console_script().__module__).build_parser()
    assert isinstance(parser, argparse.ArgumentParser)
    return parser


def test_quizbot_console_script_exists() -> None:
    """setup.cfg declares a `quizbot` console script whose target function imports."""
    assert console_script().__name__ == "main"


@pytest.mark.parametrize(
    ("argv", "command"), [(["run"], "run"), (["health"], "health"), (["db", "status"], "db")]
)
def test_cli_parser_accepts_container_commands(argv: list[str], command: str) -> None:
    """The console script's parser accepts the commands the image runs."""
    assert cli_parser().parse_args(argv).command == command


def test_cli_parser_rejects_unknown_command() -> None:
    """The parser exits 2 on a command it does not know (so the accept test can fail)."""
    with pytest.raises(SystemExit) as caught:
        cli_parser().parse_args(["serve"])
    assert caught.value.code == 2


@pytest.mark.slow
def test_wheel_contains_real_schema(wheel: zipfile.ZipFile) -> None:
    """The wheel holds quizbot/schema.sql as a regular file with the project's DDL, not a symlink."""
    info = wheel.getinfo("quizbot/schema.sql")
    assert stat.S_IFMT(info.external_attr >> 16) != stat.S_IFLNK
    assert wheel.read(info).decode("utf-8") == (REPO / "schema.sql").read_text(encoding="utf-8")
    assert b"CREATE TABLE" in wheel.read(info)


@pytest.mark.slow
def test_wheel_declares_console_script(wheel: zipfile.ZipFile) -> None:
    """The wheel's entry points install a `quizbot` command."""
    (name,) = [n for n in wheel.namelist() if n.endswith(".dist-info/entry_points.txt")]
    entry_points = configparser.ConfigParser()
    entry_points.read_string(wheel.read(name).decode("utf-8"))
    assert entry_points["console_scripts"]["quizbot"] == "quizbot.__main__:main"


def test_runtime_copies_the_build_step(runtime_stage: list[Instruction]) -> None:
    """setup.py (which draws the bank's pictures while the wheel is built) goes into the image's build."""
    assert "setup.py" in context_sources(runtime_stage)


@pytest.mark.slow
def test_wheel_holds_every_bank_picture_drawn(wheel: zipfile.ZipFile) -> None:
    """The wheel built as the image builds it holds each SVG picture and the PNG its build step drew."""
    sources = sorted(p.name for p in (REPO / "quizbot/questions/images").glob("*.svg"))
    names = set(wheel.namelist())
    assert sources
    for svg in sources:
        png = f"quizbot/questions/images/{svg.removesuffix('.svg')}.png"
        assert f"quizbot/questions/images/{svg}" in names and png in names, svg
        assert check_image(png, wheel.read(png)).content_type == "image/png"
