"""Buttons: link buttons to the citations, and pages that only the asker can turn."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

import discord

from bot.discord_text import BUTTON_LABEL_LIMIT
from bot.render import Rendered
from commands.text import truncate

log = logging.getLogger(__name__)

PageFetcher = Callable[[int], Awaitable[Rendered]]
# Views stop listening after this long; Discord's interaction tokens last 15 minutes.
VIEW_TIMEOUT_SECONDS = 180.0
MAX_LINK_BUTTONS = 10


def add_link_buttons(view: discord.ui.View, links: list[tuple[str, str]], first_row: int) -> None:
    for index, (label, url) in enumerate(links[:MAX_LINK_BUTTONS]):
        if not url.startswith(("http://", "https://")):
            continue
        view.add_item(
            discord.ui.Button(
                style=discord.ButtonStyle.link,
                label=truncate(label, BUTTON_LABEL_LIMIT),
                url=url,
                row=first_row + index // 5,
            )
        )


def links_view(rendered: Rendered) -> discord.ui.View | None:
    """A view holding only link buttons (they need no listener, so no timeout either)."""
    if not rendered.links:
        return None
    view = discord.ui.View(timeout=None)
    add_link_buttons(view, rendered.links, first_row=0)
    return view


class PagedView(discord.ui.View):
    """Previous/Next buttons over pages fetched on demand, for the person who asked only."""

    def __init__(
        self,
        owner_id: int,
        page: int,
        pages: int,
        fetch: PageFetcher,
        links: list[tuple[str, str]],
        timeout: float | None = None,
    ) -> None:
        super().__init__(timeout=VIEW_TIMEOUT_SECONDS if timeout is None else timeout)
        self.owner_id = owner_id
        self.page = page
        self.pages = pages
        self.fetch = fetch
        self.interaction: discord.Interaction | None = None
        self._layout(links)

    def _layout(self, links: list[tuple[str, str]]) -> None:
        """Enable the page buttons that lead somewhere, and show this page's links below them."""
        self.previous.disabled = self.page <= 1
        self.following.disabled = self.page >= self.pages
        for item in list(self.children):
            if isinstance(item, discord.ui.Button) and item.style is discord.ButtonStyle.link:
                self.remove_item(item)
        add_link_buttons(self, links, first_row=1)

    @discord.ui.button(label="Previous", style=discord.ButtonStyle.secondary, row=0)
    async def previous(self, interaction: discord.Interaction, button: discord.ui.Button[PagedView]) -> None:
        await self._turn(interaction, self.page - 1)

    @discord.ui.button(label="Next", style=discord.ButtonStyle.primary, row=0)
    async def following(self, interaction: discord.Interaction, button: discord.ui.Button[PagedView]) -> None:
        await self._turn(interaction, self.page + 1)

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if interaction.user.id == self.owner_id:
            return True
        await interaction.response.send_message(
            "Only the person who asked can turn these pages: run the command yourself to get your own.",
            ephemeral=True,
        )
        return False

    async def _turn(self, interaction: discord.Interaction, page: int) -> None:
        rendered = await self.fetch(page)
        if not rendered.embeds:
            await interaction.response.send_message(rendered.content or "That page is empty.", ephemeral=True)
            return
        self.page = page
        self._layout(rendered.links)
        await interaction.response.edit_message(content=rendered.content, embeds=rendered.embeds, view=self)

    async def on_timeout(self) -> None:
        """Grey the page buttons out, so nobody presses a button that no longer answers."""
        for item in self.children:
            if isinstance(item, discord.ui.Button) and item.style is not discord.ButtonStyle.link:
                item.disabled = True
        if self.interaction is None:
            return
        try:
            await self.interaction.edit_original_response(view=self)
        except discord.HTTPException as exc:
            # The message may be gone (deleted, or the token expired); nothing to tidy then.
            log.debug("could not disable page buttons: %s", exc)
