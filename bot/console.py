"""Replies as terminal text, for the CLI and the interactive console: plain text, matched words in bold.

Built as rich `Text` objects, never as markup strings, so brackets in Hansard text
("[Interruption.]", "[HL]") are shown as written and never read as rich markup.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable

from rich.console import Console
from rich.text import Text

from commands.replies import (
    BillSummary,
    ContributionReply,
    CountReply,
    LookupReply,
    MemberProfile,
    ResultItem,
    SearchReply,
)

MATCH_STYLE = "bold"

Reply = SearchReply | LookupReply | CountReply | ContributionReply


def terminal() -> Console:
    """A console on standard output that reads nothing in the text as markup, emoji codes or patterns."""
    return Console(markup=False, emoji=False, highlight=False, soft_wrap=True)


def _item(item: ResultItem, number: int | None) -> list[Text]:
    who = item.member or "(no member)"
    party = f" ({item.party})" if item.party else ""
    date = item.date.strftime("%-d %B %Y") if item.date else "undated"
    lead = f"{number}. " if number is not None else ""
    excerpt = Text("   " + item.excerpt)
    for start, end in item.highlights:
        excerpt.stylize(MATCH_STYLE, start + 3, end + 3)
    return [
        Text(f"{lead}{who}{party}, {item.house or 'Parliament'}, {date}: {item.title}"),
        excerpt,
        Text(f"   {item.reference + ' — ' if item.reference else ''}{item.uri}"),
    ]


def _lines(reply: Reply) -> list[Text | str]:
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
            span = f", {p.first_date} to {p.last_date}" if p.first_date else ""
            lines.append(f"{p.contributions} contributions{span}")
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
