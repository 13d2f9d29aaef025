"""Embed layout shared by every feature (the frame, a contribution's line and link), and the digest embed.

Every stored string is escaped here or in a feature's render module through
`bot.discord_text`, once, as it goes into the embed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import discord

from bot.discord_text import (
    DESCRIPTION_LIMIT,
    TITLE_LIMIT,
    cut_markup,
    escape_for_discord,
    fit_for_discord,
)
from commands.replies import ResultItem

HANSARD_COLOUR = discord.Colour.from_rgb(0, 110, 70)
LORDS_COLOUR = discord.Colour.from_rgb(160, 30, 50)
ATTRIBUTION = "Contains Parliamentary information licensed under the Open Parliament Licence v3.0"


@dataclass(slots=True)
class Rendered:
    """What to send: content, embeds and link buttons, and whether only the asker should see it."""

    content: str | None = None
    embeds: list[discord.Embed] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)
    ephemeral: bool = False


def date_text(day: dt.date | None) -> str:
    return f"{day.day} {day:%b %Y}" if day else "undated"


def who(item: ResultItem) -> str:
    """The speaker and party, escaped."""
    party = f" ({item.party})" if item.party else ""
    return escape_for_discord(f"{item.member or 'No member named'}{party}")


def citation(item: ResultItem) -> str:
    """The reference linked to the official record, and TheyWorkForYou's page as a second link."""
    label = escape_for_discord(item.reference or "Hansard")
    if item.official_url is None:
        return f"[{label}]({link_target(item.uri)})"
    return f"[{label}]({link_target(item.official_url)}) · [TheyWorkForYou]({link_target(item.uri)})"


def link_target(url: str) -> str:
    """A URL safe inside Markdown's (...): brackets and spaces percent-encoded."""
    return url.replace(" ", "%20").replace("(", "%28").replace(")", "%29").replace("<", "%3C").replace(">", "%3E")


def base_embed(title: str, description: str | None = None, house: str | None = None) -> discord.Embed:
    """An embed with the attribution footer. ``title`` is plain text; ``description`` is ready markup."""
    embed = discord.Embed(
        title=fit_for_discord(title, TITLE_LIMIT),
        description=cut_markup(description, DESCRIPTION_LIMIT) if description else None,
        colour=LORDS_COLOUR if house == "House of Lords" else HANSARD_COLOUR,
    )
    embed.set_footer(text=ATTRIBUTION)
    return embed
