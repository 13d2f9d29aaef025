"""Natural questions, answered by rules: find the member, bill, dates, house and topic.

"what did tim loughton say about serious case reviews", "who spoke about Yarl's
Wood", "when was the constitutional reform bill debated", "latest from jack straw",
"how many times did Frank Field speak in February 2010". The reply says how the
question was understood; anything not recognised falls back to a plain search.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from storage.records import HOUSE_OF_COMMONS, HOUSE_OF_LORDS
from storage.search import SortOrder

from commands.catalogue import candidate
from commands.core import HansardCore, SearchSpec
from commands.dates import DateError, DateRange, find_date_range
from commands.names import NameMatch
from commands.replies import CountReply, LookupReply, SearchReply

AskReply = SearchReply | LookupReply | CountReply

_HOUSE_WORDS = [
    (re.compile(r"\b(?:in\s+)?(?:the\s+)?(?:house\s+of\s+lords|lords|peers)\b", re.I), HOUSE_OF_LORDS),
    (re.compile(r"\b(?:in\s+)?(?:the\s+)?(?:house\s+of\s+commons|commons)\b", re.I), HOUSE_OF_COMMONS),
]
_COUNT = re.compile(r"\bhow\s+(?:many\s+times|often|many\s+(?:speeches|contributions))\b", re.I)
_LATEST = re.compile(r"\b(?:latest|recent(?:ly)?|newest|last\s+(?:said|speech|contribution))\b", re.I)
_WHEN = re.compile(r"\bwhen\s+(?:was|were|did|is)\b", re.I)
_WHO = re.compile(r"\bwho\b", re.I)
_DATE_LEAD = re.compile(r"\b(?:in|on|during|since|from)\s*$", re.I)
# Question words that carry no topic; removed before the rest is searched.
_FILLER = re.compile(
    r"\b(?:what|did|does|do|has|have|had|was|were|is|are|the|a|an|who|whom|when|where|how|many|times|often|"
    r"say|said|says|saying|speak|spoke|spoken|speaking|talk|talked|talking|mention|mentioned|"
    r"about|on|regarding|concerning|of|in|from|by|to|for|latest|recent|recently|newest|last|"
    r"debated|debate|discussed|anything|something|me|tell|show|find|any|mp|mps|member|members|lord|"
    r"speeches|contributions|contribution|speech|bill|act)\b",
    re.I,
)


@dataclass(frozen=True, slots=True)
class Understanding:
    """What the rules found in a question."""

    member: NameMatch | None
    bill: NameMatch | None
    dates: DateRange | None
    house: str | None
    topic: str


def _remove(text: str, span: tuple[int, int] | None) -> str:
    if span is None:
        return text
    return text[: span[0]] + " " + text[span[1] :]


def understand(core: HansardCore, question: str) -> Understanding:
    text = " ".join(question.replace("?", " ").split())[:500]
    dates = None
    try:
        found = find_date_range(text)
    except DateError:
        found = None
    if found is not None:
        dates, span = found
        before = _DATE_LEAD.search(text[: span[0]])
        text = _remove(text, (before.start() if before else span[0], span[1]))
    house = None
    for pattern, name in _HOUSE_WORDS:
        match = pattern.search(text)
        if match:
            house = name
            text = _remove(text, match.span())
            break
    bill = core.names.bills.find_in_text(text) if re.search(r"\b(?:bill|act)\b", text, re.I) else None
    if bill is not None:
        text = _remove(text, bill.span)
    member = core.names.members.find_in_text(text)
    if member is not None:
        text = _remove(text, member.span)
    topic = " ".join(_FILLER.sub(" ", text).split())
    # Keep user-typed quotes, exclusions and OR intact for the search syntax.
    return Understanding(member=member, bill=bill, dates=dates, house=house, topic=topic)


def _describe(kind: str, u: Understanding) -> str:
    parts = [kind]
    if u.topic:
        parts.append(f"about “{u.topic}”")
    if u.member:
        parts.append(f"by {u.member.entry.name}")
    if u.bill:
        parts.append(f"on {u.bill.entry.name}")
    if u.house:
        parts.append(f"in the {u.house}")
    if u.dates:
        parts.append(f"in {u.dates.describe()}")
    return " ".join(parts)


def ask(core: HansardCore, question: str) -> AskReply:
    u = understand(core, question)
    member = candidate(u.member) if u.member else None
    bill = candidate(u.bill) if u.bill else None

    latest = bool(_LATEST.search(question)) and not u.topic
    spec = SearchSpec(
        query=u.topic,
        member=member,
        bill=bill,
        house=u.house,
        date_from=u.dates,
        date_to=u.dates,
        sort=SortOrder.NEWEST if latest or not u.topic else SortOrder.RELEVANCE,
    )
    if _COUNT.search(question) and member and not u.topic:
        filters = core.filters(spec)
        return CountReply(
            understood=_describe("count of contributions", u),
            count=core.count(filters),
            member=member,
            latest=core.latest(filters),
        )
    if _WHEN.search(question) and bill and not member and not u.topic:
        return core.bill_summary(bill)
    reply = core.run_search(spec)
    kind = "latest contributions" if latest else "who spoke" if _WHO.search(question) else "contributions"
    reply.understood = _describe(kind, u)
    return reply
