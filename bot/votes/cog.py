"""/hansard division and /hansard votes: subcommands added to the /hansard group.

The /hansard group belongs to the Hansard cog; this extension, loaded after it,
adds its two commands to that group, so the votes code stays in one place.
Thin: options in, the core (commands.votes) in a thread, the reply rendered.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Literal

import discord
from discord import app_commands

from bot.hansard.views import PagedView
from bot.render import Rendered
from bot.respond import answer
from bot.votes.render import page_count, render_division, render_member_votes, render_page
from commands.names import MAX_AUTOCOMPLETE
from commands.text import truncate
from commands.vote_replies import MemberVotesReply
from commands.votes import CHOICE_PREFIX, VotesCore, votes_core

if TYPE_CHECKING:
    from bot.client import HansardBot

HouseChoice = Literal["Commons", "Lords"]


def _core(interaction: discord.Interaction) -> VotesCore:
    bot: HansardBot = interaction.client  # type: ignore[assignment]
    return votes_core(bot.core.engine, bot.core.data_dir)


def _choices(interaction: discord.Interaction, current: str, *, bills: bool) -> list[app_commands.Choice[str]]:
    core = _core(interaction)
    found = core.autocomplete_bills(current) if bills else core.autocomplete_members(current)
    return [
        app_commands.Choice(
            name=truncate(f"{c.name} — {c.detail}" if c.detail else c.name, 100), value=f"{CHOICE_PREFIX}{c.key}"[:100]
        )
        for c in found[:MAX_AUTOCOMPLETE]
    ]


async def member_autocomplete(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
    return _choices(interaction, current, bills=False)


async def bill_autocomplete(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
    return _choices(interaction, current, bills=True)


@app_commands.command(name="division", description="A division: the result, votes by party, rebels and tellers")
@app_commands.describe(
    date="The day of the division, e.g. 2010-02-08 or 8 Feb 2010",
    number="The division's number that day",
    house="Commons or Lords (when both voted with that number)",
)
async def division(
    interaction: discord.Interaction,
    date: app_commands.Range[str, 1, 40],
    number: app_commands.Range[int, 1, 9999],
    house: HouseChoice | None = None,
) -> None:
    core = _core(interaction)
    await answer(interaction, lambda: core.division(date, number, house), render_division)


@app_commands.command(name="votes", description="How a Member voted, in every division or on one Bill")
@app_commands.describe(member="The Member's name (typos are fine)", bill="Only the divisions on this Bill")
@app_commands.autocomplete(member=member_autocomplete, bill=bill_autocomplete)
async def votes(
    interaction: discord.Interaction,
    member: app_commands.Range[str, 1, 100],
    bill: app_commands.Range[str, 1, 200] | None = None,
) -> None:
    core = _core(interaction)

    def make_view(reply: MemberVotesReply, rendered: Rendered) -> discord.ui.View | None:
        async def fetch(page: int) -> Rendered:
            return await asyncio.to_thread(render_page, reply, page)

        pages = page_count(reply)
        return PagedView(interaction.user.id, 1, pages, fetch, rendered.links) if pages > 1 else None

    await answer(interaction, lambda: core.votes(member, bill), render_member_votes, make_view)


async def setup(bot: HansardBot) -> None:
    group = bot.tree.get_command("hansard")
    if not isinstance(group, app_commands.Group):
        raise RuntimeError("the /hansard group must be loaded before bot.votes.cog")
    group.add_command(division)
    group.add_command(votes)
