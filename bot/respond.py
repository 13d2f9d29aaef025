"""Answering an interaction: fast answers directly, slow ones deferred and followed up.

The core is blocking (database work), so it always runs in a worker thread. If
the answer is ready within FAST_REPLY_SECONDS it is sent as the interaction
response; otherwise the interaction is deferred (well inside Discord's 3 s) and
the answer follows as an edit of the deferred response.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any, TypeVar

import discord

from bot.hansard.views import PagedView, links_view
from bot.render import Rendered

log = logging.getLogger(__name__)

FAST_REPLY_SECONDS = 1.5
T = TypeVar("T")


async def answer(
    interaction: discord.Interaction,
    work: Callable[[], T],
    render: Callable[[T], Rendered],
    make_view: Callable[[T, Rendered], discord.ui.View | None] | None = None,
) -> None:
    """Compute ``work()`` in a thread, render it, and send it the quickest way Discord allows.

    ``make_view`` builds the buttons from the reply and its rendering (link buttons by default).
    """
    reply = await compute(interaction, work)
    rendered = render(reply)
    view = None
    if not rendered.ephemeral:
        view = make_view(reply, rendered) if make_view is not None else links_view(rendered)
    await send(interaction, rendered, view)


async def compute(interaction: discord.Interaction, work: Callable[[], T]) -> T:
    """``work()`` in a worker thread; the interaction is deferred if it takes over FAST_REPLY_SECONDS."""
    task = asyncio.ensure_future(asyncio.to_thread(work))
    done, _ = await asyncio.wait({task}, timeout=FAST_REPLY_SECONDS)
    if not done:
        await interaction.response.defer(thinking=True)
    return await task


async def send(interaction: discord.Interaction, rendered: Rendered, view: discord.ui.View | None = None) -> None:
    """Send ``rendered`` as the response, or as the follow-up of a deferred response."""
    content, embeds = rendered.content, rendered.embeds
    # discord.py tells "no view" apart from "remove the view" by its MISSING sentinel.
    view_or_missing: Any = view if view is not None else discord.utils.MISSING
    if not interaction.response.is_done():
        await interaction.response.send_message(
            content, embeds=embeds, view=view_or_missing, ephemeral=rendered.ephemeral
        )
    elif rendered.ephemeral:
        # A deferred response is public; an answer meant for the asker alone replaces it.
        await interaction.delete_original_response()
        await interaction.followup.send(
            content or discord.utils.MISSING, embeds=embeds, view=view_or_missing, ephemeral=True
        )
    else:
        await interaction.edit_original_response(content=content, embeds=embeds, view=view)
    if isinstance(view, PagedView):
        view.interaction = interaction
