"""/hansard replies as Discord embeds, within every Discord limit.

The replies hold plain text; every stored or typed string is escaped here (through
`bot.discord_text`) as it is laid out, and matched words are put in bold.
"""

from __future__ import annotations

from collections.abc import Sequence

import discord

from bot.discord_text import (
    CONTENT_LIMIT,
    FIELD_NAME_LIMIT,
    FIELD_VALUE_LIMIT,
    FOOTER_LIMIT,
    MAX_FIELDS,
    cut_markup,
    escape_for_discord,
    fit_embed,
    fit_for_discord,
    highlight_for_discord,
)
from bot.render import ATTRIBUTION, Rendered, base_embed, citation, date_text, who
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
from commands.text import ELLIPSIS

# One page of a whole speech: an embed description holds 4096 characters; room is left for the footer's sake.
CONTRIBUTION_PAGE_CHARS = 3800
MAX_CANDIDATES_SHOWN = 10
# Room in a result's field for the question a written answer answers (or the reverse).
PAIRED_CHARS = 300
# A tally's list of people or days, before the speeches behind it.
TALLY_CHARS = 3000


def result_field(number: int | None, item: ResultItem) -> tuple[str, str]:
    lead = f"{number}. " if number is not None else ""
    title = escape_for_discord(item.title)
    name = cut_markup(f"{lead}{who(item)} · {date_text(item.date)} · {title}", FIELD_NAME_LIMIT)
    link = citation(item)
    paired = _paired(item, PAIRED_CHARS)
    room = FIELD_VALUE_LIMIT - len(link) - len(paired) - 2
    body = highlight_for_discord(item.excerpt or ELLIPSIS, item.highlights, room)
    return name, f"{body}\n{paired + chr(10) if paired else ''}{link}"


def _paired(item: ResultItem, limit: int) -> str:
    """The other half of a written question and answer, in a line or two ("" for other contributions)."""
    lines = [
        f"**{p.kind.capitalize()}**"
        + (f" ({escape_for_discord(p.member)})" if p.member else "")
        + f": {escape_for_discord(p.excerpt)}"
        for p in item.paired
    ]
    return cut_markup(" ".join(lines), limit) if lines else ""


def _add_results(embed: discord.Embed, items: Sequence[ResultItem], first_number: int | None) -> None:
    for offset, item in enumerate(items[: MAX_FIELDS - len(embed.fields)]):
        number = first_number + offset if first_number is not None else None
        name, value = result_field(number, item)
        embed.add_field(name=name, value=value, inline=False)


def candidates_text(message: str | None, candidates: Sequence[Candidate]) -> str:
    lines = [escape_for_discord(message or "Pick one of these:")]
    for c in candidates[:MAX_CANDIDATES_SHOWN]:
        detail = f" — {escape_for_discord(c.detail)}" if c.detail else ""
        lines.append(f"• **{escape_for_discord(c.name)}**{detail}")
    lines.append("Run the command again with the full name (autocomplete offers each).")
    return cut_markup("\n".join(lines), CONTENT_LIMIT)


def _problem(message: str | None, candidates: Sequence[Candidate], suggestion: str | None = None) -> Rendered:
    text = candidates_text(message, candidates) if candidates else escape_for_discord(message or "")
    if suggestion and "Did you mean" not in (message or ""):
        text += f"\nDid you mean “{escape_for_discord(suggestion)}”?"
    return Rendered(content=cut_markup(text, CONTENT_LIMIT), ephemeral=True)


def render_search(reply: SearchReply) -> Rendered:
    if reply.problem is not None and not reply.results:
        return _problem(reply.message, reply.candidates, reply.suggestion)
    description = f"{reply.total_text()} results for {escape_for_discord(reply.understood)}"
    if reply.message:  # a note beside the results, e.g. where the data ends
        description += f"\n{escape_for_discord(reply.message)}"
    if reply.suggestion:
        description += f"\nDid you mean “{escape_for_discord(reply.suggestion)}”?"
    embed = base_embed("Hansard search", description)
    _add_results(embed, reply.results, (reply.page - 1) * reply.page_size + 1)
    embed.set_footer(text=fit_for_discord(f"Page {reply.page} of {reply.pages} · {ATTRIBUTION}", FOOTER_LIMIT))
    links = [(f"Open {(reply.page - 1) * reply.page_size + i + 1}", r.uri) for i, r in enumerate(reply.results)]
    return Rendered(embeds=[fit_embed(embed)], links=links)


def _counts(items: Sequence[CountItem]) -> str:
    text = "\n".join(f"{escape_for_discord(c.label)} ({c.count})" for c in items)
    return cut_markup(text, FIELD_VALUE_LIMIT) or "—"


def render_lookup(reply: LookupReply) -> Rendered:
    profile = reply.profile
    if profile is None:
        return _problem(reply.message, reply.candidates)
    if isinstance(profile, MemberProfile):
        return render_member(profile)
    return render_bill(profile)


def render_member(profile: MemberProfile) -> Rendered:
    span = f"{date_text(profile.first_date)} – {date_text(profile.last_date)}" if profile.first_date else "no dates"
    party = escape_for_discord(profile.party or "No party recorded")
    house = escape_for_discord(profile.house or "house unknown")
    seat = f"\nMember for {escape_for_discord(profile.constituency)}" if profile.constituency else ""
    embed = base_embed(
        profile.member.name,
        f"{party}, {house}{seat}\n{profile.contributions:,} contributions loaded, {span}",
        profile.house,
    )
    if profile.memberships:
        embed.add_field(name="Sat in", value=_memberships(profile.memberships), inline=False)
    embed.add_field(name="Debates spoken in most", value=_counts(profile.top_debates), inline=True)
    embed.add_field(name="Bills spoken on most", value=_counts(profile.top_bills), inline=True)
    if profile.voting is not None:
        embed.add_field(name="Votes", value=escape_for_discord(profile.voting.describe()), inline=False)
    _add_results(embed, profile.latest, None)
    links = [(f"Latest {i + 1}", r.uri) for i, r in enumerate(profile.latest)]
    return Rendered(embeds=[fit_embed(embed)], links=links)


def _memberships(memberships: Sequence[MembershipItem]) -> str:
    """One line per House: "House of Commons as Peter Mandelson, 9 April 1992 – 8 November 2004"."""
    return "\n".join(
        f"{escape_for_discord(m.house)} as {escape_for_discord(m.name)}, "
        f"{date_text(m.from_date)} – {date_text(m.to_date) if m.to_date else 'now'}"
        for m in memberships
    )


def render_bill(summary: BillSummary) -> Rendered:
    dates = ", ".join(date_text(d) for d in summary.dates) or "—"
    sessions = escape_for_discord(", ".join(summary.sessions) or "unknown")
    houses = escape_for_discord(", ".join(summary.houses) or "Parliament")
    embed = base_embed(
        summary.bill.name, f"Session {sessions} · {houses}\n{summary.contributions:,} contributions loaded"
    )
    embed.add_field(name="Debated on", value=cut_markup(dates, FIELD_VALUE_LIMIT), inline=False)
    embed.add_field(name="Spoke most", value=_counts(summary.top_speakers), inline=False)
    _add_results(embed, summary.latest, None)
    links = [(f"Latest {i + 1}", r.uri) for i, r in enumerate(summary.latest)]
    return Rendered(embeds=[fit_embed(embed)], links=links)


def render_count(reply: CountReply) -> Rendered:
    embed = base_embed(f"{reply.count:,}", f"Contributions: {escape_for_discord(reply.understood)}")
    _add_results(embed, reply.latest, None)
    return Rendered(embeds=[fit_embed(embed)], links=[(f"Latest {i + 1}", r.uri) for i, r in enumerate(reply.latest)])


def render_tally(reply: TallyReply) -> Rendered:
    """Who spoke most about something, or the days it was debated, with the speeches behind the counts."""
    if reply.problem is not None:
        return Rendered(content=cut_markup(escape_for_discord(reply.message or ""), CONTENT_LIMIT), ephemeral=True)
    lines = [
        escape_for_discord(p.name) + (f" ({escape_for_discord(p.party)})" if p.party else "") + f" — {p.count}"
        for p in reply.people
    ]
    lines += [f"{date_text(d.date)}: {escape_for_discord(d.title)} — {d.count}" for d in reply.days]
    description = escape_for_discord(reply.understood) + "\n" + "\n".join(lines)
    if reply.message:
        description += f"\n{escape_for_discord(reply.message)}"
    embed = base_embed(
        "Who spoke most" if reply.people else "When it was debated", cut_markup(description, TALLY_CHARS)
    )
    _add_results(embed, reply.results, 1)
    return Rendered(embeds=[fit_embed(embed)], links=[(f"Result {i + 1}", r.uri) for i, r in enumerate(reply.results)])


def contribution_pages(paragraphs: Sequence[str], limit: int = CONTRIBUTION_PAGE_CHARS) -> list[str]:
    """Whole paragraphs, escaped, packed into pages of at most ``limit`` characters (blank lines between)."""
    pages: list[str] = []
    current = ""
    for paragraph in paragraphs:
        rest = paragraph.strip()
        while rest:
            safe = escape_for_discord(rest)
            if len(safe) <= limit:
                rest = ""
            else:
                # One paragraph longer than a page: its first words that fit, the rest on the next page.
                safe = fit_for_discord(rest, limit).removesuffix(ELLIPSIS)
                taken = _plain_length(rest, safe)
                rest = rest[taken:].lstrip()
            joined = f"{current}\n\n{safe}" if current else safe
            if len(joined) > limit:
                pages.append(current)
                current = safe
            else:
                current = joined
    if current:
        pages.append(current)
    return pages or [""]


def _plain_length(plain: str, escaped_prefix: str) -> int:
    """How many characters of ``plain`` the escaped ``escaped_prefix`` holds."""
    low, high = 0, len(plain)
    while low < high:
        middle = (low + high + 1) // 2
        if len(escape_for_discord(plain[:middle])) <= len(escaped_prefix):
            low = middle
        else:
            high = middle - 1
    return max(1, low)


def render_contribution(reply: ContributionReply, page: int) -> Rendered:
    item = reply.item
    if item is None:
        return Rendered(content=escape_for_discord(reply.message or "Not found."), ephemeral=True)
    pages = contribution_pages(reply.paragraphs)
    page = max(0, min(page, len(pages) - 1))
    embed = base_embed(item.title, pages[page], item.house)
    embed.url = item.official_url or item.uri
    embed.add_field(name="Member", value=cut_markup(who(item), FIELD_VALUE_LIMIT), inline=True)
    embed.add_field(name="Date", value=date_text(item.date), inline=True)
    embed.add_field(name="Reference", value=citation(item), inline=False)
    for paired in item.paired:
        embed.add_field(
            name=fit_for_discord(f"{paired.kind.capitalize()} ({paired.member or 'no member'})", FIELD_NAME_LIMIT),
            value=fit_for_discord(f"{paired.excerpt}\n{paired.reference or ''}", FIELD_VALUE_LIMIT),
            inline=False,
        )
    embed.set_footer(text=fit_for_discord(f"Page {page + 1} of {len(pages)} · {ATTRIBUTION}", FOOTER_LIMIT))
    links = [("Official Hansard", item.official_url), ("TheyWorkForYou", item.uri)] if item.official_url else []
    return Rendered(embeds=[fit_embed(embed)], links=links or [("Open in Hansard", item.uri)])


def render_about(stats: StoreStats) -> Rendered:
    span = f"{date_text(stats.first_date)} – {date_text(stats.last_date)}" if stats.first_date else "no data yet"
    embed = base_embed("About this Hansard bot", f"Searchable UK Parliament debates, {span}.")
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
**/hansard ask** a question in plain words, e.g. *what did the prime minister say about afghanistan*,
  *who spoke most about referendum*, *how did Frank Field vote on division 72*.
**/hansard member** a Member's profile · **/hansard bill** a Bill's debates.
**/hansard division** one vote's result, by party, with rebels · **/hansard votes** how a Member voted.
**/hansard trend** words over time, as a chart · **/hansard who** who spoke most about a topic.
**/hansard quote** who said a sentence (also *Apps › Find in Hansard* on any message).
**/hansard contribution** one whole speech by URI or id · **/hansard about** what is loaded.
**/alert add** your own alerts by DM · **/digest subscribe** a channel's digest (moderators).
Every quote links to its source in Hansard."""


def render_help() -> Rendered:
    return Rendered(embeds=[base_embed("Hansard bot", HELP_TEXT)], ephemeral=True)
