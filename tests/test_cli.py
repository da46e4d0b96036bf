"""The real `quizbot` command, run as a subprocess with a clean environment."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from quizbot.testing.actors import with_search_path

REPO = Path(__file__).resolve().parents[1]
PASSWORD = "hunter2-s3cret"
REFUSING_URL = "postgresql://postgres@127.0.0.1:1/test"
TABLES = re.findall(r"CREATE TABLE IF NOT EXISTS (\w+)", (REPO / "schema.sql").read_text(encoding="utf-8"))


def quizbot_command() -> list[str]:
    """The installed console script next to this Python, else `python -m quizbot`."""
    script = Path(sys.executable).with_name("quizbot")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "quizbot"]


def clean_env(**variables: str) -> dict[str, str]:
    """os.environ without any quizbot, Discord or libpq setting, plus `variables`; imports this checkout."""
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in {"DATABASE_URL", "DISCORD_TOKEN"} and not name.startswith(("QUIZBOT_", "PG"))
    }
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    env.update(variables)
    return env


def quizbot(
    cwd: Path, *args: str, timeout: float = 120, **variables: str
) -> subprocess.CompletedProcess[str]:
    """Run `quizbot *args` in `cwd` with a clean environment plus `variables`."""
    return subprocess.run(
        [*quizbot_command(), *args],
        cwd=cwd,
        env=clean_env(**variables),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def assert_lists_tables(output: str) -> None:
    """`output` is a status report with the schema applied and every table of schema.sql listed."""
    assert re.search(r"^schema version: \d+$", output, re.MULTILINE), output
    listed = set(re.findall(r"^  (\w+) ", output, re.MULTILINE))
    assert set(TABLES) <= listed, output


def test_schema_file_declares_tables() -> None:
    """schema.sql declares the tables the status tests look for (guards the regex above)."""
    assert {"schema_version", "users", "guild_members"} <= set(TABLES)


@pytest.mark.slow
def test_embedded_db_status_prints_version_and_tables(tmp_path: Path) -> None:
    """With no DATABASE_URL, `db status` starts the embedded server, applies the schema and reports it."""
    result = quizbot(tmp_path, "--data-dir", str(tmp_path / "pgdata"), "db", "status")
    assert result.returncode == 0, result.stderr
    assert f"database: embedded in {tmp_path / 'pgdata'}" in result.stdout
    assert_lists_tables(result.stdout)


@pytest.mark.slow
def test_embedded_db_upgrade_twice_succeeds(tmp_path: Path) -> None:
    """`db upgrade` on an embedded data folder that already has the schema exits 0 again."""
    data_dir = str(tmp_path / "pgdata")
    first = quizbot(tmp_path, "--data-dir", data_dir, "db", "upgrade")
    second = quizbot(tmp_path, "--data-dir", data_dir, "db", "upgrade")
    assert (first.returncode, second.returncode) == (0, 0), second.stderr
    assert re.fullmatch(r"schema version \d+ applied\n", second.stdout), second.stdout


@pytest.mark.slow
def test_db_status_against_server(tmp_path: Path, server_url: str, schema_name: str) -> None:
    """`db status` with DATABASE_URL pointing at a running server exits 0 and lists the tables."""
    result = quizbot(tmp_path, "db", "status", DATABASE_URL=with_search_path(server_url, schema_name))
    assert result.returncode == 0, result.stderr
    assert_lists_tables(result.stdout)
    assert "quarantined snapshots: 0" in result.stdout


@pytest.mark.slow
def test_database_rejecting_schema_is_a_database_error(tmp_path: Path, server_url: str) -> None:
    """A server error while applying the schema exits 3 with a one-line message, no traceback."""
    url = with_search_path(server_url, "no_such_schema_here")
    result = quizbot(tmp_path, "db", "upgrade", DATABASE_URL=url)
    assert result.returncode == 3, result.stderr
    assert "quizbot: database error:" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.slow
@pytest.mark.parametrize("url", ["mysql://x", "postgresql://host:notaport/db", "not a url"])
def test_malformed_database_url_exits_2(tmp_path: Path, url: str) -> None:
    """A malformed DATABASE_URL exits 2 with a configuration error naming DATABASE_URL."""
    result = quizbot(tmp_path, "db", "status", DATABASE_URL=url)
    assert result.returncode == 2
    assert "quizbot: configuration error: DATABASE_URL must be" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.slow
def test_bad_setting_exits_2(tmp_path: Path) -> None:
    """Any bad QUIZBOT_* value stops the command with exit 2 before touching a database."""
    result = quizbot(tmp_path, "db", "status", QUIZBOT_POOL_MIN="lots")
    assert result.returncode == 2
    assert "QUIZBOT_POOL_MIN must be a whole number" in result.stderr


@pytest.mark.slow
def test_refused_connection_retries_then_exits_3(tmp_path: Path) -> None:
    """A server refusing connections is retried QUIZBOT_CONNECT_ATTEMPTS times, then exit 3, quickly."""
    started = time.monotonic()
    result = quizbot(
        tmp_path, "db", "status", timeout=30, DATABASE_URL=REFUSING_URL, QUIZBOT_CONNECT_ATTEMPTS="2"
    )
    elapsed = time.monotonic() - started
    assert result.returncode == 3, result.stderr
    assert result.stderr.count("retrying") == 2
    assert "quizbot: database error: cannot connect to" in result.stderr
    assert "after 2 attempts" in result.stderr
    assert "Traceback" not in result.stderr
    assert elapsed < 10


@pytest.mark.slow
@pytest.mark.parametrize("token", [None, "", "   "])
def test_run_without_discord_token_exits_2(tmp_path: Path, token: str | None) -> None:
    """`quizbot run` with DISCORD_TOKEN unset or blank exits 2 with a message naming DISCORD_TOKEN."""
    variables = {} if token is None else {"DISCORD_TOKEN": token}
    result = quizbot(tmp_path, "--data-dir", str(tmp_path / "pgdata"), "run", **variables)
    assert result.returncode == 2
    assert "DISCORD_TOKEN is not set" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.slow
@pytest.mark.parametrize(
    ("url", "exit_code"),
    [
        (f"postgresql://postgres:{PASSWORD}@127.0.0.1:1/test", 3),
        (f"postgresql://postgres:p@ss-{PASSWORD}@127.0.0.1:1/test", 3),
        (f"postgresql://postgres@127.0.0.1:1/test?password={PASSWORD}", 3),
        (f"postgresql://postgres:{PASSWORD}@127.0.0.1:notaport/test", 2),
        (f"mysql://postgres:{PASSWORD}@127.0.0.1/test", 2),
    ],
)
def test_password_never_printed(tmp_path: Path, url: str, exit_code: int) -> None:
    """A password in DATABASE_URL never reaches stdout or stderr, whichever way the command fails."""
    result = quizbot(tmp_path, "db", "status", timeout=30, DATABASE_URL=url, QUIZBOT_CONNECT_ATTEMPTS="1")
    assert result.returncode == exit_code, result.stderr
    assert "***" in result.stderr
    assert PASSWORD not in result.stderr + result.stdout


@pytest.mark.slow
def test_the_demo_plays_a_game_through_a_restart_on_the_embedded_database(tmp_path: Path) -> None:
    """`quizbot demo`, nothing set up: a game, a restart and Continue, the podium, then a player
    reviews what they missed in their DMs and, a day later, /study start asks it again first."""
    result = quizbot(tmp_path, "--data-dir", str(tmp_path / "pgdata"), "demo", timeout=180)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    transcript = result.stdout
    for expected in (
        "Trivia is starting",
        "Question 1 of 3",
        "interrupted by a restart",
        "clicks Continue",
        "Question 3 of 3",
        "The quiz is over",
        "clicks Review what I missed",
        "Your study quiz is starting",
        "a day later",
        "/study start",
        "1 card to review",
        "Question 2 of 2",
    ):
        assert expected in transcript, expected
    reviewed = transcript.split("reviews what they missed")[1].split("Question 1 of 1")[1].split("\n")[1]
    studied = transcript.split("a day later")[1].split("Question 1 of 2")[1].split("\n")[1]
    assert reviewed == studied  # the missed question, reviewed, comes back first a day later
    assert "belongs to an earlier question" not in transcript
