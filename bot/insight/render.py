"""Trend, who, quote and context replies as Discord embeds, within Discord's limits.

The core hands over plain text; every stored or typed string is escaped here, through
``bot.discord_text.escape_for_discord`` only.
"""

from __future__ import annotations

from bot.discord_text import (
    CONTENT_LIMIT,
    FIELD_NAME_LIMIT,
    FIELD_VALUE_LIMIT,
    MAX_FIELDS,
    escape_for_discord,
    fit_embed,
)
from bot.render import Rendered, base_embed, date_text
from commands.context import ContextItem, ContextReply, DebatePage
from commands.quote import QuoteReply
from commands.text import ELLIPSIS, truncate
from commands.trend import TrendReply
from commands.who import WhoReply

TREND_FILE = "trend.png"
WHO_FILE = "who.png"
CONTEXT_EXCERPT = 300


def problem(message: str | None) -> Rendered:
    return Rendered(content=truncate(escape_for_discord(message or "Nothing to show."), CONTENT_LIMIT), ephemeral=True)


def render_trend(reply: TrendReply) -> Rendered:
    """The chart as the embed's image (the PNG is attached as TREND_FILE), the counts as text."""
    if reply.problem is not None:
        return problem(reply.message)
    how = "per 1,000 contributions" if reply.per_thousand else "contributions containing each term"
    lines = [
        f"{how.capitalize()}, per sitting {reply.granularity.value}, "
        f"{reply.periods[0]} to {reply.periods[-1]} ({len(reply.periods)} periods)."
    ]
    lines += [escape_for_discord(line) for line in reply.summary_lines()]
    title = f"Trend: {', '.join(reply.terms)}"
    embed = base_embed(title, "\n".join(lines))
    if reply.filters:
        embed.add_field(name="Filters", value=truncate(escape_for_discord(", ".join(reply.filters)), FIELD_VALUE_LIMIT))
    embed.set_image(url=f"attachment://{TREND_FILE}")
    return Rendered(embeds=[fit_embed(embed)])


def render_who(reply: WhoReply, chart: bool = False) -> Rendered:
    if reply.problem is not None:
        return problem(reply.message)
    lines = []
    for rank, s in enumerate(reply.speakers, start=1):
        party = f" ({escape_for_discord(s.party)})" if s.party else ""
        span = (
            date_text(s.first_date)
            if s.first_date == s.last_date
            else f"{date_text(s.first_date)} – {date_text(s.last_date)}"
        )
        lines.append(f"{rank}. **{escape_for_discord(s.name)}**{party}: {s.count:,} · {span}")
    scope = [escape_for_discord(", ".join(reply.filters))] if reply.filters else []
    embed = base_embed(f"Who spoke most about {reply.topic}", "\n".join([*scope, *lines]))
    if chart:
        embed.set_image(url=f"attachment://{WHO_FILE}")
    return Rendered(embeds=[fit_embed(embed)])


def _quoted(passage: str, limit: int) -> str:
    return f"“{truncate(escape_for_discord(passage), limit)}”"


def render_quote(reply: QuoteReply, ephemeral: bool = False) -> Rendered:
    if reply.problem is not None:
        return problem(reply.message)
    embed = base_embed(
        "Who said it", f"Closest matches in Hansard for “{truncate(escape_for_discord(reply.text), 300)}”"
    )
    links = []
    for rank, match in enumerate(reply.results, start=1):
        who = escape_for_discord(match.member or "No member named") + (
            f" ({escape_for_discord(match.party)})" if match.party else ""
        )
        name = f"{rank}. {who} · {date_text(match.date)} · {match.score:.0f}% match"
        citation = f"[{escape_for_discord(match.reference or 'Hansard')}]({match.uri})"
        value = f"{_quoted(match.passage, FIELD_VALUE_LIMIT - len(citation) - 10)}\n{citation}"
        embed.add_field(name=truncate(name, FIELD_NAME_LIMIT), value=value, inline=False)
        links.append((f"Open {rank}", match.uri))
    return Rendered(embeds=[fit_embed(embed)], links=links, ephemeral=ephemeral)


def _context_field(item: ContextItem, marker: str = "") -> tuple[str, str]:
    who = escape_for_discord(item.member or "Procedure") + (
        f" ({escape_for_discord(item.party)})" if item.party else ""
    )
    name = truncate(f"{marker}{item.position}. {who}", FIELD_NAME_LIMIT)
    citation = f"[{escape_for_discord(item.reference or 'Hansard')}]({item.uri})"
    body = (
        truncate(escape_for_discord(item.text), min(CONTEXT_EXCERPT, FIELD_VALUE_LIMIT - len(citation) - 2)) or ELLIPSIS
    )
    return name, f"{body}\n{citation}"


def render_context(reply: ContextReply) -> Rendered:
    """The speeches around a contribution, in order; the contribution itself marked with ▶."""
    if reply.anchor is None:
        return problem(reply.message)
    anchor = reply.anchor
    embed = base_embed(
        anchor.title or "Context",
        f"{date_text(anchor.date)} · speech {anchor.position} of {reply.sitting_size} in the sitting",
    )
    for item in [*reply.before, anchor, *reply.after][:MAX_FIELDS]:
        name, value = _context_field(item, "▶ " if item is anchor else "")
        embed.add_field(name=name, value=value, inline=False)
    return Rendered(embeds=[fit_embed(embed)], ephemeral=True)


def render_debate(page: DebatePage) -> Rendered:
    if page.anchor is None:
        return problem(page.message)
    embed = base_embed(
        page.debate_title or "Debate",
        f"{date_text(page.anchor.date)} · {page.total} speeches · page {page.page} of {page.pages}",
    )
    for item in page.items:
        name, value = _context_field(item, "▶ " if item.row_id == page.anchor.row_id else "")
        embed.add_field(name=name, value=value, inline=False)
    return Rendered(embeds=[fit_embed(embed)], ephemeral=True)
