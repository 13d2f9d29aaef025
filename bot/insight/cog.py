"""/hansard trend, quote and who, and the "Find in Hansard" message menu.

The commands join the /hansard group that the hansard cog defines (this extension loads
after it). Work runs in worker threads: the core's queries and the matplotlib drawing.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import Callable
from typing import TYPE_CHECKING, Literal, TypeVar

import discord
from discord import app_commands
from discord.ext import commands

from bot.hansard.cog import bill_autocomplete, member_autocomplete
from bot.insight.chart import trend_png, who_png
from bot.insight.render import TREND_FILE, WHO_FILE, render_quote, render_trend, render_who
from bot.insight.views import ContextButton, ContextPicker, links_and_context_view
from bot.render import Rendered
from bot.respond import answer, compute, send
from commands.core import HansardCore
from commands.quote import find_quote
from commands.trend import TrendRequest, split_terms, trend
from commands.who import WhoRequest, speakers_about

if TYPE_CHECKING:
    from bot.client import HansardBot

T = TypeVar("T")
HouseChoice = Literal["Commons", "Lords"]
SplitChoice = Literal["party", "house"]


async def answer_with_chart(
    interaction: discord.Interaction,
    work: Callable[[], T],
    render: Callable[[T], Rendered],
    chart: Callable[[T], bytes | None],
    filename: str,
) -> None:
    """Like bot.respond.answer, with a PNG drawn in the same worker thread and attached."""

    def job() -> tuple[T, bytes | None]:
        reply = work()
        return reply, chart(reply)

    reply, png = await compute(interaction, job)
    rendered = render(reply)
    if png is None or rendered.ephemeral:
        await send(interaction, rendered)
        return
    attachment = discord.File(io.BytesIO(png), filename)
    if interaction.response.is_done():
        await interaction.edit_original_response(embeds=rendered.embeds, attachments=[attachment])
    else:
        await interaction.response.send_message(embeds=rendered.embeds, file=attachment)


class InsightCog(commands.Cog):
    def __init__(self, bot: HansardBot) -> None:
        self.bot = bot
        self.find_in_hansard = app_commands.ContextMenu(name="Find in Hansard", callback=self._find_in_hansard)

    @property
    def core(self) -> HansardCore:
        return self.bot.core

    async def cog_load(self) -> None:
        group = self.bot.tree.get_command("hansard")
        if not isinstance(group, app_commands.Group):
            raise RuntimeError("bot.insight.cog must load after the /hansard group (bot.cogs.hansard)")
        # Join /hansard rather than registering top-level commands of our own.
        for command in list(self.__cog_app_commands__):
            group.add_command(command)
        self.__cog_app_commands__ = []
        self.bot.tree.add_command(self.find_in_hansard)
        self.bot.add_dynamic_items(ContextButton, ContextPicker)

    async def cog_unload(self) -> None:
        self.bot.tree.remove_command(self.find_in_hansard.name, type=discord.AppCommandType.message)
        self.bot.remove_dynamic_items(ContextButton, ContextPicker)

    @app_commands.command(name="trend", description="How often terms were used over time, as a chart")
    @app_commands.describe(
        terms='One to four terms, separated by commas: nhs, "climate change", nuclear OR atomic',
        by="Split each term by party or by House",
        member="Only contributions by this Member",
        party="Only this party, e.g. Labour",
        house="Only this House",
        date_from="From this date, e.g. 2010-02-01 or Feb 2010",
        date_to="Up to this date",
        per_thousand="Per 1,000 contributions of each period (sittings differ in length)",
    )
    @app_commands.rename(date_from="from", date_to="to", per_thousand="per_1000")
    @app_commands.autocomplete(member=member_autocomplete)
    async def trend(
        self,
        interaction: discord.Interaction,
        terms: app_commands.Range[str, 1, 300],
        by: SplitChoice | None = None,
        member: str | None = None,
        party: app_commands.Range[str, 1, 60] | None = None,
        house: HouseChoice | None = None,
        date_from: app_commands.Range[str, 1, 40] | None = None,
        date_to: app_commands.Range[str, 1, 40] | None = None,
        per_thousand: bool = False,
    ) -> None:
        request = TrendRequest(
            terms=split_terms(terms),
            split=by,
            member=member,
            party=party,
            house=house,
            date_from=date_from,
            date_to=date_to,
            per_thousand=per_thousand,
        )
        await answer_with_chart(
            interaction,
            lambda: trend(self.core, request),
            render_trend,
            lambda reply: trend_png(reply) if reply.problem is None else None,
            TREND_FILE,
        )

    @app_commands.command(name="quote", description="Who said it? Paste a sentence, as you remember it")
    @app_commands.describe(text="The sentence (typos, missing words and punctuation are fine)")
    async def quote(self, interaction: discord.Interaction, text: app_commands.Range[str, 1, 600]) -> None:
        await answer(
            interaction,
            lambda: find_quote(self.core, text),
            render_quote,
            lambda _reply, rendered: links_and_context_view(rendered),
        )

    @app_commands.command(name="who", description="The Members who spoke most about a topic")
    @app_commands.describe(
        topic='What about: words, "a phrase", this OR that',
        bill="Only debates on this Bill",
        party="Only this party, e.g. Labour",
        house="Only this House",
        date_from="From this date, e.g. 2010-02-01 or Feb 2010",
        date_to="Up to this date",
        chart="Add a chart of the top ten",
    )
    @app_commands.rename(date_from="from", date_to="to")
    @app_commands.autocomplete(bill=bill_autocomplete)
    async def who(
        self,
        interaction: discord.Interaction,
        topic: app_commands.Range[str, 1, 300],
        bill: str | None = None,
        party: app_commands.Range[str, 1, 60] | None = None,
        house: HouseChoice | None = None,
        date_from: app_commands.Range[str, 1, 40] | None = None,
        date_to: app_commands.Range[str, 1, 40] | None = None,
        chart: bool = False,
    ) -> None:
        request = WhoRequest(topic=topic, bill=bill, party=party, house=house, date_from=date_from, date_to=date_to)
        await answer_with_chart(
            interaction,
            lambda: speakers_about(self.core, request),
            lambda reply: render_who(reply, chart=chart),
            lambda reply: who_png(reply) if chart and reply.problem is None else None,
            WHO_FILE,
        )

    async def _find_in_hansard(self, interaction: discord.Interaction, message: discord.Message) -> None:
        """Right-click a message, Apps, "Find in Hansard": the quote finder on its text, for the clicker alone."""
        text = message.content.strip()
        if not text:
            await interaction.response.send_message(
                "That message has no text to look for (only attachments or embeds).", ephemeral=True
            )
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        reply = await asyncio.to_thread(find_quote, self.core, text)
        rendered = render_quote(reply, ephemeral=True)
        view = links_and_context_view(rendered)
        await interaction.edit_original_response(content=rendered.content, embeds=rendered.embeds, view=view)


async def setup(bot: HansardBot) -> None:
    await bot.add_cog(InsightCog(bot))
