"""The /hansard commands: search, ask, member, bill, contribution, help, about.

Thin: each command gathers its options, calls the core in a thread and renders
the reply. What to answer is decided in commands/.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord_text import CHOICE_NAME_LIMIT
from bot.hansard.render import (
    contribution_pages,
    render_about,
    render_contribution,
    render_count,
    render_help,
    render_lookup,
    render_search,
    render_tally,
)
from bot.insight.views import InsightPagedView
from bot.render import Rendered
from bot.respond import answer, send
from bot.votes.render import render_vote_answer
from commands.ask import AskReply, ask
from commands.core import CHOICE_PREFIX, HansardCore, SearchRequest
from commands.replies import Candidate, ContributionReply, LookupReply, SearchReply, TallyReply
from commands.text import truncate
from commands.vote_replies import VOTE_ANSWERS

if TYPE_CHECKING:
    from bot.client import HansardBot

SortChoice = Literal["relevance", "newest", "oldest"]
HouseChoice = Literal["Commons", "Lords"]
AUTOCOMPLETE_LIMIT = 25
PAGE_SIZE = 5


def choices(candidates: list[Candidate]) -> list[app_commands.Choice[str]]:
    """Autocomplete choices; the value names the entry exactly, so picking one never re-guesses.

    Choice names are shown as plain text (Discord renders no Markdown there), so they are not escaped.
    """
    return [
        app_commands.Choice(
            name=truncate(f"{c.name} — {c.detail}" if c.detail else c.name, CHOICE_NAME_LIMIT),
            value=f"{CHOICE_PREFIX}{c.key}"[:CHOICE_NAME_LIMIT],
        )
        for c in candidates[:AUTOCOMPLETE_LIMIT]
    ]


def render_any(reply: AskReply) -> Rendered:
    if isinstance(reply, VOTE_ANSWERS):
        return render_vote_answer(reply)
    if isinstance(reply, SearchReply):
        return render_search(reply)
    if isinstance(reply, TallyReply):
        return render_tally(reply)
    if isinstance(reply, LookupReply):
        return render_lookup(reply)
    return render_count(reply)


def member_choices(core: HansardCore, current: str) -> list[app_commands.Choice[str]]:
    """What a member option offers as the user types (every cog's member options)."""
    return choices(core.names.autocomplete_members(current, AUTOCOMPLETE_LIMIT))


def bill_choices(core: HansardCore, current: str) -> list[app_commands.Choice[str]]:
    """What a bill option offers as the user types (every cog's bill options)."""
    return choices(core.names.autocomplete_bills(current, AUTOCOMPLETE_LIMIT))


def _hansard_core(interaction: discord.Interaction) -> HansardCore:
    bot: HansardBot = interaction.client  # type: ignore[assignment]
    return bot.core


# Autocomplete for every cog's member and bill options: in memory, answered without deferring.
async def member_autocomplete(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
    return member_choices(_hansard_core(interaction), current)


async def bill_autocomplete(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
    return bill_choices(_hansard_core(interaction), current)


class HansardCog(commands.GroupCog, group_name="hansard", group_description="Search what was said in Parliament"):
    def __init__(self, bot: HansardBot) -> None:
        self.bot = bot
        super().__init__()

    @property
    def core(self) -> HansardCore:
        return self.bot.core

    # --- autocomplete: in memory, answered without deferring -------------------------------

    async def party_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        parties = self.core.names.autocomplete_parties(current, AUTOCOMPLETE_LIMIT)
        return [app_commands.Choice(name=truncate(p, 100), value=p[:100]) for p in parties]

    # --- commands ---------------------------------------------------------------------------

    def _search_pages(
        self, interaction: discord.Interaction, request: SearchRequest
    ) -> Callable[[SearchReply, Rendered], discord.ui.View | None]:
        """Previous/Next over the pages of a search, fetched again as they are turned."""

        async def fetch(page: int) -> Rendered:
            reply = await asyncio.to_thread(self.core.search, replace(request, page=page))
            return render_search(reply)

        def make_view(reply: SearchReply, rendered: Rendered) -> discord.ui.View | None:
            return InsightPagedView(interaction.user.id, reply.page, reply.pages, fetch, rendered.links, export=request)

        return make_view

    @app_commands.command(name="search", description='Search Hansard: words, "a phrase", -exclude, this OR that')
    @app_commands.describe(
        query="What to look for",
        member="Only contributions by this Member",
        bill="Only debates on this Bill",
        house="Only this House",
        party="Only this party, e.g. Labour",
        date_from="From this date, e.g. 2010-02-01 or Feb 2010",
        date_to="Up to this date",
        sort="Order of results",
    )
    @app_commands.rename(date_from="from", date_to="to")
    @app_commands.autocomplete(member=member_autocomplete, bill=bill_autocomplete, party=party_autocomplete)
    async def search(
        self,
        interaction: discord.Interaction,
        query: app_commands.Range[str, 1, 300],
        member: str | None = None,
        bill: str | None = None,
        house: HouseChoice | None = None,
        party: app_commands.Range[str, 1, 60] | None = None,
        date_from: app_commands.Range[str, 1, 40] | None = None,
        date_to: app_commands.Range[str, 1, 40] | None = None,
        sort: SortChoice = "relevance",
    ) -> None:
        request = SearchRequest(
            query=query,
            member=member,
            bill=bill,
            house=house,
            party=party,
            date_from=date_from,
            date_to=date_to,
            sort=sort,
            page_size=PAGE_SIZE,
        )
        await answer(
            interaction, lambda: self.core.search(request), render_search, self._search_pages(interaction, request)
        )

    @app_commands.command(name="ask", description="Ask in plain words, e.g. latest from jack straw")
    @app_commands.describe(question="Your question about what was said in Parliament")
    async def ask(self, interaction: discord.Interaction, question: app_commands.Range[str, 1, 300]) -> None:
        await answer(interaction, lambda: ask(self.core, question), render_any)

    @app_commands.command(name="member", description="A Member's profile and latest contributions")
    @app_commands.describe(name="The Member's name (typos are fine)")
    @app_commands.autocomplete(name=member_autocomplete)
    async def member(self, interaction: discord.Interaction, name: app_commands.Range[str, 1, 100]) -> None:
        await answer(interaction, lambda: self.core.member(name), render_lookup)

    @app_commands.command(name="bill", description="When a Bill was debated and who spoke most")
    @app_commands.describe(title="The Bill's title (informal names are fine)")
    @app_commands.autocomplete(title=bill_autocomplete)
    async def bill(self, interaction: discord.Interaction, title: app_commands.Range[str, 1, 200]) -> None:
        await answer(interaction, lambda: self.core.bill(title), render_lookup)

    @app_commands.command(name="contribution", description="One whole speech, by its URI or id")
    @app_commands.describe(uri_or_id="The contribution's URI, or the number at its end")
    async def contribution(self, interaction: discord.Interaction, uri_or_id: app_commands.Range[str, 1, 300]) -> None:
        def make_view(reply: ContributionReply, rendered: Rendered) -> discord.ui.View | None:
            async def fetch(page: int) -> Rendered:
                return render_contribution(reply, page - 1)

            row_id = reply.item.row_id if reply.item else None
            pages = len(contribution_pages(reply.paragraphs))
            return InsightPagedView(interaction.user.id, 1, pages, fetch, rendered.links, context_row_id=row_id)

        await answer(
            interaction, lambda: self.core.contribution(uri_or_id), lambda r: render_contribution(r, 0), make_view
        )

    @app_commands.command(name="about", description="What Hansard data is loaded")
    async def about(self, interaction: discord.Interaction) -> None:
        await answer(interaction, self.core.about, render_about)

    @app_commands.command(name="help", description="How to use the Hansard bot")
    async def help(self, interaction: discord.Interaction) -> None:
        await send(interaction, render_help())


async def setup(bot: HansardBot) -> None:
    await bot.add_cog(HansardCog(bot))
