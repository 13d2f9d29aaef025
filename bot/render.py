"""Replies from the core rendered as Discord embeds, within every Discord limit.

Text in the replies is already escaped and mention-safe (commands.text.safe_text);
this module only lays it out and enforces sizes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

import discord

from commands.admin import StoreStats
from commands.replies import (
    BillSummary,
    Candidate,
    ContributionReply,
    CountItem,
    CountReply,
    LookupReply,
    MemberProfile,
    MembershipItem,
    ResultItem,
    SearchReply,
    TallyReply,
)
from commands.text import ELLIPSIS, safe_text, truncate

# Discord's limits (https://discord.com/developers/docs/resources/message#embed-object-embed-limits).
CONTENT_LIMIT = 2000
EMBED_TOTAL = 6000
TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
FIELD_NAME_LIMIT = 256
FIELD_VALUE_LIMIT = 1024
FOOTER_LIMIT = 2048
MAX_FIELDS = 25
BUTTON_LABEL_LIMIT = 80
# Room in a result's field for the question a written answer answers (or the reverse).
PAIRED_CHARS = 300

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


def _escape(text: str) -> str:
    """Stored text made literal and mention-safe for Discord (the one place this module escapes)."""
    return safe_text(text)


def _date(day: dt.date | None) -> str:
    return f"{day.day} {day:%b %Y}" if day else "undated"


def fit_embed(embed: discord.Embed) -> discord.Embed:
    """Trim the longest field values until the embed fits Discord's 6000-character total."""
    while len(embed) > EMBED_TOTAL and embed.fields:
        excess = len(embed) - EMBED_TOTAL
        index, longest = max(enumerate(embed.fields), key=lambda pair: len(pair[1].value or ""))
        value = longest.value or ""
        if len(value) <= 40:
            embed.remove_field(len(embed.fields) - 1)
            continue
        embed.set_field_at(
            index,
            name=longest.name,
            value=truncate(value, max(40, len(value) - excess - 1)),
            inline=longest.inline,
        )
    return embed


def _who(item: ResultItem) -> str:
    party = f" ({item.party})" if item.party else ""
    return f"{item.member or 'No member named'}{party}"


def _citation(item: ResultItem) -> str:
    """The reference linked to the official record, and TheyWorkForYou's page as a second link."""
    label = item.reference or "Hansard"
    if item.official_url is None:
        return f"[{label}]({_link(item.uri)})"
    return f"[{label}]({_link(item.official_url)}) · [TheyWorkForYou]({_link(item.uri)})"


def _link(url: str) -> str:
    """A URL safe inside Markdown's (...): brackets and spaces percent-encoded."""
    return url.replace(" ", "%20").replace("(", "%28").replace(")", "%29").replace("<", "%3C").replace(">", "%3E")


def result_field(number: int | None, item: ResultItem) -> tuple[str, str]:
    lead = f"{number}. " if number is not None else ""
    name = truncate(f"{lead}{_who(item)} · {_date(item.date)} · {item.title}", FIELD_NAME_LIMIT)
    citation = _citation(item)
    paired = _paired(item, PAIRED_CHARS)
    body = truncate(item.excerpt or ELLIPSIS, FIELD_VALUE_LIMIT - len(citation) - len(paired) - 2)
    return name, f"{body}\n{paired + chr(10) if paired else ''}{citation}"


def _paired(item: ResultItem, limit: int) -> str:
    """The other half of a written question and answer, in a line or two ("" for other contributions)."""
    lines = [
        f"**{p.kind.capitalize()}**" + (f" ({p.member})" if p.member else "") + f": {p.excerpt}" for p in item.paired
    ]
    return truncate(" ".join(lines), limit) if lines else ""


def _base_embed(title: str, description: str | None = None, house: str | None = None) -> discord.Embed:
    embed = discord.Embed(
        title=truncate(title, TITLE_LIMIT),
        description=truncate(description, DESCRIPTION_LIMIT) if description else None,
        colour=LORDS_COLOUR if house == "House of Lords" else HANSARD_COLOUR,
    )
    embed.set_footer(text=ATTRIBUTION)
    return embed


def _add_results(embed: discord.Embed, items: Sequence[ResultItem], first_number: int | None) -> None:
    for offset, item in enumerate(items[: MAX_FIELDS - len(embed.fields)]):
        number = first_number + offset if first_number is not None else None
        name, value = result_field(number, item)
        embed.add_field(name=name, value=value, inline=False)


def candidates_text(message: str | None, candidates: Sequence[Candidate]) -> str:
    lines = [message or "Pick one of these:"]
    lines += [f"• **{safe_text(c.name)}**" + (f" — {safe_text(c.detail)}" if c.detail else "") for c in candidates[:10]]
    lines.append("Run the command again with the full name (autocomplete offers each).")
    return truncate("\n".join(lines), CONTENT_LIMIT)


def render_search(reply: SearchReply) -> Rendered:
    if reply.problem is not None and not reply.results:
        text = candidates_text(reply.message, reply.candidates) if reply.candidates else (reply.message or "")
        if reply.suggestion and reply.message and "Did you mean" not in reply.message:
            text += f"\nDid you mean “{reply.suggestion}”?"
        return Rendered(content=truncate(text, CONTENT_LIMIT), ephemeral=True)
    description = f"{reply.total_text()} results for {reply.understood}"
    if reply.message:  # a note beside the results, e.g. where the data ends
        description += f"\n{reply.message}"
    if reply.suggestion:
        description += f"\nDid you mean “{reply.suggestion}”?"
    embed = _base_embed("Hansard search", description)
    _add_results(embed, reply.results, (reply.page - 1) * reply.page_size + 1)
    embed.set_footer(text=truncate(f"Page {reply.page} of {reply.pages} · {ATTRIBUTION}", FOOTER_LIMIT))
    links = [(f"Open {(reply.page - 1) * reply.page_size + i + 1}", r.uri) for i, r in enumerate(reply.results)]
    return Rendered(embeds=[fit_embed(embed)], links=links)


def _counts(items: Sequence[CountItem]) -> str:
    return truncate("\n".join(f"{c.label} ({c.count})" for c in items), FIELD_VALUE_LIMIT) or "—"


def render_lookup(reply: LookupReply) -> Rendered:
    profile = reply.profile
    if profile is None:
        text = candidates_text(reply.message, reply.candidates) if reply.candidates else (reply.message or "")
        return Rendered(content=truncate(text, CONTENT_LIMIT), ephemeral=True)
    if isinstance(profile, MemberProfile):
        span = f"{_date(profile.first_date)} – {_date(profile.last_date)}" if profile.first_date else "no dates"
        seat = f"\nMember for {_escape(profile.constituency)}" if profile.constituency else ""
        embed = _base_embed(
            profile.member.name,
            f"{profile.party or 'No party recorded'}, {profile.house or 'house unknown'}{seat}\n"
            f"{profile.contributions:,} contributions loaded, {span}",
            profile.house,
        )
        if profile.memberships:
            embed.add_field(name="Sat in", value=_memberships(profile.memberships), inline=False)
        embed.add_field(name="Debates spoken in most", value=_counts(profile.top_debates), inline=True)
        embed.add_field(name="Bills spoken on most", value=_counts(profile.top_bills), inline=True)
        if profile.voting is not None:
            embed.add_field(name="Votes", value=profile.voting.describe(), inline=False)
        _add_results(embed, profile.latest, None)
        links = [(f"Latest {i + 1}", r.uri) for i, r in enumerate(profile.latest)]
        return Rendered(embeds=[fit_embed(embed)], links=links)
    return render_bill(profile)


def _memberships(memberships: Sequence[MembershipItem]) -> str:
    """One line per House: "House of Commons as Peter Mandelson, 9 April 1992 – 8 November 2004"."""
    return "\n".join(
        f"{m.house} as {_escape(m.name)}, {_date(m.from_date)} – {_date(m.to_date) if m.to_date else 'now'}"
        for m in memberships
    )


def render_bill(summary: BillSummary) -> Rendered:
    dates = ", ".join(_date(d) for d in summary.dates) or "—"
    embed = _base_embed(
        summary.bill.name,
        f"Session {', '.join(summary.sessions) or 'unknown'} · {', '.join(summary.houses) or 'Parliament'}\n"
        f"{summary.contributions:,} contributions loaded",
    )
    embed.add_field(name="Debated on", value=truncate(dates, FIELD_VALUE_LIMIT), inline=False)
    embed.add_field(name="Spoke most", value=_counts(summary.top_speakers), inline=False)
    _add_results(embed, summary.latest, None)
    links = [(f"Latest {i + 1}", r.uri) for i, r in enumerate(summary.latest)]
    return Rendered(embeds=[fit_embed(embed)], links=links)


def render_count(reply: CountReply) -> Rendered:
    embed = _base_embed(f"{reply.count:,}", f"Contributions: {reply.understood}")
    _add_results(embed, reply.latest, None)
    return Rendered(embeds=[fit_embed(embed)], links=[(f"Latest {i + 1}", r.uri) for i, r in enumerate(reply.latest)])


def render_tally(reply: TallyReply) -> Rendered:
    """Who spoke most about something, or the days it was debated, with the speeches behind the counts."""
    if reply.problem is not None:
        return Rendered(content=truncate(reply.message or "", CONTENT_LIMIT), ephemeral=True)
    lines = [
        f"{_escape(p.name)}" + (f" ({_escape(p.party)})" if p.party else "") + f" — {p.count}" for p in reply.people
    ]
    lines += [f"{_date(d.date)}: {_escape(d.title)} — {d.count}" for d in reply.days]
    description = f"{reply.understood}\n" + "\n".join(lines)
    if reply.message:
        description += f"\n{reply.message}"
    embed = _base_embed("Who spoke most" if reply.people else "When it was debated", truncate(description, 3000))
    _add_results(embed, reply.results, 1)
    return Rendered(embeds=[fit_embed(embed)], links=[(f"Result {i + 1}", r.uri) for i, r in enumerate(reply.results)])


def render_contribution(reply: ContributionReply, page: int) -> Rendered:
    item = reply.item
    if item is None:
        return Rendered(content=reply.message, ephemeral=True)
    page = max(0, min(page, len(reply.pages) - 1))
    embed = _base_embed(item.title, reply.pages[page], item.house)
    embed.url = item.official_url or item.uri
    embed.add_field(name="Member", value=truncate(_who(item), FIELD_VALUE_LIMIT), inline=True)
    embed.add_field(name="Date", value=_date(item.date), inline=True)
    embed.add_field(name="Reference", value=_citation(item), inline=False)
    for paired in item.paired:
        embed.add_field(
            name=truncate(f"{paired.kind.capitalize()} ({paired.member or 'no member'})", FIELD_NAME_LIMIT),
            value=truncate(f"{paired.excerpt}\n{paired.reference or ''}", FIELD_VALUE_LIMIT),
            inline=False,
        )
    embed.set_footer(text=truncate(f"Page {page + 1} of {len(reply.pages)} · {ATTRIBUTION}", FOOTER_LIMIT))
    links = [("Official Hansard", item.official_url), ("TheyWorkForYou", item.uri)] if item.official_url else []
    return Rendered(embeds=[fit_embed(embed)], links=links or [("Open in Hansard", item.uri)])


def render_about(stats: StoreStats) -> Rendered:
    span = f"{_date(stats.first_date)} – {_date(stats.last_date)}" if stats.first_date else "no data yet"
    embed = _base_embed("About this Hansard bot", f"Searchable UK Parliament debates, {span}.")
    embed.add_field(name="Contributions", value=f"{stats.contributions:,}", inline=True)
    embed.add_field(name="Members", value=f"{stats.members:,}", inline=True)
    embed.add_field(name="Bills", value=f"{stats.bills:,}", inline=True)
    last = stats.last_import
    if last is not None:
        when = last.finished_at or last.started_at
        embed.add_field(
            name="Last import",
            value=f"{discord.utils.format_dt(when, 'R')}: {last.new} new, {last.updated} updated, {last.failed} failed",
            inline=False,
        )
    return Rendered(embeds=[embed])


HELP_TEXT = """\
**/hansard search** words, with optional member, bill, house, party, from, to and sort.
  Syntax: `"exact phrase"`, `-excluded`, `this OR that`; plain words match their other forms.
**/hansard ask** a question in plain words, e.g. *latest from jack straw*.
**/hansard member** a Member's profile · **/hansard bill** a Bill's debates.
**/hansard contribution** one whole speech by URI or id · **/hansard about** what is loaded.
Every quote links to its source in Hansard."""


def render_help() -> Rendered:
    embed = _base_embed("Hansard bot", HELP_TEXT)
    return Rendered(embeds=[embed], ephemeral=True)
