"""Loguru set-up: one sink, a level from config, context (guild, channel, session, user) in each line."""

from __future__ import annotations

import sys

from loguru import logger

_FORMAT = (
    "<green>{time:YYYY-MM-DD HH:mm:ss.SSS}</green> <level>{level: <7}</level> "
    "<cyan>{name}</cyan> {message} <dim>{extra}</dim>"
)


def configure_logging(level: str) -> None:
    """Send logs to stderr at `level`; called once at start-up by the CLI."""
    logger.remove()
    logger.add(sys.stderr, level=level, format=_FORMAT, backtrace=False, diagnose=False)
