"""The bot's cogs, each loaded as an extension by quizbot.bot.app."""

EXTENSIONS = ("quizbot.bot.cogs.trivia",)
