"""quizbot: an educational quiz bot for Discord built on asyncio actors and PostgreSQL."""

__version__ = "0.1.0"
