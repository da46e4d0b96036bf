"""Finding the question a report names: one still in play for the guild where it is reported.

A player reports a question by its identity (the Report button's custom id) after its reveal; by
then the bank may have changed, the guild may have removed the pack it came from, or its admins
may have hidden it. The lookup answers only for a question that could still be asked there.
"""

from __future__ import annotations

from quizbot.config import LLM_PROVIDERS
from quizbot.game.questions import Question, is_identity
from quizbot.questions.bank import QuestionBank
from quizbot.questions.custom import CustomPacks, custom_pack_of
from quizbot.questions.ports import HiddenQuestions, StoredQuestions


class QuestionLookup:
    """The question with an identity, if one is still in play for a guild.

    In play: in the shipped bank or the guild's own packs as they are now, or a generated (LLM)
    question a game held (in the questions table); and not hidden in that guild or everywhere.
    An older version of a bank question, or a question of another guild's pack, is not (in a DM,
    where study cards from any server come, a pack question is while its server's pack holds it).
    """

    def __init__(
        self,
        bank: QuestionBank,
        stored: StoredQuestions,
        hidden: HiddenQuestions,
        *,
        custom: CustomPacks | None = None,
    ) -> None:
        self.bank = bank
        self.stored = stored
        self.hidden = hidden
        self.custom = custom

    async def find(self, identity: str, guild_id: int) -> Question | None:
        """The question named `identity` still in play in the guild (0: a DM), or None."""
        if not is_identity(identity):
            return None
        question = await self._current(identity, guild_id)
        if question is None or identity in await self.hidden.hidden_for(guild_id):
            return None
        return question

    async def _current(self, identity: str, guild_id: int) -> Question | None:
        """The bank's (the guild's packs included) or a generated question by that identity; in a DM
        (guild 0, where players study), a server's pack question while that server's pack holds it."""
        bank = self.bank if self.custom is None or not guild_id else await self.custom.bank_for(guild_id)
        if (question := bank.find(identity)) is not None:
            return question
        stored = (await self.stored.find([identity])).get(identity)
        if stored is None:
            return None
        if stored.source in LLM_PROVIDERS:
            return stored
        home = custom_pack_of(stored)
        if home is None or guild_id or self.custom is None:
            return None
        return (await self.custom.bank_for(home[0])).find(identity)
