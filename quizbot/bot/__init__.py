"""The Discord edge: the bot, its cogs, rendering, and the only code that touches disnake."""
