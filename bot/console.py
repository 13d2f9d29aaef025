"""Replies as terminal text, for the CLI and the interactive console: plain text, matched words in bold.

Built as rich `Text` objects, never as markup strings, so brackets in Hansard text
("[Interruption.]", "[HL]") are shown as written and never read as rich markup.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable

from rich.console import Console
from rich.text import Text

from bot.votes.text import format_vote_answer
from commands.replies import (
    BillSummary,
    ContributionReply,
    CountReply,
    LookupReply,
    MemberProfile,
    MembershipItem,
    ResultItem,
    SearchReply,
    TallyReply,
)
from commands.vote_replies import VOTE_ANSWERS, VoteAnswer

MATCH_STYLE = "bold"

Reply = SearchReply | LookupReply | CountReply | ContributionReply | TallyReply | VoteAnswer


def terminal() -> Console:
    """A console on standard output that reads nothing in the text as markup, emoji codes or patterns."""
    return Console(markup=False, emoji=False, highlight=False, soft_wrap=True)


def _item(item: ResultItem, number: int | None) -> list[Text | str]:
    who = item.member or "(no member)"
    party = f" ({item.party})" if item.party else ""
    date = item.date.strftime("%-d %B %Y") if item.date else "undated"
    lead = f"{number}. " if number is not None else ""
    excerpt = Text("   " + item.excerpt)
    for start, end in item.highlights:
        excerpt.stylize(MATCH_STYLE, start + 3, end + 3)
    lines: list[Text | str] = [
        Text(f"{lead}{who}{party}, {item.house or 'Parliament'}, {date}: {item.title}"),
        excerpt,
        Text(f"   {item.reference + ' — ' if item.reference else ''}{item.official_url or item.uri}"),
    ]
    if item.official_url:
        lines.append(Text(f"   TheyWorkForYou: {item.uri}"))
    for paired in item.paired:
        who_paired = f" ({paired.member})" if paired.member else ""
        lines.append(Text(f"   {paired.kind.capitalize()}{who_paired}: {paired.excerpt}"))
    return lines


def _lines(reply: Reply) -> list[Text | str]:
    if isinstance(reply, VOTE_ANSWERS):
        return [format_vote_answer(reply)]
    lines: list[Text | str] = []
    if isinstance(reply, SearchReply):
        lines.append(f"Searched for {reply.understood}.")
        if reply.message:
            lines.append(reply.message)
        for candidate in reply.candidates:
            lines.append(f"  - {candidate.name} ({candidate.detail})")
        if reply.results:
            lines.append(f"{reply.total_text()} results, page {reply.page} of {reply.pages}:")
            if reply.suggestion:
                lines.append(f"Did you mean “{reply.suggestion}”?")
            start = (reply.page - 1) * reply.page_size
            for offset, item in enumerate(reply.results, start=1):
                lines.extend(_item(item, start + offset))
    elif isinstance(reply, LookupReply):
        if reply.message:
            lines.append(reply.message)
        for candidate in reply.candidates:
            lines.append(f"  - {candidate.name} ({candidate.detail})")
        if isinstance(reply.profile, MemberProfile):
            p = reply.profile
            lines.append(f"{p.member.name} — {p.member.detail}")
            if p.constituency:
                lines.append(f"Member for {p.constituency}")
            span = f", {p.first_date} to {p.last_date}" if p.first_date else ""
            lines.append(f"{p.contributions} contributions{span}")
            if p.memberships:
                lines.append("Sat in: " + "; ".join(_membership(m) for m in p.memberships))
            if p.voting is not None:
                lines.append(p.voting.describe())
            for heading, counts in (("Debates", p.top_debates), ("Bills", p.top_bills)):
                if counts:
                    lines.append(f"{heading}: " + "; ".join(f"{c.label} ({c.count})" for c in counts))
            lines.append("Latest:")
            for item in p.latest:
                lines.extend(_item(item, None))
        elif isinstance(reply.profile, BillSummary):
            b = reply.profile
            lines.append(f"{b.bill.name} — session {', '.join(b.sessions) or 'unknown'}")
            lines.append(f"{b.contributions} contributions in {', '.join(b.houses) or 'Parliament'}")
            lines.append("Debated on: " + ", ".join(d.strftime("%-d %B %Y") for d in b.dates))
            lines.append("Spoke most: " + "; ".join(f"{c.label} ({c.count})" for c in b.top_speakers))
            lines.append("Latest:")
            for item in b.latest:
                lines.extend(_item(item, None))
    elif isinstance(reply, TallyReply):
        lines.append(f"Answered: {reply.understood}.")
        for person in reply.people:
            lines.append(f"  {person.count:>4}  {person.name}" + (f" ({person.party})" if person.party else ""))
        for day in reply.days:
            when = day.date.strftime("%-d %B %Y") if day.date else "undated"
            lines.append(f"  {when}: {day.title} ({day.count})")
        if reply.message:
            lines.append(reply.message)
        if reply.results:
            lines.append("Speeches:")
        for number, item in enumerate(reply.results, start=1):
            lines.extend(_item(item, number))
    elif isinstance(reply, CountReply):
        lines.append(f"{reply.count} — {reply.understood}.")
        for item in reply.latest:
            lines.extend(_item(item, None))
    else:
        if reply.message or reply.item is None:
            lines.append(reply.message or "Not found.")
        else:
            lines.extend(_item(reply.item, None)[:1])
            lines.append("\n\n".join(reply.paragraphs))
    return lines


def render(reply: Reply) -> Text:
    """The reply as terminal text; matched words carry MATCH_STYLE."""
    return Text("\n").join(line if isinstance(line, Text) else Text(line) for line in _lines(reply))


ConsoleHandler = Callable[[list[str]], Reply]

CONSOLE_HELP = """Commands:
  ask QUESTION                      a question in plain words
  search WORDS [--member M] [--bill B] [--house H] [--party P] [--from D] [--to D] [--sort S] [--page N]
  member NAME                       a Member's profile
  bill TITLE                        a Bill's summary
  show URI_OR_ID                    one whole contribution
  help                              this text
  quit                              leave"""


def split_line(line: str) -> list[str]:
    """Words of a console line; an unbalanced quote is taken literally rather than refused."""
    try:
        return shlex.split(line)
    except ValueError:
        return line.split()


def _membership(membership: MembershipItem) -> str:
    """ "House of Commons as Peter Mandelson, 1992-04-09 to 2004-11-08"."""
    span = f"{membership.from_date or '?'} to {membership.to_date or 'now'}"
    return f"{membership.house} as {membership.name}, {span}"
