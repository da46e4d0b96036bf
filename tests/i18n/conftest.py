"""Locale folders written for a test."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

# A small English reference for the tests' own folders: a plain message, one with a placeholder,
# and a plural one.
ENGLISH = {
    "busy": "Busy right now.",
    "hello": "Hello, {name}!",
    "question_count#one": "{count} question",
    "question_count#other": "{count} questions",
}
POLISH = {
    "busy": "Teraz zajęty.",
    "question_count#one": "{count} pytanie",
    "question_count#few": "{count} pytania",
    "question_count#many": "{count} pytań",
    "question_count#other": "{count} pytania",
}
GERMAN = {
    "busy": "Gerade beschäftigt.",
    "hello": "Hallo, {name}!",
    "question_count#one": "{count} Frage",
    "question_count#other": "{count} Fragen",
}

WriteLocales = Callable[..., Path]


def as_json(messages: Mapping[str, object]) -> str:
    """`messages` as a locale file writes them: one key a line."""
    return json.dumps(messages, indent=2, ensure_ascii=False) + "\n"


@pytest.fixture
def locales(tmp_path: Path) -> WriteLocales:
    """Write <locale>.json files into a fresh folder (dicts as JSON, strings as they are); return it."""

    def write(**files: dict[str, str] | str) -> Path:
        for name, content in files.items():
            text = content if isinstance(content, str) else as_json(content)
            (tmp_path / f"{name.replace('_', '-')}.json").write_text(text, encoding="utf-8")
        return tmp_path

    return write
