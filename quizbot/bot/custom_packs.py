"""A server's custom question packs at the edge: /settings pack_add, pack_remove (and its choices) and packs.

The cog checks who asks; this module checks the upload (what Discord reports before downloading, the
bytes after), hands it to CustomPacks (questions/custom.py) and words the reply from the catalogue, each
pack with its credit line. Kept apart from the cog so /settings reads as a list of its subcommands.
"""

from __future__ import annotations

from typing import Any

import disnake
from disnake import Localized
from disnake.ext import commands
from disnake.utils import format_dt

from quizbot.bot import validation
from quizbot.bot.catalogue import problem, say
from quizbot.bot.context import QuizContext, refuse, reply
from quizbot.bot.pack_credits import credit, import_refused
from quizbot.bot.pictures import pack_refusal, upload_limit
from quizbot.bot.render import GREEN
from quizbot.bot.settings_view import MAX_CHOICES
from quizbot.bot.types import CommandInter
from quizbot.errors import InvalidValue
from quizbot.questions.custom import MAX_UPLOAD_BYTES, UPLOAD_SUFFIXES
from quizbot.questions.images import ZIP_SUFFIX, ImageRefused
from quizbot.questions.opentdb import ImportRefused
from quizbot.questions.packs import PackError
from quizbot.questions.provenance import MAX_LICENCE

PACK_NAME_LIMIT = 64
# B008: disnake reads options from defaults; each is built once, here
FILE_OPTION: Any = commands.Param(
    name=Localized("file", key="cmd.settings.pack_add.file.name"),
    description=Localized(
        "A question pack (.yaml, .yml or Open Trivia Database .json), or a .zip of one and its images",
        key="cmd.settings.pack_add.file.description",
    ),
)
LICENSE_OPTION: Any = commands.Param(
    None,
    name=Localized("license", key="cmd.settings.pack_add.license.name"),
    description=Localized(
        "The license its questions are under, if known (shown with the pack)",
        key="cmd.settings.pack_add.license.description",
    ),
    max_length=MAX_LICENCE,
)
NAME_OPTION: Any = commands.Param(
    name=Localized("name", key="cmd.settings.pack_remove.name.name"),
    description=Localized(
        "The pack's id (see /settings packs)", key="cmd.settings.pack_remove.name.description"
    ),
    max_length=PACK_NAME_LIMIT,
)


async def add(ctx: QuizContext, inter: CommandInter, file: object, licence: object) -> None:
    """Check what Discord reports before downloading and the bytes after; a bad pack is explained
    and not stored. A stated licence is kept with the pack and shown with it."""
    stated = validation.text("license", licence, limit=MAX_LICENCE)
    suffixes = (*UPLOAD_SUFFIXES, ZIP_SUFFIX)  # a .zip: a pack and the pictures it shows
    upload = validation.upload("file", file, limit=upload_limit(file), suffixes=suffixes)
    await inter.response.defer(ephemeral=True)
    try:
        data = await upload.read()
    except disnake.HTTPException:
        await refuse(inter, problem("not_now", detail=problem("reply.why_download_failed")))
        return
    if not upload.filename.lower().endswith(ZIP_SUFFIX):  # a .zip is checked as it is unpacked
        data = validation.upload_text("file", upload.filename, data, limit=MAX_UPLOAD_BYTES)
    try:
        pack = await ctx.custom.add(
            inter.guild_id or 0, inter.author.id, upload.filename, data, licence=stated
        )
    except ImportRefused as error:
        await refuse(inter, import_refused(error))
        return
    except (PackError, InvalidValue, ImageRefused) as error:
        await refuse(inter, pack_refusal(error))
        return
    locale = inter.locale
    added = say("reply.pack_added", locale, name=pack.name, pack=pack.pack_id, count=len(pack.questions))
    shown = f"{added}\n{credit(pack.provenance, locale)}"
    embed = disnake.Embed(title=say("reply.pack_added_title", locale), description=shown, colour=GREEN)
    await reply(inter, embed=embed)


async def remove(ctx: QuizContext, inter: CommandInter, name: object) -> None:
    """Remove the named pack of this server, or say there is none by that id."""
    pack_id = (validation.text("name", name, limit=PACK_NAME_LIMIT) or "").lower()
    await inter.response.defer(ephemeral=True)
    if not await ctx.custom.remove(inter.guild_id or 0, pack_id):
        detail = problem("reply.why_no_pack", pack=pack_id)
        await refuse(inter, problem("invalid_input", detail=detail))
        return
    await reply(inter, say("reply.pack_removed", inter.locale, pack=pack_id))


async def matching(ctx: QuizContext, inter: CommandInter, text: str) -> list[str]:
    """This server's pack ids containing what the user typed (at most 25)."""
    typed_text = validation.typed_so_far(text, limit=PACK_NAME_LIMIT)
    if typed_text is None:
        return []
    typed = typed_text.strip().lower()
    stored = await ctx.custom.stored(inter.guild_id or 0)
    return [p.pack_id for p in stored if typed in p.pack_id][:MAX_CHOICES]


async def show(ctx: QuizContext, inter: CommandInter) -> None:
    """List this server's packs, each with who added it, when, and its credit line (already deferred)."""
    stored = await ctx.custom.stored(inter.guild_id or 0)
    locale = inter.locale
    lines = [
        say(
            "reply.pack_listed",
            locale,
            name=p.name,
            pack=p.pack_id,
            count=p.question_count,
            user=f"<@{p.added_by}>",
            added=format_dt(p.added_at, "D"),
        )
        + f"\n{credit(p.provenance, locale)}"
        for p in stored
    ]
    text = "\n".join(lines) or say("reply.no_packs", locale)
    title = say("reply.packs_custom_title", locale)
    await reply(inter, embed=disnake.Embed(title=title, description=text[:4000]))
