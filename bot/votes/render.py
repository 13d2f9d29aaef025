"""Votes replies as Discord embeds: a division, lists of divisions, a Member's votes.

Every stored string (names, parties, titles, questions) goes through `bot.discord_text.escape_for_discord`
once; sizes are kept within Discord's limits, long lists are paged.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from bot.discord_text import CONTENT_LIMIT, FIELD_NAME_LIMIT, FIELD_VALUE_LIMIT, escape_for_discord, fit_embed
from bot.hansard.render import candidates_text
from bot.render import ATTRIBUTION, Rendered, base_embed
from commands.replies import Candidate
from commands.text import truncate
from commands.vote_replies import (
    NO_VOTE,
    DivisionDetail,
    DivisionItem,
    DivisionListReply,
    DivisionReply,
    MemberVote,
    MemberVotesReply,
    VoteAnswer,
    Voter,
)

PAGE_SIZE = 8
QUESTION_CHARS = 300


def _code_safe(text: str) -> str:
    # Inside a code block nothing is formatted, but a backtick would end the block.
    return text.replace("`", "'")


def _day(item: DivisionItem) -> str:
    return f"{item.date.day} {item.date:%b %Y}"


def _house_short(house: str) -> str:
    return "Lords" if house == "House of Lords" else "Commons"


def _problem(message: str | None, candidates: Sequence[Candidate] = ()) -> Rendered:
    if candidates:
        return Rendered(content=candidates_text(escape_for_discord(message or ""), candidates), ephemeral=True)
    return Rendered(content=truncate(escape_for_discord(message or "Nothing to show."), CONTENT_LIMIT), ephemeral=True)


def _result_line(item: DivisionItem) -> str:
    return f"**{item.counts}** — {'passed' if item.passed else 'not passed'}"


def _names(voters: Sequence[Voter], *, with_vote: bool = False) -> str:
    """ "Name (Party) — No, ..." within a field's 1024 characters, the rest counted."""
    shown: list[str] = []
    used = 0
    for index, voter in enumerate(voters):
        party = f" ({escape_for_discord(voter.party)})" if voter.party else ""
        vote = f" — {voter.vote}" if with_vote else ""
        proxy = f" (proxy: {escape_for_discord(voter.proxy)})" if voter.proxy else ""
        text = f"{escape_for_discord(voter.name)}{party}{vote}{proxy}"
        more = f"… and {len(voters) - index} more"
        if used + len(text) + 2 + len(more) > FIELD_VALUE_LIMIT:
            shown.append(more)
            break
        shown.append(text)
        used += len(text) + 2
    return "; ".join(shown) or "None"


def party_table(detail: DivisionDetail) -> str:
    yes, no = detail.item.yes_label, detail.item.no_label
    width = min(28, max([5, *(len(p.party) for p in detail.parties)]))
    lines = [f"{'Party':<{width}} {yes:>8} {no:>12}"]
    for split in detail.parties:
        lines.append(f"{_code_safe(split.party)[:width]:<{width}} {split.ayes:>8} {split.noes:>12}")
    body = "\n".join(lines)
    return "```\n" + truncate(body, FIELD_VALUE_LIMIT - 8) + "\n```"


def render_division(reply: DivisionReply) -> Rendered:
    detail = reply.detail
    if detail is None:
        return _problem(reply.message)
    item = detail.item
    description = [truncate(escape_for_discord(item.question or "The question is not in the record."), 1200)]
    if detail.motion and (item.question or "") not in detail.motion:
        description.append(f"Motion: {truncate(escape_for_discord(detail.motion), 800)}")
    description.append(_result_line(item))
    if item.debate:
        debate = escape_for_discord(item.debate) + (f" — {escape_for_discord(item.heading)}" if item.heading else "")
        description.append(f"Debate: {truncate(debate, 500)}")
    if item.bill and item.bill != item.debate:
        description.append(f"Bill: {escape_for_discord(item.bill)}")
    when = f" at {item.time}" if item.time else ""
    embed = base_embed(
        f"Division {item.number} · {item.house} · {_day(item)}{when}", "\n".join(description), item.house
    )
    embed.add_field(name="Votes by party", value=party_table(detail), inline=False)
    embed.add_field(
        name=f"Voted against their party's majority ({len(detail.rebels)})",
        value=_names(detail.rebels, with_vote=True),
        inline=False,
    )
    embed.add_field(name="Tellers", value=_names(detail.tellers, with_vote=True), inline=False)
    if detail.proxies:
        embed.add_field(name="By proxy", value=_names(detail.proxies, with_vote=True), inline=False)
    return Rendered(embeds=[fit_embed(embed)], links=[(link.label, link.url) for link in item.links])


def _division_field(item: DivisionItem, extra: str = "") -> tuple[str, str]:
    name = f"{_day(item)} · Division {item.number} ({_house_short(item.house)})"
    about = item.bill or item.debate
    lead = f"{escape_for_discord(about)}: " if about else ""
    question = truncate(lead + escape_for_discord(item.question or "question not recorded"), QUESTION_CHARS)
    value = f"{question}\n{_result_line(item)}" + (f"\n{extra}" if extra else "")
    return truncate(name, FIELD_NAME_LIMIT), truncate(value, FIELD_VALUE_LIMIT)


def pages_of(count: int) -> int:
    return max(1, math.ceil(count / PAGE_SIZE))


def render_division_list(reply: DivisionListReply, page: int = 1) -> Rendered:
    """One page of divisions; for ask, each with the party's split or its rebels."""
    if not reply.divisions:
        return _problem(reply.message, reply.candidates)
    details = {(d.item.house, d.item.date, d.item.number): d for d in reply.details}
    total = pages_of(len(reply.divisions))
    page = min(max(1, page), total)
    title = reply.understood[:1].upper() + reply.understood[1:]
    embed = base_embed(escape_for_discord(title), f"{len(reply.divisions)} division(s)")
    for item in reply.divisions[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]:
        detail = details.get((item.house, item.date, item.number))
        extra = ""
        if detail is not None and reply.party is not None:
            split = next((p for p in detail.parties if p.party == reply.party), None)
            extra = (
                f"{escape_for_discord(reply.party)}: {split.ayes} {item.yes_label}, {split.noes} {item.no_label}"
                if split
                else f"No {escape_for_discord(reply.party)} votes recorded"
            )
        elif detail is not None:
            extra = f"Against their party: {_names(detail.rebels, with_vote=True)}"
        name, value = _division_field(item, extra)
        embed.add_field(name=name, value=value, inline=False)
    if total > 1:
        embed.set_footer(text=f"Page {page} of {total} · {ATTRIBUTION}")
    return Rendered(embeds=[fit_embed(embed)])


def _vote_text(vote: MemberVote) -> str:
    if vote.vote is None:
        return "No recorded vote" if vote.status == NO_VOTE else f"Was not a Member of the {vote.division.house} then"
    text = f"**{vote.vote}**" + (" (teller)" if vote.teller else "") + (" (by proxy)" if vote.proxy else "")
    return text + (" — against their party's majority" if vote.against_party else "")


def render_member_votes(reply: MemberVotesReply, page: int = 1) -> Rendered:
    if reply.member is None:
        return _problem(reply.message, reply.candidates)
    total = pages_of(len(reply.votes))
    page = min(max(1, page), total)
    lines = [escape_for_discord(reply.answer)] if reply.answer else []
    if reply.summary is not None:
        lines.append(reply.summary.describe())
    if not reply.votes:
        lines.append(escape_for_discord(reply.message or "No loaded division."))
    embed = base_embed(f"How {escape_for_discord(reply.member.name)} voted", "\n".join(lines))
    for vote in reply.votes[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]:
        name, value = _division_field(vote.division, _vote_text(vote))
        embed.add_field(name=name, value=value, inline=False)
    if total > 1:
        embed.set_footer(text=f"Page {page} of {total} · {ATTRIBUTION}")
    return Rendered(embeds=[fit_embed(embed)])


def render_vote_answer(reply: VoteAnswer) -> Rendered:
    """Any votes answer (from /hansard ask): its first page, with where to find the rest.

    /hansard ask has no page buttons; /hansard votes and /hansard division page through the rest.
    """
    if isinstance(reply, DivisionReply):
        return render_division(reply)
    rendered = render_division_list(reply) if isinstance(reply, DivisionListReply) else render_member_votes(reply)
    shown = len(reply.divisions) if isinstance(reply, DivisionListReply) else len(reply.votes)
    if shown > PAGE_SIZE and rendered.embeds:
        rendered.embeds[0].set_footer(
            text=f"The first {PAGE_SIZE} of {shown}: /hansard votes lists a Member's in pages · {ATTRIBUTION}"
        )
    return rendered


def page_count(reply: VoteAnswer) -> int:
    if isinstance(reply, DivisionListReply):
        return pages_of(len(reply.divisions))
    if isinstance(reply, MemberVotesReply):
        return pages_of(len(reply.votes))
    return 1


def render_page(reply: VoteAnswer, page: int) -> Rendered:
    if isinstance(reply, DivisionListReply):
        return render_division_list(reply, page)
    if isinstance(reply, MemberVotesReply):
        return render_member_votes(reply, page)
    return render_division(reply)
