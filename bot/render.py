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
    EMBED_TOTAL,
    FIELD_NAME_LIMIT,
    FIELD_VALUE_LIMIT,
    MAX_FIELDS,
    TITLE_LIMIT,
    cut_markup,
    escape_for_discord,
    fit_for_discord,
    highlight_for_discord,
)
from commands.digest import DigestContent
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
    """The reference as a Markdown link to the source."""
    label = escape_for_discord(item.reference or "Hansard")
    return f"[{label}]({item.uri})"


def base_embed(title: str, description: str | None = None, house: str | None = None) -> discord.Embed:
    """An embed with the attribution footer. ``title`` is plain text; ``description`` is ready markup."""
    embed = discord.Embed(
        title=fit_for_discord(title, TITLE_LIMIT),
        description=cut_markup(description, DESCRIPTION_LIMIT) if description else None,
        colour=LORDS_COLOUR if house == "House of Lords" else HANSARD_COLOUR,
    )
    embed.set_footer(text=ATTRIBUTION)
    return embed


def render_digest(content: DigestContent) -> discord.Embed:
    """A digest as one embed: a field per debate, cut to Discord's limits with "and N more"."""
    embed = base_embed(content.title, f"{content.total_text()} new contributions")
    shown = 0
    for section in content.sections:
        if len(embed.fields) >= MAX_FIELDS - 1:
            break
        lines: list[str] = []
        for item in section.items:
            quote = highlight_for_discord(item.excerpt, item.highlights)
            line = f"• **{who(item)}**: {quote} {citation(item)}"
            if len("\n".join([*lines, line])) > FIELD_VALUE_LIMIT:
                break
            lines.append(line)
        if not lines:
            continue
        candidate = embed.copy()
        candidate.add_field(
            name=fit_for_discord(section.debate, FIELD_NAME_LIMIT), value="\n".join(lines), inline=False
        )
        # Keep room for the closing "and N more" line.
        if len(candidate) > EMBED_TOTAL - 300:
            break
        embed = candidate
        shown += len(lines)
    more = content.total - shown
    if more > 0:
        embed.add_field(
            name=f"and {more:,}{'+' if content.total_capped else ''} more",
            value="Use /hansard search to see the rest.",
            inline=False,
        )
    return embed
