"""Buttons for context and export: Earlier / Later / Whole debate, a "Context of…" menu on
search results, and "Export CSV" on a search.

The context items carry what they need in their custom_id (the contribution's row id, a
page), so they keep working after a restart or after the view that showed them timed out
(discord.py DynamicItem, registered once in bot.insight.cog). Each press answers the
presser alone: a new ephemeral message, or an edit of the ephemeral one pressed.
"""

from __future__ import annotations

import asyncio
import io
import re
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import discord

from bot.hansard.views import PagedView, PageFetcher, links_view
from bot.insight.render import render_context, render_debate
from bot.render import Rendered
from commands.context import around, whole_debate
from commands.core import SearchRequest
from commands.export import export_search
from commands.text import truncate

if TYPE_CHECKING:
    from bot.client import HansardBot

CONTEXT_ROW = 3
ACTION_ROW = 4
AROUND = 2
CSV_FILE = "hansard-search.csv"
# Discord limits a select option's value to 100 characters: longer URIs cannot be offered.
OPTION_VALUE_LIMIT = 100
CONTEXT_BUTTON_ID = r"hi:(?P<kind>earlier|later|debate):(?P<row>\d{1,18}):(?P<page>\d{1,6})"


def _core(interaction: discord.Interaction) -> Any:
    bot: HansardBot = interaction.client  # type: ignore[assignment]
    return bot.core


def context_view(row_id: int, debate_page: int | None = None, pages: int = 1) -> discord.ui.View:
    """Earlier / Later / Whole debate for a contribution (and page turns in a debate)."""
    view = discord.ui.View(timeout=None)
    for item in context_items(row_id, ACTION_ROW if debate_page is None else 0):
        view.add_item(item)
    if debate_page is not None:
        if debate_page > 1:
            view.add_item(ContextButton("debate", row_id, debate_page - 1, label="Previous page", row=1))
        if debate_page < pages:
            view.add_item(ContextButton("debate", row_id, debate_page + 1, label="Next page", row=1))
    return view


def context_items(row_id: int, row: int) -> list[discord.ui.Item[Any]]:
    return [
        ContextButton("earlier", row_id, row=row),
        ContextButton("later", row_id, row=row),
        ContextButton("debate", row_id, 1, row=row),
    ]


_LABELS = {"earlier": "Earlier", "later": "Later", "debate": "Whole debate"}


class ContextButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=CONTEXT_BUTTON_ID):
    """One press: the speeches before or after a contribution, or a page of its debate."""

    def __init__(
        self, kind: str, row_id: int, page: int = 1, *, label: str | None = None, row: int | None = None
    ) -> None:
        self.kind, self.row_id, self.page = kind, row_id, page
        super().__init__(
            discord.ui.Button(
                label=label or _LABELS[kind],
                style=discord.ButtonStyle.secondary,
                custom_id=f"hi:{kind}:{row_id}:{page}",
                row=row,
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> ContextButton:
        return cls(match["kind"], int(match["row"]), int(match["page"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        core = _core(interaction)
        if self.kind == "debate":
            page = await asyncio.to_thread(whole_debate, core, self.row_id, self.page)
            rendered = render_debate(page)
            view = context_view(self.row_id, page.page, page.pages) if page.anchor else None
        else:
            before, after = (AROUND * 2, 0) if self.kind == "earlier" else (0, AROUND * 2)
            reply = await asyncio.to_thread(around, core, self.row_id, before, after)
            rendered = render_context(reply)
            shown = [*reply.before, *reply.after]
            # Walking on: the next press starts from the farthest speech shown.
            anchor = (shown[0] if self.kind == "earlier" else shown[-1]).row_id if shown else self.row_id
            view = context_view(anchor) if reply.anchor else None
        await answer_presser(interaction, rendered, view)


class ContextPicker(discord.ui.DynamicItem[discord.ui.Select[Any]], template=r"hi:pick"):
    """A menu on search results: the context of the result picked."""

    def __init__(self, links: list[tuple[str, str]] | None = None, row: int | None = None) -> None:
        options = [
            discord.SelectOption(label=truncate(f"Context of {label.removeprefix('Open ')}", 100), value=uri)
            for label, uri in (links or [])
            if len(uri) <= OPTION_VALUE_LIMIT
        ][:25]
        super().__init__(
            discord.ui.Select(
                custom_id="hi:pick",
                placeholder="Speeches before and after a result…",
                options=options or [discord.SelectOption(label="No results", value="-")],
                row=row,
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> ContextPicker:
        return cls()

    async def callback(self, interaction: discord.Interaction) -> None:
        uri = self.item.values[0] if self.item.values else "-"
        reply = await asyncio.to_thread(around, _core(interaction), uri, AROUND, AROUND)
        view = context_view(reply.anchor.row_id) if reply.anchor else None
        await answer_presser(interaction, render_context(reply), view, edit=False)


def links_and_context_view(rendered: Rendered) -> discord.ui.View | None:
    """Link buttons to each result's source, and the menu of their context (quote results)."""
    view = links_view(rendered)
    if view is not None:
        view.add_item(ContextPicker(rendered.links, row=CONTEXT_ROW))
    return view


async def answer_presser(
    interaction: discord.Interaction, rendered: Rendered, view: discord.ui.View | None, edit: bool = True
) -> None:
    """Edit the ephemeral message pressed (a walk through a debate), else answer in a new one."""
    view_or_missing: Any = view if view is not None else discord.utils.MISSING
    message = interaction.message
    if edit and message is not None and message.flags.ephemeral and rendered.embeds:
        await interaction.response.edit_message(content=rendered.content, embeds=rendered.embeds, view=view)
        return
    await interaction.response.send_message(
        rendered.content, embeds=rendered.embeds, view=view_or_missing, ephemeral=True
    )


class InsightPagedView(PagedView):
    """The search and contribution pages, with context and export under them."""

    def __init__(
        self,
        owner_id: int,
        page: int,
        pages: int,
        fetch: PageFetcher,
        links: list[tuple[str, str]],
        *,
        export: SearchRequest | None = None,
        context_row_id: int | None = None,
    ) -> None:
        self.export = export
        self.context_row_id = context_row_id
        # What this view adds below the page buttons: laid out anew with each page's links.
        self._extras: list[discord.ui.Item[Any]] = []
        super().__init__(owner_id, page, pages, fetch, links)

    def _layout(self, links: list[tuple[str, str]]) -> None:
        super()._layout(links)
        for item in self._extras:
            self.remove_item(item)
        self._extras = []
        if self.context_row_id is not None:
            self._extras += context_items(self.context_row_id, ACTION_ROW)
        if self.export is not None:
            if links:
                self._extras.append(ContextPicker(links, row=CONTEXT_ROW))
            button: discord.ui.Button[InsightPagedView] = discord.ui.Button(
                label="Export CSV", style=discord.ButtonStyle.secondary, row=ACTION_ROW
            )
            button.callback = self._export  # type: ignore[method-assign]
            self._extras.append(button)
        for item in self._extras:
            self.add_item(item)

    async def _export(self, interaction: discord.Interaction) -> None:
        assert self.export is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        reply = await asyncio.to_thread(export_search, _core(interaction), replace(self.export, page=1))
        if reply.problem is not None:
            await interaction.followup.send(reply.message or "Nothing to export.", ephemeral=True)
            return
        data = reply.csv_text().encode("utf-8")
        await interaction.followup.send(
            truncate(reply.note(), 2000), file=discord.File(io.BytesIO(data), CSV_FILE), ephemeral=True
        )
